/*
 * The slot operations and their table. Reserve, discard, marks, disconnects,
 * next_unread and waits go to the lock-free accounting table alone; commits
 * and reads take the instance's lock, because they touch iceoryx2 objects and
 * held[]. The read path lives here too: a read takes the SN from the
 * accounting and returns the held sample only if its SN and slot match; else
 * it drains the queue itself and retries while the send is in flight, asks
 * for re-sends, and in the end fails. It never returns other bytes.
 */
#include <sched.h>
#include <string.h>

#include "common/backend_util.h"
#include "iox2_instance.h"
#include "portable.h"

/* A read of a committed sample this instance does not hold yet: first wait
 * for the send in flight, then ask for a re-send, repeatedly, then give up. */
#define READ_RESEND_AFTER_NS 2000000ull
#define READ_GIVE_UP_NS 3000000000ull
/* How a read waits for a send in flight: re-drains while spinning, then while
 * yielding the CPU, then every 50 us. A spin is a few pauses only: the send
 * lands within a microsecond, and each pause costs tens of cycles (64 of them
 * made the reader a microsecond late). */
#define READ_SPIN_NS 20000ull
#define READ_SPIN_PAUSES 4
#define READ_YIELD_NS 500000ull
#define READ_LOCK_SPINS 2000
/* How long a commit waits for the read it let go first before readying the
 * next commit (a read of a large sample holds the lock for a while: then
 * the next commit readies itself). */
#define PREPARE_LOCK_TRIES 8
/* How long it waits for that read to take the lock (it spins for it, so
 * this is short unless many reads queue up). */
#define PREPARE_WAIT_SPINS 64

static slotkit_status check_handle(const slotkit_instance *inst, slotkit_handle h)
{
    if (h.segment_id != inst->segment_id || h.slot_index >= inst->slot_count)
        return SLOTKIT_OUT_OF_BOUNDS; /* R-HANDLE-1/2, R-XPROC-5 */
    return SLOTKIT_OK;
}

/* A live loan of this pool (any process's): the staging pointer. */
static slotkit_status live_loan(slotkit_instance *inst, slotkit_handle h, void **staging)
{
    slotkit_status st = check_handle(inst, h);
    if (st != SLOTKIT_OK) return st;
    size_t cap = 0;
    return slot_table_data_ptr(inst->table, h, staging, &cap);
}

/* ---- writing ------------------------------------------------------------- */

static slotkit_status iox2_reserve(slotkit_instance *inst, slotkit_reader_mask mask, slotkit_handle *out_handle)
{
    if (!out_handle) return SLOTKIT_INVALID_ARGUMENT;
    /* Accounting only: the slot's previous sample is gone for readers once it
     * is reserved (R-READ-3: the accounting refuses the read), and this
     * instance's borrow of it is released when the slot's next sample
     * arrives (transport_drain), not here on the writer's path. */
    return slot_table_reserve(inst->table, mask, out_handle);
}

/* After a commit, readies the next one (drain, spare loan) without making
 * a read wait for that: where reads use this instance too, after the read
 * that spins for the lock now (it is after this sample), taking the lock
 * only by trylock; a read of another instance never waits for it. */
static void ready_next_commit(slotkit_instance *inst, bool read_here)
{
    for (int spins = 0; read_here && spins < PREPARE_WAIT_SPINS; spins++) {
        if (atomic_load_explicit(&inst->lock_waiters, memory_order_relaxed) == 0) break;
        cpu_relax();
    }
    for (int tries = 0;; tries++) {
        if (atomic_load_explicit(&inst->lock_waiters, memory_order_relaxed) != 0) return;
        if (pthread_mutex_trylock(&inst->lock) == 0) break;
        if (!read_here || tries >= PREPARE_LOCK_TRIES) return; /* the next commit does it */
        cpu_relax();
    }
    transport_prepare(inst);
    pthread_mutex_unlock(&inst->lock);
}

/* Publishes under the lock. Where reads use this instance too (threads
 * sharing it), its subscriber takes the own sample at once, in the thread
 * whose caches hold the chunk: the read then finds it held. */
