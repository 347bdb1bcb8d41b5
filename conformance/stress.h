/*
 * Plumbing for writing the multi-threaded checks of stress_checks.h
 * (stress.c; used by stress_thread.c, stress_notify.c, stress_wake.c and
 * stress_race.c). Criterion-free, so `--no-sandbox` can run the checks under
 * ThreadSanitizer.
 */
#ifndef SLOTKIT_CONFORMANCE_STRESS_H
#define SLOTKIT_CONFORMANCE_STRESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "slotkit/slotkit.h"
#include "stress_checks.h"

/* ---- results and pools ---------------------------------------------------- */

stress_result result_ok(void);
/* Records the first failure (later ones are dropped). */
__attribute__((format(printf, 2, 3))) void result_fail(stress_result *res, const char *fmt, ...);
/* Opens a CREATE pool; on failure records why in res and returns NULL. */
slotkit_pool *open_stress_pool(const slotkit_backend *backend, const char *name, size_t slot_count, size_t capacity,
                               uint32_t *first_sn, stress_result *res);
/* The pool's segment id, learnt from a reserve + discard (pool must be idle). */
bool learn_segment(slotkit_pool *pool, uint64_t *segment_id, stress_result *res);
/* Reservable slots (mask-0 loans until NO_FREE_SLOT, at most slot_count + 1
 * and 16, then discarded); SIZE_MAX when a discard fails. */
size_t count_reservable(slotkit_pool *pool, size_t slot_count);

/* ---- a failure record shared by racing threads ------------------------------ */

struct failure {
    atomic_bool failed;
    atomic_flag claimed;
    char message[240];
};

void failure_init(struct failure *f);
/* First failure wins; the others only raise the flag that stops everyone. */
__attribute__((format(printf, 2, 3))) void fail_once(struct failure *f, const char *fmt, ...);
bool failed(struct failure *f);

/* Starts count (at most 8) threads and joins them; on a failed start,
 * records it (the started ones see the failure flag and leave). */
void run_threads(size_t count, void *(*fns[])(void *), void *args[], struct failure *f);

#endif /* SLOTKIT_CONFORMANCE_STRESS_H */
