/*
 * Lock-free slot table: see slot_table.h for the layout and the contract.
 *
 * Per slot, one 64-bit state word holds everything that decides who may do
 * what with the slot, so every transition is a single atomic RMW:
 *
 *   bits  0..31  mask   LOANED: the wait set being built (reserve mask
 *                       minus readers disconnected since);
 *                       COMMITTED: the readers still pending.
 *   bits 32..33  phase  FREE, LOANED, COMMITTED (the value between them is
 *                       never set: a forged word with it is no loan)
 *   bits 34..49  pins   read_slot copies in progress
 *   bits 50..63  tag    bumped by every reserve, so a reader can tell that
 *                       the sample it looked at was replaced (ABA guard)
 *
 * Transitions (all CAS unless noted):
 *   FREE or recyclable COMMITTED  --reserve-->            LOANED (tag+1)
 *   LOANED, claimed               --commit publish-->     COMMITTED
 *   LOANED, claimed               --discard, reclaim-->   FREE
 *   COMMITTED                     --mark_read-->          COMMITTED, bit cleared
 *   any                           --disconnect-->         bit cleared (fetch_and)
 *   COMMITTED                     --read_slot pin-->      pins+1
 *   any                           --read_slot unpin-->    pins-1 (fetch_sub)
 * "Recyclable" = COMMITTED with an empty pending mask. A commit, discard
 * or reclaim first claims the loan on its holder record (claim_holder), a
 * line only writers touch: the record, not the state, decides which of
 * several racing ends of one loan wins, so the state word that readers poll
 * changes twice per sample (reserve, publish), not three times.
 *
 * Sequence numbers are taken and published under the publish lock, a short
 * critical section, so every SN below next_sequence is published (or being
 * published) and next_unread can deliver each reader's samples in order even
 * with several writers (see commit_common).
 *
 * Crash recovery (process_shared tables only; see "dead peers" below): a
 * process can die anywhere, so every place where one party waits for
 * another is bounded or names the party it waits for, and the waiter
 * recovers when that party is dead.
 *
 * Line budget of one hop, one writer W and one reader R in steady state
 * (lines that change cores; a line a party only reads while nobody writes
 * it stays shared and costs nothing):
 *   reserve (W)    the slot's control line (R marked it last): 1 RFO. The
 *                  cursor is on the writers' line, which no reader reads;
 *                  the holder record on a holder line only writers touch.
 *   commit (W)     the claim on the holder line; the payload's lines (R
 *                  read them last): 1 RFO each, the stores buffered. The
 *                  header words (sequence, size, wait set) and the publish
 *                  CAS hit the control line W already owns, unless R's poll
 *                  read it since the reserve (then 1 RFO more). The publish
 *                  lock, next_sequence and writer_events are on the
 *                  writers' line; waiters is read-only while nobody waits.
 *   next_unread(R) the control lines (only the changed one moves: 1 miss);
 *                  never the writers' line.
 *   read_slot (R)  the pin: the control line again, now for writing (1
 *                  upgrade); the payload's lines (1 miss each). Header words
 *                  come with the control line.
 *   mark_read (R)  the control line (owned since the pin) and reader_events
 *                  on the readers' line, which W never writes.
 * So a 64-byte sample moves two lines each way: the control line and the
 * payload's first line. What is left beyond that is the pin (R-THREAD-3: a
 * copy must not race a recycle, so R writes the control line before the
 * copy; mark_read would write it anyway) and the reserve's CAS on a line R
 * polls (a loan must exclude pins and other writers atomically).
 *
 * The floor under all this is measured, not assumed: `slotkit bench`'s
 * limits/slot_floor case (bench/slot_floor.c) ping-pongs a 64 B sample
 * through the least slot protocol (one state word, the payload, a free
 * store) and then adds this table's line writes one at a time. On the
 * 2-vCPU development VM the floor itself is 1.7-2.2x the one-line
 * ping-pong, each write on a line the peer polls adds 0.4-0.7x of it, the
 * pin and the event counts ~0.1-0.3x each (docs/benchmarks.md, "The slot
 * floor"): below ~2x the cache-line limit no slot protocol goes.
 */
#include "common/slot_table.h"

#include "common/backend_util.h"
#include "common/proc_identity.h"
#include "common/slot_table_layout.h"
#include "portable.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The table is shared between processes: its atomics must not hide a lock. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "32-bit atomics must be lock-free");
_Static_assert(sizeof(_Atomic uint32_t) == 4, "futex word must be 32 bits");

/* ---- state word ------------------------------------------------------ */

static inline uint32_t st_mask(uint64_t s) { return (uint32_t)(s & ST_MASK_BITS); }
static inline unsigned st_phase(uint64_t s) { return (unsigned)((s >> ST_PHASE_SHIFT) & 3u); }
static inline uint64_t st_pins(uint64_t s) { return (s >> ST_PINS_SHIFT) & ST_PINS_MAX; }
static inline uint64_t st_tag(uint64_t s) { return (s >> ST_TAG_SHIFT) & ST_TAG_MAX; }

static inline uint64_t st_make(unsigned phase, uint32_t mask, uint64_t pins, uint64_t tag)
{
    return (uint64_t)mask | ((uint64_t)phase << ST_PHASE_SHIFT) | ((pins & ST_PINS_MAX) << ST_PINS_SHIFT) |
           ((tag & ST_TAG_MAX) << ST_TAG_SHIFT);
}

static inline uint64_t st_with_phase(uint64_t s, unsigned phase)
{
    return (s & ~(3ull << ST_PHASE_SHIFT)) | ((uint64_t)phase << ST_PHASE_SHIFT);
}

/* A reserve may take the slot (pins aside). */
static inline bool st_recyclable(uint64_t s)
{
    return st_phase(s) == PHASE_FREE || (st_phase(s) == PHASE_COMMITTED && st_mask(s) == 0);
}

/* Both words describe the same committed sample (not recycled in between). */
static inline bool st_same_sample(uint64_t a, uint64_t b)
{
    return st_phase(b) == PHASE_COMMITTED && st_tag(a) == st_tag(b);
}

/* ---- memory layout --------------------------------------------------- */

/* Addresses come from the view's copy of the geometry (validated at open),
 * never from the table memory, which a peer may overwrite. */
static inline struct slot_control *control_of(const slot_table_view *t, uint32_t index)
{
    return (struct slot_control *)((char *)t->controls + (size_t)index * CONTROL_STRIDE);
}

/* The holder record of the slot whose control line is c: both arrays have
 * one 64-byte line per slot. */
static inline _Atomic uint64_t *holder_of(const slot_table_view *t, const struct slot_control *c)
{
    return &((struct slot_holder *)((char *)t->holders + ((const char *)c - (const char *)t->controls)))->record;
}

static inline unsigned char *payload_of(const slot_table_view *t, uint32_t index)
{
    return t->payloads + (size_t)index * t->stride;
}

/* R-HANDLE-1/2: a handle of another pool or past the end names no slot. */
static inline slotkit_status check_handle(const slot_table_view *t, slotkit_handle h)
{
    if (h.segment_id != t->segment_id || h.slot_index >= t->slot_count) return SLOTKIT_OUT_OF_BOUNDS;
    return SLOTKIT_OK;
}

/* ---- waiting helpers ------------------------------------------------- */

/* For the short waits the table has (another thread finishing a memcpy or a
 * few instructions of a publish): spin first, then give the CPU away in case
 * that thread was preempted. Never reached without contention. */
static void backoff(unsigned *spins)
{
    if (*spins < 100u) {
        ++*spins;
        cpu_relax();
    } else {
        sched_yield();
    }
}

static void add_ns(struct timespec *ts, uint64_t ns)
{
    ts->tv_sec += (time_t)(ns / 1000000000u);
    ts->tv_nsec += (long)(ns % 1000000000u);
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec += 1;
        ts->tv_nsec -= 1000000000L;
    }
}

static bool before_deadline(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec < deadline->tv_sec || (now.tv_sec == deadline->tv_sec && now.tv_nsec < deadline->tv_nsec);
}

static long futex_call(_Atomic uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
    return syscall(SYS_futex, (uint32_t *)word, op, val, ts, NULL, FUTEX_BITSET_MATCH_ANY);
}

/*
 * The generation is writer_events + reader_events (mod 2^32): every event of
 * R-NOTIFY-1 adds one to the count of its side, so the sum changes, and
 * neither side writes a line that the other writes. Waiters sleep on a
 * separate futex word. No lost wakeup (R-NOTIFY-4), a Dekker pattern, all
 * seq_cst:
 *   waiter:  waiters++ ; w = wake_word ; load both counts ; FUTEX_WAIT(wake_word == w)
 *   event:   count++ ; load waiters ; if > 0: wake_word++ and FUTEX_WAKE
 * In the single total order of seq_cst operations, either the event's load
 * of waiters comes before waiters++ (then count++ precedes the waiter's
 * loads, which see the change), or it sees the waiter; then wake_word++
 * comes after count++, so a waiter that loaded the new wake_word also sees
 * the new count, and one that loaded the old word either finds it changed
 * in the kernel's compare-and-sleep or is asleep for the wake. An event
 * nobody waits for costs one locked add on a line of its own side and a
 * load of a line nobody writes: no line changes cores, no system call.
 */
__attribute__((noinline, cold)) static void wake_waiters(const slot_table_view *t)
{
    int op = FUTEX_WAKE | (t->process_shared ? 0 : FUTEX_PRIVATE_FLAG);
    int saved = errno;
    atomic_fetch_add_explicit(&t->shared->wake_word, 1u, memory_order_seq_cst);
    futex_call(&t->shared->wake_word, op, INT_MAX, NULL);
    errno = saved;
}

/* shared is t->shared, passed in so that a caller that holds it in a register
 * does not load it again after each atomic. */
static inline void count_event(const slot_table_view *t, slot_table *shared, _Atomic uint32_t *events)
{
    atomic_fetch_add_explicit(events, 1u, memory_order_seq_cst);
    if (atomic_load_explicit(&shared->waiters, memory_order_seq_cst) != 0) wake_waiters(t);
}

