/*
 * slotkit backend ABI, level 2.
 *
 * This header is the whole contract between slotkit and a slot backend. A
 * third-party backend is a shared object built against this header alone: it
 * exports SLOTKIT_ENTRY_SYMBOL, which returns a slotkit_backend descriptor.
 * The shape follows SQLite's VFS (iVersion): a level number first, then plain
 * function pointers. A new level only appends fields to slotkit_ops, and the
 * loader accepts every level from SLOTKIT_ABI_MIN_VERSION up to its own: it
 * reads only the fields a plug-in's level has and treats later ones as
 * absent (the contract's defaults), so old plug-ins keep loading.
 *
 * Semantics are normative in docs/SPEC.md; rule IDs are quoted below where an
 * entry point's behaviour is not obvious.
 */
#ifndef SLOTKIT_BACKEND_H
#define SLOTKIT_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI level this header describes, and the oldest level slotkit still
 * loads. Level 2 appended `reserved_level2` to slotkit_ops. */
#define SLOTKIT_ABI_VERSION 2u
#define SLOTKIT_ABI_MIN_VERSION 1u

/* At most 32 readers: one bit each in a slotkit_reader_mask. */
#define SLOTKIT_MAX_READERS 32u
typedef uint32_t slotkit_reader_mask;

/* Size of the per-slot wire header, and the slot stride alignment. */
#define SLOTKIT_SLOT_HEADER_SIZE 16u
#define SLOTKIT_SLOT_ALIGN 64u
/* slot_total_size for a given capacity (R-GEOM-3). */
#define SLOTKIT_SLOT_TOTAL_SIZE(capacity) \
    (((size_t)(capacity) + SLOTKIT_SLOT_HEADER_SIZE + SLOTKIT_SLOT_ALIGN - 1u) & ~(size_t)(SLOTKIT_SLOT_ALIGN - 1u))

/* Result of every fallible operation. The first five after OK are the
 * contract's errors; the rest are what a C lifecycle needs. */
typedef enum slotkit_status {
    SLOTKIT_OK = 0,
    SLOTKIT_NO_FREE_SLOT = 1,         /* every slot is loaned or still waited for */
    SLOTKIT_OUT_OF_BOUNDS = 2,        /* bad handle, not a live loan/sample, reader index >= 32 */
    SLOTKIT_SAMPLE_TOO_LARGE = 3,     /* len > slot capacity; sizes in slotkit_error */
    SLOTKIT_LOCK_POISONED = 4,        /* backend state is unusable (e.g. a lock left by a crash) */
    SLOTKIT_IN_PLACE_UNSUPPORTED = 5, /* backend has no in-place loans/reads */
    SLOTKIT_INVALID_ARGUMENT = 6,     /* NULL pointer, zero slot count, bad name, short buffer */
    SLOTKIT_INCOMPATIBLE = 7,         /* foreign/corrupt segment, other layout or ABI version */
    SLOTKIT_SYSTEM_ERROR = 8,         /* an OS call failed; errno in slotkit_error */
    SLOTKIT_UNSUPPORTED = 9,          /* an open role or option the backend does not offer */
} slotkit_status;
#define SLOTKIT_STATUS_COUNT 10

/* Error detail. Backends fill it from open(); the library fills it for
 * every other call (see slotkit_last_error() in slotkit.h). */
typedef struct slotkit_error {
    slotkit_status status;
    int sys_errno;          /* SLOTKIT_SYSTEM_ERROR: the errno of the failed call */
    uint64_t sample_size;   /* SLOTKIT_SAMPLE_TOO_LARGE: the rejected length */
    uint64_t slot_capacity; /* SLOTKIT_SAMPLE_TOO_LARGE: the capacity it exceeded */
    char message[160];      /* one human-readable line, no trailing newline */
} slotkit_error;

/* Names one slot of one backend instance. segment_id identifies the
 * instance that issued it (R-HANDLE-1); a handle is plain data. */
typedef struct slotkit_handle {
    uint64_t segment_id;
    uint32_t slot_index;
} slotkit_handle;

/* The 16-byte per-slot header as read_slot reports it (R-READ-2). */
typedef struct slotkit_slot_header {
    uint32_t sequence_number; /* assigned at commit (R-SEQ-*) */
    uint32_t sample_size;     /* committed length; 0 is a valid sample */
    uint32_t reader_mask;     /* readers of the sample's wait set that are done */
    uint32_t reserved;        /* 0 */
} slotkit_slot_header;

/* Capability flags: what a backend legitimately lacks is skipped by the
 * conformance suite and reported as skipped. The core contract is never a
 * capability. */
enum {
    SLOTKIT_CAP_CROSS_PROCESS = 1u << 0, /* role ATTACH from another process */
    SLOTKIT_CAP_IN_PLACE = 1u << 1,      /* slot_data_ptr, commit_in_place, slot_read_ptr */
    SLOTKIT_CAP_NOTIFY = 1u << 2,        /* notify_generation, wait_for_change */
    SLOTKIT_CAP_TYPE_HASH = 1u << 3,     /* type_hash */
    SLOTKIT_CAP_NEXT_UNREAD = 1u << 4,   /* next_unread_slot */
};
#define SLOTKIT_CAP_ALL_KNOWN 0x1Fu

typedef enum slotkit_role {
    SLOTKIT_ROLE_CREATE = 0, /* make a new pool (segment, service) */
    SLOTKIT_ROLE_ATTACH = 1, /* join the pool another instance created, by name */
} slotkit_role;

