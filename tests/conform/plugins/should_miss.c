/* Misses one SHOULD rule only (R-NOTIFY-7): wait_for_change polls instead of
 * blocking. Everything else is inmem's, so `slotkit conform` must exit 0. */
#define WRAP_NAME "should_miss"
#include <sched.h>
#include <time.h>

#include "wrap_inmem.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void polling_wait(slotkit_instance *inst, uint64_t last, uint64_t timeout_ns)
{
    uint64_t start = now_ns();
    while (wrapped->ops->notify_generation(inst) == last && now_ns() - start < timeout_ns) sched_yield();
}

static void wrap_adjust(slotkit_ops *ops) { ops->wait_for_change = polling_wait; }
