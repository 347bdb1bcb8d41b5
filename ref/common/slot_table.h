/*
 * Lock-free slot table shared by the reference backends.
 *
 * The table is one contiguous, position-independent block of memory: it
 * holds no pointers, only offsets from its own base, so it can live in
 * malloc'd memory (ref/inmem) or in a shared-memory segment mapped at a
 * different address in every process (ref/posix). All shared state is C11
 * atomics; there is no mutex, so a crashed process cannot leave a lock held.
 *
 * Every operation implements the rules of docs/SPEC.md exactly,
 * including the handle checks (R-HANDLE-1/2: the table stores the pool's
 * segment_id) and reader-index checks (R-MARK-1). The library checks NULL
 * out-pointers before calling a backend; the table checks them again so a
 * backend can forward its arguments untouched (R-ARG-1).
 *
 * Memory layout (all offsets from the base, which must be 64-byte aligned):
 *   [0, HEADER_BYTES)              header: geometry, counters, futex word
 *                                  (HEADER_BYTES: slot_table_layout.h)
 *   control array                  one 64-byte control line per slot
 *   holder array                   one 64-byte line per slot: who holds
 *                                  its loan (process_shared tables)
 *   payload array                  slot_count * SLOTKIT_SLOT_TOTAL_SIZE(cap)
 * Each payload starts at the beginning of its 64-byte-aligned stride; the
 * 16-byte wire header lives in the slot's control line instead, so the
 * payload is cache-line aligned and never shares a line with the hot state.
 *
 * A process_shared table also survives the death of a process using it at
 * any instruction: loans, the publish lock and read pins of dead processes
 * are recovered (see "dead peers" in slot_table.c).
 */
#ifndef SLOTKIT_REF_SLOT_TABLE_H
#define SLOTKIT_REF_SLOT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "slotkit/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque: the header at the base of the table memory (shared). */
typedef struct slot_table slot_table;

/*
 * A process's own view of a table: the geometry, copied out of the table
 * memory and validated once, at open or attach. The operations below take
 * a view and never read the geometry from the table memory again, so a peer
 * that overwrites the shared header after attach cannot make them index or
 * copy outside the mapping. Process-local; fields are read-only after
 * slot_table_view_open (treat them as private to slot_table.c).
 */
typedef struct slot_table_view {
    uint64_t segment_id;
    uint32_t slot_count;
    uint32_t capacity;             /* configured, unpadded */
    struct slot_control *controls; /* the control array in the mapping */
    struct slot_holder *holders;   /* the holder array in the mapping */
    unsigned char *payloads;       /* the payload array in the mapping */
    size_t stride;                 /* SLOTKIT_SLOT_TOTAL_SIZE(capacity) */
    struct slot_table *shared;     /* counters, publish lock, futex word */
    bool process_shared;
    bool has_type_hash;
    uint8_t type_hash[16];
} slot_table_view;

/* Required alignment of the table base. */
#define SLOT_TABLE_ALIGN 64u

/* Identifies the layout; a mapped segment whose header carries another
 * magic or version is refused by slot_table_validate (INCOMPATIBLE). */
#define SLOT_TABLE_MAGIC 0x534B5442u /* "SKTB" */
/* 2: holder records per slot, a publish lock instead of a publish turn.
 * 3: the generation split into writer and reader event counts, a futex word
 *    of its own; holder records moved off the control lines.
 * 4: a commit, discard or reclaim claims the loan on its holder record; the
 *    state word goes LOANED -> COMMITTED directly (a version-3 peer would
 *    claim on the state, which this one does not look at). */
#define SLOT_TABLE_LAYOUT_VERSION 4u

/* Largest geometry the table accepts: slot_index and sample_size are 32-bit
 * on the wire. */
#define SLOT_TABLE_MAX_SLOTS UINT32_MAX
#define SLOT_TABLE_MAX_CAPACITY UINT32_MAX

/* ---- geometry and lifecycle ---------------------------------------- */

/*
 * Bytes needed for a table of slot_count slots of capacity payload bytes.
 * SLOTKIT_INVALID_ARGUMENT (and *why set to a static reason) when
 * slot_count is 0, a value exceeds the 32-bit wire limits, or the size
 * overflows size_t.
 */
slotkit_status slot_table_size(size_t slot_count, size_t capacity, size_t *out_bytes, const char **why);

/*
 * Lays out a fresh table in mem (SLOT_TABLE_ALIGN-aligned, at least
 * slot_table_size() bytes): every slot FREE, payloads zeroed, the first
 * commit returns first_sequence_number. type_hash may be NULL. process_shared
 * selects the futex flavour (shared vs _PRIVATE) and is fixed for the
 * table's life: it describes where the memory lives, not who calls.
 * The geometry must have passed slot_table_size(). view (may be NULL) gets
 * the creating process's view, from the arguments rather than the memory.
 */
