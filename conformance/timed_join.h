/*
 * Threads that a test can give up on. A backend that hangs a thread (a lost
 * wakeup, a lock left held) must fail the test, never hang it: a
 * timed_thread is joined only once it has said it finished, and a thread that
 * misses its deadline is detached and left behind (its pool must then be
 * left open too, since the thread may still be inside it, and the
 * timed_thread and its argument leaked, since the thread still writes them).
 * Portable and ThreadSanitizer-friendly: no pthread_timedjoin_np.
 */
#ifndef SLOTKIT_CONFORMANCE_TIMED_JOIN_H
#define SLOTKIT_CONFORMANCE_TIMED_JOIN_H

#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

typedef struct timed_thread {
    pthread_t thread;
    void *(*fn)(void *);
    void *arg;
    atomic_bool finished; /* set by the thread as its last act */
    bool started;
    bool joined;
} timed_thread;

/* Starts fn(arg); false if the thread could not be created. */
bool timed_start(timed_thread *t, void *(*fn)(void *), void *arg);
/* Joins t if it finishes before deadline (mono_now() seconds); true when
 * joined (or never started). */
bool timed_join(timed_thread *t, double deadline);
/* Joins all; false if any missed the deadline (those are detached). */
bool timed_join_all(timed_thread *threads, size_t count, double deadline);

#endif /* SLOTKIT_CONFORMANCE_TIMED_JOIN_H */
