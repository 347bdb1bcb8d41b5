/*
 * The POSIX backend's shared-memory segment: header layout, names, and the
 * checks an attacher (or `slotkit clean`) runs before trusting a segment.
 *
 * Layout of /dev/shm/slotkit-<name> (all offsets from the mapping's start,
 * which is page-aligned):
 *   [0, POSIX_TABLE_OFFSET)   struct posix_segment_header
 *   [POSIX_TABLE_OFFSET, end) the slot table (ref/common/slot_table.h),
 *                             process_shared, holding every piece of shared
 *                             state: slot states, loans, counters, futex word
 * The table's payloads sit at 64-byte multiples from its 64-byte-aligned
 * base, so each payload starts on a 64-byte boundary of the mapping
 * (R-POSIX-4).
 */
#ifndef SLOTKIT_REF_POSIX_SEGMENT_H
#define SLOTKIT_REF_POSIX_SEGMENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "slotkit/backend.h"

/* "SLOTKSHM" in memory order on a little-endian machine. A big-endian
 * reader sees another value and refuses the segment, as it should. */
#define POSIX_SEGMENT_MAGIC 0x4D48534B544F4C53ull
/* Bumped on any change of the header or of the table layout it embeds. */
#define POSIX_SEGMENT_LAYOUT_VERSION 1u

#define POSIX_SHM_PREFIX "/slotkit-"
#define POSIX_DEV_SHM_PREFIX "slotkit-" /* as listed in /dev/shm */
#define POSIX_NAME_MAX 200u
/* "/slotkit-" + up to 200 name characters + NUL. */
#define POSIX_SHM_NAME_SIZE (sizeof POSIX_SHM_PREFIX + POSIX_NAME_MAX)

/* Everything but the magic is written before the magic is published
 * (release) and never changes afterwards. Fixed-width fields only, so the
 * layout is the same in every process. */
struct posix_segment_header {
    _Atomic uint64_t magic;
    uint32_t layout_version; /* POSIX_SEGMENT_LAYOUT_VERSION */
    uint32_t abi_version;    /* SLOTKIT_ABI_VERSION */
    uint32_t header_bytes;   /* sizeof(struct posix_segment_header) */
    uint32_t slot_count;
    uint64_t slot_capacity;  /* configured, unpadded */
    uint64_t slot_stride;    /* SLOTKIT_SLOT_TOTAL_SIZE(slot_capacity) */
    uint64_t table_offset;   /* POSIX_TABLE_OFFSET */
    uint64_t total_bytes;    /* table_offset + the table's size = the object's size */
    uint64_t segment_id;     /* identifies the pool in handles (R-XPROC-5) */
    uint64_t creator_start_token; /* field 22 of /proc/<pid>/stat */
    int32_t creator_pid;
    uint32_t has_type_hash;
    uint8_t type_hash[16];
};

#define POSIX_TABLE_OFFSET 128u
_Static_assert(sizeof(struct posix_segment_header) <= POSIX_TABLE_OFFSET, "header overflow");
_Static_assert(POSIX_TABLE_OFFSET % 64u == 0, "table base must stay 64-byte aligned");

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

/* What a look at a mapped segment found. */
typedef enum posix_segment_verdict {
    POSIX_SEGMENT_VALID = 0,     /* consistent; creator alive or not checked */
    POSIX_SEGMENT_UNINITIALISED, /* no magic yet (creator still initialising, or died doing so) */
    POSIX_SEGMENT_FOREIGN,       /* not a slotkit segment, or another version */
    POSIX_SEGMENT_CORRUPT,       /* slotkit magic but inconsistent or truncated */
} posix_segment_verdict;

/*
 * Validates the segment mapped at base (mapped_bytes, the object's real
 * size from fstat) before trusting any field: size, magic, layout and ABI
 * versions, geometry, stride, offsets, the embedded slot table and its
 * agreement with the header. On anything but VALID, why (why_size bytes)
 * gets a one-line reason.
 */
posix_segment_verdict posix_segment_check(const void *base, size_t mapped_bytes, char *why,
                                          size_t why_size);

/* The creator recorded in a valid header is gone (pid gone, exited, or its
 * start time differs). */
bool posix_segment_creator_dead(const struct posix_segment_header *h);

/* What slotkit_posix_clean would call the object shm_name: one of the
 * SLOTKIT_POSIX_* states of slotkit/posix.h (never REMOVED). Only looks. */
const char *posix_segment_state(const char *shm_name);

#endif /* SLOTKIT_REF_POSIX_SEGMENT_H */
