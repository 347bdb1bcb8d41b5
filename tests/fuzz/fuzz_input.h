/*
 * What fuzz_attach.c reads and make_seeds.c writes: one input is an
 * operation script of SCRIPT_OPS 4-byte operations (op, a, b, c), then the
 * bytes of a segment. Shared so the seeds and the target cannot disagree.
 */
#ifndef SLOTKIT_TESTS_FUZZ_INPUT_H
#define SLOTKIT_TESTS_FUZZ_INPUT_H

#include <stdio.h>
#include <stdlib.h>

#include "slotkit/slotkit.h"

#define SCRIPT_OPS 24u
#define SCRIPT_BYTES (SCRIPT_OPS * 4u)

/* The built-in "posix" backend, found the way any caller finds it. */
static inline const slotkit_backend *posix_backend(void)
{
    static const slotkit_backend *backend;
    slotkit_error err;
    if (!backend && slotkit_backend_load("posix", &backend, &err) != SLOTKIT_OK) {
        fprintf(stderr, "no posix backend: %s\n", err.message);
        abort();
    }
    return backend;
}

#endif
