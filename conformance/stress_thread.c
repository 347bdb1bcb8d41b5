/*
 * R-THREAD-1..3: writers and readers on one pool from several threads
 * (the checks of STRESS_THREAD_CHECKS, stress_checks.h).
 */
/* First: util.h sets the feature-test macros before any system header. */
#include "util.h"

#include "stress.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writers stop starting new work after this; readers then drain. */
#define WORK_SECONDS 2.5
/* Readers give up (and fail) this long after the writers' deadline. */
#define DRAIN_SECONDS 15.0

/* ---- R-THREAD-1: writers and readers, exactly once, in order, intact ------ */

#define T1_WRITERS 2
#define T1_READERS 3
#define T1_READER_MASK 0x7u
#define T1_PER_WRITER 1500
#define T1_SLOTS 8
#define T1_CAPACITY 64
#define T1_TAG_BYTES 4

/* A payload names its writer and ordinal; its length and bytes derive from
 * that tag, so a torn or mixed-up sample cannot pass as intact. (The SN is
 * only known after commit, and two writers race for it.) */
static uint32_t t1_tag(unsigned writer, unsigned ordinal) { return (uint32_t)(writer << 16 | ordinal); }

static size_t t1_len(uint32_t tag)
{
    return T1_TAG_BYTES + (tag * 2654435761u >> 7) % (T1_CAPACITY - T1_TAG_BYTES + 1);
}

struct t1_shared {
    slotkit_pool *pool;
    uint64_t segment_id; /* for scanning readers */
    double stop_at;
    bool use_next_unread; /* false: readers scan the slots with read_slot */
    atomic_uint writers_running;
    unsigned produced[T1_WRITERS];             /* each written by its writer only */
    uint32_t sn_of[T1_WRITERS][T1_PER_WRITER]; /* likewise */
    /* Each reader writes only its own row. */
    uint16_t times_delivered[T1_READERS][T1_WRITERS][T1_PER_WRITER];
    uint32_t delivered_sn[T1_READERS][T1_WRITERS][T1_PER_WRITER];
    struct failure failure;
};

struct t1_worker {
    struct t1_shared *shared;
    unsigned index;
};

static void *t1_writer(void *arg)
{
    struct t1_worker *self = arg;
    struct t1_shared *s = self->shared;
    unsigned w = self->index;
    uint64_t rng = 0x51EDull + w;
    uint8_t payload[T1_CAPACITY];
    unsigned ordinal = 0;
    while (ordinal < T1_PER_WRITER && mono_now() < s->stop_at && !failed(&s->failure)) {
        slotkit_handle loan;
        slotkit_status st = slotkit_reserve(s->pool, T1_READER_MASK, &loan);
        if (st == SLOTKIT_NO_FREE_SLOT) {
            sched_yield(); /* readers have not caught up */
            continue;
        }
        if (st != SLOTKIT_OK) {
            fail_once(&s->failure, "writer %u: reserve returned %s (ordinal %u)", w, status_name(st), ordinal);
            break;
        }
        uint32_t tag = t1_tag(w, ordinal);
        memcpy(payload, &tag, T1_TAG_BYTES);
        fill_pattern(payload + T1_TAG_BYTES, t1_len(tag) - T1_TAG_BYTES, tag);
        random_delay(&rng, 200);
        uint32_t sn = 0;
        st = slotkit_commit(s->pool, loan, payload, t1_len(tag), &sn);
        if (st != SLOTKIT_OK) {
            fail_once(&s->failure, "writer %u: commit returned %s (ordinal %u)", w, status_name(st), ordinal);
            break;
        }
        s->sn_of[w][ordinal] = sn;
        ordinal++;
    }
    s->produced[w] = ordinal;
    atomic_fetch_sub(&s->writers_running, 1);
    return NULL;
}

