/* The recording proxy backend (op_recorder.h). */
#include "op_recorder.h"

#include <stdatomic.h>
#include <stddef.h>
#include <sys/mman.h>

static const slotkit_backend *real_backend;
static slotkit_backend proxy_backend;
static slotkit_ops proxy_ops;
/* In a MAP_SHARED page, so children forked by a test record into it too. */
static _Atomic uint32_t *used_ops;

static inline void note(enum conf_op op)
{
    if (used_ops != NULL) atomic_fetch_or_explicit(used_ops, 1u << op, memory_order_relaxed);
}

#define REAL (real_backend->ops)

static slotkit_status rec_open(const slotkit_config *c, slotkit_instance **out, slotkit_error *err)
{
    note(CONF_OP_OPEN);
    return real_backend->open(c, out, err);
}
static void rec_close(slotkit_instance *i)
{
    note(CONF_OP_CLOSE);
    real_backend->close(i);
}
static slotkit_status rec_reserve(slotkit_instance *i, slotkit_reader_mask m, slotkit_handle *h)
{
    note(CONF_OP_RESERVE);
    return REAL->reserve_slot(i, m, h);
}
static slotkit_status rec_commit(slotkit_instance *i, slotkit_handle h, const void *b, size_t n, uint32_t *sn)
{
    note(CONF_OP_COMMIT);
    return REAL->commit_slot(i, h, b, n, sn);
}
static slotkit_status rec_discard(slotkit_instance *i, slotkit_handle h)
{
    note(CONF_OP_DISCARD);
    return REAL->discard_slot(i, h);
}
static slotkit_status rec_read(slotkit_instance *i, slotkit_handle h, slotkit_slot_header *hd, void *b, size_t n)
{
    note(CONF_OP_READ);
    return REAL->read_slot(i, h, hd, b, n);
}
static slotkit_status rec_mark(slotkit_instance *i, slotkit_handle h, uint32_t r)
{
    note(CONF_OP_MARK_READ);
    return REAL->mark_read(i, h, r);
}
static slotkit_status rec_disconnect(slotkit_instance *i, uint32_t r)
{
    note(CONF_OP_DISCONNECT);
    return REAL->mark_reader_disconnected(i, r);
}
static slotkit_status rec_count(slotkit_instance *i, size_t *out)
{
    note(CONF_OP_SLOT_COUNT);
    return REAL->slot_count(i, out);
}
static size_t rec_total(slotkit_instance *i)
{
    note(CONF_OP_TOTAL_SIZE);
    return REAL->slot_total_size(i);
}
static size_t rec_capacity(slotkit_instance *i)
{
    note(CONF_OP_CAPACITY);
    return REAL->slot_capacity(i);
}
static slotkit_status rec_data_ptr(slotkit_instance *i, slotkit_handle h, void **p, size_t *cap)
{
    note(CONF_OP_DATA_PTR);
    return REAL->slot_data_ptr(i, h, p, cap);
}
static slotkit_status rec_commit_in_place(slotkit_instance *i, slotkit_handle h, size_t n, uint32_t *sn)
{
    note(CONF_OP_COMMIT_IN_PLACE);
    return REAL->commit_in_place(i, h, n, sn);
}
static slotkit_status rec_read_ptr(slotkit_instance *i, slotkit_handle h, const void **p, size_t *n)
{
    note(CONF_OP_READ_PTR);
    return REAL->slot_read_ptr(i, h, p, n);
}
static slotkit_status rec_next(slotkit_instance *i, uint32_t r, bool *found, slotkit_handle *h)
{
    note(CONF_OP_NEXT_UNREAD);
    return REAL->next_unread_slot(i, r, found, h);
}
static bool rec_hash(slotkit_instance *i, uint8_t out[16])
{
    note(CONF_OP_TYPE_HASH);
    return REAL->type_hash(i, out);
}
static uint64_t rec_generation(slotkit_instance *i)
{
    note(CONF_OP_GENERATION);
    return REAL->notify_generation(i);
}
static void rec_wait(slotkit_instance *i, uint64_t last, uint64_t timeout_ns)
{
    note(CONF_OP_WAIT);
    REAL->wait_for_change(i, last, timeout_ns);
}

/* An optional entry stays NULL when the real one is (the library's default). */
#define PROXY(field, fn) proxy_ops.field = REAL->field ? fn : NULL

const slotkit_backend *op_recorder_wrap(const slotkit_backend *real)
{
    if (used_ops == NULL) {
        void *page = mmap(NULL, sizeof *used_ops, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED) return real; /* unrecorded, still tested */
        used_ops = page;
    }
    real_backend = real;
    proxy_backend = *real;
    proxy_ops = *real->ops;
    proxy_backend.open = real->open ? rec_open : NULL;
    proxy_backend.close = real->close ? rec_close : NULL;
    PROXY(reserve_slot, rec_reserve);
    PROXY(commit_slot, rec_commit);
    PROXY(discard_slot, rec_discard);
    PROXY(read_slot, rec_read);
    PROXY(mark_read, rec_mark);
    PROXY(mark_reader_disconnected, rec_disconnect);
    PROXY(slot_count, rec_count);
    PROXY(slot_total_size, rec_total);
    PROXY(slot_capacity, rec_capacity);
    PROXY(slot_data_ptr, rec_data_ptr);
    PROXY(commit_in_place, rec_commit_in_place);
    PROXY(slot_read_ptr, rec_read_ptr);
    PROXY(next_unread_slot, rec_next);
    PROXY(type_hash, rec_hash);
    PROXY(notify_generation, rec_generation);
    PROXY(wait_for_change, rec_wait);
    proxy_backend.ops = &proxy_ops;
    return &proxy_backend;
}

uint32_t op_recorder_used(void) { return used_ops ? atomic_load_explicit(used_ops, memory_order_relaxed) : 0; }

const char *op_recorder_name(enum conf_op op)
{
    static const char *const names[CONF_OP_COUNT] = {"open",
                                                     "close",
                                                     "reserve_slot",
                                                     "commit_slot",
                                                     "discard_slot",
                                                     "read_slot",
                                                     "mark_read",
                                                     "mark_reader_disconnected",
                                                     "slot_count",
                                                     "slot_total_size",
                                                     "slot_capacity",
                                                     "slot_data_ptr",
                                                     "commit_in_place",
                                                     "slot_read_ptr",
                                                     "next_unread_slot",
                                                     "type_hash",
                                                     "notify_generation",
                                                     "wait_for_change"};
    return (unsigned)op < CONF_OP_COUNT ? names[op] : "?";
}
