/*
 * The POSIX backend's shared-memory segment: names and layout. Creating,
 * attaching and judging segments is ref/common/shm_segment (kind
 * shm_kind_posix_pool).
 *
 * Layout of /dev/shm/slotkit-<name> (all offsets from the mapping's start,
 * which is page-aligned):
 *   [0, POSIX_TABLE_OFFSET)   struct shm_segment_header
 *   [POSIX_TABLE_OFFSET, end) the slot table (ref/common/slot_table.h),
 *                             process_shared, holding every piece of shared
 *                             state: slot states, loans, counters, futex word
 * The table's payloads sit at 64-byte multiples from its 64-byte-aligned
 * base, so each payload starts on a 64-byte boundary of the mapping
 * (R-POSIX-4).
 */
#ifndef SLOTKIT_REF_POSIX_SEGMENT_H
#define SLOTKIT_REF_POSIX_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/shm_segment.h"

#define POSIX_SHM_PREFIX SHM_POSIX_POOL_PREFIX
#define POSIX_DEV_SHM_PREFIX "slotkit-" /* as listed in /dev/shm */
#define POSIX_NAME_MAX 200u
/* "/slotkit-" + up to 200 name characters + NUL. */
#define POSIX_SHM_NAME_SIZE (sizeof POSIX_SHM_PREFIX + POSIX_NAME_MAX)
#define POSIX_TABLE_OFFSET SHM_POSIX_POOL_TABLE_OFFSET

/*
 * Builds the shm object name for a pool name: [A-Za-z0-9._-], 1..200
 * characters, optionally with a leading '/'; a leading "slotkit-" is not
 * doubled. false (and *why) for anything else (R-POSIX-1).
 */
bool posix_shm_name(const char *pool_name, char out[POSIX_SHM_NAME_SIZE], const char **why);

/* name is 1..200 characters of [A-Za-z0-9._-]. */
bool posix_name_chars_ok(const char *name);

/* Bytes of a segment for this geometry; the geometry must have passed
 * slot_table_size(). */
size_t posix_segment_bytes(size_t table_bytes);

#endif /* SLOTKIT_REF_POSIX_SEGMENT_H */