/* Commit, discard, a repaired publication or loans freed (R-NOTIFY-1, -5). */
static inline void writer_event(const slot_table_view *t, slot_table *shared)
{
    count_event(t, shared, &shared->writer_events);
}

/* A mark that marked, a disconnect. */
static inline void reader_event(const slot_table_view *t, slot_table *shared)
{
    count_event(t, shared, &shared->reader_events);
}

static inline uint32_t generation_of(slot_table *shared)
{
    return atomic_load_explicit(&shared->writer_events, memory_order_seq_cst) +
           atomic_load_explicit(&shared->reader_events, memory_order_seq_cst);
}

/* ---- dead peers (process_shared tables) ------------------------------ */

/*
 * In shared memory a process can die at any instruction. Three things can
 * be left behind, and each has its recovery:
 *   - a loan (LOANED, claimed for a commit or not): the slot records its
 *     holder; a reserve that finds no free slot frees the loans
 *     of dead holders (reclaim_dead_loans, R-XPROC-8);
 *   - the publish lock: it names its owner; a waiter that finds the owner
 *     dead takes the lock over and finishes or undoes the publication
 *     (publish_lock, repair_publication);
 *   - a read_slot pin: pins are a bare count (naming each pinner would cost
 *     the read path a second RMW), so a reserve waits for them only
 *     PIN_WAIT_LIMIT_NS, then drops them; a reader whose pin was dropped
 *     returns OUT_OF_BOUNDS instead of a copy that may be torn
 *     (wait_for_unpinned, slot_table_read).
 * A private table (one process) needs none of this: its threads die only
 * with the whole process.
 *
 * A peer may also be alive and make no progress (stopped by SIGSTOP or a
 * debugger), or the words may be garbage (a corrupt or hostile peer). So no
 * wait on another party is unbounded: a commit waits for the publish lock,
 * and a read_slot for a free pin, at most PEER_WAIT_LIMIT_NS, then returns
 * SLOTKIT_LOCK_POISONED naming what it waited for (backend_op_error). And a
 * value read from the table (a size, an index) is checked against the
 * view's geometry before it is used.
 */

/* How long a reserve waits for read_slot copies before deeming them dead. A
 * live copy takes one memcpy; only a reader stalled this long mid-copy loses
 * its read (OUT_OF_BOUNDS, never a torn sample).
 *
 * Dropping a live reader's pin is a data race by design: the new owner
 * writes the payload while that reader still copies it. R-THREAD-3 allows it
 * because the reader then sees its pin gone and discards the copy (see the
 * unpin in slot_table_read); no atomic copy can avoid it, since the writer
 * may be the user filling the payload in place. ThreadSanitizer reports it
 * whenever its slowed threads stall past the limit (2-vCPU box under load,
 * vCPU steal: conform-posix-tsan, thread::r_thread_3). So a TSan build gives
 * live pinners the peer limit, 1 s, still within R-XPROC-7's bound, and TSan
 * keeps checking that the pin alone orders every other copy. */
#ifndef PIN_WAIT_LIMIT_NS /* the fuzz build (tests/fuzz) shortens both limits */
#if defined(__SANITIZE_THREAD__)
#define PIN_WAIT_LIMIT_NS 1000000000ull /* 1 s */
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PIN_WAIT_LIMIT_NS 1000000000ull /* 1 s (clang) */
#endif
#endif
#endif
#ifndef PIN_WAIT_LIMIT_NS
#define PIN_WAIT_LIMIT_NS 100000000ull /* 100 ms */
#endif

/* How long a call waits for a live peer's progress (the publish lock, a
 * free pin) before it gives up with LOCK_POISONED. The lock is held for a
 * handful of stores and a pin for one memcpy: a second is far beyond any
 * preemption, and short enough that a stopped peer stalls nobody for long. */
#ifndef PEER_WAIT_LIMIT_NS
#define PEER_WAIT_LIMIT_NS 1000000000ull /* 1 s */
#endif

/* A deadline set on first use, so a wait that ends at once reads no clock. */
struct lazy_deadline {
    struct timespec at;
    bool set;
};

/* false once limit_ns have passed since the first call. */
static bool lazy_deadline_ok(struct lazy_deadline *d, uint64_t limit_ns)
{
    if (!d->set) {
        clock_gettime(CLOCK_MONOTONIC, &d->at);
        add_ns(&d->at, limit_ns);
        d->set = true;
        return true;
    }
    return before_deadline(&d->at);
}

/* Identity written into the publish lock word. */
static inline uint64_t self_identity(const slot_table_view *t) { return t->process_shared ? proc_identity_self() : 1u; }

/*
 * The holder record of a slot, one 64-bit word:
 *   bits 48..63  key: the tag and phase of the state it is for
 *   bits  0..47  the holder's identity (proc_identity_pack48), 0 = nobody
 * It is written BEFORE the state changes, by CAS, so there is no moment in
 * which a loan exists whose holder is not on record:
 *   - reserve claims the record for (tag + 1, LOANED), then CASes the state;
 *     a claim by a live process or thread keeps other reservers off the
 *     slot, and a dead claimer's record is simply taken over;
 *   - commit, discard and a reclaim move the record from (tag, LOANED) to
 *     (tag, CLAIMED, itself) by CAS (claim_holder) before they touch the
 *     payload or the state: the claimer, not the reserver, holds a claimed
 *     loan (handles travel between processes, R-XPROC-5), and only one of
 *     them ends it. A private table records (tag, LOANED, 1) when it hands
 *     the loan out (loaned), so a claim never meets an old record.
 */
static inline uint32_t key_of(uint64_t tag, unsigned phase) { return (uint32_t)(((tag & ST_TAG_MAX) << 2) | phase); }
static inline uint32_t record_key(uint64_t r) { return (uint32_t)(r >> 48); }
static inline uint64_t record_owner(uint64_t r) { return r & PROC_IDENTITY48_MASK; }
static inline uint64_t make_record(uint32_t key, uint64_t owner)
{
    return ((uint64_t)key << 48) | (owner & PROC_IDENTITY48_MASK);
}

/* make_record(key_of(st_tag(state), phase), owner) in two instructions: the
 * key's tag sits where the state word keeps it. */
_Static_assert(ST_TAG_SHIFT == 48 + 2, "a record's key is the state's tag, then the phase");
static inline uint64_t record_of(uint64_t state, unsigned phase, uint64_t owner)
{
    return (state & ST_TAG_BITS) | ((uint64_t)phase << 48) | (owner & PROC_IDENTITY48_MASK);
}

/* The owner of a record still runs (or there is none). Costs syscalls,
 * except for our own process. */
static bool owner_alive(uint64_t owner, uint64_t me)
{
    return owner == 0 || owner == me || !proc_identity48_is_dead(owner);
}

/* What an attempt to take a slot found. */
enum take_result {
    TAKE_OK,      /* the slot is ours */
    TAKE_BUSY,    /* a live process or thread (ours included) is taking it */
    TAKE_CHANGED, /* the state moved on; *s holds the new one */
};

/* Records us as the one taking the slot, seen recyclable in *s, into key. */
static enum take_result claim_record(struct slot_control *c, _Atomic uint64_t *holder, uint64_t *s, uint32_t key)
{
    const uint64_t tag = st_tag(*s);
    const uint64_t me = proc_identity_pack48(proc_identity_self());
    const uint64_t mine = make_record(key, me);
    uint64_t r = atomic_load_explicit(holder, memory_order_acquire);
    for (;;) {
        if (record_key(r) == key && record_owner(r) != 0 &&
            (record_owner(r) == me || !proc_identity48_is_dead(record_owner(r))))
            return TAKE_BUSY;
        /* Never overwrite the record of a live loan: a commit claims its
         * loan on the record (claim_holder) and must find it intact. The
         * state read after r (acquire) is at least as new as the one r was
         * written for, so a stale *s shows here; and the CAS fails if a
         * newer record came meanwhile. */
        const uint64_t now = atomic_load_explicit(&c->state, memory_order_acquire);
        if (!st_recyclable(now) || st_tag(now) != tag) {
            *s = now;
            return TAKE_CHANGED;
        }
        if (atomic_compare_exchange_weak_explicit(holder, &r, mine, memory_order_acq_rel, memory_order_acquire)) break;
    }
    /* Our view of the state may have been stale, and then r was the record
     * of a newer, live loan: put it back (unless its holder already moved
     * the record on). The acquire above makes this load see at least the
     * state r was written for. */
    *s = atomic_load_explicit(&c->state, memory_order_acquire);
    if (st_recyclable(*s) && st_tag(*s) == tag) return TAKE_OK;
    uint64_t expected = mine;
    atomic_compare_exchange_strong_explicit(holder, &expected, r, memory_order_acq_rel, memory_order_relaxed);
    return TAKE_CHANGED;
}

/* Gives up a claim that did not become a loan. */
static void release_record(_Atomic uint64_t *holder, uint32_t key)
{
    uint64_t mine = make_record(key, proc_identity_pack48(proc_identity_self()));
    atomic_compare_exchange_strong_explicit(holder, &mine, make_record(key, 0), memory_order_release,
                                            memory_order_relaxed);
}

/* ---- geometry and lifecycle ----------------------------------------- */

slotkit_status slot_table_size(size_t slot_count, size_t capacity, size_t *out_bytes, const char **why)
{
    const char *reason = NULL;
    size_t stride = 0, controls = 0, payloads = 0, total = 0;

    if (slot_count == 0)
        reason = "slot_count must be at least 1";
    else if (slot_count > SLOT_TABLE_MAX_SLOTS)
        reason = "slot_count exceeds 2^32-1 (slot_index is 32-bit)";
    else if (capacity > SLOT_TABLE_MAX_CAPACITY || capacity > SIZE_MAX - SLOTKIT_SLOT_HEADER_SIZE - SLOTKIT_SLOT_ALIGN)
        reason = "slot_capacity exceeds 2^32-1 (sample_size is 32-bit)";
    else {
        stride = SLOTKIT_SLOT_TOTAL_SIZE(capacity);
        if (__builtin_mul_overflow(slot_count, (size_t)SLOT_META_BYTES, &controls) ||
            __builtin_mul_overflow(slot_count, stride, &payloads) ||
            __builtin_add_overflow(controls, payloads, &total) || __builtin_add_overflow(total, HEADER_BYTES, &total))
            reason = "slot_count * slot size overflows the address space";
    }
    if (reason) {
        if (why) *why = reason;
        return SLOTKIT_INVALID_ARGUMENT;
    }
    if (out_bytes) *out_bytes = total;
    return SLOTKIT_OK;
}

