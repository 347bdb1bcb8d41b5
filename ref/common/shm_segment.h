/*
 * Named POSIX shared-memory segments of the cross-process backends (the
 * posix pool, the iceoryx2 adapter's accounting): one module creates them,
 * attaches them (open, ownership, wait for the creator, validation, stale
 * creator, geometry) and judges leftovers for `slotkit clean`.
 *
 * Kinds: each kind has its own name prefix and magic, so `slotkit clean`
 * tells them apart and a pool name of one kind never collides with another:
 *   posix pool            /dev/shm/slotkit-<name>           "SLOTKSHM"
 *   iceoryx2 accounting   /dev/shm/slotkit.iox2acct-<hash>  "IOX2ACCT"
 * Every segment starts with struct shm_segment_header; the kind's own
 * header fields follow it, then (at the kind's table_offset) a
 * process_shared slot table, then whatever the kind keeps after the table.
 *
 * CREATE: shm_open(O_CREAT|O_EXCL|O_NOFOLLOW, 0600); the creator's pid and
 * start token are the first bytes written (before the object is sized), so
 * a creator killed mid-CREATE is known dead at once; then fchmod 0600, size,
 * preallocate, map. The kind fills its header and table, and
 * shm_segment_publish stores the magic last (release).
 *
 * ATTACH accepts only a regular file owned by the effective uid with mode
 * 0600 (a segment another local user made first under our name is refused,
 * never used), waits up to SHM_SEGMENT_INIT_WAIT_MS for a live creator to
 * publish, and validates the header against the object's real size before
 * trusting any field.
 *
 * A creator killed mid-CREATE: attach fails at once ("its creator died"),
 * and `slotkit clean` removes the segment at once. Only a creator killed
 * between shm_open and its first write (two system calls) leaves no pid:
 * attach then waits its bound, and clean removes the segment once it is
 * SHM_SEGMENT_UNRECORDED_GRACE_S old.
 */
#ifndef SLOTKIT_REF_SHM_SEGMENT_H
#define SLOTKIT_REF_SHM_SEGMENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "slotkit/backend.h"

/* How long attach waits for a live creator to publish its segment. The
 * iceoryx2 adapter publishes only after its node, service and ports exist,
 * which takes far longer than the posix pool's few system calls. */
#define SHM_SEGMENT_INIT_WAIT_MS 3000
/* Age (mtime) after which `slotkit clean` takes an unpublished segment with
 * no creator recorded for abandoned. */
#define SHM_SEGMENT_UNRECORDED_GRACE_S 10
/* The only mode a slotkit segment has. */
#define SHM_SEGMENT_MODE 0600

/* At offset 0 of every segment. Everything but the magic is written before
 * the magic is published (release) and never changes afterwards; the
 * creator fields are written first of all. Fixed-width fields only. */
struct shm_segment_header {
    _Atomic uint64_t magic;  /* the kind's */
    uint32_t layout_version; /* the kind's */
    uint32_t abi_version;    /* SLOTKIT_ABI_VERSION */
    uint32_t header_bytes;   /* the kind's whole header */
    uint32_t slot_count;
    uint64_t slot_capacity;       /* configured, unpadded */
    uint64_t slot_stride;         /* SLOTKIT_SLOT_TOTAL_SIZE(slot_capacity) */
    uint64_t table_offset;        /* the kind's */
    uint64_t total_bytes;         /* the object's size */
    uint64_t segment_id;          /* identifies the pool in handles (R-XPROC-5) */
    uint64_t creator_start_token; /* field 22 of /proc/<pid>/stat; 0 = unknown */
    int32_t creator_pid;
    uint32_t has_type_hash;
    uint8_t type_hash[16];
};

typedef struct shm_segment_kind {
    const char *label;      /* "posix pool": in listings */
    const char *who;        /* "posix": the prefix of error messages */
    const char *shm_prefix; /* "/slotkit-" */
    uint64_t magic;
    uint32_t layout_version; /* bumped on any change of the kind's header or table layout */
    uint32_t header_bytes;
    uint32_t table_offset; /* 64-byte multiple, >= header_bytes */
} shm_segment_kind;

#define SHM_POSIX_POOL_MAGIC 0x4D48534B544F4C53ull /* "SLOTKSHM" in little-endian memory order */
#define SHM_POSIX_POOL_PREFIX "/slotkit-"
#define SHM_POSIX_POOL_TABLE_OFFSET 128u
#define SHM_IOX2_ACCT_MAGIC 0x5443434132584F49ull /* "IOX2ACCT" */
#define SHM_IOX2_ACCT_PREFIX "/slotkit.iox2acct-"
#define SHM_IOX2_ACCT_HEADER_BYTES 384u /* sizeof(struct acct_header), asserted there */
#define SHM_IOX2_ACCT_TABLE_OFFSET 512u

extern const shm_segment_kind shm_kind_posix_pool;
extern const shm_segment_kind shm_kind_iox2_accounting;

/* A mapped segment and the identity of its object. */
typedef struct shm_segment {
    void *base;
    size_t bytes;
    dev_t dev;
    ino_t ino;
} shm_segment;

/* CREATE and ATTACH arguments a cross-process backend checks first:
 * config and out present, a known role, slot_count >= 1 for CREATE. */
slotkit_status shm_segment_check_config(const char *who, const slotkit_config *config, const void *out,
                                        slotkit_error *err);