slot_table *slot_table_init(void *mem, size_t slot_count, size_t capacity, uint32_t first_sequence_number,
                            uint64_t segment_id, const uint8_t *type_hash, bool process_shared, slot_table_view *view);

/*
 * Checks that mem (mapped_bytes long) holds a table this code can use:
 * magic, layout version, and a geometry that fits mapped_bytes.
 * SLOTKIT_INCOMPATIBLE with *why set otherwise. For attaching to a segment
 * another process initialised.
 */
slotkit_status slot_table_validate(const void *mem, size_t mapped_bytes, const char **why);

/*
 * Fills *view for the table at mem (mapped_bytes of it are mapped), after
 * slot_table_init or to attach to a table another process initialised. The
 * geometry is copied first and the copy validated like slot_table_validate
 * (SLOTKIT_INCOMPATIBLE with *why set otherwise), so a peer changing the
 * header meanwhile cannot slip a bad geometry past the check.
 */
slotkit_status slot_table_view_open(slot_table_view *view, void *mem, size_t mapped_bytes, const char **why);

/* The table at mem, after slot_table_init or a successful validate. The
 * accessors below read its shared header: for validating a segment, not
 * for the operations (those take a view). */
slot_table *slot_table_at(void *mem);

size_t slot_table_slot_count(const slot_table *t);
size_t slot_table_capacity(const slot_table *t);   /* configured, unpadded */
size_t slot_table_total_size(const slot_table *t); /* SLOTKIT_SLOT_TOTAL_SIZE */
uint64_t slot_table_segment_id(const slot_table *t);
/* The process_shared flag given to slot_table_init. */
bool slot_table_process_shared(const slot_table *t);
/* Copies the 16-byte type hash and returns true, or returns false. */
bool slot_table_type_hash(const slot_table *t, uint8_t out_hash[16]);

/* The view's geometry and type hash (process-local copies). */
size_t slot_table_view_slot_count(const slot_table_view *v);
size_t slot_table_view_capacity(const slot_table_view *v);
size_t slot_table_view_total_size(const slot_table_view *v);
bool slot_table_view_type_hash(const slot_table_view *v, uint8_t out_hash[16]);

/* ---- the contract's operations (see slotkit_ops) ------------------- */

/*
 * Values read from the table memory (a size word, a pin count, the publish
 * lock's owner) are bounded before use: one out of range, or a peer that
 * makes no progress for PEER_WAIT_LIMIT_NS (slot_table.c), gives
 * SLOTKIT_LOCK_POISONED with a reason for slotkit_last_error()
 * (backend_op_error), never an access outside the mapping or an endless
 * wait.
 */

slotkit_status slot_table_reserve(slot_table_view *t, slotkit_reader_mask active_readers_mask,
                                  slotkit_handle *out_handle);
slotkit_status slot_table_commit(slot_table_view *t, slotkit_handle h, const void *bytes, size_t len,
                                 uint32_t *out_sequence);
slotkit_status slot_table_data_ptr(slot_table_view *t, slotkit_handle h, void **out_ptr, size_t *out_capacity);
slotkit_status slot_table_commit_in_place(slot_table_view *t, slotkit_handle h, size_t len, uint32_t *out_sequence);
slotkit_status slot_table_discard(slot_table_view *t, slotkit_handle h);
slotkit_status slot_table_read(slot_table_view *t, slotkit_handle h, slotkit_slot_header *out_header, void *buf,
                               size_t buf_len);
slotkit_status slot_table_read_ptr(slot_table_view *t, slotkit_handle h, const void **out_ptr, size_t *out_len);
/* The header of the sample committed in h's slot, read without pinning it
 * (loads only; no write to the table): consistent, but the slot may be
 * recycled right after. For a backend whose payload lives elsewhere. */
slotkit_status slot_table_peek_header(const slot_table_view *t, slotkit_handle h, slotkit_slot_header *out_header);
slotkit_status slot_table_mark_read(slot_table_view *t, slotkit_handle h, uint32_t reader_index);
slotkit_status slot_table_disconnect(slot_table_view *t, uint32_t reader_index);
slotkit_status slot_table_next_unread(slot_table_view *t, uint32_t reader_index, bool *out_found,
                                      slotkit_handle *out_handle);
/* The change generation: a 32-bit counter, widened. */
uint64_t slot_table_generation(const slot_table_view *t);
/* Blocks until the generation differs from last or timeout_ns elapsed
 * (CLOCK_MONOTONIC). Returns at once if it already differs. */
void slot_table_wait_for_change(slot_table_view *t, uint64_t last, uint64_t timeout_ns);

#ifdef __cplusplus
}
#endif

#endif /* SLOTKIT_REF_SLOT_TABLE_H */
