/*
 * Races single-threaded tests cannot reach (STRESS_RACE_CHECKS, stress_checks.h):
 *   R-THREAD-4  mark_reader_disconnected racing with commits;
 *   R-THREAD-1  SN publication order with four writers and random delays
 *               between reserve and commit.
 * Every thread is joined with a deadline (timed_join.h).
 */
#include "util.h"

#include "stress.h"
#include "timed_join.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- R-THREAD-4: disconnect racing with commits ------------------------------ */

#define DR_SLOTS 8
#define DR_WRITERS 3
/* Large payloads widen the window between a commit's claim and its publish. */
#define DR_CAPACITY (256u * 1024u)
#define DR_STAYS 0u /* reader that marks every sample */
#define DR_GONE 1u  /* reader disconnected in every round */
#define DR_MASK ((1u << DR_STAYS) | (1u << DR_GONE))
#define DR_MAX_ROUNDS 400u
#define DR_SECONDS 2.5
#define DR_MIN_ROUNDS 20u

/* One round: loans reserved before the disconnect, committed around it. The
 * clock orders call starts and ends across threads (seq_cst). */
struct dr_round {
    slotkit_pool *pool;
    const uint8_t *payload;
    uint8_t *read_buf; /* the judge's, DR_CAPACITY bytes */
    slotkit_handle loan[DR_WRITERS];
    uint64_t seed;
    atomic_uint clock;
    atomic_uint ready; /* workers waiting for go */
    atomic_bool go;
    unsigned commit_start[DR_WRITERS], commit_end[DR_WRITERS];
    unsigned disc_start, disc_end;
    slotkit_status commit_status[DR_WRITERS], disc_status;
};

struct dr_worker {
    struct dr_round *round;
    unsigned index;
};

static void *dr_writer_main(void *arg)
{
    struct dr_worker *w = arg;
    struct dr_round *r = w->round;
    uint64_t rng = r->seed * 0x9E3779B97F4A7C15ull + w->index + 1u;
    /* Start together, then stagger by about a commit's length. */
    atomic_fetch_add(&r->ready, 1);
    while (!atomic_load(&r->go)) {
        sched_yield();
    }
    random_delay(&rng, 4000);
    unsigned i = w->index;
    uint32_t sn = 0;
    r->commit_start[i] = atomic_fetch_add(&r->clock, 1);
    r->commit_status[i] = slotkit_commit(r->pool, r->loan[i], r->payload, DR_CAPACITY, &sn);
    r->commit_end[i] = atomic_fetch_add(&r->clock, 1);
    return NULL;
}

/* The test thread disconnects after a random number of commit starts and
 * ends: it is already running, and it spins (for a while) rather than
 * yields, so it can land inside a commit on the other core. */
static void dr_disconnect(struct dr_round *r)
{
    uint64_t rng = r->seed * 0xD1B54A32D192ED03ull;
    unsigned target = (unsigned)(rng_next(&rng) % (2u * DR_WRITERS + 1u));
    double spin_until = mono_now() + 0.002, give_up = mono_now() + 5.0;
    while (atomic_load(&r->clock) < target) {
        double now = mono_now();
        if (now > give_up) {
            break; /* the commits hang: the join below reports it */
        }
        if (now > spin_until) {
            sched_yield();
        }
    }
    r->disc_start = atomic_fetch_add(&r->clock, 1);
    r->disc_status = slotkit_mark_reader_disconnected(r->pool, DR_GONE);
    r->disc_end = atomic_fetch_add(&r->clock, 1);
}

