/*
 * R-NOTIFY-8: every event that advances the generation wakes every thread
 * blocked in wait_for_change, several at once (the checks of
 * STRESS_WAKE_CHECKS, stress_checks.h).
 *
 * Several waiters matter: a backend that signals one waiter (a condition
 * variable's signal instead of a broadcast, a futex wake of 1) wakes the
 * single waiter of R-NOTIFY-4/5 and strands the others until their timeout.
 */
#include "util.h"

#include "stress.h"
#include "timed_join.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAKE_WAITERS 4
/* A waiter that returns this long after the event was not woken by it. */
#define WAKE_LATE_S 1.0
/* Waiters' own timeout: long beside WAKE_LATE_S, short enough that a
 * backend that never wakes them costs the test only seconds. */
#define WAKE_WAIT_NS 6000000000ull
#define WAKE_WAIT_S 6.0

/* The events of R-NOTIFY-1. */
enum wake_event {
    EVENT_COMMIT,
    EVENT_COMMIT_IN_PLACE,
    EVENT_DISCARD,
    EVENT_MARK_READ,
    EVENT_DISCONNECT,
};

struct wake_waiter {
    slotkit_pool *pool;
    atomic_uint *announced;
    uint64_t generation; /* what this waiter captured */
    double returned_at;
};

static void *wake_waiter_main(void *arg)
{
    struct wake_waiter *w = arg;
    w->generation = slotkit_notify_generation(w->pool);
    atomic_fetch_add(w->announced, 1);
    slotkit_wait_for_change(w->pool, w->generation, WAKE_WAIT_NS);
    w->returned_at = mono_now();
    return NULL;
}

/* Shared by the waiters and the test; leaked if a waiter never returns. */
struct wake_run {
    atomic_uint announced;
    struct wake_waiter waiter[WAKE_WAITERS];
    timed_thread thread[WAKE_WAITERS];
};

static const char *event_name(enum wake_event ev)
{
    switch (ev) {
    case EVENT_COMMIT: return "commit_slot";
    case EVENT_COMMIT_IN_PLACE: return "commit_in_place";
    case EVENT_DISCARD: return "discard_slot";
    case EVENT_MARK_READ: return "mark_read";
    case EVENT_DISCONNECT: return "mark_reader_disconnected";
    }
    return "?";
}

/* What the event needs: a loan (commits, discard) or a sample that waits
 * for reader 0 (mark_read, disconnect). */
static slotkit_status prepare_event(slotkit_pool *pool, enum wake_event ev, slotkit_handle *h)
{
    slotkit_status st = slotkit_reserve(pool, 0x1, h);
    if (st == SLOTKIT_OK && (ev == EVENT_MARK_READ || ev == EVENT_DISCONNECT)) {
        uint8_t byte = 0x11;
        uint32_t sn = 0;
        st = slotkit_commit(pool, *h, &byte, 1, &sn);
    }
    return st;
}

static slotkit_status perform_event(slotkit_pool *pool, enum wake_event ev, slotkit_handle h)
{
    uint8_t byte = 0x22;
    uint32_t sn = 0;
    switch (ev) {
    case EVENT_COMMIT: return slotkit_commit(pool, h, &byte, 1, &sn);
    case EVENT_COMMIT_IN_PLACE: return slotkit_commit_in_place(pool, h, 1, &sn);
    case EVENT_DISCARD: return slotkit_discard(pool, h);
    case EVENT_MARK_READ: return slotkit_mark_read(pool, h, 0);
    case EVENT_DISCONNECT: return slotkit_mark_reader_disconnected(pool, 0);
    }
    return SLOTKIT_INVALID_ARGUMENT;
}

