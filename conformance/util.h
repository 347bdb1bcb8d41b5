/*
 * Small helpers of the conformance suite that do not depend on Criterion, so
 * the multi-threaded checks (stress_checks.h, run in-process by --no-sandbox)
 * can use them too.
 */
#ifndef SLOTKIT_CONFORMANCE_UTIL_H
#define SLOTKIT_CONFORMANCE_UTIL_H

/* clock_gettime, setenv, getpid, nanosleep; must precede every system header. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "slotkit/slotkit.h"

/* "OUT_OF_BOUNDS" etc. (slotkit_strerror gives prose; tests want the names). */
const char *status_name(slotkit_status status);

bool same_handle(slotkit_handle a, slotkit_handle b);
/* A handle that no instance of this pool issued: same slot, other segment_id. */
slotkit_handle foreign_handle(slotkit_handle real);
/* Deterministic payload bytes from a seed, so torn or corrupt data is visible. */
void fill_pattern(void *buf, size_t len, uint64_t seed);
bool pattern_ok(const void *buf, size_t len, uint64_t seed);
/* Seconds on CLOCK_MONOTONIC. */
double mono_now(void);
void sleep_s(double seconds);
/* RFC 1982 "a is after b" for 32-bit serial numbers. */
bool serial_after(uint32_t a, uint32_t b);
/* xorshift64*: a cheap per-thread random source for racing delays. */
uint64_t rng_next(uint64_t *state);
/* Busy-waits a random 0..max_spins iterations (sometimes yields instead). */
void random_delay(uint64_t *rng, unsigned max_spins);

#endif /* SLOTKIT_CONFORMANCE_UTIL_H */
