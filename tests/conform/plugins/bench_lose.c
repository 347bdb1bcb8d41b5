/* Loses every 5th sample a reader would take: next_unread_slot marks it read
 * for that reader and returns the one after (R-NEXT-2 broken by skipping).
 * `slotkit bench --suite throughput` must report its cases invalid (lost). */
#define WRAP_NAME "bench_lose"
#include "wrap_inmem.h"

static _Thread_local unsigned takes;

static slotkit_status losing_next(slotkit_instance *inst, uint32_t r, bool *found, slotkit_handle *out)
{
    slotkit_status s = wrapped->ops->next_unread_slot(inst, r, found, out);
    if (s != SLOTKIT_OK || !*found || ++takes % 5 != 0) return s;
    s = wrapped->ops->mark_read(inst, *out, r); /* gone, unseen */
    return s == SLOTKIT_OK ? wrapped->ops->next_unread_slot(inst, r, found, out) : s;
}

static void wrap_adjust(slotkit_ops *ops) { ops->next_unread_slot = losing_next; }
