/*
 * The multi-threaded conformance checks (R-THREAD-*, R-NOTIFY-3/4/5/8), each
 * defined once, in the lists below. A check is written without Criterion so
 * that it can run two ways:
 *   - as a Criterion test: test_thread.c, test_notify.c, test_wakeup.c and
 *     test_race.c expand their list with CONF_STRESS_TEST (fixture.h);
 *   - in-process, by `slotkit-conformance --no-sandbox`, for ThreadSanitizer,
 *     from stress_cases[] (stress_checks.c, the same lists): Criterion 2.4.1
 *     aborts or crashes under TSan before any test runs (BoxFort's arena
 *     cannot be placed among TSan's mappings, Snaipe/Criterion#274).
 * Each check opens its own pool, never asserts, always joins (or, with a
 * deadline, abandons) its threads, and reports through a stress_result.
 *
 * A row is X(suite, test, required capabilities, check function, description).
 * Suite and test are the Criterion names: `slotkit conform` takes each test's
 * rule from its name (prereqs_table.c), so renaming one moves it to another
 * rule. The lists are split by the file that registers them, which keeps the
 * order of `--list-tests`.
 */
#ifndef SLOTKIT_CONFORMANCE_STRESS_CHECKS_H
#define SLOTKIT_CONFORMANCE_STRESS_CHECKS_H

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

/* pool_name must be unique to the caller (a cross-process backend makes it an OS name). */
typedef stress_result (*stress_fn)(const slotkit_backend *backend, const char *pool_name);

/* R-THREAD-1..3 (stress_thread.c), registered by test_thread.c. */
#define STRESS_THREAD_CHECKS(X)                                                            \
    X(thread, r_thread_1, SLOTKIT_CAP_NEXT_UNREAD, stress_thread_1_next_unread,            \
      "R-THREAD-1: 2 writers, 3 readers (next_unread): every sample reaches every "        \
      "reader once, in SN order, intact")                                                  \
    X(thread, r_thread_1__scanning_readers, 0, stress_thread_1_scanning,                   \
      "R-THREAD-1: 2 writers, 3 readers scanning with read_slot: every sample "            \
      "reaches every reader once, intact")                                                 \
    X(thread, r_thread_2, 0, stress_thread_2,                                              \
      "R-THREAD-2: loans stay exclusive under concurrent reserve/commit/discard "          \
      "(4 threads, 3 slots); SNs unique")                                                  \
    X(thread, r_thread_3, 0, stress_thread_3_copy,                                         \
      "R-THREAD-3: read_slot racing with recycling returns OUT_OF_BOUNDS or a "            \
      "whole, untorn sample")                                                              \
    X(thread, r_thread_3__in_place_writer, SLOTKIT_CAP_IN_PLACE, stress_thread_3_in_place, \
      "R-THREAD-3: read_slot racing with an in-place writer never sees its "               \
      "half-written bytes")

/* R-NOTIFY-3/4/5, one waiter (stress_notify.c), registered by test_notify.c. */
#define STRESS_NOTIFY_CHECKS(X)                                                                          \
    X(notify, r_notify_3__huge_timeout, SLOTKIT_CAP_NOTIFY, stress_notify_3_huge_timeout,                \
      "R-NOTIFY-3: a huge timeout (UINT64_MAX ns) does not overflow into an "                            \
      "early return; a change still wakes it")                                                           \
    X(notify, r_notify_4, SLOTKIT_CAP_NOTIFY, stress_notify_4_race,                                      \
      "R-NOTIFY-4: no lost wakeup: a reader that captured, checked and waits is "                        \
      "woken by a commit (racing, many rounds)")                                                         \
    X(notify, r_notify_4__commit_wakes_waiter, SLOTKIT_CAP_NOTIFY, stress_notify_4_commit_wakes,         \
      "R-NOTIFY-4: a blocked waiter is woken by a commit from another thread")                           \
    X(notify, r_notify_5, SLOTKIT_CAP_NOTIFY, stress_notify_5_race,                                      \
      "R-NOTIFY-5: no lost wakeup: a writer waiting for space is woken by "                              \
      "mark_read (racing, many rounds)")                                                                 \
    X(notify, r_notify_5__mark_wakes_waiter, SLOTKIT_CAP_NOTIFY, stress_notify_5_mark_wakes,             \
      "R-NOTIFY-5: a writer blocked on a full pool is woken by mark_read")                               \
    X(notify, r_notify_5__disconnect_wakes_waiter, SLOTKIT_CAP_NOTIFY, stress_notify_5_disconnect_wakes, \
      "R-NOTIFY-5: a writer blocked on a full pool is woken by "                                         \
      "mark_reader_disconnected")                                                                        \
    X(notify, r_notify_5__discard_wakes_waiter, SLOTKIT_CAP_NOTIFY, stress_notify_5_discard_wakes,       \
      "R-NOTIFY-5: a writer blocked on a full pool is woken by a discard")

