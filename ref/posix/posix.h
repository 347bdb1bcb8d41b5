/*
 * The POSIX shared-memory reference backend: one pool per named segment
 * (/dev/shm/slotkit-<name>), created by one process and attached by name
 * from any other. All pool state, loans included, lives in the segment, so
 * every process of a pool may reserve, commit, read and mark.
 * Capabilities: CROSS_PROCESS, IN_PLACE, NOTIFY, TYPE_HASH, NEXT_UNREAD.
 */
#ifndef SLOTKIT_REF_POSIX_H
#define SLOTKIT_REF_POSIX_H

#include "slotkit/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The backend descriptor (static storage). */
const slotkit_backend *slotkit_posix_backend(void);

#ifdef __cplusplus
}
#endif

#endif /* SLOTKIT_REF_POSIX_H */
