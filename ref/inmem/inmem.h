/*
 * The in-memory reference backend: one process, any number of threads.
 * Linked into libslotkit as the embedded default; also buildable as a
 * plug-in (define SLOTKIT_INMEM_PLUGIN to export SLOTKIT_ENTRY_SYMBOL).
 */
#ifndef SLOTKIT_REF_INMEM_H
#define SLOTKIT_REF_INMEM_H

#include "slotkit/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The backend descriptor (static storage). */
const slotkit_backend *slotkit_inmem_backend(void);

#ifdef __cplusplus
}
#endif

#endif /* SLOTKIT_REF_INMEM_H */