/* The header's write-once fields, as one process read them at one time. */
struct table_geometry {
    uint32_t magic, layout_version, slot_count, capacity;
    uint64_t stride, control_offset, payload_offset, total_bytes, segment_id;
    uint32_t process_shared, has_type_hash;
    uint8_t type_hash[16];
};

/* Fills *view from a geometry that passed geometry_problem. */
static void fill_view(slot_table_view *view, void *mem, const struct table_geometry *g)
{
    memset(view, 0, sizeof *view);
    view->segment_id = g->segment_id;
    view->slot_count = g->slot_count;
    view->capacity = g->capacity;
    view->controls = (struct slot_control *)((char *)mem + HEADER_BYTES);
    view->holders = (struct slot_holder *)((char *)mem + HEADER_BYTES + (size_t)g->slot_count * CONTROL_STRIDE);
    view->payloads = (unsigned char *)mem + g->payload_offset;
    view->stride = (size_t)g->stride;
    view->shared = mem;
    view->process_shared = g->process_shared != 0;
    view->has_type_hash = g->has_type_hash != 0;
    memcpy(view->type_hash, g->type_hash, sizeof view->type_hash);
}

slot_table *slot_table_init(void *mem, size_t slot_count, size_t capacity, uint32_t first_sequence_number,
                            uint64_t segment_id, const uint8_t *type_hash, bool process_shared, slot_table_view *view)
{
    size_t total = 0;
    if (!mem || ((uintptr_t)mem % SLOT_TABLE_ALIGN) != 0 ||
        slot_table_size(slot_count, capacity, &total, NULL) != SLOTKIT_OK)
        return NULL;

    /* Zeroing the payloads too pre-faults them, so the hot path takes no
     * page fault, and a loan never exposes bytes of a previous owner. */
    memset(mem, 0, total);
    slot_table *t = mem;
    t->layout_version = SLOT_TABLE_LAYOUT_VERSION;
    t->slot_count = (uint32_t)slot_count;
    t->capacity = (uint32_t)capacity;
    t->stride = SLOTKIT_SLOT_TOTAL_SIZE(capacity);
    t->control_offset = HEADER_BYTES;
    t->payload_offset = HEADER_BYTES + (uint64_t)slot_count * SLOT_META_BYTES;
    t->total_bytes = total;
    t->segment_id = segment_id;
    t->process_shared = process_shared ? 1u : 0u;
    t->has_type_hash = type_hash ? 1u : 0u;
    if (type_hash) memcpy(t->type_hash, type_hash, sizeof t->type_hash);

    atomic_init(&t->next_sequence, first_sequence_number);
    atomic_init(&t->publish_owner, 0u);
    atomic_init(&t->publish_slot, NO_SLOT);
    atomic_init(&t->publish_tag, 0u);
    atomic_init(&t->publish_sn, 0u);
    atomic_init(&t->reserve_cursor, 0u);
    atomic_init(&t->writer_events, 0u);
    atomic_init(&t->reader_events, 0u);
    atomic_init(&t->wake_word, 0u);
    atomic_init(&t->waiters, 0u);
    for (size_t i = 0; i < slot_count; i++) {
        struct slot_control *c = (struct slot_control *)((char *)mem + HEADER_BYTES + i * CONTROL_STRIDE);
        atomic_init(&c->state, st_make(PHASE_FREE, 0, 0, 0));
        atomic_init(&c->sequence, 0u);
        atomic_init(&c->size, 0u);
        atomic_init(&c->wait_set, 0u);
        atomic_init(&((struct slot_holder *)((char *)c + slot_count * CONTROL_STRIDE))->record, 0u);
    }
    if (view) {
        /* From the arguments, like an attacher's copy of what it validated. */
        struct table_geometry g = {.slot_count = t->slot_count,
                                   .capacity = t->capacity,
                                   .stride = t->stride,
                                   .payload_offset = t->payload_offset,
                                   .segment_id = segment_id,
                                   .process_shared = t->process_shared,
                                   .has_type_hash = t->has_type_hash};
        if (type_hash) memcpy(g.type_hash, type_hash, sizeof g.type_hash);
        fill_view(view, mem, &g);
    }
    /* Last, with release: a process that sees the magic sees a whole table. */
    atomic_store_explicit(&t->magic, SLOT_TABLE_MAGIC, memory_order_release);
    return t;
}

/* Copies the header's geometry out of mem (HEADER_BYTES readable). Volatile
 * reads: the copy is what gets validated and used, and the compiler must
 * not replace a use of it by a second read of memory a peer may change. */
static void read_geometry(const void *mem, struct table_geometry *g)
{
    const volatile struct slot_table *t = mem;
    g->magic = atomic_load_explicit(&((struct slot_table *)(uintptr_t)mem)->magic, memory_order_acquire);
    g->layout_version = t->layout_version;
    g->slot_count = t->slot_count;
    g->capacity = t->capacity;
    g->stride = t->stride;
    g->control_offset = t->control_offset;
    g->payload_offset = t->payload_offset;
    g->total_bytes = t->total_bytes;
    g->segment_id = t->segment_id;
    g->process_shared = t->process_shared;
    g->has_type_hash = t->has_type_hash;
    for (size_t i = 0; i < sizeof g->type_hash; i++) g->type_hash[i] = t->type_hash[i];
}

/* NULL when g describes a table this code can use within mapped_bytes. */
static const char *geometry_problem(const struct table_geometry *g, size_t mapped_bytes)
{
    size_t expected = 0;
    if (g->magic != SLOT_TABLE_MAGIC) return "segment is not a slotkit slot table (bad magic)";
    if (g->layout_version != SLOT_TABLE_LAYOUT_VERSION) return "slot table layout version differs from this build's";
    if (slot_table_size(g->slot_count, g->capacity, &expected, NULL) != SLOTKIT_OK ||
        g->stride != SLOTKIT_SLOT_TOTAL_SIZE(g->capacity) || g->control_offset != HEADER_BYTES ||
        g->payload_offset != HEADER_BYTES + (uint64_t)g->slot_count * SLOT_META_BYTES || g->total_bytes != expected ||
        g->process_shared > 1u || g->has_type_hash > 1u)
        return "slot table geometry is corrupt";
    if (g->total_bytes > mapped_bytes) return "segment is smaller than its slot table";
    return NULL;
}

/* Alignment and room for the header: checked before any field is read. */
static const char *memory_problem(const void *mem, size_t mapped_bytes)
{
    if (!mem || ((uintptr_t)mem % SLOT_TABLE_ALIGN) != 0) return "table memory is not 64-byte aligned";
    if (mapped_bytes < HEADER_BYTES) return "segment is smaller than a slot table header";
    return NULL;
}

slotkit_status slot_table_validate(const void *mem, size_t mapped_bytes, const char **why)
{
    const char *reason = memory_problem(mem, mapped_bytes);
    if (!reason) {
        struct table_geometry g;
        read_geometry(mem, &g);
        reason = geometry_problem(&g, mapped_bytes);
    }
    if (reason) {
        if (why) *why = reason;
        return SLOTKIT_INCOMPATIBLE;
    }
    return SLOTKIT_OK;
}

slotkit_status slot_table_view_open(slot_table_view *view, void *mem, size_t mapped_bytes, const char **why)
{
    const char *reason = memory_problem(mem, mapped_bytes);
    struct table_geometry g;
    if (!reason) {
        read_geometry(mem, &g);
        reason = geometry_problem(&g, mapped_bytes);
    }
    if (reason) {
        if (why) *why = reason;
        return SLOTKIT_INCOMPATIBLE;
    }
    /* From here on only the copy counts (see slot_table_view). */
    fill_view(view, mem, &g);
    return SLOTKIT_OK;
}

slot_table *slot_table_at(void *mem) { return mem; }

size_t slot_table_slot_count(const slot_table *t) { return t->slot_count; }
size_t slot_table_capacity(const slot_table *t) { return t->capacity; }
size_t slot_table_total_size(const slot_table *t) { return (size_t)t->stride; }
uint64_t slot_table_segment_id(const slot_table *t) { return t->segment_id; }
bool slot_table_process_shared(const slot_table *t) { return t->process_shared != 0; }

bool slot_table_type_hash(const slot_table *t, uint8_t out_hash[16])
{
    if (!t->has_type_hash || !out_hash) return false;
    memcpy(out_hash, t->type_hash, sizeof t->type_hash);
    return true;
}

size_t slot_table_view_slot_count(const slot_table_view *v) { return v->slot_count; }
size_t slot_table_view_capacity(const slot_table_view *v) { return v->capacity; }
size_t slot_table_view_total_size(const slot_table_view *v) { return v->stride; }

bool slot_table_view_type_hash(const slot_table_view *v, uint8_t out_hash[16])
{
    if (!v->has_type_hash || !out_hash) return false;
    memcpy(out_hash, v->type_hash, sizeof v->type_hash);
    return true;
}

/* ---- the publish lock and recovery ---------------------------------- */

/*
 * Commits take their sequence number and publish under one lock, held for
 * a handful of stores (the payload is copied before it is taken). That makes
 * "every SN below next_sequence is published, or is the one being published"
 * hold, which lets next_unread return each reader's samples in order
 * (R-NEXT-2, R-THREAD-1) although it scans the slots one by one.
 *
 * Why a lock word instead of a ticket (fetch_add an SN, then wait for the
 * turn): a process killed between taking a ticket and publishing would stall
 * every later commit, and nobody could tell which slot the lost SN was for.
 * The lock word names its owner and the publication records its slot, tag
 * and SN before the SN is handed out, so a successor that finds the owner
 * dead can take the lock over and repair what was left (repair_publication).
 */