/*
 * Creates shm_name exclusively, records this process as its creator, makes
 * it mode 0600 whatever the umask, `bytes` long and preallocated (a full
 * /dev/shm fails here with ENOSPC, not with SIGBUS later) and maps it
 * read-write. On failure the name is removed again and err says which call
 * failed. An existing object stays untouched: SYSTEM_ERROR/EEXIST (the
 * message names its owner and mode when it is not ours), or INCOMPATIBLE
 * with "stale ... slotkit clean" when shm_segment_judge calls it stale
 * (R-XPROC-13).
 */
slotkit_status shm_segment_create(const shm_segment_kind *kind, const char *shm_name, const char *pool_name,
                                  size_t bytes, shm_segment *out, slotkit_error *err);

/* Fills the common header of a created segment from config (all but the
 * magic and the creator, already there). */
void shm_segment_init_header(const shm_segment_kind *kind, struct shm_segment_header *h, const slotkit_config *config,
                             uint64_t total_bytes, uint64_t segment_id);

/* Publishes a fully initialised segment: attachers wait for this. */
void shm_segment_publish(const shm_segment_kind *kind, struct shm_segment_header *h);

/* The kind's own checks of a segment whose common header passed (its extra
 * fields, what follows the table); false and a reason in why. */
typedef bool (*shm_segment_kind_check_fn)(const void *base, size_t bytes, const void *ctx, char *why, size_t why_size);

/*
 * ATTACH: opens shm_name without following links or blocking, refuses an
 * object that is not a regular file owned by the effective uid with mode
 * 0600, waits for a live creator to publish (SHM_SEGMENT_INIT_WAIT_MS),
 * validates the common header, the slot table and kind_check (may be NULL)
 * against the object's real size, refuses a dead creator's segment and a
 * geometry or type hash that differs from config's (R-XPROC-10).
 * Statuses: SYSTEM_ERROR (with errno: ENOENT when there is no such name, or
 * a failed system call); INCOMPATIBLE for everything the segment is.
 */
slotkit_status shm_segment_attach(const shm_segment_kind *kind, const char *shm_name, const char *pool_name,
                                  const slotkit_config *config, shm_segment_kind_check_fn kind_check,
                                  const void *kind_ctx, shm_segment *out, slotkit_error *err);

/* Maps an existing segment the way attach does (ours, mode 0600,
 * published, valid, kind_check) but without waiting and whatever its
 * creator and geometry: for a CREATE that may take over a dead pool's
 * name. Statuses as for attach. */
slotkit_status shm_segment_map_valid(const shm_segment_kind *kind, const char *shm_name,
                                     shm_segment_kind_check_fn kind_check, const void *kind_ctx, shm_segment *out,
                                     slotkit_error *err);

/* Unlinks shm_name only if it still names the object (dev, ino) created: a
 * creator never removes a newer pool that reuses the name. */
void shm_segment_unlink_if_same(const char *shm_name, dev_t dev, ino_t ino);

/* ---- judging a segment ------------------------------------------------- */

typedef enum shm_segment_verdict {
    SHM_SEGMENT_VALID = 0,     /* consistent; says nothing about the creator */
    SHM_SEGMENT_UNINITIALISED, /* no magic yet: creator still initialising, or died doing so */
    SHM_SEGMENT_FOREIGN,       /* not this kind of slotkit segment, or another version */
    SHM_SEGMENT_CORRUPT,       /* the kind's magic but inconsistent or truncated */
} shm_segment_verdict;

/* Validates the common header and the slot table of a segment mapped at
 * base (bytes: the object's real size) before trusting any field; why gets
 * a one-line reason for anything but VALID. */
shm_segment_verdict shm_segment_check(const shm_segment_kind *kind, const void *base, size_t bytes, char *why,
                                      size_t why_size);

/* The creator recorded in a segment of `bytes` bytes, or false when none is. */
bool shm_segment_creator(const void *base, size_t bytes, pid_t *pid, uint64_t *start_token);

/* The process recorded as creator is gone (pid gone, exited, or reused by a
 * process with another start time). */
bool shm_segment_creator_dead(pid_t pid, uint64_t start_token);

/* A regular file owned by the effective uid with mode 0600; otherwise false
 * and why names the owner uid and the mode. */
bool shm_segment_owner_ok(const struct stat *st, char *why, size_t why_size);

/* What `slotkit clean` makes of one /dev/shm entry of a kind's prefix. */
typedef enum shm_segment_state {
    SHM_STATE_LIVE,          /* valid, creator running */
    SHM_STATE_STALE,         /* creator gone (or never recorded, and old) */
    SHM_STATE_UNINITIALISED, /* a live (or recent, unrecorded) creator is still setting it up */
    SHM_STATE_FOREIGN,       /* not ours to judge: other owner, wrong mode, not this kind, corrupt */
    SHM_STATE_NOT_REGULAR,   /* FIFO, symlink, ...: never read */
    SHM_STATE_UNREADABLE,    /* could not be opened or mapped */
} shm_segment_state;

/* Judges dir_fd/entry_name (of /dev/shm) as a segment of `kind`, without
 * following links, blocking or writing; detail gets a one-line reason for
 * anything but LIVE. */
shm_segment_state shm_segment_judge(const shm_segment_kind *kind, int dir_fd, const char *entry_name, char *detail,
                                    size_t detail_size);

#endif
