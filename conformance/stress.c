/* First: util.h sets the feature-test macros before any system header. */
#include "util.h"

#include "stress.h"
#include "stress_blind.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writers stop starting new work after this; readers then drain. */
#define WORK_SECONDS 2.5
/* Readers give up (and fail) this long after the writers' deadline. */
#define DRAIN_SECONDS 15.0
#define NS_PER_S 1000000000ull
/* A wait that ends this long after the event it waited for was not woken by it. */
#define LOST_WAKEUP_S 1.0
#define LONG_WAIT_NS (5 * NS_PER_S)

void result_fail(stress_result *res, const char *fmt, ...)
{
    if (!res->ok) {
        return; /* keep the first reason */
    }
    res->ok = false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof res->message, fmt, ap);
    va_end(ap);
}

stress_result result_ok(void)
{
    stress_result res;
    memset(&res, 0, sizeof res);
    res.ok = true;
    return res;
}

/* Opens a CREATE pool; on failure records why in res and returns NULL. */
slotkit_pool *open_stress_pool(const slotkit_backend *backend, const char *name,
                               size_t slot_count, size_t capacity, uint32_t first_sn,
                               stress_result *res)
{
    slotkit_config config;
    memset(&config, 0, sizeof config);
    config.slot_count = slot_count;
    config.slot_capacity = capacity;
    config.name = name;
    config.role = SLOTKIT_ROLE_CREATE;
    config.first_sequence_number = first_sn;
    slotkit_error err;
    memset(&err, 0, sizeof err);
    slotkit_pool *pool = NULL;
    slotkit_status st = slotkit_pool_open(backend, &config, &pool, &err);
    if (st != SLOTKIT_OK) {
        result_fail(res, "open(count %zu, capacity %zu) returned %s: %s", slot_count, capacity,
                    status_name(st), err.message);
        return NULL;
    }
    return pool;
}

/* The pool's segment id, learnt from a reserve + discard (pool must be idle). */
static bool learn_segment(slotkit_pool *pool, uint64_t *segment_id, stress_result *res)
{
    slotkit_handle probe;
    slotkit_status st = slotkit_reserve(pool, 0, &probe);
    if (st == SLOTKIT_OK) {
        st = slotkit_discard(pool, probe);
    }
    if (st != SLOTKIT_OK) {
        result_fail(res, "setup: reserve/discard of an idle pool returned %s", status_name(st));
        return false;
    }
    *segment_id = probe.segment_id;
    return true;
}

/* Reservable slots (mask-0 loans until NO_FREE_SLOT, then discarded); SIZE_MAX on error. */
static size_t count_reservable(slotkit_pool *pool, size_t slot_count)
{
    slotkit_handle loans[16];
    size_t taken = 0;
    while (taken < slot_count + 1 && taken < sizeof loans / sizeof loans[0] &&
           slotkit_reserve(pool, 0, &loans[taken]) == SLOTKIT_OK) {
        taken++;
    }
    for (size_t i = 0; i < taken; i++) {
        if (slotkit_discard(pool, loans[i]) != SLOTKIT_OK) {
            return SIZE_MAX;
        }
    }
    return taken;
}

/* ---- shared failure record ---------------------------------------------- */

struct failure {
    atomic_bool failed;
    atomic_flag claimed;
    char message[240];
};

static void failure_init(struct failure *f)
{
    atomic_store(&f->failed, false);
    atomic_flag_clear(&f->claimed);
    f->message[0] = '\0';
}

/* First failure wins; the others only raise the flag that stops everyone. */
__attribute__((format(printf, 2, 3))) static void fail_once(struct failure *f, const char *fmt,
                                                            ...)
{
    if (!atomic_flag_test_and_set(&f->claimed)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->message, sizeof f->message, fmt, ap);
        va_end(ap);
    }
    atomic_store(&f->failed, true);
}

static bool failed(struct failure *f)
{
    return atomic_load(&f->failed);
}

/* Starts count threads and joins them; on a failed start, records it (the
 * started ones see the failure flag and leave). */
