/* Creating and removing a named POSIX shared-memory segment, as the
 * cross-process backends (posix, the iceoryx2 adapter's accounting) do. */
#ifndef SLOTKIT_REF_SHM_SEGMENT_H
#define SLOTKIT_REF_SHM_SEGMENT_H

#include <stddef.h>
#include <sys/types.h>

#include "slotkit/backend.h"

/*
 * Creates shm_name exclusively (O_EXCL: an existing object stays untouched),
 * mode 0600 whatever the umask, `bytes` long and preallocated (a full
 * /dev/shm fails here with ENOSPC, not with SIGBUS on first touch), and maps
 * it read-write. Returns the mapping and the object's identity for
 * shm_segment_unlink_if_same. On failure the name is removed again (unless it
 * existed before: SYSTEM_ERROR with sys_errno EEXIST) and err says which call
 * failed, prefixed with `who`.
 */
slotkit_status shm_segment_create(const char *who, const char *shm_name, size_t bytes, void **out_base,
                                  dev_t *out_dev, ino_t *out_ino, slotkit_error *err);

/* Unlinks shm_name only if it still names the object (dev, ino) created: a
 * creator never removes a newer pool that reuses the name. */
void shm_segment_unlink_if_same(const char *shm_name, dev_t dev, ino_t ino);

#endif
