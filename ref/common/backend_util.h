/* Small pieces every backend in this repository needs. */
#ifndef SLOTKIT_REF_BACKEND_UTIL_H
#define SLOTKIT_REF_BACKEND_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "slotkit/backend.h"

/* Fills err (may be NULL) with status, errno and a one-line message; returns status. */
slotkit_status backend_set_error(slotkit_error *err, slotkit_status status, int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A random, non-zero pool id from getrandom (R-HANDLE-3 across processes);
 * false with errno set if the kernel gives none. */
bool backend_random_segment_id(uint64_t *out);

/*
 * Why an operation (not open) failed, for the library's per-thread
 * slotkit_last_error(): the operations' ABI returns only a status, so a
 * reference backend built into libslotkit leaves the reason here and the
 * library takes it when it records that status. Per thread; the next
 * backend_op_error of the thread replaces it. Returns status.
 */
slotkit_status backend_op_error(slotkit_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies the reason left for status into message (size bytes) and clears
 * it; false (message untouched) when none is left for that status. */
bool backend_take_op_error(slotkit_status status, char *message, size_t size);

#endif