/* The previous owner died holding the lock, which the caller now owns.
 * commit_common's steps are: (1) sequence, publish_sn, publish_tag, then
 * publish_slot; (2) next_sequence = sn + 1; (3) the claimed loan LOANED ->
 * COMMITTED; (4) publish_slot = NO_SLOT. Died before (2): nothing is visible
 * yet, so undo (free the slot; no sample, no SN consumed: R-XPROC-8). Died
 * after (2): the SN is out and the sample is complete (payload and size
 * precede the lock), so publish it: no SN goes missing. */
static bool repair_publication(const slot_table_view *t)
{
    slot_table *shared = t->shared;
    const uint32_t index = atomic_load_explicit(&shared->publish_slot, memory_order_acquire);
    if (index == NO_SLOT) return false;          /* died outside steps (1)-(4): nothing half done */
    const bool repaired = index < t->slot_count; /* else a corrupt word: just clear it */
    if (repaired) {
        const uint32_t sn = atomic_load_explicit(&shared->publish_sn, memory_order_relaxed);
        const uint32_t tag = atomic_load_explicit(&shared->publish_tag, memory_order_relaxed);
        const bool sn_handed_out = atomic_load_explicit(&shared->next_sequence, memory_order_relaxed) != sn;
        struct slot_control *c = control_of(t, index);
        uint64_t s = atomic_load_explicit(&c->state, memory_order_acquire);
        /* Loop only for disconnects changing mask bits meanwhile. */
        while (st_phase(s) == PHASE_LOANED && st_tag(s) == tag) {
            uint64_t next = st_make(PHASE_FREE, 0, 0, tag);
            if (sn_handed_out) {
                atomic_store_explicit(&c->wait_set, st_mask(s), memory_order_relaxed);
                next = st_with_phase(s, PHASE_COMMITTED);
            }
            if (atomic_compare_exchange_weak_explicit(&c->state, &s, next, memory_order_release, memory_order_relaxed))
                break;
        }
        writer_event(t, shared);
    }
    atomic_store_explicit(&shared->publish_slot, NO_SLOT, memory_order_release);
    return repaired; /* the slot was freed or published */
}

/* Checking liveness costs system calls, so a waiter does it only this
 * often (in backoff rounds; most of them are sched_yield). The clock (vDSO,
 * no system call) is read more often, so a yield that takes a whole time
 * slice cannot stretch the deadline much. */
#ifndef OWNER_CHECK_INTERVAL /* the fuzz build checks more often */
#define OWNER_CHECK_INTERVAL 1024u
#endif
#define DEADLINE_CHECK_INTERVAL 16u

/* Why a commit gave up on the publish lock; returns LOCK_POISONED. */
static slotkit_status publish_lock_stuck(const slot_table_view *t, uint64_t owner)
{
    if (owner == self_identity(t))
        return backend_op_error(SLOTKIT_LOCK_POISONED,
                                "slot table: the publish lock was held by this process for "
                                "over %llu ms (a stuck thread, or a forged lock word)",
                                PEER_WAIT_LIMIT_NS / 1000000u);
    return backend_op_error(SLOTKIT_LOCK_POISONED,
                            "slot table: the publish lock was held by pid %ld for over %llu ms "
                            "(a stopped process, or a corrupt lock word 0x%016llx)",
                            (long)proc_identity_pid(owner), PEER_WAIT_LIMIT_NS / 1000000u, (unsigned long long)owner);
}

/* publish_lock, when the first try found the lock taken. */
__attribute__((noinline)) static slotkit_status publish_lock_contended(const slot_table_view *t, uint64_t me)
{
    slot_table *shared = t->shared;
    unsigned spins = 0, rounds = 0;
    struct lazy_deadline deadline = {.set = false};
    for (;;) {
        uint64_t owner = 0;
        /* Acquire: the previous owner's stores happen before ours. */
        if (atomic_compare_exchange_weak_explicit(&shared->publish_owner, &owner, me, memory_order_acquire,
                                                  memory_order_relaxed))
            return SLOTKIT_OK;
        ++rounds;
        if (t->process_shared && owner != 0 && owner != me && rounds % OWNER_CHECK_INTERVAL == 0 &&
            proc_identity_is_dead(owner) &&
            atomic_compare_exchange_strong_explicit(&shared->publish_owner, &owner, me, memory_order_acquire,
                                                    memory_order_relaxed)) {
            repair_publication(t);
            return SLOTKIT_OK;
        }
        if (rounds % DEADLINE_CHECK_INTERVAL == 0 && !lazy_deadline_ok(&deadline, PEER_WAIT_LIMIT_NS))
            return publish_lock_stuck(t, owner);
        backoff(&spins);
    }
}

/* Takes the publish lock if it is free (me: self_identity). When it is not,
 * publish_lock_contended waits for it: OK, or LOCK_POISONED when its owner
 * is alive (or names no process) and keeps it PEER_WAIT_LIMIT_NS. A dead
 * owner's lock is taken over and its publication repaired. */
static inline bool publish_lock_free(slot_table *shared, uint64_t me)
{
    uint64_t owner = 0;
    /* Acquire: the previous owner's stores happen before ours. */
    return __builtin_expect(atomic_compare_exchange_strong_explicit(&shared->publish_owner, &owner, me,
                                                                    memory_order_acquire, memory_order_relaxed),
                            1);
}

static inline void publish_unlock(slot_table *shared)
{
    atomic_store_explicit(&shared->publish_owner, 0u, memory_order_release);
}

/* A dead owner left the lock held and nobody commits any more: a reserve
 * that finds no free slot repairs it, since the loan it left claimed may
 * be the one the reserve needs. */
static bool repair_abandoned_publish_lock(const slot_table_view *t)
{
    slot_table *shared = t->shared;
    const uint64_t me = proc_identity_self();
    uint64_t owner = atomic_load_explicit(&shared->publish_owner, memory_order_relaxed);
    if (owner == 0 || owner == me || !proc_identity_is_dead(owner)) return false;
    bool repaired = false;
    if (atomic_compare_exchange_strong_explicit(&shared->publish_owner, &owner, me, memory_order_acquire,
                                                memory_order_relaxed)) {
        repaired = repair_publication(t);
        publish_unlock(shared);
    }
    return repaired;
}

/*
 * R-XPROC-8: frees the loans whose holder died: the reserver's, or a
 * committer's that claimed the loan (a commit that died copying its
 * payload); a claimed loan that is the publication in progress belongs to
 * repair_publication instead. The reclaim claims the record itself before it
 * frees the state, so a live committer that claimed it first keeps it, and
 * one that comes later finds it gone. Returns how many it freed. Slow path
 * only: one kill(2) per slot held by another process.
 */
static uint32_t reclaim_dead_loans(const slot_table_view *t)
{
    /* A repaired publication frees or publishes its slot: progress too. */
    uint32_t freed = repair_abandoned_publish_lock(t) ? 1u : 0u;
    const uint64_t me = proc_identity_pack48(proc_identity_self());
    for (uint32_t i = 0; i < t->slot_count; i++) {
        struct slot_control *c = control_of(t, i);
        uint64_t s = atomic_load_explicit(&c->state, memory_order_acquire);
        if (st_phase(s) != PHASE_LOANED) continue;
        /* A LOANED slot is held by its reserver, or by the committer that
         * claimed it. */
        _Atomic uint64_t *holder = holder_of(t, c);
        uint64_t r = atomic_load_explicit(holder, memory_order_acquire);
        const uint32_t key = record_key(r);
        const bool claimed = key == key_of(st_tag(s), PHASE_CLAIMED);
        if (!claimed && key != key_of(st_tag(s), PHASE_LOANED)) continue; /* no record for this loan: never guess */
        if (owner_alive(record_owner(r), me)) continue;
        /* Read after the holder is known dead, so it cannot change any more
         * but by a repair, which frees or publishes the slot itself. */
        if (claimed && atomic_load_explicit(&t->shared->publish_slot, memory_order_acquire) == i) continue;
        if (!atomic_compare_exchange_strong_explicit(holder, &r, make_record(key_of(st_tag(s), PHASE_CLAIMED), me),
                                                     memory_order_acq_rel, memory_order_relaxed))
            continue; /* claimed by someone alive meanwhile */
        /* Only disconnects (mask bits) and unpins still change the word; a
         * dropped pin makes its reader report OUT_OF_BOUNDS. Acquire pairs
         * with the dead holder's last stores, release with the next reserve. */
        const uint64_t tag = st_tag(s);
        while (st_phase(s) == PHASE_LOANED && st_tag(s) == tag) {
            if (atomic_compare_exchange_weak_explicit(&c->state, &s, st_make(PHASE_FREE, 0, 0, st_tag(s)),
                                                      memory_order_acq_rel, memory_order_relaxed)) {
                freed++;
                break;
            }
        }
    }
    if (freed != 0) writer_event(t, t->shared); /* writers waiting for space (R-NOTIFY-5) */
    return freed;
}

/* ---- reserve --------------------------------------------------------- */

/* Reserve took a slot that read_slot copies were still pinning: wait for
 * them (they are mid-memcpy; no new pin can start on a LOANED slot). The
 * acquire pairs with the unpin's release, so those copies happen before the
 * new owner writes the payload. */
static void wait_for_unpinned(const slot_table_view *t, struct slot_control *c)
{
    unsigned spins = 0;
    if (!t->process_shared) {
        while (st_pins(atomic_load_explicit(&c->state, memory_order_acquire)) != 0) backoff(&spins);
        return;
    }
    /* Shared memory: a pinner may have died mid-copy (or the count may be
     * forged); wait a bounded time, then drop the pins (see "dead peers"). */
    struct lazy_deadline deadline = {.set = false};
    for (;;) {
        uint64_t s = atomic_load_explicit(&c->state, memory_order_acquire);
        if (st_pins(s) == 0) return;
        if (!lazy_deadline_ok(&deadline, PIN_WAIT_LIMIT_NS)) {
            /* We hold the loan: only unpins and disconnects race with this. */
            const uint64_t no_pins = s & ~(ST_PINS_MAX << ST_PINS_SHIFT);
            if (atomic_compare_exchange_strong_explicit(&c->state, &s, no_pins, memory_order_acquire,
                                                        memory_order_relaxed))
                return;
            continue;
        }
        backoff(&spins);
    }
}

