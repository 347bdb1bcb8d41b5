/*
 * The slot table's bytes in memory: the header, the per-slot control lines
 * and the state word's fields. Internal to ref/common/slot_table.c, and
 * shared with the POSIX backend's own tests (tests/posix/), which forge
 * these words to check that nothing read from shared memory is trusted.
 * Everything here is what another process may write at any time.
 */
#ifndef SLOTKIT_REF_SLOT_TABLE_LAYOUT_H
#define SLOTKIT_REF_SLOT_TABLE_LAYOUT_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* ---- state word (see slot_table.c) ------------------------------------ */

enum slot_phase { PHASE_FREE = 0, PHASE_LOANED = 1, PHASE_COMMITTING = 2, PHASE_COMMITTED = 3 };

#define ST_MASK_BITS 0xFFFFFFFFull
#define ST_PHASE_SHIFT 32
#define ST_PHASE_BITS (3ull << ST_PHASE_SHIFT)
#define ST_PHASE_ONE (1ull << ST_PHASE_SHIFT)
#define ST_PUBLISH_STEP (2 * ST_PHASE_ONE) /* LOANED -> COMMITTED */
/* Holder records (slot_table.c) reuse the phase numbers in their key; there,
 * this one means "a commit, discard or reclaim has claimed the loan". The
 * state word itself never takes it any more (a forged one is no loan). */
#define PHASE_CLAIMED PHASE_COMMITTING
#define ST_PINS_SHIFT 34
#define ST_PINS_MAX 0xFFFFull
#define ST_PIN_ONE (1ull << ST_PINS_SHIFT)
#define ST_TAG_SHIFT 50
#define ST_TAG_MAX 0x3FFFull
#define ST_TAG_BITS (ST_TAG_MAX << ST_TAG_SHIFT)
#define ST_TAG_ONE (1ull << ST_TAG_SHIFT)
#define ST_PINS_BITS (ST_PINS_MAX << ST_PINS_SHIFT)

/* ---- memory layout ----------------------------------------------------- */

/* One cache line per slot, so CASes on neighbouring slots by different
 * threads do not false-share. It holds what a reader polls and reads: the
 * state and the fields of the 16-byte wire header. They are atomics because
 * next_unread and slot_read_ptr read them without pinning and validate
 * afterwards (seqlock style). */
struct slot_control {
    _Atomic uint64_t state;
    _Atomic uint32_t sequence;
    _Atomic uint32_t size;
    _Atomic uint32_t wait_set; /* fixed at commit */
};

#define CONTROL_STRIDE 64u
_Static_assert(sizeof(struct slot_control) <= CONTROL_STRIDE, "control line overflow");

/* Who holds (or is taking) the loan of a slot, in process_shared tables:
 * one word, so it changes atomically (see "dead peers" in slot_table.c).
 * On a line of its own, in an array after the control array: only writers
 * touch it, so a reader polling the control line never pulls it away. */
struct slot_holder {
    _Atomic uint64_t record;
};

#define HOLDER_STRIDE 64u
_Static_assert(sizeof(struct slot_holder) <= HOLDER_STRIDE, "holder line overflow");

/* Bytes of control and holder lines per slot. */
#define SLOT_META_BYTES (CONTROL_STRIDE + HOLDER_STRIDE)

struct slot_table {
    /* Written once by init. A process reads them only when it opens its
     * view (slot_table_view_open), which validates a copy and never looks
     * at them again: another process may overwrite them at any time. */
    _Atomic uint32_t magic; /* stored last by init (release), checked by validate */
    uint32_t layout_version;
    uint32_t slot_count;
    uint32_t capacity;
    uint64_t stride;
    uint64_t control_offset;
    uint64_t payload_offset;
    uint64_t total_bytes;
    uint64_t segment_id;
    uint32_t process_shared;
    uint32_t has_type_hash;
    uint8_t type_hash[16];

    /* The writers' line. Only commits, discards and reserves write it, and no
     * reader reads it (next_unread needs no snapshot of next_sequence), so
     * with one writer it never leaves that writer's cache. */
    alignas(64) _Atomic uint32_t next_sequence; /* next SN to hand out */
    _Atomic uint32_t reserve_cursor;            /* where the next reserve looks first */
    /* Commits, discards and repairs so far: with reader_events, the change
     * generation (slot_table_generation), so that neither side writes a line
     * the other side writes too. */
    _Atomic uint32_t writer_events;
    /* The publish lock (see commit_common): 0 = free, else the owner's
     * identity; publish_slot/_tag/_sn describe the publication in progress
     * (process_shared tables only) so that a successor can finish or undo it
     * if the owner died. */
    _Atomic uint64_t publish_owner;
    _Atomic uint32_t publish_slot; /* NO_SLOT when none */
    _Atomic uint32_t publish_tag;
    _Atomic uint32_t publish_sn;

    /* The readers' line: marks and disconnects so far. */
    alignas(64) _Atomic uint32_t reader_events;

    /* Waiting: the futex word and its waiter count. Every event reads
     * waiters; both are written only while someone waits, so busy-polling
     * parties share this line read-only. */
    alignas(64) _Atomic uint32_t wake_word;
    _Atomic uint32_t waiters;
};

#define HEADER_BYTES ((sizeof(struct slot_table) + 63u) & ~(size_t)63u)
#define NO_SLOT UINT32_MAX

#endif /* SLOTKIT_REF_SLOT_TABLE_LAYOUT_H */