/* R-NOTIFY-8 (stress_wake.c), registered by test_wakeup.c: every event that
 * advances the generation wakes every blocked waiter, four at once. */
#define STRESS_WAKE_CHECKS(X)                                                                                          \
    X(notify, r_notify_8__commit, SLOTKIT_CAP_NOTIFY, stress_notify_8_commit,                                          \
      "R-NOTIFY-8: four threads blocked in wait_for_change all return promptly "                                       \
      "after one commit_slot")                                                                                         \
    X(notify, r_notify_8__commit_in_place, SLOTKIT_CAP_NOTIFY | SLOTKIT_CAP_IN_PLACE, stress_notify_8_commit_in_place, \
      "R-NOTIFY-8: four threads blocked in wait_for_change all return promptly "                                       \
      "after one commit_in_place")                                                                                     \
    X(notify, r_notify_8__discard, SLOTKIT_CAP_NOTIFY, stress_notify_8_discard,                                        \
      "R-NOTIFY-8: four threads blocked in wait_for_change all return promptly "                                       \
      "after one discard_slot")                                                                                        \
    X(notify, r_notify_8__mark_read, SLOTKIT_CAP_NOTIFY, stress_notify_8_mark_read,                                    \
      "R-NOTIFY-8: four threads blocked in wait_for_change all return promptly "                                       \
      "after one mark_read")                                                                                           \
    X(notify, r_notify_8__disconnect, SLOTKIT_CAP_NOTIFY, stress_notify_8_disconnect,                                  \
      "R-NOTIFY-8: four threads blocked in wait_for_change all return promptly "                                       \
      "after one mark_reader_disconnected")

/* Races single-threaded tests cannot reach (stress_race.c), registered by
 * test_race.c: a four-writer R-THREAD-1 with random reserve-to-commit delays,
 * and R-THREAD-4, disconnect racing with commits. */
#define STRESS_RACE_CHECKS(X)                                                                          \
    X(thread, r_thread_1__four_writers_delayed, SLOTKIT_CAP_NEXT_UNREAD, stress_thread_1_four_writers, \
      "R-THREAD-1: 4 writers with random delays between reserve and commit, 3 "                        \
      "next_unread readers: each reader gets every SN, consecutively, intact")                         \
    X(thread, r_thread_4, 0, stress_thread_4_disconnect_race,                                          \
      "R-THREAD-4: commits racing mark_reader_disconnected: no sample waits for "                      \
      "the disconnected reader (rounds of 3 commits and one disconnect)")

#define STRESS_CHECKS(X) STRESS_THREAD_CHECKS(X) STRESS_NOTIFY_CHECKS(X) STRESS_WAKE_CHECKS(X) STRESS_RACE_CHECKS(X)

/* The check functions, one per row. */
#define STRESS_DECLARE(suite, test, caps, check, text) \
    stress_result check(const slotkit_backend *backend, const char *pool_name);
STRESS_CHECKS(STRESS_DECLARE)
#undef STRESS_DECLARE

/* Every row as data, for the in-process runner (--no-sandbox, main.c). */
typedef struct stress_case {
    const char *suite;
    const char *test;
    uint32_t required_caps;
    stress_fn run;
} stress_case;

extern const stress_case stress_cases[];
extern const size_t stress_case_count;

#endif /* SLOTKIT_CONFORMANCE_STRESS_CHECKS_H */
