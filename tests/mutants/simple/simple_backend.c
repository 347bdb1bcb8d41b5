/*
 * simple: a deliberately plain slot backend, written from docs/SPEC.md alone,
 * as an independent second implementation for the suite's mutation check
 * (scripts/mutants.sh). Built against include/slotkit/backend.h only.
 *
 * One pthread mutex guards every mutable field of an instance, and one
 * condition variable (CLOCK_MONOTONIC) carries the notify generation. Every
 * operation is implemented, optional ones included; no CROSS_PROCESS.
 * Simple over fast: each line should be checkable against one rule.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "slotkit/backend.h"

#define SIMPLE_VERSION "0.1.0"
#define PAYLOAD_ALIGN 64u
/* Timeouts beyond this are "forever": keeps timespec arithmetic in range. */
#define MAX_WAIT_NS (100ull * 365 * 24 * 3600 * 1000000000ull)

enum slot_state { SLOT_FREE, SLOT_LOANED, SLOT_COMMITTED };

struct slot {
    enum slot_state state;
    slotkit_reader_mask wait_set; /* LOANED: reserve mask minus disconnects; COMMITTED: fixed */
    slotkit_reader_mask pending;  /* COMMITTED: wait-set readers not done yet */
    uint32_t sequence;            /* COMMITTED */
    uint32_t size;                /* COMMITTED */
    unsigned char *payload;       /* capacity bytes, 64-byte aligned */
};

struct slotkit_instance {
    /* Immutable after open. */
    uint64_t segment_id;
    size_t slot_count;
    size_t capacity;
    bool has_hash;
    uint8_t hash[16];
    struct slot *slots;
    unsigned char *payloads;
    /* Guarded by lock. */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    uint32_t next_sequence;
    uint64_t generation;
};

/* ---- helpers ----------------------------------------------------------- */

static slotkit_status fail(slotkit_error *err, slotkit_status st, const char *fmt, ...)
{
    if (!err) return st;
    memset(err, 0, sizeof *err);
    err->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return st;
}

/* R-HANDLE-3: pid in the high half, a per-process counter in the low half. */
static uint64_t new_segment_id(void)
{
    static _Atomic uint32_t counter;
    uint32_t n = atomic_fetch_add(&counter, 1u) + 1u;
    return ((uint64_t)(uint32_t)getpid() << 32) | n;
}

static size_t payload_stride(size_t capacity)
{
    return (capacity + PAYLOAD_ALIGN - 1u) & ~(size_t)(PAYLOAD_ALIGN - 1u);
}

/* R-HANDLE-1/2. The caller holds no lock: both fields are immutable. */
static struct slot *slot_of(slotkit_instance *inst, slotkit_handle h)
{
    if (h.segment_id != inst->segment_id) return NULL;
    if (h.slot_index >= inst->slot_count) return NULL;
    return &inst->slots[h.slot_index];
}

/* R-NOTIFY-1: every event that can give a reader data or a writer space. */
static void bump_generation(slotkit_instance *inst)
{
    inst->generation++;
    pthread_cond_broadcast(&inst->changed);
}

static bool reservable(const struct slot *s)
{
    return s->state == SLOT_FREE || (s->state == SLOT_COMMITTED && s->pending == 0);
}

/* RFC 1982: a comes before b (R-SEQ-4). */
static bool serial_before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

/* ---- open / close -------------------------------------------------------- */

static slotkit_status check_config(const slotkit_config *config, slotkit_error *err)
{
    if (config->role == SLOTKIT_ROLE_ATTACH)
        return fail(err, SLOTKIT_UNSUPPORTED, "simple: role ATTACH is unsupported (no CROSS_PROCESS)");
    if (config->role != SLOTKIT_ROLE_CREATE)
        return fail(err, SLOTKIT_INVALID_ARGUMENT, "simple: unknown role %d", (int)config->role);
    if (config->slot_count == 0) return fail(err, SLOTKIT_INVALID_ARGUMENT, "simple: slot_count must be at least 1");
    if (config->slot_count > UINT32_MAX || config->slot_capacity > UINT32_MAX)
        return fail(err, SLOTKIT_INVALID_ARGUMENT, "simple: slot_count or capacity exceeds 2^32-1");
    size_t stride = payload_stride(config->slot_capacity);
    if (stride != 0 && config->slot_count > SIZE_MAX / stride)
        return fail(err, SLOTKIT_INVALID_ARGUMENT, "simple: pool size overflows");
    return SLOTKIT_OK;
}

