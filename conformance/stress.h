/*
 * Multi-threaded conformance checks (R-THREAD-*, R-NOTIFY-4/5), written
 * without Criterion so they can run two ways:
 *   - as ordinary Criterion tests (test_thread.c, test_notify.c), and
 *   - in-process, by `slotkit-conformance --no-sandbox`, for ThreadSanitizer:
 *     Criterion 2.4.1 aborts or crashes under TSan before any test runs
 *     (BoxFort's arena cannot be placed among TSan's mappings, Snaipe/Criterion#274).
 * Each check opens its own pool, never asserts, always joins its threads and
 * closes its pool, and reports through a stress_result.
 */
#ifndef SLOTKIT_CONFORMANCE_STRESS_H
#define SLOTKIT_CONFORMANCE_STRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "slotkit/slotkit.h"

#define STRESS_TEXT_LEN 256

typedef struct stress_result {
    bool ok;
    char message[STRESS_TEXT_LEN]; /* why it failed */
    char info[STRESS_TEXT_LEN];    /* what it did (counts), for the log */
} stress_result;

/* ---- helpers for the checks (stress.c), shared by the other stress_*.c files ---- */

stress_result result_ok(void);
/* Records the first failure (later ones are dropped). */
__attribute__((format(printf, 2, 3))) void result_fail(stress_result *res, const char *fmt, ...);
/* Opens a CREATE pool; on failure records why in res and returns NULL. */
slotkit_pool *open_stress_pool(const slotkit_backend *backend, const char *name,
                               size_t slot_count, size_t capacity, uint32_t first_sn,
                               stress_result *res);

/* pool_name must be unique to the caller (a cross-process backend makes it an OS name). */
typedef stress_result (*stress_fn)(const slotkit_backend *backend, const char *pool_name);

stress_result stress_thread_1_next_unread(const slotkit_backend *backend, const char *pool_name);
stress_result stress_thread_1_scanning(const slotkit_backend *backend, const char *pool_name);
stress_result stress_thread_2(const slotkit_backend *backend, const char *pool_name);
stress_result stress_thread_3_copy(const slotkit_backend *backend, const char *pool_name);
stress_result stress_thread_3_in_place(const slotkit_backend *backend, const char *pool_name);
stress_result stress_notify_4_race(const slotkit_backend *backend, const char *pool_name);
stress_result stress_notify_5_race(const slotkit_backend *backend, const char *pool_name);
stress_result stress_notify_4_commit_wakes(const slotkit_backend *backend, const char *pool_name);
stress_result stress_notify_5_mark_wakes(const slotkit_backend *backend, const char *pool_name);
stress_result stress_notify_5_disconnect_wakes(const slotkit_backend *backend,
                                               const char *pool_name);
stress_result stress_notify_5_discard_wakes(const slotkit_backend *backend, const char *pool_name);
stress_result stress_notify_3_huge_timeout(const slotkit_backend *backend, const char *pool_name);

/* Every check above, named as its Criterion test, with the capabilities it needs. */
typedef struct stress_case {
    const char *suite;
    const char *test;
    uint32_t required_caps;
    stress_fn run;
} stress_case;

extern const stress_case stress_cases[];
extern const size_t stress_case_count;

/* Looks a check up by suite and test name (NULL if none). */
const stress_case *stress_find(const char *suite, const char *test);

#endif /* SLOTKIT_CONFORMANCE_STRESS_H */