/* Reads, checks and marks one sample pending for reader r. */
static bool t1_consume(struct t1_shared *s, unsigned r, slotkit_handle h, bool *have_last, uint32_t *last_sn)
{
    uint8_t buf[T1_CAPACITY];
    slotkit_slot_header header;
    slotkit_status st = slotkit_read(s->pool, h, &header, buf, sizeof buf);
    if (st != SLOTKIT_OK) {
        /* It is pending for r, so it cannot have been recycled under us. */
        fail_once(&s->failure,
                  "reader %u: read of a sample pending for it returned %s "
                  "(slot %u)",
                  r, status_name(st), h.slot_index);
        return false;
    }
    if (header.sample_size < T1_TAG_BYTES || header.sample_size > T1_CAPACITY) {
        fail_once(&s->failure, "reader %u: sample sn %u has size %u", r, header.sequence_number, header.sample_size);
        return false;
    }
    uint32_t tag = 0;
    memcpy(&tag, buf, T1_TAG_BYTES);
    unsigned w = tag >> 16, ordinal = tag & 0xFFFFu;
    if (w >= T1_WRITERS || ordinal >= T1_PER_WRITER || header.sample_size != t1_len(tag) ||
        !pattern_ok(buf + T1_TAG_BYTES, header.sample_size - T1_TAG_BYTES, tag)) {
        fail_once(&s->failure, "reader %u: sample sn %u (size %u) is torn or corrupt", r, header.sequence_number,
                  header.sample_size);
        return false;
    }
    if ((header.reader_mask & (1u << r)) != 0) {
        fail_once(&s->failure, "reader %u: offered sn %u although it marked it (mask 0x%x)", r, header.sequence_number,
                  header.reader_mask);
        return false;
    }
    if (s->use_next_unread && *have_last && !serial_after(header.sequence_number, *last_sn)) {
        fail_once(&s->failure, "reader %u: got sn %u after sn %u: not in sequence order", r, header.sequence_number,
                  *last_sn);
        return false;
    }
    *have_last = true;
    *last_sn = header.sequence_number;
    s->times_delivered[r][w][ordinal]++;
    s->delivered_sn[r][w][ordinal] = header.sequence_number;
    st = slotkit_mark_read(s->pool, h, r);
    if (st != SLOTKIT_OK) {
        fail_once(&s->failure, "reader %u: mark_read returned %s (sn %u)", r, status_name(st), header.sequence_number);
        return false;
    }
    return true;
}

/* Finds a sample pending for reader r: by next_unread, or by scanning. */
static bool t1_find(struct t1_shared *s, unsigned r, slotkit_handle *out, bool *error)
{
    *error = false;
    if (s->use_next_unread) {
        bool found = false;
        slotkit_status st = slotkit_next_unread(s->pool, r, &found, out);
        if (st != SLOTKIT_OK) {
            fail_once(&s->failure, "reader %u: next_unread returned %s", r, status_name(st));
            *error = true;
            return false;
        }
        return found;
    }
    for (uint32_t i = 0; i < T1_SLOTS; i++) {
        slotkit_handle h = {.segment_id = s->segment_id, .slot_index = i};
        slotkit_slot_header header;
        uint8_t buf[T1_CAPACITY];
        slotkit_status st = slotkit_read(s->pool, h, &header, buf, sizeof buf);
        if (st == SLOTKIT_OUT_OF_BOUNDS) {
            continue; /* FREE or LOANED */
        }
        if (st != SLOTKIT_OK) {
            fail_once(&s->failure, "reader %u: read of slot %u returned %s", r, i, status_name(st));
            *error = true;
            return false;
        }
        /* Every sample waits for all readers, so "not marked" means pending. */
        if ((header.reader_mask & (1u << r)) == 0) {
            *out = h;
            return true;
        }
    }
    return false;
}