static slotkit_status init_sync(slotkit_instance *inst)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) return SLOTKIT_SYSTEM_ERROR;
    int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0) rc = pthread_cond_init(&inst->changed, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0) return SLOTKIT_SYSTEM_ERROR;
    if (pthread_mutex_init(&inst->lock, NULL) != 0) {
        pthread_cond_destroy(&inst->changed);
        return SLOTKIT_SYSTEM_ERROR;
    }
    return SLOTKIT_OK;
}

static void free_instance(slotkit_instance *inst)
{
    free(inst->payloads);
    free(inst->slots);
    free(inst);
}

static slotkit_status allocate(const slotkit_config *config, slotkit_instance **out)
{
    slotkit_instance *inst = calloc(1, sizeof *inst);
    if (!inst) return SLOTKIT_SYSTEM_ERROR;
    size_t stride = payload_stride(config->slot_capacity);
    inst->slots = calloc(config->slot_count, sizeof *inst->slots);
    void *payloads = NULL;
    size_t bytes = stride * config->slot_count;
    if (posix_memalign(&payloads, PAYLOAD_ALIGN, bytes ? bytes : PAYLOAD_ALIGN) != 0) payloads = NULL;
    inst->payloads = payloads;
    if (!inst->slots || !inst->payloads) {
        free_instance(inst);
        return SLOTKIT_SYSTEM_ERROR;
    }
    memset(inst->payloads, 0, bytes);
    for (size_t i = 0; i < config->slot_count; i++) inst->slots[i].payload = inst->payloads + i * stride;
    *out = inst;
    return SLOTKIT_OK;
}

static slotkit_status simple_open(const slotkit_config *config, slotkit_instance **out, slotkit_error *err)
{
    if (!config || !out) return fail(err, SLOTKIT_INVALID_ARGUMENT, "simple: config or out is NULL");
    slotkit_status st = check_config(config, err);
    if (st != SLOTKIT_OK) return st;
    slotkit_instance *inst = NULL;
    if (allocate(config, &inst) != SLOTKIT_OK)
        return fail(err, SLOTKIT_SYSTEM_ERROR, "simple: out of memory for %zu slots", config->slot_count);
    if (init_sync(inst) != SLOTKIT_OK) {
        free_instance(inst);
        return fail(err, SLOTKIT_SYSTEM_ERROR, "simple: cannot initialise the mutex or condvar");
    }
    inst->segment_id = new_segment_id();
    inst->slot_count = config->slot_count;
    inst->capacity = config->slot_capacity;
    inst->next_sequence = config->first_sequence_number;
    inst->has_hash = config->type_hash != NULL;
    if (inst->has_hash) memcpy(inst->hash, config->type_hash, sizeof inst->hash);
    *out = inst;
    return SLOTKIT_OK;
}

static void simple_close(slotkit_instance *inst)
{
    if (!inst) return;
    pthread_cond_destroy(&inst->changed);
    pthread_mutex_destroy(&inst->lock);
    free_instance(inst);
}

/* ---- reserve, commit, discard ------------------------------------------------ */

static slotkit_status simple_reserve(slotkit_instance *inst, slotkit_reader_mask mask, slotkit_handle *out_handle)
{
    if (!out_handle) return SLOTKIT_INVALID_ARGUMENT;
    slotkit_status st = SLOTKIT_NO_FREE_SLOT;
    pthread_mutex_lock(&inst->lock);
    for (size_t i = 0; i < inst->slot_count; i++) {
        struct slot *s = &inst->slots[i];
        if (!reservable(s)) continue;
        s->state = SLOT_LOANED;
        s->wait_set = mask;
        s->pending = 0;
        out_handle->segment_id = inst->segment_id;
        out_handle->slot_index = (uint32_t)i;
        st = SLOTKIT_OK;
        break;
    }
    pthread_mutex_unlock(&inst->lock);
    return st;
}