/* After the round: the disconnected reader is waited for by no sample. */
static void dr_judge(struct dr_round *r, unsigned round, unsigned *after_count, unsigned *overlap_count,
                     stress_result *res)
{
    if (r->disc_status != SLOTKIT_OK) {
        result_fail(res, "round %u: mark_reader_disconnected returned %s", round, status_name(r->disc_status));
        return;
    }
    for (unsigned i = 0; i < DR_WRITERS; i++) {
        if (r->commit_status[i] != SLOTKIT_OK) {
            result_fail(res, "round %u: commit of a live loan returned %s", round, status_name(r->commit_status[i]));
            return;
        }
        slotkit_slot_header h;
        slotkit_status st = slotkit_read(r->pool, r->loan[i], &h, r->read_buf, DR_CAPACITY);
        if (st != SLOTKIT_OK || h.sample_size != DR_CAPACITY || memcmp(r->read_buf, r->payload, DR_CAPACITY) != 0) {
            result_fail(res, "round %u: read of a committed sample returned %s, size %u, %s", round, status_name(st),
                        h.sample_size, st == SLOTKIT_OK ? "other bytes" : "no bytes");
            return;
        }
        bool before = r->commit_end[i]<r->disc_start, after = r->commit_start[i]> r->disc_end;
        bool gone_done = (h.reader_mask & (1u << DR_GONE)) != 0;
        *after_count += after;
        *overlap_count += !before && !after;
        if ((before && !gone_done) || (after && gone_done)) {
            result_fail(res,
                        "round %u: sample committed %s the disconnect has reader_mask 0x%x "
                        "(R-DISC-%s)",
                        round, before ? "before" : "after", h.reader_mask, before ? "1" : "2");
            return;
        }
        st = slotkit_mark_read(r->pool, r->loan[i], DR_STAYS);
        if (st != SLOTKIT_OK) {
            result_fail(res, "round %u: mark_read returned %s", round, status_name(st));
            return;
        }
    }
    bool found = false;
    slotkit_handle h;
    if (slotkit_next_unread(r->pool, DR_GONE, &found, &h) == SLOTKIT_OK && found) {
        result_fail(res, "round %u: next_unread(disconnected reader) found slot %u", round, h.slot_index);
        return;
    }
    size_t free_slots = count_reservable(r->pool, DR_SLOTS);
    if (free_slots != DR_SLOTS) {
        result_fail(res,
                    "round %u: after the staying reader marked every sample, %zu of %u "
                    "slots are reservable: a sample still waits for the reader "
                    "disconnected while its commit raced",
                    round, free_slots, DR_SLOTS);
    }
}

/* Reserves the round's loans, then races their commits with a disconnect.
 * false when a thread missed its deadline (then r and workers are leaked). */
static bool dr_run_round(struct dr_round *r, struct dr_worker *workers, timed_thread *threads, stress_result *res)
{
    for (unsigned i = 0; i < DR_WRITERS; i++) {
        slotkit_status st = slotkit_reserve(r->pool, DR_MASK, &r->loan[i]);
        if (st != SLOTKIT_OK) {
            result_fail(res, "reserve returned %s", status_name(st));
            return true;
        }
    }
    unsigned started = 0;
    for (; started < DR_WRITERS; started++) {
        workers[started].round = r;
        workers[started].index = started;
        if (!timed_start(&threads[started], dr_writer_main, &workers[started])) {
            result_fail(res, "pthread_create failed");
            break;
        }
    }
    double deadline = mono_now() + 10.0;
    while (atomic_load(&r->ready) < started && mono_now() < deadline) {
        sched_yield();
    }
    atomic_store(&r->go, true);
    dr_disconnect(r);
    if (!timed_join_all(threads, started, mono_now() + 10.0)) {
        result_fail(res, "a commit or disconnect did not return within 10 s");
        return false;
    }
    return true;
}

stress_result stress_thread_4_disconnect_race(const slotkit_backend *backend, const char *pool_name)
{
    stress_result res = result_ok();
    struct dr_round *r = calloc(1, sizeof *r);
    struct dr_worker *workers = calloc(DR_WRITERS, sizeof *workers);
    timed_thread *threads = calloc(DR_WRITERS, sizeof *threads);
    uint8_t *payload = malloc(DR_CAPACITY), *read_buf = malloc(DR_CAPACITY);
    if (r == NULL || workers == NULL || threads == NULL || payload == NULL || read_buf == NULL) {
        result_fail(&res, "out of memory");
        goto out;
    }
    fill_pattern(payload, DR_CAPACITY, 42);
    r->payload = payload;
    r->read_buf = read_buf;
    r->pool = open_stress_pool(backend, pool_name, DR_SLOTS, DR_CAPACITY, &(uint32_t){0}, &res);
    if (r->pool == NULL) {
        goto out;
    }
    double stop_at = mono_now() + DR_SECONDS;
    unsigned rounds = 0, after = 0, overlap = 0;
    for (; rounds < DR_MAX_ROUNDS && mono_now() < stop_at && res.ok; rounds++) {
        r->seed = rounds + 1u;
        atomic_store(&r->clock, 0);
        atomic_store(&r->ready, 0);
        atomic_store(&r->go, false);
        if (!dr_run_round(r, workers, threads, &res)) {
            return res; /* threads may still be inside the pool: leak it all */
        }
        if (res.ok) {
            dr_judge(r, rounds, &after, &overlap, &res);
        }
    }
    if (res.ok && rounds < DR_MIN_ROUNDS) {
        result_fail(&res, "only %u rounds in %.1f s", rounds, DR_SECONDS);
    }
    snprintf(res.info, sizeof res.info,
             "%u rounds of %u commits racing a disconnect: %u commits overlapped it, %u "
             "started after it",
             rounds, DR_WRITERS, overlap, after);
    slotkit_pool_close(r->pool);
out:
    free(read_buf);
    free(payload);
    free(threads);
    free(workers);
    free(r);
    return res;
}