static void *t1_reader(void *arg)
{
    struct t1_worker *self = arg;
    struct t1_shared *s = self->shared;
    unsigned r = self->index;
    bool have_last = false;
    uint32_t last_sn = 0;
    uint64_t rng = 0xBEEFull + r;
    while (!failed(&s->failure)) {
        /* Read before looking: if the writers were done then, an empty look is final. */
        bool writers_done = atomic_load(&s->writers_running) == 0;
        bool error = false;
        slotkit_handle h;
        if (t1_find(s, r, &h, &error)) {
            if (!t1_consume(s, r, h, &have_last, &last_sn)) {
                return NULL;
            }
            random_delay(&rng, 100);
            continue;
        }
        if (error || writers_done) {
            return NULL;
        }
        if (mono_now() > s->stop_at + DRAIN_SECONDS) {
            fail_once(&s->failure,
                      "reader %u: samples still missing %.0f s after the writers' "
                      "deadline",
                      r, DRAIN_SECONDS);
            return NULL;
        }
        sched_yield();
    }
    return NULL;
}

/* After the threads: every committed SN is distinct and they are consecutive
 * from first_sn; every reader got every sample exactly once, with the SN its
 * commit returned. Returns the number of samples committed. */
static unsigned t1_judge(const struct t1_shared *s, uint32_t first_sn, stress_result *res)
{
    unsigned total = s->produced[0] + s->produced[1];
    uint8_t *sn_seen = calloc(total > 0 ? total : 1, 1);
    if (sn_seen == NULL) {
        result_fail(res, "out of memory");
        return total;
    }
    for (unsigned w = 0; w < T1_WRITERS; w++) {
        for (unsigned i = 0; i < s->produced[w]; i++) {
            uint32_t offset = s->sn_of[w][i] - first_sn;
            if (offset >= total || sn_seen[offset]++) {
                result_fail(res,
                            "writer %u sample %u got sn %u: a duplicate, or outside the %u "
                            "consecutive SNs from %u",
                            w, i, s->sn_of[w][i], total, first_sn);
            }
        }
    }
    free(sn_seen);
    for (unsigned r = 0; r < T1_READERS; r++) {
        for (unsigned w = 0; w < T1_WRITERS; w++) {
            for (unsigned i = 0; i < s->produced[w]; i++) {
                if (s->times_delivered[r][w][i] != 1) {
                    result_fail(res, "reader %u received writer %u's sample %u (sn %u) %u times", r, w, i,
                                s->sn_of[w][i], s->times_delivered[r][w][i]);
                } else if (s->delivered_sn[r][w][i] != s->sn_of[w][i]) {
                    result_fail(res,
                                "reader %u received writer %u's sample %u as sn %u, committed "
                                "as sn %u",
                                r, w, i, s->delivered_sn[r][w][i], s->sn_of[w][i]);
                }
            }
        }
    }
    return total;
}

static stress_result run_thread_1(const slotkit_backend *backend, const char *pool_name, bool use_next_unread)
{
    stress_result res = result_ok();
    struct t1_shared *s = calloc(1, sizeof *s);
    if (s == NULL) {
        result_fail(&res, "out of memory");
        return res;
    }
    failure_init(&s->failure);
    s->use_next_unread = use_next_unread;
    /* Cross the 2^32 wrap mid-run: per-reader order must use serial arithmetic. */
    uint32_t first_sn = 0xFFFFFFFFu - 700u;
    s->pool = open_stress_pool(backend, pool_name, T1_SLOTS, T1_CAPACITY, &first_sn, &res);
    if (s->pool == NULL || !learn_segment(s->pool, &s->segment_id, &res)) {
        goto out;
    }
    atomic_store(&s->writers_running, T1_WRITERS);
    s->stop_at = mono_now() + WORK_SECONDS;

    struct t1_worker workers[T1_WRITERS + T1_READERS];
    void *(*fns[T1_WRITERS + T1_READERS])(void *);
    void *args[T1_WRITERS + T1_READERS];
    for (unsigned i = 0; i < T1_WRITERS + T1_READERS; i++) {
        bool writer = i < T1_WRITERS;
        workers[i].shared = s;
        workers[i].index = writer ? i : i - T1_WRITERS;
        fns[i] = writer ? t1_writer : t1_reader;
        args[i] = &workers[i];
    }
    run_threads(T1_WRITERS + T1_READERS, fns, args, &s->failure);
    if (failed(&s->failure)) {
        result_fail(&res, "%s", s->failure.message);
        goto out;
    }
    unsigned total = t1_judge(s, first_sn, &res);
    /* Enough traffic for the check to mean something, even on a slow box. */
    if (total < 100) {
        result_fail(&res, "only %u samples committed in %.1f s", total, WORK_SECONDS);
    }
    snprintf(res.info, sizeof res.info, "%u samples through %u slots to %u readers", total, T1_SLOTS, T1_READERS);
out:
    if (s->pool != NULL) {
        slotkit_pool_close(s->pool);
    }
    free(s);
    return res;
}