typedef struct slotkit_config {
    size_t slot_count;        /* >= 1 */
    size_t slot_capacity;     /* payload bytes per slot; 0 allowed */
    const char *name;         /* pool name; may be NULL for single-process backends */
    const uint8_t *type_hash; /* NULL, or 16 bytes the backend reports back */
    slotkit_role role;
    /* First sequence number a CREATE-ed pool hands out. 0 in normal use;
     * the conformance suite starts near 2^32 to test the wrap (R-SEQ-3). */
    uint32_t first_sequence_number;
} slotkit_config;

/* A backend's private per-instance state. */
typedef struct slotkit_instance slotkit_instance;

/*
 * The 16 operations of the contract. The first 9 are required; the last 7 may
 * be NULL, in which case the library applies the contract's default:
 * InPlaceUnsupported, no pending sample, no type hash, generation 0, and a
 * wait that returns at once. Every entry must be callable from several
 * threads at once (R-THREAD-1).
 */
typedef struct slotkit_ops {
    uint32_t abi_version; /* the level the table was built for: SLOTKIT_ABI_VERSION */

    /* --- required --- */
    /* Loan a free slot; the sample committed into it will wait for the
     * readers in active_readers_mask. NO_FREE_SLOT when none is free. */
    slotkit_status (*reserve_slot)(slotkit_instance *, slotkit_reader_mask active_readers_mask,
                                   slotkit_handle *out_handle);
    /* Copy len bytes into a live loan and publish it; returns its sequence
     * number in *out_sequence. */
    slotkit_status (*commit_slot)(slotkit_instance *, slotkit_handle, const void *bytes, size_t len,
                                  uint32_t *out_sequence);
    /* End a live loan without publishing; the slot is free again. */
    slotkit_status (*discard_slot)(slotkit_instance *, slotkit_handle);
    /* Copy a committed sample into buf (buf_len >= sample size) and its
     * header into *out_header. */
    slotkit_status (*read_slot)(slotkit_instance *, slotkit_handle, slotkit_slot_header *out_header, void *buf,
                                size_t buf_len);
    /* Reader reader_index is done with the sample in this slot. */
    slotkit_status (*mark_read)(slotkit_instance *, slotkit_handle, uint32_t reader_index);
    /* No sample waits for reader_index any more (R-DISC-*). */
    slotkit_status (*mark_reader_disconnected)(slotkit_instance *, uint32_t reader_index);
    slotkit_status (*slot_count)(slotkit_instance *, size_t *out_count);
    size_t (*slot_total_size)(slotkit_instance *);
    size_t (*slot_capacity)(slotkit_instance *);

    /* --- optional (NULL = the contract's default) --- */
    /* Writable pointer and capacity of a live loan, for filling in place. */
    slotkit_status (*slot_data_ptr)(slotkit_instance *, slotkit_handle, void **out_ptr, size_t *out_capacity);
    /* Publish len bytes already written through slot_data_ptr. */
    slotkit_status (*commit_in_place)(slotkit_instance *, slotkit_handle, size_t len, uint32_t *out_sequence);
    /* Read-only pointer and length of a committed sample (zero-copy read). */
    slotkit_status (*slot_read_ptr)(slotkit_instance *, slotkit_handle, const void **out_ptr, size_t *out_len);
    /* The reader's oldest sample it has not marked read; *out_found false
     * when nothing is pending (R-NEXT-*). */
    slotkit_status (*next_unread_slot)(slotkit_instance *, uint32_t reader_index, bool *out_found,
                                       slotkit_handle *out_handle);
    /* Copies the 16-byte type hash and returns true, or returns false. */
    bool (*type_hash)(slotkit_instance *, uint8_t out_hash[16]);
    /* Current change generation (R-NOTIFY-*). */
    uint64_t (*notify_generation)(slotkit_instance *);
    /* Block until the generation differs from last or timeout_ns elapse. */
    void (*wait_for_change)(slotkit_instance *, uint64_t last, uint64_t timeout_ns);

    /* --- level 2 --- */
    /* Must be NULL: holds the place of the next operation, so that a level-1
     * table (which ends above) provably keeps working when the table grows. */
    const void *reserved_level2;
} slotkit_ops;

/* Bytes of slotkit_ops a table of each older level has: the loader never
 * reads past them. */
#define SLOTKIT_OPS_SIZE_LEVEL1 offsetof(slotkit_ops, reserved_level2)

/* What a plug-in's entry point returns. Static storage, never freed. */
typedef struct slotkit_backend {
    uint32_t abi_version;  /* the ABI level the plug-in was built against (= its ops') */
    const char *name;      /* short, [a-z0-9_-]+, e.g. "inmem" */
    const char *version;   /* the backend's own version string */
    uint32_t capabilities; /* SLOTKIT_CAP_* */
    /* Create or attach a pool. On failure returns a status, leaves *out
     * untouched, and fills *err (never NULL) with a one-line reason. */
    slotkit_status (*open)(const slotkit_config *config, slotkit_instance **out, slotkit_error *err);
    /* Release the instance; a CREATE-ed pool also releases its segment. */
    void (*close)(slotkit_instance *);
    const slotkit_ops *ops;
} slotkit_backend;

/* The one symbol a plug-in exports. */
#define SLOTKIT_ENTRY_SYMBOL "slotkit_backend_entry"
typedef const slotkit_backend *(*slotkit_entry_fn)(void);

#if defined(__GNUC__)
#define SLOTKIT_EXPORT __attribute__((visibility("default")))
#else
#define SLOTKIT_EXPORT
#endif

#ifdef __cplusplus
}
#endif

#endif /* SLOTKIT_BACKEND_H */
