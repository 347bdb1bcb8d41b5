/*
 * The slotkit_ops of a backend that is a slot table and nothing more: each
 * entry forwards to the slot_table_* function of the same name. The
 * reference backends differ only in where the table lives (heap, POSIX
 * segment), so they share this one table instead of two copies of it.
 */
#ifndef SLOTKIT_REF_SLOT_TABLE_OPS_H
#define SLOTKIT_REF_SLOT_TABLE_OPS_H

#include "slotkit/backend.h"

/* Requires every instance it is used with to be a struct slotkit_instance
 * whose FIRST member is its slot_table_view, e.g. `slot_table_view table[1]`
 * (C11 6.7.2.1p15: a pointer to a struct, converted, points to its first
 * member). The view sits in the instance itself, so an operation reaches the
 * process-local geometry without a further pointer. */
extern const slotkit_ops slot_table_ops;

#endif