stress_result stress_thread_1_next_unread(const slotkit_backend *backend, const char *pool_name)
{
    return run_thread_1(backend, pool_name, true);
}

stress_result stress_thread_1_scanning(const slotkit_backend *backend, const char *pool_name)
{
    return run_thread_1(backend, pool_name, false);
}

/* ---- R-THREAD-2: loans stay exclusive ------------------------------------- */

#define T2_THREADS 4
#define T2_SLOTS 3
#define T2_OPS 3000

struct t2_shared {
    slotkit_pool *pool;
    double stop_at;
    uint32_t first_sn;
    /* owner[i]: which thread believes it holds slot i (0 = nobody). */
    atomic_uint owner[T2_SLOTS];
    atomic_uint commits;
    uint8_t sn_seen[T2_THREADS * T2_OPS]; /* by offset from first_sn; atomic via fetch below */
    atomic_uint sn_duplicates;
    struct failure failure;
};

struct t2_worker {
    struct t2_shared *shared;
    unsigned id; /* 1-based: 0 means "nobody" in owner[] */
};

static void *t2_worker_main(void *arg)
{
    struct t2_worker *self = arg;
    struct t2_shared *s = self->shared;
    uint64_t rng = 0xC0FFEEull * self->id;
    for (unsigned op = 0; op < T2_OPS && mono_now() < s->stop_at && !failed(&s->failure); op++) {
        slotkit_handle loan;
        slotkit_status st = slotkit_reserve(s->pool, 0, &loan);
        if (st == SLOTKIT_NO_FREE_SLOT) {
            sched_yield();
            continue;
        }
        if (st != SLOTKIT_OK || loan.slot_index >= T2_SLOTS) {
            fail_once(&s->failure, "thread %u: reserve returned %s, slot %u", self->id, status_name(st),
                      loan.slot_index);
            return NULL;
        }
        unsigned nobody = 0;
        if (!atomic_compare_exchange_strong(&s->owner[loan.slot_index], &nobody, self->id)) {
            fail_once(&s->failure, "slot %u lent to thread %u while thread %u holds it", loan.slot_index, self->id,
                      nobody);
            return NULL;
        }
        random_delay(&rng, 300);
        /* Give up ownership before the slot can legitimately be lent again. */
        atomic_store(&s->owner[loan.slot_index], 0);
        if (rng_next(&rng) & 1u) {
            uint32_t sn = 0;
            uint8_t byte = (uint8_t)self->id;
            st = slotkit_commit(s->pool, loan, &byte, 1, &sn);
            if (st == SLOTKIT_OK) {
                uint32_t offset = sn - s->first_sn;
                if (offset >= T2_THREADS * T2_OPS ||
                    __atomic_fetch_add(&s->sn_seen[offset], 1, __ATOMIC_RELAXED) != 0) {
                    atomic_fetch_add(&s->sn_duplicates, 1);
                }
                atomic_fetch_add(&s->commits, 1);
            }
        } else {
            st = slotkit_discard(s->pool, loan);
        }
        /* A double loan shows here too: the other holder already ended it. */
        if (st != SLOTKIT_OK) {
            fail_once(&s->failure, "thread %u: ending its loan of slot %u returned %s", self->id, loan.slot_index,
                      status_name(st));
            return NULL;
        }
    }
    return NULL;
}