static slotkit_status publish(slotkit_instance *inst, slotkit_handle h, const void *src, size_t len,
                              uint32_t *out_sequence)
{
    pthread_mutex_lock(&inst->lock);
    atomic_store_explicit(&inst->publishing, true, memory_order_relaxed);
    const uint32_t reads = atomic_load_explicit(&inst->reads, memory_order_relaxed);
    const bool read_here = reads != inst->reads_at_commit;
    inst->reads_at_commit = reads;
    slotkit_status st = transport_publish(inst, h, src, len, out_sequence);
    if (st == SLOTKIT_OK && read_here) transport_take_own(inst, h.slot_index, *out_sequence);
    atomic_store_explicit(&inst->publishing, false, memory_order_relaxed);
    pthread_mutex_unlock(&inst->lock);
    ready_next_commit(inst, read_here);
    return st;
}

static slotkit_status iox2_commit(slotkit_instance *inst, slotkit_handle h, const void *bytes, size_t len,
                                  uint32_t *out_sequence)
{
    if (!out_sequence || (!bytes && len != 0)) return SLOTKIT_INVALID_ARGUMENT;
    void *staging = NULL;
    slotkit_status st = live_loan(inst, h, &staging);
    if (st != SLOTKIT_OK) return st;                           /* R-COMMIT-2 */
    if (len > inst->capacity) return SLOTKIT_SAMPLE_TOO_LARGE; /* R-COMMIT-3: the loan stays live */
    return publish(inst, h, bytes, len, out_sequence);
}

static slotkit_status iox2_discard(slotkit_instance *inst, slotkit_handle h)
{
    slotkit_status st = check_handle(inst, h);
    if (st != SLOTKIT_OK) return st;
    return slot_table_discard(inst->table, h); /* R-DISCARD-1/2 */
}

static slotkit_status iox2_data_ptr(slotkit_instance *inst, slotkit_handle h, void **out_ptr, size_t *out_capacity)
{
    if (!out_ptr || !out_capacity) return SLOTKIT_INVALID_ARGUMENT;
    void *staging = NULL;
    slotkit_status st = live_loan(inst, h, &staging);
    if (st != SLOTKIT_OK) return st; /* R-INPLACE-2 */
    /* The loan's staging area in the shared segment, so any process of the
     * pool may commit it in place (R-XPROC-5); commit copies it into the
     * iceoryx2 chunk. */
    *out_ptr = staging;
    *out_capacity = inst->capacity;
    return SLOTKIT_OK;
}

static slotkit_status iox2_commit_in_place(slotkit_instance *inst, slotkit_handle h, size_t len, uint32_t *out_sequence)
{
    if (!out_sequence) return SLOTKIT_INVALID_ARGUMENT;
    void *staging = NULL;
    slotkit_status st = live_loan(inst, h, &staging);
    if (st != SLOTKIT_OK) return st;                           /* R-INPLACE-4 */
    if (len > inst->capacity) return SLOTKIT_SAMPLE_TOO_LARGE; /* R-INPLACE-4: the loan stays live */
    return publish(inst, h, staging, len, out_sequence);
}

/* ---- the read path --------------------------------------------------------- */

/* The accounting's header plus the held sample, checked to be the same
 * sample (same SN and slot). SLOTKIT_OK with *out NULL: committed, but this
 * instance does not hold its bytes yet. The header is read unpinned (no
 * write to the slot's line the writer uses): the bytes come from the held
 * sample of that SN, never from the table. Lock held. */
static slotkit_status sample_of(slotkit_instance *inst, slotkit_handle h, slotkit_slot_header *out_header,
                                const struct held_sample **out)
{
    *out = NULL;
    slotkit_status st = check_handle(inst, h);
    if (st == SLOTKIT_OK) st = slot_table_peek_header(inst->table, h, out_header);
    if (st != SLOTKIT_OK) return st; /* R-HANDLE-1/2, R-READ-3: FREE or LOANED */
    const struct held_sample *held = &inst->held[h.slot_index];
    if (!held->sample || held->sequence != out_header->sequence_number) {
        transport_drain_for(inst, h.slot_index, out_header->sequence_number);
        /* A newer sample of the slot may have come instead: the caller
         * retries, reading the accounting again. */
        if (!held->sample || held->sequence != out_header->sequence_number) return SLOTKIT_OK;
    }
    out_header->sample_size = held->length;
    *out = held;
    return SLOTKIT_OK;
}