static void run_threads(size_t count, void *(*fns[])(void *), void *args[], struct failure *f)
{
    pthread_t threads[8];
    if (count > sizeof threads / sizeof threads[0]) {
        fail_once(f, "test bug: %zu threads requested", count);
        return;
    }
    size_t started = 0;
    for (; started < count; started++) {
        if (pthread_create(&threads[started], NULL, fns[started], args[started]) != 0) {
            fail_once(f, "pthread_create failed for thread %u of %u", (unsigned)started,
                      (unsigned)count);
            break;
        }
    }
    for (size_t i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
    }
}

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
static uint32_t t1_tag(unsigned writer, unsigned ordinal)
{
    return (uint32_t)(writer << 16 | ordinal);
}

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
            fail_once(&s->failure, "writer %u: reserve returned %s (ordinal %u)", w,
                      status_name(st), ordinal);
            break;
        }
        uint32_t tag = t1_tag(w, ordinal);
        memcpy(payload, &tag, T1_TAG_BYTES);
        fill_pattern(payload + T1_TAG_BYTES, t1_len(tag) - T1_TAG_BYTES, tag);
        random_delay(&rng, 200);
        uint32_t sn = 0;
        st = slotkit_commit(s->pool, loan, payload, t1_len(tag), &sn);
        if (st != SLOTKIT_OK) {
            fail_once(&s->failure, "writer %u: commit returned %s (ordinal %u)", w,
                      status_name(st), ordinal);
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
static bool t1_consume(struct t1_shared *s, unsigned r, slotkit_handle h, bool *have_last,
                       uint32_t *last_sn)
{
    uint8_t buf[T1_CAPACITY];
    slotkit_slot_header header;
    slotkit_status st = slotkit_read(s->pool, h, &header, buf, sizeof buf);
    if (st != SLOTKIT_OK) {
        /* It is pending for r, so it cannot have been recycled under us. */
        fail_once(&s->failure, "reader %u: read of a sample pending for it returned %s "
                               "(slot %u)",
                  r, status_name(st), h.slot_index);
        return false;
    }
    if (header.sample_size < T1_TAG_BYTES || header.sample_size > T1_CAPACITY) {
        fail_once(&s->failure, "reader %u: sample sn %u has size %u", r, header.sequence_number,
                  header.sample_size);
        return false;
    }
    uint32_t tag = 0;
    memcpy(&tag, buf, T1_TAG_BYTES);
    unsigned w = tag >> 16, ordinal = tag & 0xFFFFu;
    if (w >= T1_WRITERS || ordinal >= T1_PER_WRITER || header.sample_size != t1_len(tag) ||
        !pattern_ok(buf + T1_TAG_BYTES, header.sample_size - T1_TAG_BYTES, tag)) {
        fail_once(&s->failure, "reader %u: sample sn %u (size %u) is torn or corrupt", r,
                  header.sequence_number, header.sample_size);
        return false;
    }
    if ((header.reader_mask & (1u << r)) != 0) {
        fail_once(&s->failure, "reader %u: offered sn %u although it marked it (mask 0x%x)", r,
                  header.sequence_number, header.reader_mask);
        return false;
    }
    if (s->use_next_unread && *have_last && !serial_after(header.sequence_number, *last_sn)) {
        fail_once(&s->failure, "reader %u: got sn %u after sn %u: not in sequence order", r,
                  header.sequence_number, *last_sn);
        return false;
    }
    *have_last = true;
    *last_sn = header.sequence_number;
    s->times_delivered[r][w][ordinal]++;
    s->delivered_sn[r][w][ordinal] = header.sequence_number;
    st = slotkit_mark_read(s->pool, h, r);
    if (st != SLOTKIT_OK) {
        fail_once(&s->failure, "reader %u: mark_read returned %s (sn %u)", r,
                  status_name(st), header.sequence_number);
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
            fail_once(&s->failure, "reader %u: read of slot %u returned %s", r, i,
                      status_name(st));
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
            fail_once(&s->failure, "reader %u: samples still missing %.0f s after the writers' "
                                   "deadline",
                      r, DRAIN_SECONDS);
            return NULL;
        }
        sched_yield();
    }
    return NULL;
}