/* ---- R-THREAD-1: four writers, random reserve-to-commit delays ------------------ */

#define FW_WRITERS 4
#define FW_READERS 3
#define FW_MASK 0x7u
#define FW_SLOTS 8
#define FW_CAPACITY 64
#define FW_TAG_BYTES 4
#define FW_PER_WRITER 1500
#define FW_SECONDS 2.5
#define FW_DRAIN_S 15.0
#define FW_MIN_SAMPLES 100u

struct fw_shared {
    slotkit_pool *pool;
    uint32_t first_sn;
    double stop_at;
    atomic_uint writers_running;
    unsigned produced[FW_WRITERS];             /* each written by its writer only */
    uint32_t sn_of[FW_WRITERS][FW_PER_WRITER]; /* likewise */
    uint32_t received[FW_READERS];             /* each written by its reader only */
    uint8_t times[FW_READERS][FW_WRITERS][FW_PER_WRITER];
    uint32_t delivered_sn[FW_READERS][FW_WRITERS][FW_PER_WRITER];
    struct failure failure;
};

struct fw_worker {
    struct fw_shared *shared;
    unsigned index;
};

static size_t fw_len(uint32_t tag)
{
    return FW_TAG_BYTES + (tag * 2654435761u >> 9) % (FW_CAPACITY - FW_TAG_BYTES + 1);
}

/* Holds the loan a random while: spins, a yield, nothing, or a sleep. */
static void fw_hold_loan(uint64_t *rng)
{
    uint64_t r = rng_next(rng) % 16u;
    if (r < 8) {
        random_delay(rng, 3000);
    } else if (r < 12) {
        sched_yield();
    } else if (r == 15) {
        sleep_s((double)(1u + rng_next(rng) % 50u) * 1e-6);
    }
}

static void *fw_writer(void *arg)
{
    struct fw_worker *self = arg;
    struct fw_shared *s = self->shared;
    unsigned w = self->index;
    uint64_t rng = 0xF0F0ull + w;
    uint8_t payload[FW_CAPACITY];
    unsigned ordinal = 0;
    while (ordinal < FW_PER_WRITER && mono_now() < s->stop_at && !failed(&s->failure)) {
        slotkit_handle loan;
        slotkit_status st = slotkit_reserve(s->pool, FW_MASK, &loan);
        if (st == SLOTKIT_NO_FREE_SLOT) {
            sched_yield();
            continue;
        }
        if (st != SLOTKIT_OK) {
            fail_once(&s->failure, "writer %u: reserve returned %s", w, status_name(st));
            break;
        }
        uint32_t tag = (uint32_t)(w << 16 | ordinal), sn = 0;
        memcpy(payload, &tag, FW_TAG_BYTES);
        fill_pattern(payload + FW_TAG_BYTES, fw_len(tag) - FW_TAG_BYTES, tag);
        fw_hold_loan(&rng);
        st = slotkit_commit(s->pool, loan, payload, fw_len(tag), &sn);
        if (st != SLOTKIT_OK) {
            fail_once(&s->failure, "writer %u: commit returned %s", w, status_name(st));
            break;
        }
        s->sn_of[w][ordinal++] = sn;
    }
    s->produced[w] = ordinal;
    atomic_fetch_sub(&s->writers_running, 1);
    return NULL;
}

/* Reads, checks and marks the sample next_unread gave reader r. */
static bool fw_consume(struct fw_shared *s, unsigned r, slotkit_handle h)
{
    uint8_t buf[FW_CAPACITY];
    slotkit_slot_header hdr;
    slotkit_status st = slotkit_read(s->pool, h, &hdr, buf, sizeof buf);
    if (st != SLOTKIT_OK) {
        fail_once(&s->failure, "reader %u: read of a pending sample returned %s", r, status_name(st));
        return false;
    }
    uint32_t want = s->first_sn + s->received[r], tag = 0;
    if (hdr.sequence_number != want) {
        fail_once(&s->failure,
                  "reader %u: next_unread gave sn %u, expected %u: with four "
                  "writers, SNs reached the reader out of order or one was skipped",
                  r, hdr.sequence_number, want);
        return false;
    }
    memcpy(&tag, buf, FW_TAG_BYTES);
    unsigned w = tag >> 16, ordinal = tag & 0xFFFFu;
    if (hdr.sample_size < FW_TAG_BYTES || w >= FW_WRITERS || ordinal >= FW_PER_WRITER ||
        hdr.sample_size != fw_len(tag) || !pattern_ok(buf + FW_TAG_BYTES, hdr.sample_size - FW_TAG_BYTES, tag)) {
        fail_once(&s->failure, "reader %u: sample sn %u is torn or corrupt", r, hdr.sequence_number);
        return false;
    }
    s->times[r][w][ordinal]++;
    s->delivered_sn[r][w][ordinal] = hdr.sequence_number;
    s->received[r]++;
    st = slotkit_mark_read(s->pool, h, r);
    if (st != SLOTKIT_OK) {
        fail_once(&s->failure, "reader %u: mark_read returned %s", r, status_name(st));
        return false;
    }
    return true;
}