/* The read path's lock: a commit or a drain holds it for microseconds, so
 * spin on it briefly before sleeping in the kernel (a futex wake-up costs
 * tens of microseconds on a loaded box). */
static void lock_for_read(slotkit_instance *inst)
{
    if (pthread_mutex_trylock(&inst->lock) == 0) return;
    /* Counted while waiting: a commit then does not take the lock again. */
    atomic_fetch_add_explicit(&inst->lock_waiters, 1u, memory_order_relaxed);
    int i = 0;
    /* While a commit holds it, only look: a failed trylock takes the lock's
     * line from the committer, which then waits for it to unlock. */
    while (i < READ_LOCK_SPINS &&
           (atomic_load_explicit(&inst->publishing, memory_order_relaxed) || pthread_mutex_trylock(&inst->lock) != 0)) {
        cpu_relax();
        i++;
    }
    if (i == READ_LOCK_SPINS) pthread_mutex_lock(&inst->lock);
    atomic_fetch_sub_explicit(&inst->lock_waiters, 1u, memory_order_relaxed);
}

/* The read fails: why, with the transport's last failure if it had one. */
static slotkit_status sample_never_came(slotkit_instance *inst, uint32_t sequence, uint32_t slot)
{
    pthread_mutex_lock(&inst->lock);
    const bool known = inst->transport_error[0] != '\0';
    backend_op_error(SLOTKIT_SYSTEM_ERROR, "iceoryx2: the bytes of sample %u (slot %u) never reached this process%s%s",
                     sequence, slot, known ? "; last iceoryx2 error: " : "", inst->transport_error);
    pthread_mutex_unlock(&inst->lock);
    return SLOTKIT_SYSTEM_ERROR;
}

/* One pause of a read waiting for its sample, longer the longer it waits. */
static void read_backoff(uint64_t waited_ns)
{
    if (waited_ns < READ_SPIN_NS) {
        for (int i = 0; i < READ_SPIN_PAUSES; i++) cpu_relax();
    } else if (waited_ns < READ_YIELD_NS) {
        sched_yield();
    } else {
        sleep_ns(50000u);
    }
}

/* Runs fn with the lock held once the sample of h is here; waits (lock
 * released) and asks for re-sends while it is committed but missing. The
 * common miss is a send still in flight (the accounting commits before the
 * sample is sent): every retry drains the subscriber in this thread, first
 * spinning, then yielding, and only then sleeping between tries. */
static slotkit_status with_sample(slotkit_instance *inst, slotkit_handle h, slotkit_slot_header *out_header,
                                  slotkit_status (*fn)(const struct held_sample *, void *), void *arg)
{
    uint64_t start = 0, last_request = 0;
    atomic_fetch_add_explicit(&inst->reads, 1u, memory_order_relaxed);
    for (;;) {
        lock_for_read(inst);
        const struct held_sample *held = NULL;
        slotkit_status st = sample_of(inst, h, out_header, &held);
        if (st == SLOTKIT_OK && held) st = fn(held, arg);
        pthread_mutex_unlock(&inst->lock);
        if (st != SLOTKIT_OK || held) return st;
        const uint64_t now = monotonic_ns();
        if (start == 0) start = now;
        if (now - start >= READ_GIVE_UP_NS) return sample_never_came(inst, out_header->sequence_number, h.slot_index);
        if (now - start >= READ_RESEND_AFTER_NS && (last_request == 0 || now - last_request >= IOX2_RESEND_EVERY_NS)) {
            resend_request(inst);
            last_request = now;
        }
        read_backoff(now - start);
    }
}

struct read_args {
    void *buf;
    size_t buf_len;
};

