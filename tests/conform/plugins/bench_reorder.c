/* Delivers samples out of order: next_unread_slot returns the newest sample
 * pending for the reader instead of the oldest (R-NEXT-2), and read_slot
 * reports the sequence numbers swapped in pairs (0<->1, 2<->3: R-SEQ-1).
 * `slotkit bench` must report the cases that read samples invalid (out of
 * order), not as a speed. */
#define WRAP_NAME "bench_reorder"
#include "wrap_inmem.h"

/* True when slot h holds a sample reader r has not marked; its SN in *sn. */
static bool pending_for(slotkit_instance *inst, slotkit_handle h, uint32_t r, uint32_t *sn)
{
    slotkit_slot_header hdr;
    slotkit_status s = wrapped->ops->read_slot(inst, h, &hdr, NULL, 0); /* the header only (R-READ-4) */
    if (s != SLOTKIT_OK && s != SLOTKIT_INVALID_ARGUMENT) return false;
    *sn = hdr.sequence_number;
    return (hdr.reader_mask & (1u << r)) == 0;
}

static slotkit_status newest_unread(slotkit_instance *inst, uint32_t r, bool *found, slotkit_handle *out)
{
    slotkit_status s = wrapped->ops->next_unread_slot(inst, r, found, out);
    size_t count;
    if (s != SLOTKIT_OK || !*found || wrapped->ops->slot_count(inst, &count) != SLOTKIT_OK) return s;
    uint32_t best;
    if (!pending_for(inst, *out, r, &best)) return s;
    for (size_t i = 0; i < count; i++) {
        slotkit_handle h = {.segment_id = out->segment_id, .slot_index = (uint32_t)i};
        uint32_t sn;
        if (pending_for(inst, h, r, &sn) && (int32_t)(sn - best) > 0) {
            best = sn;
            *out = h;
        }
    }
    return s;
}

static slotkit_status swapped_read(slotkit_instance *inst, slotkit_handle h, slotkit_slot_header *hdr, void *buf,
                                   size_t buf_len)
{
    slotkit_status s = wrapped->ops->read_slot(inst, h, hdr, buf, buf_len);
    if (s == SLOTKIT_OK) hdr->sequence_number ^= 1u;
    return s;
}

static void wrap_adjust(slotkit_ops *ops)
{
    ops->next_unread_slot = newest_unread;
    ops->read_slot = swapped_read;
}