/*
 * Takes slot c, seen recyclable in state *s, as a loan (tag + 1), keeping the
 * pins (only with pins_ok) for the caller to wait out. In a shared table the
 * holder record is claimed first (see "dead peers").
 */
static enum take_result take_slot(const slot_table_view *t, struct slot_control *c, uint64_t *s,
                                  slotkit_reader_mask active_readers_mask, bool pins_ok)
{
    const uint64_t tag = st_tag(*s);
    const uint32_t key = key_of(tag + 1u, PHASE_LOANED);
    if (t->process_shared) {
        enum take_result claimed = claim_record(c, holder_of(t, c), s, key);
        if (claimed != TAKE_OK) return claimed;
    }
    while (st_recyclable(*s) && st_tag(*s) == tag && (pins_ok || st_pins(*s) == 0)) {
        const uint64_t loaned = st_make(PHASE_LOANED, active_readers_mask, st_pins(*s), tag + 1u);
        /* Acquire: pairs with the release of the last mark_read / unpin /
         * discard, so every reader of the old sample is done before we hand
         * out the payload for writing. */
        if (atomic_compare_exchange_weak_explicit(&c->state, s, loaned, memory_order_acquire, memory_order_relaxed))
            return TAKE_OK;
    }
    if (t->process_shared) release_record(holder_of(t, c), key);
    return TAKE_CHANGED;
}

/* Reserve found only slots that read_slot copies still pin: take one anyway
 * (LOANED stops new pins) and wait out the copies in progress. A pin lasts
 * one memcpy, and reporting NO_FREE_SLOT here could strand a writer, because
 * an unpin does not bump the generation (R-READ-5). false when someone else
 * took (or is taking) the slot meanwhile. */
static bool take_pinned_slot(const slot_table_view *t, uint32_t index, slotkit_reader_mask active_readers_mask)
{
    struct slot_control *c = control_of(t, index);
    uint64_t s = atomic_load_explicit(&c->state, memory_order_relaxed);
    if (!st_recyclable(s) || take_slot(t, c, &s, active_readers_mask, true) != TAKE_OK) return false;
    wait_for_unpinned(t, c);
    return true;
}

/* Hands out slot index as the caller's loan. A private table records the
 * loan now (a shared one did before taking it, claim_record), so that the
 * commit's claim (claim_holder) finds a record for this loan, never an old
 * one whose tag came round again. The holder line is the writers' alone. */
static inline slotkit_status hand_out(const slot_table_view *t, slot_table *shared, uint32_t index,
                                      slotkit_handle *out_handle);
static inline slotkit_status loaned(const slot_table_view *t, slot_table *shared, uint32_t index,
                                    slotkit_handle *out_handle)
{
    if (!t->process_shared) {
        struct slot_control *c = control_of(t, index);
        const uint64_t s = atomic_load_explicit(&c->state, memory_order_relaxed);
        atomic_store_explicit(holder_of(t, c), record_of(s, PHASE_LOANED, 1u), memory_order_relaxed);
    }
    return hand_out(t, shared, index, out_handle);
}

/* The loan's handle, and the cursor past it. */
static inline slotkit_status hand_out(const slot_table_view *t, slot_table *shared, uint32_t index,
                                      slotkit_handle *out_handle)
{
    atomic_store_explicit(&shared->reserve_cursor, index + 1 == t->slot_count ? 0 : index + 1, memory_order_relaxed);
    out_handle->segment_id = t->segment_id;
    out_handle->slot_index = index;
    return SLOTKIT_OK;
}

/* Every slot, from the cursor on; with the waits and the recovery. */
__attribute__((noinline)) static slotkit_status
reserve_scan(slot_table_view *t, slotkit_reader_mask active_readers_mask, slotkit_handle *out_handle)
{
    const uint32_t n = t->slot_count;
    /* Rescans happen when others took slots meanwhile, or when a live
     * process is taking the one slot left; a stopped one must not hold us. */
    struct lazy_deadline deadline = {.set = false};
    unsigned spins = 0;

    for (;;) {
        /* Start where the last reserve ended so successive samples go round
         * the ring instead of always reusing slot 0. Relaxed: only a hint. */
        uint32_t index = atomic_load_explicit(&t->shared->reserve_cursor, memory_order_relaxed) % n;
        uint32_t pinned_index = UINT32_MAX;

        for (uint32_t scanned = 0; scanned < n; scanned++, index = (index + 1 == n) ? 0 : index + 1) {
            struct slot_control *c = control_of(t, index);
            uint64_t s = atomic_load_explicit(&c->state, memory_order_relaxed);
            enum take_result taken = TAKE_CHANGED;
            while (taken == TAKE_CHANGED && st_recyclable(s)) {
                if (st_pins(s) != 0) {
                    /* A copy is in progress; use it only if nothing else is free. */
                    if (pinned_index == UINT32_MAX) pinned_index = index;
                    break;
                }
                taken = take_slot(t, c, &s, active_readers_mask, false);
            }
            if (taken == TAKE_OK) return loaned(t, t->shared, index, out_handle);
        }

        if (pinned_index != UINT32_MAX) {
            if (take_pinned_slot(t, pinned_index, active_readers_mask))
                return loaned(t, t->shared, pinned_index, out_handle);
        } else if (!t->process_shared || reclaim_dead_loans(t) == 0) {
            /* R-XPROC-8: before giving up, take back the loans of dead
             * processes, and scan again if some came back. */
            return SLOTKIT_NO_FREE_SLOT;
        }
        if (!lazy_deadline_ok(&deadline, PEER_WAIT_LIMIT_NS)) return SLOTKIT_NO_FREE_SLOT;
        backoff(&spins); /* and scan again */
    }
}

/* Recyclable (FREE, or COMMITTED with nobody pending) and not pinned. */
static inline bool st_takeable(uint64_t s)
{
    const uint64_t held = s & (ST_MASK_BITS | ST_PHASE_BITS | ST_PINS_BITS);
    return held == 0 || held == (uint64_t)PHASE_COMMITTED << ST_PHASE_SHIFT;
}

/* The cursor's slot, if it is takeable, in a shared table (take_slot
 * records the holder first); else the scan. Apart from slot_table_reserve so
 * that its fast path (private tables) keeps no registers for this one. */
__attribute__((noinline)) static slotkit_status
reserve_shared_or_scan(slot_table_view *t, slotkit_reader_mask active_readers_mask, slotkit_handle *out_handle)
{
    const uint32_t index = atomic_load_explicit(&t->shared->reserve_cursor, memory_order_relaxed);
    if (t->process_shared && index < t->slot_count) {
        struct slot_control *c = control_of(t, index);
        uint64_t s = atomic_load_explicit(&c->state, memory_order_relaxed);
        if (st_takeable(s)) {
            prefetch_write(payload_of(t, index)); /* see slot_table_reserve */
            if (take_slot(t, c, &s, active_readers_mask, false) == TAKE_OK)
                return loaned(t, t->shared, index, out_handle);
        }
    }
    return reserve_scan(t, active_readers_mask, out_handle);
}

slotkit_status slot_table_reserve(slot_table_view *t, slotkit_reader_mask active_readers_mask,
                                  slotkit_handle *out_handle)
{
    if (!out_handle) return SLOTKIT_INVALID_ARGUMENT;
    /* The common case: the cursor's slot is takeable, in a private table. */
    const uint32_t index = atomic_load_explicit(&t->shared->reserve_cursor, memory_order_relaxed);
    if (!t->process_shared && index < t->slot_count) {
        struct slot_control *c = control_of(t, index);
        uint64_t s = atomic_load_explicit(&c->state, memory_order_relaxed);
        if (st_takeable(s)) {
            /* The commit writes the payload next: its first line comes
             * while the CAS below takes the control line. */
            prefetch_write(payload_of(t, index));
            /* Acquire: see take_slot. */
            const uint64_t loan =
                ((s & ST_TAG_BITS) + ST_TAG_ONE) | (uint64_t)PHASE_LOANED << ST_PHASE_SHIFT | active_readers_mask;
            if (atomic_compare_exchange_strong_explicit(&c->state, &s, loan, memory_order_acquire,
                                                        memory_order_relaxed)) {
                atomic_store_explicit(holder_of(t, c), record_of(loan, PHASE_LOANED, 1u), memory_order_relaxed);
                return hand_out(t, t->shared, index, out_handle); /* a load, not a register to save */
            }
        }
    }
    return reserve_shared_or_scan(t, active_readers_mask, out_handle);
}

/* ---- commit ---------------------------------------------------------- */

/* A live loan: LOANED and not still being drained by its reserve. */
static inline bool st_live_loan(uint64_t s)
{
    return (s & (ST_PHASE_BITS | ST_PINS_BITS)) == (uint64_t)PHASE_LOANED << ST_PHASE_SHIFT; /* one test */
}

/* The holder identity of a view's records: the process (shared tables), or
 * a constant (private ones, whose threads all die with the process). */
static inline uint64_t record_self(bool process_shared)
{
    return process_shared ? proc_identity_pack48(proc_identity_self()) : 1u;
}

/* What claiming a loan on its holder record found. */
enum claim_result {
    CLAIM_OK,    /* the record moved (tag, LOANED) -> (tag, CLAIMED, us): the loan is ours to end */
    CLAIM_LOST,  /* another commit, discard or reclaim of this loan claimed it first */
    CLAIM_STALE, /* the record is for another loan: the state we read has moved on */
};

/*
 * Claims the loan of tag `tag` for a commit, a discard or a reclaim: of any
 * number of racing calls that end one loan, exactly one moves its record from
 * (tag, LOANED) to (tag, CLAIMED), and only that one may touch the payload or
 * end the loan (R-COMMIT-2, R-DISCARD-2). On the holder line, which only
 * writers touch, so a commit writes the control line that readers poll once
 * (the publish), not twice. Acquire: the reserver's stores come first.
 */