static stress_result run_thread_1(const slotkit_backend *backend, const char *pool_name,
                                  bool use_next_unread)
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
    const uint32_t first_sn = 0xFFFFFFFFu - 700u;
    s->pool = open_stress_pool(backend, pool_name, T1_SLOTS, T1_CAPACITY, first_sn, &res);
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

    /* Every committed SN is distinct, and they are consecutive from first_sn. */
    unsigned total = s->produced[0] + s->produced[1];
    uint8_t *sn_seen = calloc(total > 0 ? total : 1, 1);
    if (sn_seen == NULL) {
        result_fail(&res, "out of memory");
        goto out;
    }
    for (unsigned w = 0; w < T1_WRITERS; w++) {
        for (unsigned i = 0; i < s->produced[w]; i++) {
            uint32_t offset = s->sn_of[w][i] - first_sn;
            if (offset >= total || sn_seen[offset]++) {
                result_fail(&res,
                            "writer %u sample %u got sn %u: a duplicate, or outside the %u "
                            "consecutive SNs from %u",
                            w, i, s->sn_of[w][i], total, first_sn);
            }
        }
    }
    free(sn_seen);
    /* Every reader got every sample exactly once, with the SN its commit returned. */
    for (unsigned r = 0; r < T1_READERS; r++) {
        for (unsigned w = 0; w < T1_WRITERS; w++) {
            for (unsigned i = 0; i < s->produced[w]; i++) {
                if (s->times_delivered[r][w][i] != 1) {
                    result_fail(&res, "reader %u received writer %u's sample %u (sn %u) %u times",
                                r, w, i, s->sn_of[w][i], s->times_delivered[r][w][i]);
                } else if (s->delivered_sn[r][w][i] != s->sn_of[w][i]) {
                    result_fail(&res,
                                "reader %u received writer %u's sample %u as sn %u, committed "
                                "as sn %u",
                                r, w, i, s->delivered_sn[r][w][i], s->sn_of[w][i]);
                }
            }
        }
    }
    /* Enough traffic for the check to mean something, even on a slow box. */
    if (total < 100) {
        result_fail(&res, "only %u samples committed in %.1f s", total, WORK_SECONDS);
    }
    snprintf(res.info, sizeof res.info, "%u samples through %u slots to %u readers", total,
             T1_SLOTS, T1_READERS);
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
            fail_once(&s->failure, "thread %u: reserve returned %s, slot %u", self->id,
                      status_name(st), loan.slot_index);
            return NULL;
        }
        unsigned nobody = 0;
        if (!atomic_compare_exchange_strong(&s->owner[loan.slot_index], &nobody, self->id)) {
            fail_once(&s->failure, "slot %u lent to thread %u while thread %u holds it",
                      loan.slot_index, self->id, nobody);
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
            fail_once(&s->failure, "thread %u: ending its loan of slot %u returned %s",
                      self->id, loan.slot_index, status_name(st));
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
    s->pool = open_stress_pool(backend, pool_name, T2_SLOTS, 8, s->first_sn, &res);
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
            result_fail(&res, "after all loans ended %zu of %u slots are reservable", reservable,
                        T2_SLOTS);
        } else if (st != SLOTKIT_OK || next_sn != s->first_sn + commits) {
            result_fail(&res, "after %u commits the next commit returned %s, sn %u, expected %u",
                        commits, status_name(st), next_sn, s->first_sn + commits);
        }
    }
    snprintf(res.info, sizeof res.info, "%u commits by %u threads on %u slots", commits,
             T2_THREADS, T2_SLOTS);
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
static size_t t3_len(uint32_t sn)
{
    return 1 + (sn * 2654435761u >> 9) % T3_CAPACITY;
}

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
    for (uint32_t k = 0; k < T3_MAX_SAMPLES && mono_now() < s->stop_at && !failed(&s->failure);
         k++) {
        uint32_t expected_sn = s->first_sn + k;
        size_t len = t3_len(expected_sn);
        slotkit_handle loan;
        /* Mask 0: every sample is recyclable at once, so reserve keeps
         * overwriting slots that readers are reading. */
        slotkit_status st = slotkit_reserve(s->pool, 0, &loan);
        if (st != SLOTKIT_OK) {
            fail_once(&s->failure, "writer: reserve returned %s (sample %u)", status_name(st),
                      k);
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
            fail_once(&s->failure, "writer: commit returned %s, sn %u, expected sn %u",
                      status_name(st), sn, expected_sn);
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
            fail_once(&s->failure, "reader: read of slot %u returned %s", h.slot_index,
                      status_name(st));
            break;
        }
        uint32_t sn = header.sequence_number;
        if (header.sample_size != t3_len(sn) || !pattern_ok(buf, header.sample_size, sn) ||
            header.reserved != 0) {
            fail_once(&s->failure, "reader: torn sample in slot %u: sn %u, size %u",
                      h.slot_index, sn, header.sample_size);
            break;
        }
        atomic_fetch_add(&s->whole_reads, 1);
    }
    return NULL;
}