stress_result stress_thread_2(const slotkit_backend *backend, const char *pool_name)
{
    stress_result res = result_ok();
    struct t2_shared *s = calloc(1, sizeof *s);
    if (s == NULL) {
        result_fail(&res, "out of memory");
        return res;
    }
    failure_init(&s->failure);
    s->first_sn = 0xFFFFF000u;
    s->pool = open_stress_pool(backend, pool_name, T2_SLOTS, 8, &s->first_sn, &res);
    if (s->pool == NULL) {
        free(s);
        return res;
    }
    s->stop_at = mono_now() + WORK_SECONDS;
    struct t2_worker workers[T2_THREADS];
    void *(*fns[T2_THREADS])(void *);
    void *args[T2_THREADS];
    for (unsigned i = 0; i < T2_THREADS; i++) {
        workers[i].shared = s;
        workers[i].id = i + 1;
        fns[i] = t2_worker_main;
        args[i] = &workers[i];
    }
    run_threads(T2_THREADS, fns, args, &s->failure);

    unsigned commits = atomic_load(&s->commits);
    unsigned duplicates = atomic_load(&s->sn_duplicates);
    if (failed(&s->failure)) {
        result_fail(&res, "%s", s->failure.message);
    } else if (duplicates != 0) {
        result_fail(&res, "%u commits got a duplicate or out-of-range SN", duplicates);
    } else {
        /* All loans ended and every sample had mask 0: the whole pool is free,
         * and the next SN follows the last one handed out. */
        size_t reservable = count_reservable(s->pool, T2_SLOTS);
        uint8_t byte = 0;
        uint32_t next_sn = 0;
        slotkit_handle loan;
        slotkit_status st = slotkit_reserve(s->pool, 0, &loan);
        if (st == SLOTKIT_OK) {
            st = slotkit_commit(s->pool, loan, &byte, 1, &next_sn);
        }
        if (reservable != T2_SLOTS) {
            result_fail(&res, "after all loans ended %zu of %u slots are reservable", reservable, T2_SLOTS);
        } else if (st != SLOTKIT_OK || next_sn != s->first_sn + commits) {
            result_fail(&res, "after %u commits the next commit returned %s, sn %u, expected %u", commits,
                        status_name(st), next_sn, s->first_sn + commits);
        }
    }
    snprintf(res.info, sizeof res.info, "%u commits by %u threads on %u slots", commits, T2_THREADS, T2_SLOTS);
    slotkit_pool_close(s->pool);
    free(s);
    return res;
}

/* ---- R-THREAD-3: read_slot racing with recycling ------------------------- */

#define T3_SLOTS 2
#define T3_CAPACITY 64
#define T3_READERS 2
#define T3_MAX_SAMPLES 200000

/* With one writer the SN of each commit is known in advance, so length and
 * bytes derive from it: a reader can check any sample it sees. */
static size_t t3_len(uint32_t sn) { return 1 + (sn * 2654435761u >> 9) % T3_CAPACITY; }

struct t3_shared {
    slotkit_pool *pool;
    uint64_t segment_id;
    uint32_t first_sn;
    double stop_at;
    bool in_place; /* writer fills through slot_data_ptr */
    atomic_bool writer_done;
    atomic_uint samples;
    atomic_uint whole_reads;
    atomic_uint refused_reads;
    struct failure failure;
};