static inline enum claim_result claim_holder(bool process_shared, _Atomic uint64_t *holder, uint64_t state)
{
    const uint64_t loaned = record_of(state, PHASE_LOANED, 0), claimed = record_of(state, PHASE_CLAIMED, 0);
    const uint64_t mine = claimed | record_self(process_shared);
    /* A private table's record is known, (tag, LOANED, 1) (loaned): try it. */
    uint64_t r = loaned | 1u;
    if (process_shared)
        r = atomic_load_explicit(holder, memory_order_acquire);
    else if (atomic_compare_exchange_strong_explicit(holder, &r, mine, memory_order_acq_rel, memory_order_acquire))
        return CLAIM_OK;
    for (;;) {
        if ((r & ~PROC_IDENTITY48_MASK) == claimed) return CLAIM_LOST;
        if ((r & ~PROC_IDENTITY48_MASK) != loaned) return CLAIM_STALE;
        if (atomic_compare_exchange_strong_explicit(holder, &r, mine, memory_order_acq_rel, memory_order_acquire))
            return CLAIM_OK;
    }
}

/* The commit could not take the publish lock: give the loan back to the
 * caller as it was (the state never left LOANED), so it can commit again or
 * discard it. The record names us as the loan's holder from now on. */
static void unclaim(const slot_table_view *t, struct slot_control *c, uint64_t tag)
{
    const uint64_t me = record_self(t->process_shared);
    uint64_t claimed = make_record(key_of(tag, PHASE_CLAIMED), me);
    atomic_compare_exchange_strong_explicit(holder_of(t, c), &claimed, make_record(key_of(tag, PHASE_LOANED), me),
                                            memory_order_release, memory_order_relaxed);
}

/* Step (1) in a shared table: what a successor needs to finish or undo the
 * publication if we die holding the lock (repair_publication). */
static void describe_publication(slot_table *shared, uint32_t index, uint64_t committing, uint32_t sn)
{
    atomic_store_explicit(&shared->publish_sn, sn, memory_order_relaxed);
    atomic_store_explicit(&shared->publish_tag, (uint32_t)st_tag(committing), memory_order_relaxed);
    atomic_store_explicit(&shared->publish_slot, index, memory_order_release);
}

/* Steps (1)-(4) of a commit, under the publish lock (see "the publish lock
 * and recovery"): takes the SN and publishes slot `index`, the loan claimed
 * in state `committing`. false when the slot is not that loan any more (only
 * a corrupt table does that), and then no SN is consumed. shared and
 * process_shared are the view's (process_shared a constant where inlined). */
static inline bool publish(slot_table *shared, bool process_shared, struct slot_control *c, uint32_t index,
                           uint64_t committing, uint32_t *out_sn)
{
    /* Step (1): the SN goes into the slot (and, shared, the publication is
     * described) before it is handed out. */
    const uint32_t sn = atomic_load_explicit(&shared->next_sequence, memory_order_relaxed);
    atomic_store_explicit(&c->sequence, sn, memory_order_release);
    if (process_shared) describe_publication(shared, index, committing, sn);
    /* Step (2): hand the SN out. */
    atomic_store_explicit(&shared->next_sequence, sn + 1u, memory_order_release);

    /* Step (3): LOANED -> COMMITTED, keeping the mask bits a concurrent
     * disconnect left (R-DISC-2): the wait set is whatever the mask is at
     * this CAS. Release: payload and header are visible to whoever acquires
     * the state. Only disconnects change a claimed loan's word (mask bits);
     * anything else is a corrupt table. */
    bool published = false;
    uint64_t expected = committing;
    do {
        atomic_store_explicit(&c->wait_set, st_mask(expected), memory_order_relaxed);
        published = atomic_compare_exchange_strong_explicit(&c->state, &expected, expected + ST_PUBLISH_STEP,
                                                            memory_order_release, memory_order_relaxed);
    } while (!published && (expected & ~ST_MASK_BITS) == (committing & ~ST_MASK_BITS));
    if (!published) atomic_store_explicit(&shared->next_sequence, sn, memory_order_relaxed); /* R-SEQ-2 */

    /* Step (4). */
    if (process_shared) atomic_store_explicit(&shared->publish_slot, NO_SLOT, memory_order_release);
    *out_sn = sn;
    return published;
}

/* After a claim that failed: the state again, into *s. true when another
 * try is worth it (the state moved on since *s); false when a racing end of
 * the loan won, or the record stays foreign to an unchanged state (forged). */
static inline bool claim_again(struct slot_control *c, enum claim_result claimed, uint64_t *s)
{
    const uint64_t seen = *s;
    *s = atomic_load_explicit(&c->state, memory_order_acquire);
    return claimed != CLAIM_LOST && *s != seen;
}

/* Claims the live loan in c to end it (claim_holder), *committing then its
 * state: of two racing commits (or a commit and a discard) of one handle
 * only one wins, and the loser has consumed nothing. The claim's acquire
 * keeps the payload writes after it. A record for another loan means our
 * state was stale: look again, once per change (a record that never matches
 * an unchanged state is forged). */
static inline slotkit_status claim_loan(const slot_table_view *t, bool process_shared, struct slot_control *c,
                                        size_t len, uint64_t *committing)
{
    uint64_t s = atomic_load_explicit(&c->state, memory_order_acquire);
    for (;;) {
        if (!st_live_loan(s)) return SLOTKIT_OUT_OF_BOUNDS;     /* R-COMMIT-2, R-INPLACE-4 */
        if (len > t->capacity) return SLOTKIT_SAMPLE_TOO_LARGE; /* R-COMMIT-3: the loan stays live */
        const enum claim_result claimed = claim_holder(process_shared, holder_of(t, c), s);
        if (claimed == CLAIM_OK) {
            *committing = s; /* still LOANED: the publish moves it on */
            return SLOTKIT_OK;
        }
        if (!claim_again(c, claimed, &s)) return SLOTKIT_OUT_OF_BOUNDS; /* a racing end of this loan won */
    }
}

/* The end of a commit, the publish lock held: publish (the SN goes to
 * *out_sequence), unlock, count the event. */
static inline slotkit_status publish_and_unlock(const slot_table_view *t, slot_table *shared, bool process_shared,
                                                struct slot_control *c, uint32_t index, uint64_t committing,
                                                uint32_t *out_sequence)
{
    uint32_t sn = 0;
    const bool published = publish(shared, process_shared, c, index, committing, &sn);
    publish_unlock(shared);
    if (!published) return SLOTKIT_OUT_OF_BOUNDS;
    *out_sequence = sn; /* before the event: sn need not outlive a wake */
    writer_event(t, shared);
    return SLOTKIT_OK;
}

/* A commit found the publish lock taken: the rest of it out of line, so
 * that the common case keeps no registers across a call for it (not even
 * the slot's index: c tells it). */
__attribute__((noinline)) static slotkit_status commit_contended(slot_table_view *t, struct slot_control *c,
                                                                 uint64_t committing, uint32_t *out_sequence)
{
    const uint32_t index = (uint32_t)(((char *)c - (char *)t->controls) / CONTROL_STRIDE);
    const slotkit_status st = publish_lock_contended(t, self_identity(t));
    if (st != SLOTKIT_OK) {
        unclaim(t, c, st_tag(committing));
        return st;
    }
    return publish_and_unlock(t, t->shared, t->process_shared, c, index, committing, out_sequence);
}

/* See "the publish lock and recovery" for why SNs are taken under a lock.
 * Inlined twice: process_shared a constant, so a private table's commit
 * carries none of the shared tables' bookkeeping (commit_shared). */
static inline __attribute__((always_inline)) slotkit_status commit_common(slot_table_view *t, slotkit_handle h,
                                                                          const void *bytes, size_t len, bool copy,
                                                                          uint32_t *out_sequence, bool process_shared)
{
    if (!out_sequence || (copy && !bytes && len != 0)) return SLOTKIT_INVALID_ARGUMENT;
    slotkit_status st = check_handle(t, h);
    if (st != SLOTKIT_OK) return st;
    struct slot_control *c = control_of(t, h.slot_index);
    uint64_t committing = 0;
    st = claim_loan(t, process_shared, c, len, &committing);
    if (st != SLOTKIT_OK) return st;

    /* Release on the header stores: a reader that validates a sample by
     * (state, field, state) and reads a value stored here also sees the
     * reserve that took the slot (tag + 1), so its second state load shows
     * the slot changed. No
     * reader looks at the size before the publishing CAS, so it may precede
     * the copy (and len need not outlive the memcpy call). */
    atomic_store_explicit(&c->size, (uint32_t)len, memory_order_release);
    if (copy && len != 0) memcpy(payload_of(t, h.slot_index), bytes, len);

    slot_table *shared = t->shared; /* once: every atomic below would reload it */
    if (!publish_lock_free(shared, process_shared ? proc_identity_self() : 1u))
        return commit_contended(t, c, committing, out_sequence);
    return publish_and_unlock(t, shared, process_shared, c, h.slot_index, committing, out_sequence);
}

/* The commits of a process_shared table, out of line (see commit_common). */
__attribute__((noinline)) static slotkit_status commit_shared(slot_table_view *t, slotkit_handle h, const void *bytes,
                                                              size_t len, uint32_t *out_sequence)
{
    return commit_common(t, h, bytes, len, true, out_sequence, true);
}

__attribute__((noinline)) static slotkit_status commit_in_place_shared(slot_table_view *t, slotkit_handle h, size_t len,
                                                                       uint32_t *out_sequence)
{
    return commit_common(t, h, NULL, len, false, out_sequence, true);
}

slotkit_status slot_table_commit(slot_table_view *t, slotkit_handle h, const void *bytes, size_t len,
                                 uint32_t *out_sequence)
{
    if (t->process_shared) return commit_shared(t, h, bytes, len, out_sequence);
    return commit_common(t, h, bytes, len, true, out_sequence, false);
}

slotkit_status slot_table_commit_in_place(slot_table_view *t, slotkit_handle h, size_t len, uint32_t *out_sequence)
{
    if (t->process_shared) return commit_in_place_shared(t, h, len, out_sequence);
    return commit_common(t, h, NULL, len, false, out_sequence, false);
}

