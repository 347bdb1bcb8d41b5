/* Small pieces every backend in this repository needs at open time. */
#ifndef SLOTKIT_REF_BACKEND_UTIL_H
#define SLOTKIT_REF_BACKEND_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "slotkit/backend.h"

/* Fills err (may be NULL) with status, errno and a one-line message; returns status. */
slotkit_status backend_set_error(slotkit_error *err, slotkit_status status, int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A random, non-zero pool id from getrandom (R-HANDLE-3 across processes);
 * false with errno set if the kernel gives none. */
bool backend_random_segment_id(uint64_t *out);

#endif