static slotkit_status copy_out(const struct held_sample *held, void *arg)
{
    struct read_args *a = arg;
    if (a->buf_len < held->length) return SLOTKIT_INVALID_ARGUMENT; /* R-READ-4: header filled, nothing copied */
    if (held->length != 0) memcpy(a->buf, held->payload, held->length);
    return SLOTKIT_OK;
}

static slotkit_status iox2_read(slotkit_instance *inst, slotkit_handle h, slotkit_slot_header *out_header, void *buf,
                                size_t buf_len)
{
    if (!out_header || (!buf && buf_len != 0)) return SLOTKIT_INVALID_ARGUMENT;
    struct read_args a = {.buf = buf, .buf_len = buf_len};
    return with_sample(inst, h, out_header, copy_out, &a);
}

struct ptr_args {
    const void **out_ptr;
    size_t *out_len;
};

static slotkit_status point_at(const struct held_sample *held, void *arg)
{
    struct ptr_args *a = arg;
    /* Zero-copy: the borrowed iceoryx2 chunk, valid until this instance
     * sees the slot's next sample (which wait-set readers prevent until they
     * mark). */
    *a->out_ptr = held->payload;
    *a->out_len = held->length;
    return SLOTKIT_OK;
}

static slotkit_status iox2_read_ptr(slotkit_instance *inst, slotkit_handle h, const void **out_ptr, size_t *out_len)
{
    if (!out_ptr || !out_len) return SLOTKIT_INVALID_ARGUMENT;
    slotkit_slot_header header;
    struct ptr_args a = {.out_ptr = out_ptr, .out_len = out_len};
    return with_sample(inst, h, &header, point_at, &a);
}

/* ---- accounting only ------------------------------------------------------- */

static slotkit_status iox2_mark_read(slotkit_instance *inst, slotkit_handle h, uint32_t reader_index)
{
    /* The sample stays borrowed (and readable) here until this instance sees
     * the slot's next sample or reserves it. */
    return slot_table_mark_read(inst->table, h, reader_index);
}

static slotkit_status iox2_disconnect(slotkit_instance *inst, uint32_t reader_index)
{
    return slot_table_disconnect(inst->table, reader_index);
}

static slotkit_status iox2_slot_count(slotkit_instance *inst, size_t *out_count)
{
    if (!out_count) return SLOTKIT_INVALID_ARGUMENT;
    *out_count = inst->slot_count;
    return SLOTKIT_OK;
}

static size_t iox2_slot_total_size(slotkit_instance *inst) { return SLOTKIT_SLOT_TOTAL_SIZE(inst->capacity); }

static size_t iox2_slot_capacity(slotkit_instance *inst) { return inst->capacity; }

static slotkit_status iox2_next_unread(slotkit_instance *inst, uint32_t reader_index, bool *out_found,
                                       slotkit_handle *out_handle)
{
    return slot_table_next_unread(inst->table, reader_index, out_found, out_handle);
}

static bool iox2_type_hash(slotkit_instance *inst, uint8_t out_hash[16])
{
    return slot_table_view_type_hash(inst->table, out_hash);
}

static uint64_t iox2_notify_generation(slotkit_instance *inst) { return slot_table_generation(inst->table); }

static void iox2_wait_for_change(slotkit_instance *inst, uint64_t last, uint64_t timeout_ns)
{
    slot_table_wait_for_change(inst->table, last, timeout_ns);
}

const slotkit_ops iox2_ops = {
    .abi_version = SLOTKIT_ABI_VERSION,
    .reserve_slot = iox2_reserve,
    .commit_slot = iox2_commit,
    .discard_slot = iox2_discard,
    .read_slot = iox2_read,
    .mark_read = iox2_mark_read,
    .mark_reader_disconnected = iox2_disconnect,
    .slot_count = iox2_slot_count,
    .slot_total_size = iox2_slot_total_size,
    .slot_capacity = iox2_slot_capacity,
    .slot_data_ptr = iox2_data_ptr,
    .commit_in_place = iox2_commit_in_place,
    .slot_read_ptr = iox2_read_ptr,
    .next_unread_slot = iox2_next_unread,
    .type_hash = iox2_type_hash,
    .notify_generation = iox2_notify_generation,
    .wait_for_change = iox2_wait_for_change,
};
