/*
 * Child processes for the cross-process conformance tests (suite `xproc`).
 *
 * Criterion 2.4.1 hangs when a forked child returns from the test function or
 * runs a cr_assert (Snaipe/Criterion issues #129, #383, #519), so a child
 * here runs one function and always leaves through _exit(). It reports
 * failure through its exit code and a message in a MAP_SHARED page; the
 * parent turns both into assertions. Every child dies with the test process
 * (PR_SET_PDEATHSIG), and xp_reap_all(), run by the suite's .fini, kills and
 * reaps whatever is left when a test fails half-way.
 *
 * Functions named xp_child_* are for children (they never return on
 * failure); the others are for the parent (they assert).
 */
#ifndef SLOTKIT_CONFORMANCE_XPROC_CHILD_H
#define SLOTKIT_CONFORMANCE_XPROC_CHILD_H

#include "fixture.h"

#include <stdatomic.h>
#include <sys/types.h>

#define XP_MAX_CHILDREN 16
/* Exit code of a child that reported a failure with xp_child_fail. */
#define XP_EXIT_FAILED 3
/* Exit code of a child whose parent was already gone at fork. */
#define XP_EXIT_ORPHAN 4

/* A handshake word in shared memory: counts up, never down. */
typedef _Atomic uint32_t xp_flag;

/* ---- parent side --------------------------------------------------------- */

/* A zeroed MAP_SHARED|MAP_ANONYMOUS area, inherited by children forked later. */
void *xp_shared_alloc(size_t size);

/* Forks a child that runs fn(arg) and _exit()s with its result (0 = passed). */
pid_t xp_spawn(int (*fn)(void *arg), void *arg);

/* Waits up to timeout_s for the child to end; asserts it exited with 0. */
void xp_expect_exit_ok(pid_t pid, double timeout_s);
/* SIGKILLs the child, reaps it and asserts it died of that SIGKILL (so it was
 * alive, not failed, when killed). */
void xp_kill_and_reap(pid_t pid);
/* Waits until *flag >= value; fails the test if the child (pid 0: any child
 * of this test) ends first or timeout_s pass, with the child's message. */
void xp_expect_flag(pid_t pid, xp_flag *flag, uint32_t value, double timeout_s, const char *what);

/* Kills and reaps every child still running (safe to call twice). */
void xp_reap_all(void);
/* Suite .fini: children first (they may hold the pools), then the fixture's. */
void xp_teardown(void);

/* A wake this long after its event (CLOCK_MONOTONIC, which all processes
 * share) counts as lost: generous for a loaded 2-core box under sanitizers. */
#define XP_LOST_WAKEUP_S 1.0

/* ATTACH config for the pool `created` names: geometry 0 = take the pool's. */
slotkit_config xp_attach_config(const slotkit_config *created);
/* Attaches in this (parent) process, asserting OK; closed in .fini. */
slotkit_pool *xp_attach_here(const slotkit_config *created);

/* The R-XPROC-6 check, reused after crashes (R-XPROC-9): n_waiters children
 * attach to `created` and block in wait_for_change until the generation
 * changes; the parent then commits into a slot it loaned from `pool` (which
 * needs a reservable slot). Every child must return well before
 * XP_LOST_WAKEUP_S. The children judge by the generation only, not by
 * reading the slot, so the check needs no rule but R-NOTIFY-1/2. */
void xp_expect_wakeups(slotkit_pool *pool, const slotkit_config *created, unsigned n_waiters);

/* ---- both sides ------------------------------------------------------------ */

/* Publishes value (>= the old one) and wakes every process waiting on flag. */
void xp_post(xp_flag *flag, uint32_t value);
/* Adds 1 and wakes every process waiting on flag (several children check in). */
void xp_bump(xp_flag *flag);
/* Waits until *flag >= value or timeout_s pass; true if reached. */
bool xp_await(xp_flag *flag, uint32_t value, double timeout_s);

/* ---- child side ------------------------------------------------------------ */

/* Records a one-line failure message for the parent and _exit()s. */
_Noreturn void xp_child_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define XP_CHECK(cond, ...)             \
    do {                                \
        if (!(cond)) {                  \
            xp_child_fail(__VA_ARGS__); \
        }                               \
    } while (0)

/* expr must return want; the message names the call and both statuses. */
#define XP_CHECK_STATUS(expr, want)                                                                                 \
    do {                                                                                                            \
        slotkit_status xp_got_ = (expr);                                                                            \
        XP_CHECK(xp_got_ == (want), "%s returned %s, expected %s", #expr, status_name(xp_got_), status_name(want)); \
    } while (0)

/* Opens the config (normally an ATTACH one) or fails the child. */
slotkit_pool *xp_child_open(const slotkit_config *config);
/* Waits for a flag or fails the child after timeout_s. */
void xp_child_await(xp_flag *flag, uint32_t value, double timeout_s, const char *what);

#endif /* SLOTKIT_CONFORMANCE_XPROC_CHILD_H */
