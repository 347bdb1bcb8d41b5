/*
 * Plumbing shared by the multi-threaded checks (stress_thread.c,
 * stress_notify.c, stress_wake.c, stress_race.c): results, pools, a failure
 * record that threads share, and starting and joining a set of threads.
 */
/* First: util.h sets the feature-test macros before any system header. */
#include "util.h"

#include "stress.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- results and pools ---------------------------------------------------- */

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

/* *first_sn is where the checks expect SNs to start. A backend that refuses a start other than 0
 * (UNSUPPORTED) fails R-SEQ-1 for that, once; the concurrency check still runs, from 0, so that its own
 * rule is judged on its own behaviour rather than left untested. */
slotkit_pool *open_stress_pool(const slotkit_backend *backend, const char *name, size_t slot_count, size_t capacity,
                               uint32_t *first_sn, stress_result *res)
{
    slotkit_config config;
    memset(&config, 0, sizeof config);
    config.slot_count = slot_count;
    config.slot_capacity = capacity;
    config.name = name;
    config.role = SLOTKIT_ROLE_CREATE;
    config.first_sequence_number = *first_sn;
    slotkit_error err;
    memset(&err, 0, sizeof err);
    slotkit_pool *pool = NULL;
    slotkit_status st = slotkit_pool_open(backend, &config, &pool, &err);
    if (st == SLOTKIT_UNSUPPORTED && *first_sn != 0) {
        config.first_sequence_number = *first_sn = 0;
        st = slotkit_pool_open(backend, &config, &pool, &err);
    }
    if (st != SLOTKIT_OK) {
        result_fail(res, "open(count %zu, capacity %zu) returned %s: %s", slot_count, capacity, status_name(st),
                    err.message);
        return NULL;
    }
    return pool;
}

bool learn_segment(slotkit_pool *pool, uint64_t *segment_id, stress_result *res)
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

size_t count_reservable(slotkit_pool *pool, size_t slot_count)
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

/* ---- a failure record shared by racing threads ------------------------------ */

void failure_init(struct failure *f)
{
    atomic_store(&f->failed, false);
    atomic_flag_clear(&f->claimed);
    f->message[0] = '\0';
}

void fail_once(struct failure *f, const char *fmt, ...)
{
    if (!atomic_flag_test_and_set(&f->claimed)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->message, sizeof f->message, fmt, ap);
        va_end(ap);
    }
    atomic_store(&f->failed, true);
}

bool failed(struct failure *f) { return atomic_load(&f->failed); }

void run_threads(size_t count, void *(*fns[])(void *), void *args[], struct failure *f)
{
    pthread_t threads[8];
    if (count > sizeof threads / sizeof threads[0]) {
        fail_once(f, "test bug: %zu threads requested", count);
        return;
    }
    size_t started = 0;
    for (; started < count; started++) {
        if (pthread_create(&threads[started], NULL, fns[started], args[started]) != 0) {
            fail_once(f, "pthread_create failed for thread %u of %u", (unsigned)started, (unsigned)count);
            break;
        }
    }
    for (size_t i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
    }
}
