#include "timed_join.h"

static void *timed_trampoline(void *arg)
{
    timed_thread *t = arg;
    void *result = t->fn(t->arg);
    atomic_store(&t->finished, true);
    return result;
}

bool timed_start(timed_thread *t, void *(*fn)(void *), void *arg)
{
    t->fn = fn;
    t->arg = arg;
    atomic_store(&t->finished, false);
    t->joined = false;
    t->started = pthread_create(&t->thread, NULL, timed_trampoline, t) == 0;
    return t->started;
}

bool timed_join(timed_thread *t, double deadline)
{
    if (!t->started || t->joined) {
        return true;
    }
    while (!atomic_load(&t->finished)) {
        if (mono_now() > deadline) {
            return false;
        }
        sleep_s(0.001);
    }
    pthread_join(t->thread, NULL); /* it has finished: returns at once */
    t->joined = true;
    return true;
}

bool timed_join_all(timed_thread *threads, size_t count, double deadline)
{
    bool all = true;
    for (size_t i = 0; i < count; i++) {
        if (!timed_join(&threads[i], deadline)) {
            all = false;
        }
    }
    if (!all) {
        for (size_t i = 0; i < count; i++) {
            if (threads[i].started && !threads[i].joined) {
                pthread_detach(threads[i].thread);
                threads[i].joined = true; /* given up on: never join it again */
            }
        }
    }
    return all;
}