static stress_result run_thread_3(const slotkit_backend *backend, const char *pool_name,
                                  bool in_place)
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
    s->pool = open_stress_pool(backend, pool_name, T3_SLOTS, T3_CAPACITY, s->first_sn, &res);
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
        snprintf(res.info, sizeof res.info, "%u samples, %u whole reads, %u OUT_OF_BOUNDS",
                 atomic_load(&s->samples), atomic_load(&s->whole_reads),
                 atomic_load(&s->refused_reads));
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

/* ---- racing waiter and waker (R-NOTIFY-4/5) --------------------------------- */

struct race {
    slotkit_pool *pool;
    slotkit_handle slot; /* the pool's only slot */
    uint32_t first_sn;
    unsigned max_rounds;
    double stop_at; /* producer stops starting rounds after this */

    atomic_bool stop;           /* set on the first failure: both sides leave */
    atomic_uint events;         /* rounds whose awaited event happened */
    atomic_uint_fast64_t event_ns[2]; /* time of the latest event, by parity of round */
    atomic_uint rounds_done;
    atomic_uint waits;          /* wait_for_change calls made by the waiter */
    atomic_flag failure_claimed;
    char failure[200];
    double worst_late_s; /* waiter only: longest wake delay after an event */
};

static uint64_t now_ns(void)
{
    return (uint64_t)(mono_now() * 1e9);
}

static void race_fail(struct race *r, const char *message, unsigned round, slotkit_status st)
{
    if (!atomic_flag_test_and_set(&r->failure_claimed)) {
        snprintf(r->failure, sizeof r->failure, "round %u: %s (status %s)", round, message,
                 status_name(st));
    }
    atomic_store(&r->stop, true);
}

/* Both sides leave once one failed, or once the round budget is long past:
 * a backend that never frees the slot or never publishes cannot hang a
 * retry loop (it fails the check instead). */
#define RACE_GRACE_S 5.0
static bool race_should_stop(struct race *r, unsigned round)
{
    if (atomic_load(&r->stop)) return true;
    if (mono_now() > r->stop_at + RACE_GRACE_S) {
        race_fail(r, "gave up waiting for the other side, past the deadline", round, SLOTKIT_OK);
        return true;
    }
    return false;
}

/* After a wait: was it woken late for an event that had already happened?
 * event_index is the round whose event the waiter needed. */
static bool race_woken_late(struct race *r, unsigned event_index, uint64_t wake_ns)
{
    if (atomic_load(&r->events) <= event_index) {
        return false; /* the event had not happened: a long wait is legitimate */
    }
    uint64_t event_ns = atomic_load(&r->event_ns[event_index & 1u]);
    double late = (double)(wake_ns - (event_ns < wake_ns ? event_ns : wake_ns)) / 1e9;
    if (late > r->worst_late_s) {
        r->worst_late_s = late;
    }
    return late >= LOST_WAKEUP_S;
}

static void race_record_event(struct race *r, unsigned round)
{
    atomic_store(&r->event_ns[round & 1u], now_ns());
    atomic_store(&r->events, round + 1);
}

/* Payload byte: 1 = a round's sample, 0 = "no more rounds". */
static slotkit_status race_publish(struct race *r, slotkit_handle loan, uint8_t kind,
                                   uint32_t *sn)
{
    return slotkit_commit(r->pool, loan, &kind, 1, sn);
}

