/*
 * More Criterion-free checks, in the style of stress.h (they join stress.c's
 * table, so `--no-sandbox` runs them under ThreadSanitizer too):
 *   stress_wake.c  R-NOTIFY-8: every generation event wakes every blocked waiter
 *   stress_race.c  R-THREAD-4: disconnect racing with commits;
 *                  R-THREAD-1 with four writers and random reserve-to-commit delays
 * Every thread they start is joined with a deadline (timed_join.h).
 */
#ifndef SLOTKIT_CONFORMANCE_STRESS_BLIND_H
#define SLOTKIT_CONFORMANCE_STRESS_BLIND_H

#include "stress.h"

/* The events of R-NOTIFY-1. */
enum blind_event {
    EVENT_COMMIT,
    EVENT_COMMIT_IN_PLACE,
    EVENT_DISCARD,
    EVENT_MARK_READ,
    EVENT_DISCONNECT,
};

/* Several threads block in wait_for_change; one event must wake them all. */
stress_result stress_notify_8(const slotkit_backend *backend, const char *pool_name,
                              enum blind_event ev);
stress_result stress_notify_8_commit(const slotkit_backend *backend, const char *pool_name);
stress_result stress_notify_8_commit_in_place(const slotkit_backend *backend,
                                              const char *pool_name);
stress_result stress_notify_8_discard(const slotkit_backend *backend, const char *pool_name);
stress_result stress_notify_8_mark_read(const slotkit_backend *backend, const char *pool_name);
stress_result stress_notify_8_disconnect(const slotkit_backend *backend, const char *pool_name);

/* mark_reader_disconnected racing with commits of loans reserved before it. */
stress_result stress_thread_4_disconnect_race(const slotkit_backend *backend,
                                              const char *pool_name);
/* Four writers with random delays between reserve and commit; three
 * next_unread readers must each get every SN, consecutively. */
stress_result stress_thread_1_four_writers(const slotkit_backend *backend, const char *pool_name);

#endif /* SLOTKIT_CONFORMANCE_STRESS_BLIND_H */
