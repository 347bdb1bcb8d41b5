/* slotkit_ops forwarding to the slot table (see slot_table_ops.h). */
#include "common/slot_table_ops.h"

#include "common/slot_table.h"

static slot_table_view *table_of(slotkit_instance *inst) { return (slot_table_view *)(void *)inst; }

static slotkit_status ops_reserve(slotkit_instance *inst, slotkit_reader_mask mask, slotkit_handle *out_handle)
{
    return slot_table_reserve(table_of(inst), mask, out_handle);
}

static slotkit_status ops_commit(slotkit_instance *inst, slotkit_handle h, const void *bytes, size_t len,
                                 uint32_t *out_sequence)
{
    return slot_table_commit(table_of(inst), h, bytes, len, out_sequence);
}

static slotkit_status ops_discard(slotkit_instance *inst, slotkit_handle h)
{
    return slot_table_discard(table_of(inst), h);
}

static slotkit_status ops_read(slotkit_instance *inst, slotkit_handle h, slotkit_slot_header *out_header, void *buf,
                               size_t buf_len)
{
    return slot_table_read(table_of(inst), h, out_header, buf, buf_len);
}

static slotkit_status ops_mark_read(slotkit_instance *inst, slotkit_handle h, uint32_t reader_index)
{
    return slot_table_mark_read(table_of(inst), h, reader_index);
}

static slotkit_status ops_disconnect(slotkit_instance *inst, uint32_t reader_index)
{
    return slot_table_disconnect(table_of(inst), reader_index);
}

static slotkit_status ops_slot_count(slotkit_instance *inst, size_t *out_count)
{
    if (!out_count) return SLOTKIT_INVALID_ARGUMENT;
    *out_count = slot_table_view_slot_count(table_of(inst));
    return SLOTKIT_OK;
}

static size_t ops_slot_total_size(slotkit_instance *inst) { return slot_table_view_total_size(table_of(inst)); }

static size_t ops_slot_capacity(slotkit_instance *inst) { return slot_table_view_capacity(table_of(inst)); }

static slotkit_status ops_data_ptr(slotkit_instance *inst, slotkit_handle h, void **out_ptr, size_t *out_capacity)
{
    return slot_table_data_ptr(table_of(inst), h, out_ptr, out_capacity);
}

static slotkit_status ops_commit_in_place(slotkit_instance *inst, slotkit_handle h, size_t len, uint32_t *out_sequence)
{
    return slot_table_commit_in_place(table_of(inst), h, len, out_sequence);
}

static slotkit_status ops_read_ptr(slotkit_instance *inst, slotkit_handle h, const void **out_ptr, size_t *out_len)
{
    return slot_table_read_ptr(table_of(inst), h, out_ptr, out_len);
}

static slotkit_status ops_next_unread(slotkit_instance *inst, uint32_t reader_index, bool *out_found,
                                      slotkit_handle *out_handle)
{
    return slot_table_next_unread(table_of(inst), reader_index, out_found, out_handle);
}

static bool ops_type_hash(slotkit_instance *inst, uint8_t out_hash[16])
{
    return slot_table_view_type_hash(table_of(inst), out_hash);
}

static uint64_t ops_notify_generation(slotkit_instance *inst) { return slot_table_generation(table_of(inst)); }

static void ops_wait_for_change(slotkit_instance *inst, uint64_t last, uint64_t timeout_ns)
{
    slot_table_wait_for_change(table_of(inst), last, timeout_ns);
}

const slotkit_ops slot_table_ops = {
    .abi_version = SLOTKIT_ABI_VERSION,
    .reserve_slot = ops_reserve,
    .commit_slot = ops_commit,
    .discard_slot = ops_discard,
    .read_slot = ops_read,
    .mark_read = ops_mark_read,
    .mark_reader_disconnected = ops_disconnect,
    .slot_count = ops_slot_count,
    .slot_total_size = ops_slot_total_size,
    .slot_capacity = ops_slot_capacity,
    .slot_data_ptr = ops_data_ptr,
    .commit_in_place = ops_commit_in_place,
    .slot_read_ptr = ops_read_ptr,
    .next_unread_slot = ops_next_unread,
    .type_hash = ops_type_hash,
    .notify_generation = ops_notify_generation,
    .wait_for_change = ops_wait_for_change,
};