/* Reads the slot: OK with the round's SN means the sample is there. */
static bool race_sample_present(struct race *r, unsigned round, uint8_t *kind, bool *error)
{
    slotkit_slot_header header;
    slotkit_status st = slotkit_read(r->pool, r->slot, &header, kind, 1);
    *error = false;
    if (st == SLOTKIT_OUT_OF_BOUNDS) {
        return false; /* FREE or LOANED */
    }
    if (st != SLOTKIT_OK) {
        race_fail(r, "read_slot failed", round, st);
        *error = true;
        return false;
    }
    return header.sequence_number == r->first_sn + round;
}

/* R-NOTIFY-4: the reader waits for samples, the writer commits them. */

static void *notify4_writer(void *arg)
{
    struct race *r = arg;
    uint64_t rng = 0x1234567ull;
    for (unsigned round = 0;; round++) {
        bool last = round >= r->max_rounds || mono_now() > r->stop_at;
        slotkit_handle loan;
        slotkit_status st;
        /* The reader frees the slot by marking; poll, do not wait (R-NOTIFY-5 is separate). */
        while ((st = slotkit_reserve(r->pool, 0x1, &loan)) == SLOTKIT_NO_FREE_SLOT) {
            if (race_should_stop(r, round)) {
                return NULL;
            }
            sched_yield();
        }
        if (st != SLOTKIT_OK) {
            race_fail(r, "writer: reserve failed", round, st);
            return NULL;
        }
        random_delay(&rng, 3000);
        uint32_t sn = 0;
        st = race_publish(r, loan, last ? 0 : 1, &sn);
        if (st != SLOTKIT_OK || sn != r->first_sn + round) {
            race_fail(r, "writer: commit failed or returned the wrong SN", round, st);
            return NULL;
        }
        race_record_event(r, round);
        if (last) {
            return NULL;
        }
    }
}

static void *notify4_reader(void *arg)
{
    struct race *r = arg;
    uint64_t rng = 0x89ABCDEFull;
    for (unsigned round = 0;; round++) {
        uint8_t kind = 0;
        for (;;) {
            if (race_should_stop(r, round)) {
                return NULL;
            }
            /* The lost-wakeup-free pattern: capture, check, wait. */
            uint64_t gen = slotkit_notify_generation(r->pool);
            bool error = false;
            if (race_sample_present(r, round, &kind, &error)) {
                break;
            }
            if (error) {
                return NULL;
            }
            atomic_fetch_add(&r->waits, 1);
            slotkit_wait_for_change(r->pool, gen, LONG_WAIT_NS);
            if (race_woken_late(r, round, now_ns())) {
                race_fail(r, "lost wakeup: reader slept on although a sample was committed",
                          round, SLOTKIT_OK);
                return NULL;
            }
        }
        random_delay(&rng, 1000);
        slotkit_status st = slotkit_mark_read(r->pool, r->slot, 0);
        if (st != SLOTKIT_OK) {
            race_fail(r, "reader: mark_read failed", round, st);
            return NULL;
        }
        atomic_store(&r->rounds_done, round + 1);
        if (kind == 0) {
            return NULL;
        }
    }
}

/* R-NOTIFY-5: the writer waits for space, the reader frees it by marking. */

static void *notify5_writer(void *arg)
{
    struct race *r = arg;
    uint64_t rng = 0x2468ACEull;
    for (unsigned round = 0;; round++) {
        bool last = round >= r->max_rounds || mono_now() > r->stop_at;
        slotkit_handle loan;
        for (;;) {
            if (race_should_stop(r, round)) {
                return NULL;
            }
            uint64_t gen = slotkit_notify_generation(r->pool);
            slotkit_status st = slotkit_reserve(r->pool, 0x1, &loan);
            if (st == SLOTKIT_OK) {
                break;
            }
            if (st != SLOTKIT_NO_FREE_SLOT) {
                race_fail(r, "writer: reserve failed", round, st);
                return NULL;
            }
            atomic_fetch_add(&r->waits, 1);
            slotkit_wait_for_change(r->pool, gen, LONG_WAIT_NS);
            /* Round n needs the mark of round n - 1. */
            if (round > 0 && race_woken_late(r, round - 1, now_ns())) {
                race_fail(r, "lost wakeup: writer slept on although the slot was freed", round,
                          SLOTKIT_OK);
                return NULL;
            }
        }
        random_delay(&rng, 1000);
        uint32_t sn = 0;
        slotkit_status st = race_publish(r, loan, last ? 0 : 1, &sn);
        if (st != SLOTKIT_OK || sn != r->first_sn + round) {
            race_fail(r, "writer: commit failed or returned the wrong SN", round, st);
            return NULL;
        }
        if (last) {
            return NULL;
        }
    }
}