/* Publishes a live loan whose payload is already in place (R-COMMIT-1, R-SEQ-1). */
static uint32_t publish_locked(slotkit_instance *inst, struct slot *s, size_t len)
{
    s->state = SLOT_COMMITTED;
    s->size = (uint32_t)len;
    s->pending = s->wait_set;
    s->sequence = inst->next_sequence;
    inst->next_sequence++;
    bump_generation(inst);
    return s->sequence;
}

/* Shared by both commits: checks in the order the spec's statuses need. */
static slotkit_status commit_locked(slotkit_instance *inst, struct slot *s, const void *bytes, size_t len, bool copy,
                                    uint32_t *out_sequence)
{
    if (s->state != SLOT_LOANED) return SLOTKIT_OUT_OF_BOUNDS; /* R-COMMIT-2, R-INPLACE-4 */
    if (len > inst->capacity) return SLOTKIT_SAMPLE_TOO_LARGE; /* R-COMMIT-3: loan stays live, no SN */
    if (copy && len != 0) memcpy(s->payload, bytes, len);
    *out_sequence = publish_locked(inst, s, len);
    return SLOTKIT_OK;
}

static slotkit_status simple_commit(slotkit_instance *inst, slotkit_handle h, const void *bytes, size_t len,
                                    uint32_t *out_sequence)
{
    if (!out_sequence || (!bytes && len != 0)) return SLOTKIT_INVALID_ARGUMENT;
    struct slot *s = slot_of(inst, h);
    if (!s) return SLOTKIT_OUT_OF_BOUNDS;
    pthread_mutex_lock(&inst->lock);
    slotkit_status st = commit_locked(inst, s, bytes, len, true, out_sequence);
    pthread_mutex_unlock(&inst->lock);
    return st;
}

static slotkit_status simple_commit_in_place(slotkit_instance *inst, slotkit_handle h, size_t len,
                                             uint32_t *out_sequence)
{
    if (!out_sequence) return SLOTKIT_INVALID_ARGUMENT;
    struct slot *s = slot_of(inst, h);
    if (!s) return SLOTKIT_OUT_OF_BOUNDS;
    pthread_mutex_lock(&inst->lock);
    slotkit_status st = commit_locked(inst, s, NULL, len, false, out_sequence);
    pthread_mutex_unlock(&inst->lock);
    return st;
}

static slotkit_status simple_discard(slotkit_instance *inst, slotkit_handle h)
{
    struct slot *s = slot_of(inst, h);
    if (!s) return SLOTKIT_OUT_OF_BOUNDS;
    slotkit_status st = SLOTKIT_OUT_OF_BOUNDS; /* R-DISCARD-2 */
    pthread_mutex_lock(&inst->lock);
    if (s->state == SLOT_LOANED) {
        s->state = SLOT_FREE; /* R-DISCARD-1: no sample, no SN */
        bump_generation(inst);
        st = SLOTKIT_OK;
    }
    pthread_mutex_unlock(&inst->lock);
    return st;
}

/* ---- read ---------------------------------------------------------------- */

static void header_of(const struct slot *s, slotkit_slot_header *out)
{
    out->sequence_number = s->sequence;
    out->sample_size = s->size;
    out->reader_mask = s->wait_set & ~s->pending; /* R-READ-2: done readers */
    out->reserved = 0;
}

static slotkit_status read_locked(const struct slot *s, slotkit_slot_header *out_header, void *buf, size_t buf_len)
{
    if (s->state != SLOT_COMMITTED) return SLOTKIT_OUT_OF_BOUNDS; /* R-READ-3 */
    header_of(s, out_header);
    if (buf_len < s->size) return SLOTKIT_INVALID_ARGUMENT; /* R-READ-4: header filled, nothing copied */
    if (s->size != 0) memcpy(buf, s->payload, s->size);
    return SLOTKIT_OK;
}