slotkit_status slot_table_data_ptr(slot_table_view *t, slotkit_handle h, void **out_ptr, size_t *out_capacity)
{
    if (!out_ptr || !out_capacity) return SLOTKIT_INVALID_ARGUMENT;
    slotkit_status st = check_handle(t, h);
    if (st != SLOTKIT_OK) return st;
    uint64_t s = atomic_load_explicit(&control_of(t, h.slot_index)->state, memory_order_acquire);
    if (!st_live_loan(s)) return SLOTKIT_OUT_OF_BOUNDS; /* R-INPLACE-2 */
    *out_ptr = payload_of(t, h.slot_index);
    *out_capacity = t->capacity;
    return SLOTKIT_OK;
}

/* Discard's claim of the live loan in c, state *s (see claim_loan): false
 * when a racing commit, discard or reclaim ends it, or the record is for
 * another loan while the state stays the same (forged). */
static bool discard_claim(const slot_table_view *t, struct slot_control *c, uint64_t *s)
{
    for (;;) {
        const enum claim_result claimed = claim_holder(t->process_shared, holder_of(t, c), *s);
        if (claimed == CLAIM_OK) return true;
        if (!claim_again(c, claimed, s) || !st_live_loan(*s)) return false;
    }
}

slotkit_status slot_table_discard(slot_table_view *t, slotkit_handle h)
{
    slotkit_status st = check_handle(t, h);
    if (st != SLOTKIT_OK) return st;
    struct slot_control *c = control_of(t, h.slot_index);
    uint64_t s = atomic_load_explicit(&c->state, memory_order_acquire);
    bool claimed = false;
    for (;;) {
        if (!st_live_loan(s)) return SLOTKIT_OUT_OF_BOUNDS; /* R-DISCARD-2 */
        if (!claimed && !(claimed = discard_claim(t, c, &s))) return SLOTKIT_OUT_OF_BOUNDS;
        /* Release: in-place writes to the abandoned loan happen before the
         * next reserve (acquire) hands the payload to someone else. */
        if (atomic_compare_exchange_weak_explicit(&c->state, &s, st_make(PHASE_FREE, 0, 0, st_tag(s)),
                                                  memory_order_release, memory_order_relaxed))
            break;
    }
    writer_event(t, t->shared);
    return SLOTKIT_OK;
}

/* ---- read ------------------------------------------------------------ */

/* A sample's size word exceeds the slot capacity: only a corrupt or hostile
 * peer writes that (commit bounds it), and it must never become a length. */
static slotkit_status size_word_corrupt(const slot_table_view *t, uint32_t index, uint32_t size)
{
    return backend_op_error(SLOTKIT_LOCK_POISONED,
                            "slot table: slot %u's size word says %u bytes, its capacity is %u "
                            "(corrupt shared memory)",
                            index, size, t->capacity);
}

/* Every pin of slot `index` is taken (state *s): 65535 live copies end
 * within one memcpy each, so wait for one at most PEER_WAIT_LIMIT_NS (a count
 * that stays full is forged). OK with *s showing a free pin or another
 * phase; LOCK_POISONED otherwise. */
__attribute__((noinline, cold)) static slotkit_status wait_for_free_pin(struct slot_control *c, uint32_t index,
                                                                        uint64_t *s)
{
    unsigned spins = 0;
    struct lazy_deadline deadline = {.set = false};
    while (st_phase(*s) == PHASE_COMMITTED && st_pins(*s) == ST_PINS_MAX) {
        if (!lazy_deadline_ok(&deadline, PEER_WAIT_LIMIT_NS))
            return backend_op_error(SLOTKIT_LOCK_POISONED,
                                    "slot table: slot %u's read pin count stayed at its maximum "
                                    "(%llu) for over %llu ms (corrupt, or stuck readers)",
                                    index, ST_PINS_MAX, PEER_WAIT_LIMIT_NS / 1000000u);
        backoff(&spins);
        *s = atomic_load_explicit(&c->state, memory_order_relaxed);
    }
    return SLOTKIT_OK;
}

/* Pins the sample in slot `index`, its state then in *pinned: while pins > 0
 * no reserve completes on the slot, so the header and payload cannot change
 * under the copy (R-THREAD-3). Acquire pairs with the publishing CAS. */
static inline slotkit_status pin_sample(struct slot_control *c, uint32_t index, uint64_t *pinned)
{
    uint64_t s = atomic_load_explicit(&c->state, memory_order_relaxed);
    for (;;) {
        if (__builtin_expect(st_pins(s) == ST_PINS_MAX, 0)) {
            uint64_t waited = s; /* its address goes to the cold path only */
            slotkit_status st = wait_for_free_pin(c, index, &waited);
            if (st != SLOTKIT_OK) return st;
            s = waited;
        }
        if (st_phase(s) != PHASE_COMMITTED) return SLOTKIT_OUT_OF_BOUNDS; /* R-READ-3 */
        if (atomic_compare_exchange_strong_explicit(&c->state, &s, s + ST_PIN_ONE, memory_order_acquire,
                                                    memory_order_relaxed)) {
            *pinned = s + ST_PIN_ONE;
            return SLOTKIT_OK;
        }
    }
}

/* Shared memory: a reserve may have dropped the pins after waiting
 * PIN_WAIT_LIMIT_NS (it cannot tell a slow reader from a dead one), and
 * then the copy may be torn. Our pin (taken in state `pinned`) still counts
 * while the slot holds our sample (same tag) or is the reserve draining it
 * (LOANED, tag + 1) with pins left; otherwise report the sample gone
 * (R-THREAD-3). Returns st, the read's status, when the pin counted. */
static inline slotkit_status unpin_shared(struct slot_control *c, uint64_t pinned, slotkit_status st)
{
    const uint64_t our_tag = st_tag(pinned);
    uint64_t cur = atomic_load_explicit(&c->state, memory_order_relaxed);
    for (;;) {
        const bool pin_counted =
            st_pins(cur) != 0 &&
            (st_tag(cur) == our_tag || (st_phase(cur) == PHASE_LOANED && st_tag(cur) == ((our_tag + 1u) & ST_TAG_MAX)));
        if (!pin_counted) return SLOTKIT_OUT_OF_BOUNDS;
        if (atomic_compare_exchange_weak_explicit(&c->state, &cur, cur - ST_PIN_ONE, memory_order_release,
                                                  memory_order_relaxed))
            return st;
    }
}

/* pin_sample's common case, one CAS and no call: false when the slot is not
 * plainly pinnable (all pins taken, not COMMITTED) or the CAS lost a race. */
static inline bool pin_first_try(struct slot_control *c, uint64_t *pinned)
{
    uint64_t s = atomic_load_explicit(&c->state, memory_order_relaxed);
    if (st_pins(s) == ST_PINS_MAX || st_phase(s) != PHASE_COMMITTED) return false;
    /* Acquire: as in pin_sample. */
    if (!atomic_compare_exchange_strong_explicit(&c->state, &s, s + ST_PIN_ONE, memory_order_acquire,
                                                 memory_order_relaxed))
        return false;
    *pinned = s + ST_PIN_ONE;
    return true;
}

static slotkit_status read_slow(slot_table_view *t, slotkit_handle h, slotkit_slot_header *out_header, void *buf,
                                size_t buf_len);

/* Inlined with constant flags. process_shared: the view's. pin_once: one
 * pin_first_try, and when that fails the whole read again as read_slow
 * (pin_sample and its waits), so that the fast path keeps nothing but the
 * control line's address across the memcpy call. */
static inline __attribute__((always_inline)) slotkit_status read_common(slot_table_view *t, slotkit_handle h,
                                                                        slotkit_slot_header *out_header, void *buf,
                                                                        size_t buf_len, bool process_shared,
                                                                        bool pin_once)
{
    if (!out_header || (!buf && buf_len != 0)) return SLOTKIT_INVALID_ARGUMENT;
    slotkit_status st = check_handle(t, h);
    if (st != SLOTKIT_OK) return st;
    struct slot_control *c = control_of(t, h.slot_index);
    uint64_t s = 0;
    if (pin_once) {
        if (!pin_first_try(c, &s)) return read_slow(t, h, out_header, buf, buf_len);
    } else {
        st = pin_sample(c, h.slot_index, &s);
        if (st != SLOTKIT_OK) return st;
    }

    uint32_t size = atomic_load_explicit(&c->size, memory_order_relaxed);
    out_header->sequence_number = atomic_load_explicit(&c->sequence, memory_order_relaxed);
    out_header->sample_size = size;
    /* Done = in the wait set and no longer pending (R-READ-2). */
    out_header->reader_mask = atomic_load_explicit(&c->wait_set, memory_order_relaxed) & ~st_mask(s);
    out_header->reserved = 0;

    if (__builtin_expect(size > t->capacity, 0)) {
        out_header->sample_size = 0; /* never hand out a length past the slot */
        st = size_word_corrupt(t, h.slot_index, size);
    } else if (buf_len < size) {
        st = SLOTKIT_INVALID_ARGUMENT; /* R-READ-4: header filled, nothing copied */
    } else if (size != 0) {
        /* Races the next owner's writes only if a reserve dropped our pin
         * (PIN_WAIT_LIMIT_NS); the unpin below then discards the copy. */
        memcpy(buf, payload_of(t, h.slot_index), size);
    }

    if (process_shared) return unpin_shared(c, s, st);
    /* Unpin with a plain fetch_sub: the field is > 0, so no borrow, and it
     * is valid in any phase. Release: the copy happens before a reserve
     * that waits for the pins to drain. */
    atomic_fetch_sub_explicit(&c->state, ST_PIN_ONE, memory_order_release);
    return st;
}

/* The read of a process_shared table, and a private table's read whose
 * first pin attempt failed: out of line (see read_common). */
__attribute__((noinline)) static slotkit_status read_slow(slot_table_view *t, slotkit_handle h,
                                                          slotkit_slot_header *out_header, void *buf, size_t buf_len)
{
    if (t->process_shared) return read_common(t, h, out_header, buf, buf_len, true, false);
    return read_common(t, h, out_header, buf, buf_len, false, false);
}

slotkit_status slot_table_read(slot_table_view *t, slotkit_handle h, slotkit_slot_header *out_header, void *buf,
                               size_t buf_len)
{
    if (t->process_shared) return read_slow(t, h, out_header, buf, buf_len);
    return read_common(t, h, out_header, buf, buf_len, false, true);
}

