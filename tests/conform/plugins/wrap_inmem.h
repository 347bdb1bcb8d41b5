/*
 * Test plug-ins for `slotkit conform` itself: the built-in inmem backend with
 * one behaviour changed. Each plug-in includes this header, defines
 * wrap_adjust(ops) to replace entries, and links against libslotkit.so.
 */
#ifndef SLOTKIT_TESTS_CONFORM_WRAP_INMEM_H
#define SLOTKIT_TESTS_CONFORM_WRAP_INMEM_H

#include <stddef.h>

#include "slotkit/slotkit.h"

static const slotkit_backend *wrapped;
static slotkit_backend wrapper;
static slotkit_ops wrapper_ops;

static void wrap_adjust(slotkit_ops *ops);

SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void);
const slotkit_backend *slotkit_backend_entry(void)
{
    if (wrapped == NULL) {
        slotkit_error err;
        if (slotkit_backend_load("inmem", &wrapped, &err) != SLOTKIT_OK) return NULL;
        wrapper = *wrapped;
        wrapper_ops = *wrapped->ops;
        wrap_adjust(&wrapper_ops);
        wrapper.ops = &wrapper_ops;
        wrapper.name = WRAP_NAME;
    }
    return &wrapper;
}

#endif
