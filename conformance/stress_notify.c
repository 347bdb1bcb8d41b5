/*
 * R-NOTIFY-3/4/5 with one waiter: a waiter and a waker racing for many
 * rounds, and single, deterministic wakeups (the checks of
 * STRESS_NOTIFY_CHECKS, stress_checks.h).
 */
/* First: util.h sets the feature-test macros before any system header. */
#include "util.h"

#include "stress.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000ull
/* A wait that ends this long after the event it waited for was not woken by it. */
#define LOST_WAKEUP_S 1.0
#define LONG_WAIT_NS (5 * NS_PER_S)

/* ---- racing waiter and waker (R-NOTIFY-4/5) --------------------------------- */

struct race {
    slotkit_pool *pool;
    slotkit_handle slot; /* the pool's only slot */
    uint32_t first_sn;
    unsigned max_rounds;
    double stop_at; /* producer stops starting rounds after this */

    atomic_bool stop;                 /* set on the first failure: both sides leave */
    atomic_uint events;               /* rounds whose awaited event happened */
    atomic_uint_fast64_t event_ns[2]; /* time of the latest event, by parity of round */
    atomic_uint rounds_done;
    atomic_uint waits; /* wait_for_change calls made by the waiter */
    atomic_flag failure_claimed;
    char failure[200];
    double worst_late_s; /* waiter only: longest wake delay after an event */
};

static uint64_t now_ns(void) { return (uint64_t)(mono_now() * 1e9); }

static void race_fail(struct race *r, const char *message, unsigned round, slotkit_status st)
{
    if (!atomic_flag_test_and_set(&r->failure_claimed)) {
        snprintf(r->failure, sizeof r->failure, "round %u: %s (status %s)", round, message, status_name(st));
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
static slotkit_status race_publish(struct race *r, slotkit_handle loan, uint8_t kind, uint32_t *sn)
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
                race_fail(r, "lost wakeup: reader slept on although a sample was committed", round, SLOTKIT_OK);
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
                race_fail(r, "lost wakeup: writer slept on although the slot was freed", round, SLOTKIT_OK);
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

static stress_result run_race(const slotkit_backend *backend, const char *pool_name, void *(*waiter)(void *),
                              void *(*waker)(void *))
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
    r->pool = open_stress_pool(backend, pool_name, 1, 8, &r->first_sn, &res);
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
    snprintf(res.info, sizeof res.info, "%u rounds, %u waits, slowest wake after its event %.3f s", rounds,
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
static stress_result run_wake(const slotkit_backend *backend, const char *pool_name, enum wake_op which, double delay_s,
                              uint64_t timeout_ns)
{
    stress_result res = result_ok();
    slotkit_pool *pool = open_stress_pool(backend, pool_name, 1, 8, &(uint32_t){0}, &res);
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
        result_fail(&res, "wait_for_change returned after %.3f s, before %s changed anything", woke_at - start, what);
    } else if (woke_at - op.done_at >= LOST_WAKEUP_S) {
        result_fail(&res, "the waiter woke %.3f s after %s (waited %.3f s)", woke_at - op.done_at, what,
                    woke_at - start);
    } else if (gen_after == gen) {
        result_fail(&res, "%s did not advance the generation", what);
    }
    snprintf(res.info, sizeof res.info, "woke %.4f s after %s", woke_at > op.done_at ? woke_at - op.done_at : 0.0,
             what);
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

stress_result stress_notify_5_disconnect_wakes(const slotkit_backend *backend, const char *pool_name)
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