static void *notify5_reader(void *arg)
{
    struct race *r = arg;
    uint64_t rng = 0x13579BDFull;
    for (unsigned round = 0;; round++) {
        uint8_t kind = 0;
        bool error = false;
        /* Poll for the sample: only the writer's wait is under test. */
        while (!race_sample_present(r, round, &kind, &error)) {
            if (error || race_should_stop(r, round)) {
                return NULL;
            }
            sched_yield();
        }
        random_delay(&rng, 3000);
        slotkit_status st = slotkit_mark_read(r->pool, r->slot, 0);
        if (st != SLOTKIT_OK) {
            race_fail(r, "reader: mark_read failed", round, st);
            return NULL;
        }
        race_record_event(r, round);
        atomic_store(&r->rounds_done, round + 1);
        if (kind == 0) {
            return NULL;
        }
    }
}

static stress_result run_race(const slotkit_backend *backend, const char *pool_name,
                              void *(*waiter)(void *), void *(*waker)(void *))
{
    stress_result res = result_ok();
    const double budget_s = 5.0;
    struct race *r = calloc(1, sizeof *r);
    if (r == NULL) {
        result_fail(&res, "out of memory");
        return res;
    }
    atomic_flag_clear(&r->failure_claimed);
    /* One slot, so every round hands it over; SNs cross the 2^32 wrap. */
    r->first_sn = 0xFFFFFC00u;
    r->pool = open_stress_pool(backend, pool_name, 1, 8, r->first_sn, &res);
    if (r->pool == NULL || !learn_segment(r->pool, &r->slot.segment_id, &res)) {
        goto out;
    }
    r->slot.slot_index = 0;
    r->max_rounds = 2000;
    r->stop_at = mono_now() + budget_s;

    pthread_t waiter_thread, waker_thread;
    if (pthread_create(&waiter_thread, NULL, waiter, r) != 0) {
        result_fail(&res, "pthread_create failed");
        goto out;
    }
    if (pthread_create(&waker_thread, NULL, waker, r) != 0) {
        race_fail(r, "pthread_create failed", 0, SLOTKIT_OK);
    } else {
        pthread_join(waker_thread, NULL);
    }
    pthread_join(waiter_thread, NULL);

    unsigned rounds = atomic_load(&r->rounds_done);
    if (atomic_load(&r->stop)) {
        result_fail(&res, "%s", r->failure);
    } else if (rounds < 50) {
        /* Enough rounds for the race to mean something, even on a slow box. */
        result_fail(&res, "only %u rounds completed in %.1f s", rounds, budget_s);
    }
    snprintf(res.info, sizeof res.info,
             "%u rounds, %u waits, slowest wake after its event %.3f s", rounds,
             atomic_load(&r->waits), r->worst_late_s);
out:
    if (r->pool != NULL) {
        slotkit_pool_close(r->pool);
    }
    free(r);
    return res;
}

stress_result stress_notify_4_race(const slotkit_backend *backend, const char *pool_name)
{
    return run_race(backend, pool_name, notify4_reader, notify4_writer);
}

stress_result stress_notify_5_race(const slotkit_backend *backend, const char *pool_name)
{
    return run_race(backend, pool_name, notify5_writer, notify5_reader);
}

/* ---- single, deterministic wakeups ------------------------------------------ */

enum wake_op { WAKE_BY_COMMIT, WAKE_BY_MARK_READ, WAKE_BY_DISCONNECT, WAKE_BY_DISCARD };

