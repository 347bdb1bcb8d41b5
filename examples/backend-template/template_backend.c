/*
 * template: a minimal slotkit backend to copy when writing your own.
 *
 * It keeps a pool in ordinary process memory and implements the 9 required
 * operations of the contract and nothing else: capabilities are 0 and every
 * optional entry of slotkit_ops is NULL, so the library applies the
 * contract's defaults (no in-place loans, no next_unread, no type hash, no
 * notification).
 *
 * Design choices, all in favour of being easy to read and check:
 *   - ONE pthread mutex guards all mutable state. Simple over fast: every
 *     operation that touches slots takes it, so there is nothing to reason
 *     about between threads (R-THREAD-*). A real backend will want finer
 *     locking or lock-free slot states.
 *   - ONE allocation at open: the instance, its slot table and all payload
 *     bytes live in a single calloc'ed block, released by close.
 *   - Single process only: role ATTACH is refused with SLOTKIT_UNSUPPORTED.
 *
 * Build it against <slotkit/backend.h> alone (see the Makefile); check it with
 *   slotkit conform --backend ./build/libslotkit_template.so
 * Rule IDs (R-...) refer to the normative rule list of the slotkit spec.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slotkit/backend.h>

/* A slot is in exactly one of these states. A COMMITTED slot whose pending
 * set is empty is "recyclable": its sample stays readable, but reserve may
 * take the slot. */
enum slot_state { SLOT_FREE = 0, SLOT_LOANED, SLOT_COMMITTED };

struct slot {
    enum slot_state state;
    /* LOANED: the readers the coming sample will wait for (the reserve mask,
     * minus readers disconnected since). COMMITTED: the sample's wait set,
     * fixed at commit. */
    slotkit_reader_mask wait_set;
    /* COMMITTED: readers of the wait set that are not done yet. */
    slotkit_reader_mask pending;
    uint32_t sequence_number; /* COMMITTED only */
    uint32_t sample_size;     /* COMMITTED only */
    unsigned char *data;      /* slot_capacity bytes inside the instance's block */
};

struct slotkit_instance {
    /* Immutable after open: read without the lock. */
    uint64_t segment_id;
    size_t slot_count;
    size_t slot_capacity;

    /* Everything below is guarded by lock. */
    pthread_mutex_t lock;
    uint32_t next_sequence; /* unsigned arithmetic wraps mod 2^32 (R-SEQ-3) */
    struct slot slots[];    /* slot_count entries, then the payload bytes */
};

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* segment_ids come from a process-wide counter, so two pools of this process
 * never share one (R-HANDLE-3) and 0 is never issued. The high half tags
 * them as this backend's ("TMPL") so a handle of another backend is unlikely
 * to look like ours; the per-instance check below is what the rule needs. */
#define TEMPLATE_SEGMENT_TAG ((uint64_t)0x544D504Cu << 32)
static atomic_uint_fast32_t segment_counter;

static uint64_t new_segment_id(void)
{
    uint32_t n = (uint32_t)atomic_fetch_add(&segment_counter, 1) + 1u;
    return TEMPLATE_SEGMENT_TAG | n;
}

