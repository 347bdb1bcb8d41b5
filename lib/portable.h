/*
 * Small portable helpers for spin-waits and monotonic time, shared by the
 * reference backends, the iceoryx2 adapter and the benchmarks. Header-only,
 * so a plug-in gets them without linking the library. Internal: not installed.
 * Needs POSIX declarations (the build's -D_GNU_SOURCE, before any header).
 */
#ifndef SLOTKIT_LIB_PORTABLE_H
#define SLOTKIT_LIB_PORTABLE_H

#include <errno.h>
#include <stdint.h>
#include <time.h>

/*
 * One step of a busy wait: a hint to the core, and a compiler barrier in
 * every case (the "memory" clobber), so the polled value is loaded again.
 * x86: pause. aarch64: isb rather than yield. yield is a no-op on cores
 * without SMT (nearly every Arm core), so a spin of yields hammers the polled
 * cache line and a bound tuned on x86 spins for a fraction of the time; isb
 * stalls until the pipeline drains, a delay close to pause's (Rust's
 * core::hint::spin_loop made the same choice). Elsewhere: the barrier only.
 */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("pause" ::: "memory");
#elif defined(__aarch64__)
    __asm__ __volatile__("isb" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/* Starts pulling the line at p towards this core, to read it / to write it
 * (x86 prefetchw: the line comes exclusive, so a later store or RMW does not
 * pay a second transfer; a core without it decodes it as a NOP). A hint:
 * no ordering, no fault, safe on any address. */
static inline void prefetch_read(const void *p) { __builtin_prefetch(p, 0, 3); }
static inline void prefetch_write(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("prefetchw %0" ::"m"(*(const char *)p));
#else
    __builtin_prefetch(p, 1, 3);
#endif
}

/* CLOCK_MONOTONIC in nanoseconds: for timeouts and intervals (never steps back). */
static inline uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sleeps ns nanoseconds; a signal does not cut the sleep short. */
static inline void sleep_ns(uint64_t ns)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(ns / 1000000000u);
    ts.tv_nsec = (long)(ns % 1000000000u);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

#endif /* SLOTKIT_LIB_PORTABLE_H */