static slotkit_status simple_read(slotkit_instance *inst, slotkit_handle h, slotkit_slot_header *out_header, void *buf,
                                  size_t buf_len)
{
    if (!out_header || (!buf && buf_len != 0)) return SLOTKIT_INVALID_ARGUMENT;
    struct slot *s = slot_of(inst, h);
    if (!s) return SLOTKIT_OUT_OF_BOUNDS;
    pthread_mutex_lock(&inst->lock);
    slotkit_status st = read_locked(s, out_header, buf, buf_len);
    pthread_mutex_unlock(&inst->lock);
    return st;
}

/* ---- mark, disconnect, next unread ------------------------------------------ */

static slotkit_status simple_mark_read(slotkit_instance *inst, slotkit_handle h, uint32_t reader)
{
    if (reader >= SLOTKIT_MAX_READERS) return SLOTKIT_OUT_OF_BOUNDS; /* R-MARK-1 */
    struct slot *s = slot_of(inst, h);
    if (!s) return SLOTKIT_OUT_OF_BOUNDS;
    const slotkit_reader_mask bit = 1u << reader;
    slotkit_status st = SLOTKIT_OK;
    pthread_mutex_lock(&inst->lock);
    if (s->state != SLOT_COMMITTED) {
        st = SLOTKIT_OUT_OF_BOUNDS; /* R-MARK-2, R-RECYCLE-6 */
    } else if (s->pending & bit) {
        s->pending &= ~bit;
        bump_generation(inst);
    } /* else R-MARK-3: outside the wait set or marked already, no change */
    pthread_mutex_unlock(&inst->lock);
    return st;
}

static slotkit_status simple_disconnect(slotkit_instance *inst, uint32_t reader)
{
    if (reader >= SLOTKIT_MAX_READERS) return SLOTKIT_OUT_OF_BOUNDS; /* R-MARK-1 */
    const slotkit_reader_mask bit = 1u << reader;
    pthread_mutex_lock(&inst->lock);
    for (size_t i = 0; i < inst->slot_count; i++) {
        struct slot *s = &inst->slots[i];
        if (s->state == SLOT_LOANED)
            s->wait_set &= ~bit; /* R-DISC-2 */
        else if (s->state == SLOT_COMMITTED)
            s->pending &= ~bit; /* R-DISC-1 */
    }
    bump_generation(inst);
    pthread_mutex_unlock(&inst->lock);
    return SLOTKIT_OK;
}

static slotkit_status simple_next_unread(slotkit_instance *inst, uint32_t reader, bool *out_found,
                                         slotkit_handle *out_handle)
{
    if (!out_found || !out_handle) return SLOTKIT_INVALID_ARGUMENT;
    if (reader >= SLOTKIT_MAX_READERS) return SLOTKIT_OUT_OF_BOUNDS; /* R-MARK-1 */
    const slotkit_reader_mask bit = 1u << reader;
    bool found = false;
    size_t best = 0;
    pthread_mutex_lock(&inst->lock);
    for (size_t i = 0; i < inst->slot_count; i++) {
        const struct slot *s = &inst->slots[i];
        if (s->state != SLOT_COMMITTED || (s->pending & bit) == 0) continue;            /* R-NEXT-3 */
        if (!found || serial_before(s->sequence, inst->slots[best].sequence)) best = i; /* R-NEXT-2: oldest first */
        found = true;
    }
    pthread_mutex_unlock(&inst->lock);
    *out_found = found;
    if (found) {
        out_handle->segment_id = inst->segment_id;
        out_handle->slot_index = (uint32_t)best;
    }
    return SLOTKIT_OK;
}

/* ---- in place ---------------------------------------------------------------- */

static slotkit_status simple_data_ptr(slotkit_instance *inst, slotkit_handle h, void **out_ptr, size_t *out_capacity)
{
    if (!out_ptr || !out_capacity) return SLOTKIT_INVALID_ARGUMENT;
    struct slot *s = slot_of(inst, h);
    if (!s) return SLOTKIT_OUT_OF_BOUNDS;
    pthread_mutex_lock(&inst->lock);
    bool live_loan = s->state == SLOT_LOANED;
    pthread_mutex_unlock(&inst->lock);
    if (!live_loan) return SLOTKIT_OUT_OF_BOUNDS; /* R-INPLACE-2 */
    *out_ptr = s->payload;
    *out_capacity = inst->capacity;
    return SLOTKIT_OK;
}