/* Judges each waiter's return against the event's [start, end] window. */
static void judge_waiters(const struct wake_run *run, const char *what, double ev_start, double ev_end,
                          stress_result *res)
{
    double worst = 0;
    unsigned woken = 0;
    for (unsigned i = 0; i < WAKE_WAITERS; i++) {
        double at = run->waiter[i].returned_at;
        if (at < ev_start) {
            result_fail(res, "waiter %u of %u returned %.3f s before %s changed anything", i, WAKE_WAITERS,
                        ev_start - at, what);
        } else if (at - ev_end >= WAKE_LATE_S) {
            result_fail(res,
                        "waiter %u of %u returned %.3f s after %s (its timeout is %.0f s): "
                        "not woken",
                        i, WAKE_WAITERS, at - ev_end, what, WAKE_WAIT_S);
        } else {
            woken++;
            worst = at - ev_end > worst ? at - ev_end : worst;
        }
    }
    snprintf(res->info, sizeof res->info, "%u of %u waiters woken by %s, the slowest after %.4f s", woken, WAKE_WAITERS,
             what, worst);
}

/* Starts the waiters and waits (bounded) until each is about to block. */
static bool start_waiters(struct wake_run *run, slotkit_pool *pool, stress_result *res)
{
    for (unsigned i = 0; i < WAKE_WAITERS; i++) {
        run->waiter[i].pool = pool;
        run->waiter[i].announced = &run->announced;
        if (!timed_start(&run->thread[i], wake_waiter_main, &run->waiter[i])) {
            result_fail(res, "pthread_create failed");
            return false;
        }
    }
    double deadline = mono_now() + 10.0;
    while (atomic_load(&run->announced) < WAKE_WAITERS) {
        if (mono_now() > deadline) {
            result_fail(res, "waiter threads did not start within 10 s");
            return false;
        }
        sleep_s(0.001);
    }
    sleep_s(0.2); /* from "about to wait" into the wait */
    return true;
}

static stress_result run_notify_8(const slotkit_backend *backend, const char *pool_name, enum wake_event ev)
{
    stress_result res = result_ok();
    const char *what = event_name(ev);
    slotkit_pool *pool = open_stress_pool(backend, pool_name, 2, 8, &(uint32_t){0}, &res);
    if (pool == NULL) {
        return res;
    }
    struct wake_run *run = calloc(1, sizeof *run);
    slotkit_handle h;
    slotkit_status st = run == NULL ? SLOTKIT_SYSTEM_ERROR : prepare_event(pool, ev, &h);
    if (st != SLOTKIT_OK) {
        result_fail(&res, "setup for %s returned %s", what, status_name(st));
        free(run);
        slotkit_pool_close(pool);
        return res;
    }
    bool started = start_waiters(run, pool, &res);
    uint64_t before = slotkit_notify_generation(pool);
    double ev_start = mono_now();
    st = started ? perform_event(pool, ev, h) : SLOTKIT_OK;
    double ev_end = mono_now();
    uint64_t after = slotkit_notify_generation(pool);
    /* Each waiter returns by its own timeout at the latest. */
    bool joined = timed_join_all(run->thread, WAKE_WAITERS, ev_end + WAKE_WAIT_S + 10.0);
    if (!joined) {
        result_fail(&res,
                    "a waiter was still inside wait_for_change %.0f s after its timeout "
                    "(pool and thread left behind)",
                    10.0);
        return res; /* a thread may still use pool and run: leak both */
    }
    if (started && st != SLOTKIT_OK) {
        result_fail(&res, "%s returned %s", what, status_name(st));
    } else if (started && after == before) {
        result_fail(&res, "%s did not change the generation (R-NOTIFY-1)", what);
    } else if (started) {
        judge_waiters(run, what, ev_start, ev_end, &res);
    }
    free(run);
    slotkit_pool_close(pool);
    return res;
}

stress_result stress_notify_8_commit(const slotkit_backend *b, const char *name)
{
    return run_notify_8(b, name, EVENT_COMMIT);
}

stress_result stress_notify_8_commit_in_place(const slotkit_backend *b, const char *name)
{
    return run_notify_8(b, name, EVENT_COMMIT_IN_PLACE);
}

stress_result stress_notify_8_discard(const slotkit_backend *b, const char *name)
{
    return run_notify_8(b, name, EVENT_DISCARD);
}

stress_result stress_notify_8_mark_read(const slotkit_backend *b, const char *name)
{
    return run_notify_8(b, name, EVENT_MARK_READ);
}

stress_result stress_notify_8_disconnect(const slotkit_backend *b, const char *name)
{
    return run_notify_8(b, name, EVENT_DISCONNECT);
}