slotkit_status slot_table_read_ptr(slot_table_view *t, slotkit_handle h, const void **out_ptr, size_t *out_len)
{
    if (!out_ptr || !out_len) return SLOTKIT_INVALID_ARGUMENT;
    slotkit_status st = check_handle(t, h);
    if (st != SLOTKIT_OK) return st;
    struct slot_control *c = control_of(t, h.slot_index);

    /* No pin (the pointer outlives the call; the contract makes it valid
     * until recycling). Validate that the size read belongs to the sample
     * the state showed. */
    for (;;) {
        uint64_t before = atomic_load_explicit(&c->state, memory_order_acquire);
        if (st_phase(before) != PHASE_COMMITTED) return SLOTKIT_OUT_OF_BOUNDS; /* R-INPLACE-5 */
        uint32_t size = atomic_load_explicit(&c->size, memory_order_acquire);
        uint64_t after = atomic_load_explicit(&c->state, memory_order_relaxed);
        if (st_same_sample(before, after)) {
            if (size > t->capacity) return size_word_corrupt(t, h.slot_index, size);
            *out_ptr = payload_of(t, h.slot_index);
            *out_len = size;
            return SLOTKIT_OK;
        }
    }
}

slotkit_status slot_table_peek_header(const slot_table_view *t, slotkit_handle h, slotkit_slot_header *out_header)
{
    if (!out_header) return SLOTKIT_INVALID_ARGUMENT;
    slotkit_status st = check_handle(t, h);
    if (st != SLOTKIT_OK) return st;
    struct slot_control *c = control_of(t, h.slot_index);
    /* As read_ptr: the words read belong to the sample the state showed if
     * the state still shows it afterwards (the fence keeps them before). */
    for (;;) {
        uint64_t before = atomic_load_explicit(&c->state, memory_order_acquire);
        if (st_phase(before) != PHASE_COMMITTED) return SLOTKIT_OUT_OF_BOUNDS; /* R-READ-3 */
        uint32_t size = atomic_load_explicit(&c->size, memory_order_relaxed);
        uint32_t sequence = atomic_load_explicit(&c->sequence, memory_order_relaxed);
        uint32_t wait_set = atomic_load_explicit(&c->wait_set, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        uint64_t after = atomic_load_explicit(&c->state, memory_order_relaxed);
        if (!st_same_sample(before, after)) continue;
        if (size > t->capacity) return size_word_corrupt(t, h.slot_index, size);
        *out_header = (slotkit_slot_header){
            .sequence_number = sequence, .sample_size = size, .reader_mask = wait_set & ~st_mask(after)};
        return SLOTKIT_OK;
    }
}

/* ---- mark, disconnect, next unread ---------------------------------- */

slotkit_status slot_table_mark_read(slot_table_view *t, slotkit_handle h, uint32_t reader_index)
{
    if (reader_index >= SLOTKIT_MAX_READERS) return SLOTKIT_OUT_OF_BOUNDS; /* R-MARK-1 */
    slotkit_status st = check_handle(t, h);
    if (st != SLOTKIT_OK) return st;
    struct slot_control *c = control_of(t, h.slot_index);
    const uint64_t bit = 1ull << reader_index;
    slot_table *shared = t->shared; /* once: the CAS would make the event reload it */

    uint64_t s = atomic_load_explicit(&c->state, memory_order_relaxed);
    for (;;) {
        /* Only a committed sample can be marked: a mark arriving after the
         * slot was re-reserved must not touch the next sample (R-RECYCLE-6). */
        if (st_phase(s) != PHASE_COMMITTED) return SLOTKIT_OUT_OF_BOUNDS; /* R-MARK-2 */
        if ((s & bit) == 0) return SLOTKIT_OK; /* R-MARK-3: not waited for, or marked already */
        /* Release: this reader's reads of the payload (slot_read_ptr) happen
         * before the reserve that recycles the slot. */
        if (atomic_compare_exchange_weak_explicit(&c->state, &s, s & ~bit, memory_order_release, memory_order_relaxed))
            break;
    }
    reader_event(t, shared);
    return SLOTKIT_OK;
}

slotkit_status slot_table_disconnect(slot_table_view *t, uint32_t reader_index)
{
    if (reader_index >= SLOTKIT_MAX_READERS) return SLOTKIT_OUT_OF_BOUNDS; /* R-MARK-1 */
    const uint64_t bit = 1ull << reader_index;
    for (uint32_t i = 0; i < t->slot_count; i++) {
        struct slot_control *c = control_of(t, i);
        /* Every phase: COMMITTED stops waiting (R-DISC-1); LOANED drops r
         * from the wait set being built (R-DISC-2). A FREE
         * slot's mask is 0. fetch_and is unconditional, so no CAS loop is
         * needed; the load first avoids dirtying lines that lack the bit.
         * Release: like mark_read, it may make the slot recyclable. */
        if (atomic_load_explicit(&c->state, memory_order_relaxed) & bit)
            atomic_fetch_and_explicit(&c->state, ~bit, memory_order_release);
    }
    reader_event(t, t->shared);
    return SLOTKIT_OK;
}

/* RFC 1982 serial comparison: a is before b. */
static inline bool serial_before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

/* The oldest sample pending for one reader, among the slots scanned. */
struct pending_pick {
    bool found;
    uint32_t sn;
    uint32_t index;
    uint32_t visit; /* how many slots the scan had looked at before this one */
    bool coming;    /* a slot waiting for the reader is still LOANED */
};

/* Looks at `count` slots from index 0 for samples pending for `bit` (and
 * before `bound`, when bounded) and keeps the oldest in *best. Each slot's
 * sequence is validated seqlock style: the state before and after it
 * describe the same sample. */
static void scan_pending(const slot_table_view *t, uint64_t bit, uint32_t count, bool bounded, uint32_t bound,
                         struct pending_pick *best)
{
    for (uint32_t i = 0; i < count; i++) {
        struct slot_control *c = control_of(t, i);
        for (;;) {
            uint64_t before = atomic_load_explicit(&c->state, memory_order_acquire);
            if ((before & bit) == 0) break;
            if (st_phase(before) != PHASE_COMMITTED) {
                best->coming = true; /* LOANED: being written for us */
                break;
            }
            uint32_t sn = atomic_load_explicit(&c->sequence, memory_order_acquire);
            uint64_t after = atomic_load_explicit(&c->state, memory_order_relaxed);
            if (!st_same_sample(before, after)) continue; /* recycled meanwhile: look at the slot again */
            if ((after & bit) != 0 && (!bounded || serial_before(sn, bound)) &&
                (!best->found || serial_before(sn, best->sn)))
                *best = (struct pending_pick){.found = true, .sn = sn, .index = i, .visit = i};
            break;
        }
    }
}

/*
 * R-NEXT-2 without reading the writers' line: SNs are handed out and
 * published under the publish lock, so a sample with SN a < b was COMMITTED
 * before the one with b. When the first scan picks b, every older sample is
 * therefore COMMITTED by the time the scan saw b; it can have been missed
 * only in a slot looked at earlier, when it was not published yet. Scanning
 * those slots again, for SNs before b, finds it.
 */
slotkit_status slot_table_next_unread(slot_table_view *t, uint32_t reader_index, bool *out_found,
                                      slotkit_handle *out_handle)
{
    if (!out_found || !out_handle) return SLOTKIT_INVALID_ARGUMENT;
    if (reader_index >= SLOTKIT_MAX_READERS) return SLOTKIT_OUT_OF_BOUNDS; /* R-MARK-1 */
    const uint64_t bit = 1ull << reader_index;

    struct pending_pick pick = {.found = false};
    scan_pending(t, bit, t->slot_count, false, 0, &pick);
    if (pick.found && pick.visit != 0) {
        struct pending_pick older = {.found = false};
        scan_pending(t, bit, pick.visit, true, pick.sn, &older);
        if (older.found) pick = older;
    }

    /* A sample for us is being written: every poll of its control line
     * costs the writer a transfer on its next store to it, so let it finish
     * before the caller polls again. */
    if (!pick.found && pick.coming) cpu_relax();
    *out_found = pick.found;
    if (pick.found) {
        /* The caller reads it next: start the payload's first line and the
         * control line (the pin writes it) now, in parallel. */
        prefetch_read(payload_of(t, pick.index));
        prefetch_write(control_of(t, pick.index));
        out_handle->segment_id = t->segment_id;
        out_handle->slot_index = pick.index;
    }
    return SLOTKIT_OK;
}

/* ---- notify ---------------------------------------------------------- */

uint64_t slot_table_generation(const slot_table_view *t) { return generation_of(t->shared); }

void slot_table_wait_for_change(slot_table_view *t, uint64_t last, uint64_t timeout_ns)
{
    /* R-NOTIFY-2; also covers a last that no 32-bit generation can equal. */
    if (slot_table_generation(t) != last || timeout_ns == 0) return;

    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    add_ns(&deadline, timeout_ns);
    /* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, so a
     * retry after EINTR or a spurious wakeup does not stretch the timeout. */
    const int op = FUTEX_WAIT_BITSET | (t->process_shared ? 0 : FUTEX_PRIVATE_FLAG);
    const int saved_errno = errno;

    slot_table *shared = t->shared;
    atomic_fetch_add_explicit(&shared->waiters, 1u, memory_order_seq_cst); /* see count_event */
    for (;;) {
        /* The word before the counts: see count_event. */
        const uint32_t word = atomic_load_explicit(&shared->wake_word, memory_order_seq_cst);
        if (generation_of(shared) != (uint32_t)last) break;
        if (!before_deadline(&deadline)) break; /* R-NOTIFY-3: not before the timeout */
        if (futex_call(&shared->wake_word, op, word, &deadline) != 0 && errno != EAGAIN && errno != EINTR &&
            errno != ETIMEDOUT) {
            /* No usable futex (should not happen on Linux): poll gently
             * rather than spin until the deadline. */
            struct timespec nap = {0, 100000};
            nanosleep(&nap, NULL);
        }
    }
    atomic_fetch_sub_explicit(&shared->waiters, 1u, memory_order_relaxed);
    errno = saved_errno;
}