/* Fill the open() error detail with a status and one line of text. */
static slotkit_status open_fail(slotkit_error *err, slotkit_status status, int sys_errno, const char *fmt, ...)
{
    if (err != NULL) {
        memset(err, 0, sizeof *err);
        err->status = status;
        err->sys_errno = sys_errno;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

/* The slot a handle names, or NULL if the handle is not one of ours: another
 * instance's segment_id (R-HANDLE-1) or an index out of range (R-HANDLE-2).
 * Needs no lock: it reads only immutable fields. */
static struct slot *slot_of(slotkit_instance *inst, slotkit_handle h)
{
    if (h.segment_id != inst->segment_id || h.slot_index >= inst->slot_count) return NULL;
    return &inst->slots[h.slot_index];
}

/* Reserve may take a slot that is FREE, or COMMITTED with nobody pending. */
static int slot_is_reservable(const struct slot *s)
{
    return s->state == SLOT_FREE || (s->state == SLOT_COMMITTED && s->pending == 0);
}

static void lock(slotkit_instance *inst) { pthread_mutex_lock(&inst->lock); }
static void unlock(slotkit_instance *inst) { pthread_mutex_unlock(&inst->lock); }

/* ------------------------------------------------------------------------ */
/* The 9 required operations                                                */
/* ------------------------------------------------------------------------ */

static slotkit_status tmpl_reserve_slot(slotkit_instance *inst, slotkit_reader_mask active_readers_mask,
                                        slotkit_handle *out_handle)
{
    if (out_handle == NULL) return SLOTKIT_INVALID_ARGUMENT;
    slotkit_status status = SLOTKIT_NO_FREE_SLOT;
    lock(inst);
    for (size_t i = 0; i < inst->slot_count; i++) {
        struct slot *s = &inst->slots[i];
        if (!slot_is_reservable(s)) continue;
        /* Taking the slot drops its previous sample, if any (R-READ-3). */
        s->state = SLOT_LOANED;
        s->wait_set = active_readers_mask;
        s->pending = 0;
        s->sample_size = 0;
        out_handle->segment_id = inst->segment_id;
        out_handle->slot_index = (uint32_t)i;
        status = SLOTKIT_OK;
        break;
    }
    unlock(inst);
    return status; /* NO_FREE_SLOT changed nothing (R-RESERVE-3) */
}

static slotkit_status tmpl_commit_slot(slotkit_instance *inst, slotkit_handle handle, const void *bytes, size_t len,
                                       uint32_t *out_sequence)
{
    if (out_sequence == NULL || (bytes == NULL && len > 0)) return SLOTKIT_INVALID_ARGUMENT;
    struct slot *s = slot_of(inst, handle);
    if (s == NULL) return SLOTKIT_OUT_OF_BOUNDS;
    slotkit_status status;
    lock(inst);
    if (s->state != SLOT_LOANED) {
        status = SLOTKIT_OUT_OF_BOUNDS; /* not a live loan (R-COMMIT-2) */
    } else if (len > inst->slot_capacity) {
        status = SLOTKIT_SAMPLE_TOO_LARGE; /* the loan stays live (R-COMMIT-3) */
    } else {
        if (len > 0) memcpy(s->data, bytes, len);
        s->sample_size = (uint32_t)len; /* fits: capacity <= UINT32_MAX, checked at open */
        s->sequence_number = inst->next_sequence++;
        s->pending = s->wait_set; /* the wait set is fixed here (R-RECYCLE-6) */
        s->state = SLOT_COMMITTED;
        *out_sequence = s->sequence_number;
        status = SLOTKIT_OK;
    }
    unlock(inst);
    return status; /* only the success path above consumed a sequence number */
}

static slotkit_status tmpl_discard_slot(slotkit_instance *inst, slotkit_handle handle)
{
    struct slot *s = slot_of(inst, handle);
    if (s == NULL) return SLOTKIT_OUT_OF_BOUNDS;
    slotkit_status status = SLOTKIT_OUT_OF_BOUNDS; /* not a live loan (R-DISCARD-2) */
    lock(inst);
    if (s->state == SLOT_LOANED) {
        s->state = SLOT_FREE;
        s->wait_set = 0;
        status = SLOTKIT_OK;
    }
    unlock(inst);
    return status;
}

static slotkit_status tmpl_read_slot(slotkit_instance *inst, slotkit_handle handle, slotkit_slot_header *out_header,
                                     void *buf, size_t buf_len)
{
    if (out_header == NULL || (buf == NULL && buf_len > 0)) return SLOTKIT_INVALID_ARGUMENT;
    struct slot *s = slot_of(inst, handle);
    if (s == NULL) return SLOTKIT_OUT_OF_BOUNDS;
    slotkit_status status;
    lock(inst);
    if (s->state != SLOT_COMMITTED) {
        status = SLOTKIT_OUT_OF_BOUNDS; /* FREE or LOANED: no sample (R-READ-3) */
    } else {
        out_header->sequence_number = s->sequence_number;
        out_header->sample_size = s->sample_size;
        out_header->reader_mask = s->wait_set & ~s->pending; /* readers done (R-READ-2) */
        out_header->reserved = 0;
        if (buf_len < s->sample_size) {
            status = SLOTKIT_INVALID_ARGUMENT; /* header filled, nothing copied (R-READ-4) */
        } else {
            if (s->sample_size > 0) memcpy(buf, s->data, s->sample_size);
            status = SLOTKIT_OK;
        }
    }
    unlock(inst);
    return status;
}

static slotkit_status tmpl_mark_read(slotkit_instance *inst, slotkit_handle handle, uint32_t reader_index)
{
    if (reader_index >= SLOTKIT_MAX_READERS) return SLOTKIT_OUT_OF_BOUNDS; /* R-MARK-1 */
    struct slot *s = slot_of(inst, handle);
    if (s == NULL) return SLOTKIT_OUT_OF_BOUNDS;
    slotkit_status status = SLOTKIT_OUT_OF_BOUNDS; /* no committed sample (R-MARK-2) */
    lock(inst);
    if (s->state == SLOT_COMMITTED) {
        /* A reader that is not pending (outside the wait set, or already
         * done) changes nothing (R-MARK-3). When pending becomes empty the
         * slot is recyclable (R-RECYCLE-*). */
        s->pending &= ~((slotkit_reader_mask)1u << reader_index);
        status = SLOTKIT_OK;
    }
    unlock(inst);
    return status;
}

static slotkit_status tmpl_mark_reader_disconnected(slotkit_instance *inst, uint32_t reader_index)
{
    if (reader_index >= SLOTKIT_MAX_READERS) return SLOTKIT_OUT_OF_BOUNDS; /* R-MARK-1 */
    slotkit_reader_mask bit = (slotkit_reader_mask)1u << reader_index;
    lock(inst);
    for (size_t i = 0; i < inst->slot_count; i++) {
        struct slot *s = &inst->slots[i];
        if (s->state == SLOT_COMMITTED)
            s->pending &= ~bit; /* done with every committed sample (R-DISC-1) */
        else if (s->state == SLOT_LOANED)
            s->wait_set &= ~bit; /* outstanding loans won't wait for it (R-DISC-2) */
    }
    /* Nothing is remembered about the reader: a later reserve whose mask
     * names it waits for it again (R-DISC-3). */
    unlock(inst);
    return SLOTKIT_OK;
}

static slotkit_status tmpl_slot_count(slotkit_instance *inst, size_t *out_count)
{
    if (out_count == NULL) return SLOTKIT_INVALID_ARGUMENT;
    *out_count = inst->slot_count; /* R-GEOM-1 */
    return SLOTKIT_OK;
}

static size_t tmpl_slot_total_size(slotkit_instance *inst)
{
    return SLOTKIT_SLOT_TOTAL_SIZE(inst->slot_capacity); /* R-GEOM-3 */
}

static size_t tmpl_slot_capacity(slotkit_instance *inst)
{
    return inst->slot_capacity; /* the configured capacity, unpadded (R-GEOM-2) */
}

/* ------------------------------------------------------------------------ */
/* Open, close, descriptor                                                  */
/* ------------------------------------------------------------------------ */

static slotkit_status tmpl_open(const slotkit_config *config, slotkit_instance **out, slotkit_error *err)
{
    if (config == NULL || out == NULL)
        return open_fail(err, SLOTKIT_INVALID_ARGUMENT, 0, "template: NULL config or out pointer");
    if (config->role == SLOTKIT_ROLE_ATTACH)
        return open_fail(err, SLOTKIT_UNSUPPORTED, 0, "template: role ATTACH is unsupported (single-process backend)");
    if (config->role != SLOTKIT_ROLE_CREATE)
        return open_fail(err, SLOTKIT_UNSUPPORTED, 0, "template: unknown role %d", (int)config->role);
    if (config->slot_count == 0)
        return open_fail(err, SLOTKIT_INVALID_ARGUMENT, 0, "template: slot_count must be at least 1");
    /* slot_index is 32 bits and sample_size is reported in 32 bits. */
    if (config->slot_count > UINT32_MAX || config->slot_capacity > UINT32_MAX)
        return open_fail(err, SLOTKIT_INVALID_ARGUMENT, 0,
                         "template: slot_count and slot_capacity must each be at most %u", UINT32_MAX);

    /* One block: instance header, slot table, then slot_count * capacity bytes. */
    size_t count = config->slot_count, capacity = config->slot_capacity;
    size_t per_slot = sizeof(struct slot) + capacity;
    if (count > (SIZE_MAX - sizeof(slotkit_instance)) / per_slot)
        return open_fail(err, SLOTKIT_INVALID_ARGUMENT, 0, "template: pool of %zu slots of %zu bytes is too large",
                         count, capacity);
    slotkit_instance *inst = calloc(1, sizeof(slotkit_instance) + count * per_slot);
    if (inst == NULL)
        return open_fail(err, SLOTKIT_SYSTEM_ERROR, ENOMEM, "template: cannot allocate %zu slots of %zu bytes", count,
                         capacity);

    int rc = pthread_mutex_init(&inst->lock, NULL);
    if (rc != 0) {
        free(inst);
        return open_fail(err, SLOTKIT_SYSTEM_ERROR, rc, "template: pthread_mutex_init: %s", strerror(rc));
    }
    inst->segment_id = new_segment_id();
    inst->slot_count = count;
    inst->slot_capacity = capacity;
    inst->next_sequence = config->first_sequence_number; /* R-SEQ-1 */
    unsigned char *payload = (unsigned char *)&inst->slots[count];
    for (size_t i = 0; i < count; i++) inst->slots[i].data = payload + i * capacity; /* all SLOT_FREE */
    /* config->name and config->type_hash are not used: one process only, and
     * no TYPE_HASH capability. */
    *out = inst;
    return SLOTKIT_OK;
}

static void tmpl_close(slotkit_instance *inst)
{
    if (inst == NULL) return;
    pthread_mutex_destroy(&inst->lock);
    free(inst);
}

static const slotkit_ops template_ops = {
    .abi_version = SLOTKIT_ABI_VERSION,
    .reserve_slot = tmpl_reserve_slot,
    .commit_slot = tmpl_commit_slot,
    .discard_slot = tmpl_discard_slot,
    .read_slot = tmpl_read_slot,
    .mark_read = tmpl_mark_read,
    .mark_reader_disconnected = tmpl_mark_reader_disconnected,
    .slot_count = tmpl_slot_count,
    .slot_total_size = tmpl_slot_total_size,
    .slot_capacity = tmpl_slot_capacity,
    /* Optional entries left NULL: the library applies the contract's
     * defaults. Set one only together with its capability flag below. */
    .slot_data_ptr = NULL,
    .commit_in_place = NULL,
    .slot_read_ptr = NULL,
    .next_unread_slot = NULL,
    .type_hash = NULL,
    .notify_generation = NULL,
    .wait_for_change = NULL,
};

static const slotkit_backend template_backend = {
    .abi_version = SLOTKIT_ABI_VERSION,
    .name = "template",
    .version = "0.1.0",
    .capabilities = 0, /* add SLOTKIT_CAP_* as you implement optional ops */
    .open = tmpl_open,
    .close = tmpl_close,
    .ops = &template_ops,
};

SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void) { return &template_backend; }