struct delayed_op {
    slotkit_pool *pool;
    slotkit_handle handle;
    double delay_s;
    enum wake_op op;
    slotkit_status status;
    /* Written by the op thread, read after join. */
    double started_at;
    double done_at;
};

static const char *wake_op_name(enum wake_op op)
{
    switch (op) {
    case WAKE_BY_COMMIT: return "commit";
    case WAKE_BY_MARK_READ: return "mark_read";
    case WAKE_BY_DISCONNECT: return "mark_reader_disconnected";
    case WAKE_BY_DISCARD: return "discard";
    }
    return "?";
}

static void *delayed_op_thread(void *arg)
{
    struct delayed_op *op = arg;
    sleep_s(op->delay_s);
    op->started_at = mono_now();
    uint8_t byte = 1;
    uint32_t sn = 0;
    switch (op->op) {
    case WAKE_BY_COMMIT: op->status = slotkit_commit(op->pool, op->handle, &byte, 1, &sn); break;
    case WAKE_BY_MARK_READ: op->status = slotkit_mark_read(op->pool, op->handle, 0); break;
    case WAKE_BY_DISCONNECT: op->status = slotkit_mark_reader_disconnected(op->pool, 0); break;
    case WAKE_BY_DISCARD: op->status = slotkit_discard(op->pool, op->handle); break;
    }
    op->done_at = mono_now();
    return NULL;
}

/* A waiter (no change yet) while another thread performs op after delay_s:
 * the wait must not end before the op, and must end soon after it.
 * The pool has one slot; the op needs a loan (commit, discard) or a sample
 * waiting for reader 0 (mark_read, disconnect). */
static stress_result run_wake(const slotkit_backend *backend, const char *pool_name,
                              enum wake_op which, double delay_s, uint64_t timeout_ns)
{
    stress_result res = result_ok();
    slotkit_pool *pool = open_stress_pool(backend, pool_name, 1, 8, 0, &res);
    if (pool == NULL) {
        return res;
    }
    struct delayed_op op = {.pool = pool, .delay_s = delay_s, .op = which};
    const char *what = wake_op_name(which);
    slotkit_status st = slotkit_reserve(pool, 0x1, &op.handle);
    if (st == SLOTKIT_OK && (which == WAKE_BY_MARK_READ || which == WAKE_BY_DISCONNECT)) {
        uint8_t byte = 0;
        uint32_t sn = 0;
        st = slotkit_commit(pool, op.handle, &byte, 1, &sn);
    }
    if (st != SLOTKIT_OK) {
        result_fail(&res, "setup returned %s", status_name(st));
        slotkit_pool_close(pool);
        return res;
    }
    uint64_t gen = slotkit_notify_generation(pool);
    pthread_t thread;
    if (pthread_create(&thread, NULL, delayed_op_thread, &op) != 0) {
        result_fail(&res, "pthread_create failed");
        slotkit_pool_close(pool);
        return res;
    }
    double start = mono_now();
    slotkit_wait_for_change(pool, gen, timeout_ns);
    double woke_at = mono_now();
    pthread_join(thread, NULL);
    uint64_t gen_after = slotkit_notify_generation(pool);
    if (op.status != SLOTKIT_OK) {
        result_fail(&res, "%s returned %s", what, status_name(op.status));
    } else if (woke_at < op.started_at) {
        result_fail(&res, "wait_for_change returned after %.3f s, before %s changed anything",
                    woke_at - start, what);
    } else if (woke_at - op.done_at >= LOST_WAKEUP_S) {
        result_fail(&res, "the waiter woke %.3f s after %s (waited %.3f s)",
                    woke_at - op.done_at, what, woke_at - start);
    } else if (gen_after == gen) {
        result_fail(&res, "%s did not advance the generation", what);
    }
    snprintf(res.info, sizeof res.info, "woke %.4f s after %s",
             woke_at > op.done_at ? woke_at - op.done_at : 0.0, what);
    slotkit_pool_close(pool);
    return res;
}