static void *fw_reader(void *arg)
{
    struct fw_worker *self = arg;
    struct fw_shared *s = self->shared;
    unsigned r = self->index;
    while (!failed(&s->failure)) {
        /* Loaded before looking: if the writers were done then, an empty look is final. */
        bool writers_done = atomic_load(&s->writers_running) == 0;
        bool found = false;
        slotkit_handle h;
        slotkit_status st = slotkit_next_unread(s->pool, r, &found, &h);
        if (st != SLOTKIT_OK) {
            fail_once(&s->failure, "reader %u: next_unread returned %s", r, status_name(st));
            return NULL;
        }
        if (found) {
            if (!fw_consume(s, r, h)) {
                return NULL;
            }
            continue;
        }
        if (writers_done) {
            return NULL;
        }
        if (mono_now() > s->stop_at + FW_DRAIN_S) {
            fail_once(&s->failure,
                      "reader %u: samples still missing %.0f s after the writers' "
                      "deadline",
                      r, FW_DRAIN_S);
            return NULL;
        }
        sched_yield();
    }
    return NULL;
}

/* Every reader got every writer's every sample once, with the SN its commit returned. */
static void fw_judge(const struct fw_shared *s, stress_result *res)
{
    unsigned total = 0;
    for (unsigned w = 0; w < FW_WRITERS; w++) {
        total += s->produced[w];
    }
    for (unsigned r = 0; r < FW_READERS && res->ok; r++) {
        if (s->received[r] != total) {
            result_fail(res, "reader %u received %u samples of %u", r, s->received[r], total);
        }
        for (unsigned w = 0; w < FW_WRITERS && res->ok; w++) {
            for (unsigned i = 0; i < s->produced[w] && res->ok; i++) {
                if (s->times[r][w][i] != 1 || s->delivered_sn[r][w][i] != s->sn_of[w][i]) {
                    result_fail(res,
                                "reader %u got writer %u's sample %u %u times, as sn %u "
                                "(committed as sn %u)",
                                r, w, i, s->times[r][w][i], s->delivered_sn[r][w][i], s->sn_of[w][i]);
                }
            }
        }
    }
    if (res->ok && total < FW_MIN_SAMPLES) {
        result_fail(res, "only %u samples committed in %.1f s", total, FW_SECONDS);
    }
    snprintf(res->info, sizeof res->info, "%u samples from %u writers to %u readers", total, FW_WRITERS, FW_READERS);
}

stress_result stress_thread_1_four_writers(const slotkit_backend *backend, const char *pool_name)
{
    enum { THREADS = FW_WRITERS + FW_READERS };
    stress_result res = result_ok();
    struct fw_shared *s = calloc(1, sizeof *s);
    struct fw_worker *workers = calloc(THREADS, sizeof *workers);
    timed_thread *threads = calloc(THREADS, sizeof *threads);
    if (s == NULL || workers == NULL || threads == NULL) {
        result_fail(&res, "out of memory");
        goto out;
    }
    failure_init(&s->failure);
    /* Cross the 2^32 wrap mid-run. */
    s->first_sn = 0xFFFFFFFFu - 900u;
    s->pool = open_stress_pool(backend, pool_name, FW_SLOTS, FW_CAPACITY, &s->first_sn, &res);
    if (s->pool == NULL) {
        goto out;
    }
    atomic_store(&s->writers_running, FW_WRITERS);
    s->stop_at = mono_now() + FW_SECONDS;
    unsigned started = 0;
    for (; started < THREADS; started++) {
        bool writer = started < FW_WRITERS;
        workers[started].shared = s;
        workers[started].index = writer ? started : started - FW_WRITERS;
        if (!timed_start(&threads[started], writer ? fw_writer : fw_reader, &workers[started])) {
            fail_once(&s->failure, "pthread_create failed");
            atomic_fetch_sub(&s->writers_running, writer ? FW_WRITERS - started : 0);
            break;
        }
    }
    if (!timed_join_all(threads, started, s->stop_at + FW_DRAIN_S + 10.0)) {
        result_fail(&res, "a writer or reader did not finish within %.0f s of the deadline", FW_DRAIN_S + 10.0);
        return res; /* threads may still be inside the pool: leak it all */
    }
    if (failed(&s->failure)) {
        result_fail(&res, "%s", s->failure.message);
    } else {
        fw_judge(s, &res);
    }
    slotkit_pool_close(s->pool);
out:
    free(threads);
    free(workers);
    free(s);
    return res;
}