static slotkit_status simple_read_ptr(slotkit_instance *inst, slotkit_handle h, const void **out_ptr, size_t *out_len)
{
    if (!out_ptr || !out_len) return SLOTKIT_INVALID_ARGUMENT;
    struct slot *s = slot_of(inst, h);
    if (!s) return SLOTKIT_OUT_OF_BOUNDS;
    slotkit_status st = SLOTKIT_OUT_OF_BOUNDS; /* R-INPLACE-5 */
    pthread_mutex_lock(&inst->lock);
    if (s->state == SLOT_COMMITTED) {
        *out_ptr = s->payload;
        *out_len = s->size;
        st = SLOTKIT_OK;
    }
    pthread_mutex_unlock(&inst->lock);
    return st;
}

/* ---- geometry, hash, notify --------------------------------------------------- */

static slotkit_status simple_slot_count(slotkit_instance *inst, size_t *out_count)
{
    if (!out_count) return SLOTKIT_INVALID_ARGUMENT;
    *out_count = inst->slot_count;
    return SLOTKIT_OK;
}

static size_t simple_total_size(slotkit_instance *inst)
{
    return SLOTKIT_SLOT_TOTAL_SIZE(inst->capacity); /* R-GEOM-3 */
}

static size_t simple_capacity(slotkit_instance *inst) { return inst->capacity; }

static bool simple_type_hash(slotkit_instance *inst, uint8_t out_hash[16])
{
    if (!inst->has_hash || !out_hash) return false;
    memcpy(out_hash, inst->hash, sizeof inst->hash);
    return true;
}

static uint64_t simple_generation(slotkit_instance *inst)
{
    pthread_mutex_lock(&inst->lock);
    uint64_t gen = inst->generation;
    pthread_mutex_unlock(&inst->lock);
    return gen;
}

static struct timespec deadline_after(uint64_t timeout_ns)
{
    if (timeout_ns > MAX_WAIT_NS) timeout_ns = MAX_WAIT_NS;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(timeout_ns / 1000000000u);
    ts.tv_nsec += (long)(timeout_ns % 1000000000u);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* R-NOTIFY-2/3: returns at once on a stale generation, else at a change or
 * the deadline (absolute, so spurious wakeups do not stretch it). */
static void simple_wait_for_change(slotkit_instance *inst, uint64_t last, uint64_t timeout_ns)
{
    const struct timespec deadline = deadline_after(timeout_ns);
    pthread_mutex_lock(&inst->lock);
    while (inst->generation == last) {
        if (pthread_cond_timedwait(&inst->changed, &inst->lock, &deadline) == ETIMEDOUT) break;
    }
    pthread_mutex_unlock(&inst->lock);
}

/* ---- the descriptor -------------------------------------------------------------- */

static const slotkit_ops simple_ops = {
    .abi_version = SLOTKIT_ABI_VERSION,
    .reserve_slot = simple_reserve,
    .commit_slot = simple_commit,
    .discard_slot = simple_discard,
    .read_slot = simple_read,
    .mark_read = simple_mark_read,
    .mark_reader_disconnected = simple_disconnect,
    .slot_count = simple_slot_count,
    .slot_total_size = simple_total_size,
    .slot_capacity = simple_capacity,
    .slot_data_ptr = simple_data_ptr,
    .commit_in_place = simple_commit_in_place,
    .slot_read_ptr = simple_read_ptr,
    .next_unread_slot = simple_next_unread,
    .type_hash = simple_type_hash,
    .notify_generation = simple_generation,
    .wait_for_change = simple_wait_for_change,
};

static const slotkit_backend simple_backend = {
    .abi_version = SLOTKIT_ABI_VERSION,
    .name = "simple",
    .version = SIMPLE_VERSION,
    .capabilities = SLOTKIT_CAP_IN_PLACE | SLOTKIT_CAP_NOTIFY | SLOTKIT_CAP_TYPE_HASH | SLOTKIT_CAP_NEXT_UNREAD,
    .open = simple_open,
    .close = simple_close,
    .ops = &simple_ops,
};

SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void);
SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void) { return &simple_backend; }