static void *t3_writer(void *arg)
{
    struct t3_shared *s = arg;
    uint8_t payload[T3_CAPACITY];
    for (uint32_t k = 0; k < T3_MAX_SAMPLES && mono_now() < s->stop_at && !failed(&s->failure); k++) {
        uint32_t expected_sn = s->first_sn + k;
        size_t len = t3_len(expected_sn);
        slotkit_handle loan;
        /* Mask 0: every sample is recyclable at once, so reserve keeps
         * overwriting slots that readers are reading. */
        slotkit_status st = slotkit_reserve(s->pool, 0, &loan);
        if (st != SLOTKIT_OK) {
            fail_once(&s->failure, "writer: reserve returned %s (sample %u)", status_name(st), k);
            break;
        }
        uint32_t sn = 0;
        if (s->in_place) {
            void *ptr = NULL;
            size_t capacity = 0;
            st = slotkit_slot_data_ptr(s->pool, loan, &ptr, &capacity);
            if (st == SLOTKIT_OK) {
                fill_pattern(ptr, len, expected_sn);
                st = slotkit_commit_in_place(s->pool, loan, len, &sn);
            }
        } else {
            fill_pattern(payload, len, expected_sn);
            st = slotkit_commit(s->pool, loan, payload, len, &sn);
        }
        if (st != SLOTKIT_OK || sn != expected_sn) {
            fail_once(&s->failure, "writer: commit returned %s, sn %u, expected sn %u", status_name(st), sn,
                      expected_sn);
            break;
        }
        atomic_fetch_add(&s->samples, 1);
    }
    atomic_store(&s->writer_done, true);
    return NULL;
}

static void *t3_reader(void *arg)
{
    struct t3_shared *s = arg;
    uint8_t buf[T3_CAPACITY];
    uint32_t slot = 0;
    while (!atomic_load(&s->writer_done) && !failed(&s->failure)) {
        slotkit_handle h = {.segment_id = s->segment_id, .slot_index = slot};
        slot = (slot + 1) % T3_SLOTS;
        slotkit_slot_header header;
        slotkit_status st = slotkit_read(s->pool, h, &header, buf, sizeof buf);
        if (st == SLOTKIT_OUT_OF_BOUNDS) {
            atomic_fetch_add(&s->refused_reads, 1);
            continue;
        }
        if (st != SLOTKIT_OK) {
            fail_once(&s->failure, "reader: read of slot %u returned %s", h.slot_index, status_name(st));
            break;
        }
        uint32_t sn = header.sequence_number;
        if (header.sample_size != t3_len(sn) || !pattern_ok(buf, header.sample_size, sn) || header.reserved != 0) {
            fail_once(&s->failure, "reader: torn sample in slot %u: sn %u, size %u", h.slot_index, sn,
                      header.sample_size);
            break;
        }
        atomic_fetch_add(&s->whole_reads, 1);
    }
    return NULL;
}

static stress_result run_thread_3(const slotkit_backend *backend, const char *pool_name, bool in_place)
{
    stress_result res = result_ok();
    struct t3_shared *s = calloc(1, sizeof *s);
    if (s == NULL) {
        result_fail(&res, "out of memory");
        return res;
    }
    failure_init(&s->failure);
    s->in_place = in_place;
    s->first_sn = 0xFFFF0000u;
    s->pool = open_stress_pool(backend, pool_name, T3_SLOTS, T3_CAPACITY, &s->first_sn, &res);
    if (s->pool != NULL && learn_segment(s->pool, &s->segment_id, &res)) {
        s->stop_at = mono_now() + WORK_SECONDS;
        void *(*fns[1 + T3_READERS])(void *);
        void *args[1 + T3_READERS];
        fns[0] = t3_writer;
        args[0] = s;
        for (unsigned i = 1; i <= T3_READERS; i++) {
            fns[i] = t3_reader;
            args[i] = s;
        }
        run_threads(1 + T3_READERS, fns, args, &s->failure);
        if (failed(&s->failure)) {
            result_fail(&res, "%s", s->failure.message);
        }
        snprintf(res.info, sizeof res.info, "%u samples, %u whole reads, %u OUT_OF_BOUNDS", atomic_load(&s->samples),
                 atomic_load(&s->whole_reads), atomic_load(&s->refused_reads));
    }
    if (s->pool != NULL) {
        slotkit_pool_close(s->pool);
    }
    free(s);
    return res;
}

stress_result stress_thread_3_copy(const slotkit_backend *backend, const char *pool_name)
{
    return run_thread_3(backend, pool_name, false);
}

stress_result stress_thread_3_in_place(const slotkit_backend *backend, const char *pool_name)
{
    return run_thread_3(backend, pool_name, true);
}