stress_result stress_notify_4_commit_wakes(const slotkit_backend *backend, const char *pool_name)
{
    return run_wake(backend, pool_name, WAKE_BY_COMMIT, 0.2, LONG_WAIT_NS);
}

stress_result stress_notify_5_mark_wakes(const slotkit_backend *backend, const char *pool_name)
{
    return run_wake(backend, pool_name, WAKE_BY_MARK_READ, 0.2, LONG_WAIT_NS);
}

stress_result stress_notify_5_disconnect_wakes(const slotkit_backend *backend,
                                               const char *pool_name)
{
    return run_wake(backend, pool_name, WAKE_BY_DISCONNECT, 0.2, LONG_WAIT_NS);
}

stress_result stress_notify_5_discard_wakes(const slotkit_backend *backend, const char *pool_name)
{
    return run_wake(backend, pool_name, WAKE_BY_DISCARD, 0.2, LONG_WAIT_NS);
}

/* An overflowing deadline (now + UINT64_MAX) returns at once, before the commit at 0.3 s. */
stress_result stress_notify_3_huge_timeout(const slotkit_backend *backend, const char *pool_name)
{
    return run_wake(backend, pool_name, WAKE_BY_COMMIT, 0.3, UINT64_MAX);
}

/* ---- the table ---------------------------------------------------------------- */

const stress_case stress_cases[] = {
    {"thread", "r_thread_1", SLOTKIT_CAP_NEXT_UNREAD, stress_thread_1_next_unread},
    {"thread", "r_thread_1__scanning_readers", 0, stress_thread_1_scanning},
    {"thread", "r_thread_2", 0, stress_thread_2},
    {"thread", "r_thread_3", 0, stress_thread_3_copy},
    {"thread", "r_thread_3__in_place_writer", SLOTKIT_CAP_IN_PLACE, stress_thread_3_in_place},
    {"notify", "r_notify_3__huge_timeout", SLOTKIT_CAP_NOTIFY, stress_notify_3_huge_timeout},
    {"notify", "r_notify_4", SLOTKIT_CAP_NOTIFY, stress_notify_4_race},
    {"notify", "r_notify_4__commit_wakes_waiter", SLOTKIT_CAP_NOTIFY,
     stress_notify_4_commit_wakes},
    {"notify", "r_notify_5", SLOTKIT_CAP_NOTIFY, stress_notify_5_race},
    {"notify", "r_notify_5__mark_wakes_waiter", SLOTKIT_CAP_NOTIFY, stress_notify_5_mark_wakes},
    {"notify", "r_notify_5__disconnect_wakes_waiter", SLOTKIT_CAP_NOTIFY,
     stress_notify_5_disconnect_wakes},
    {"notify", "r_notify_5__discard_wakes_waiter", SLOTKIT_CAP_NOTIFY,
     stress_notify_5_discard_wakes},
    /* stress_wake.c and stress_race.c */
    {"notify", "r_notify_8__commit", SLOTKIT_CAP_NOTIFY, stress_notify_8_commit},
    {"notify", "r_notify_8__commit_in_place", SLOTKIT_CAP_NOTIFY | SLOTKIT_CAP_IN_PLACE,
     stress_notify_8_commit_in_place},
    {"notify", "r_notify_8__discard", SLOTKIT_CAP_NOTIFY, stress_notify_8_discard},
    {"notify", "r_notify_8__mark_read", SLOTKIT_CAP_NOTIFY, stress_notify_8_mark_read},
    {"notify", "r_notify_8__disconnect", SLOTKIT_CAP_NOTIFY, stress_notify_8_disconnect},
    {"thread", "r_thread_1__four_writers_delayed", SLOTKIT_CAP_NEXT_UNREAD,
     stress_thread_1_four_writers},
    {"thread", "r_thread_4", 0, stress_thread_4_disconnect_race},
};
const size_t stress_case_count = sizeof stress_cases / sizeof stress_cases[0];

const stress_case *stress_find(const char *suite, const char *test)
{
    for (size_t i = 0; i < stress_case_count; i++) {
        if (strcmp(stress_cases[i].suite, suite) == 0 && strcmp(stress_cases[i].test, test) == 0) {
            return &stress_cases[i];
        }
    }
    return NULL;
}
