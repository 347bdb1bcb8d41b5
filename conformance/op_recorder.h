/*
 * Which backend operations a test called. The fixture hands tests a proxy of
 * the backend under test whose every entry records its bit before calling the
 * real one, so the record cannot drift from what a test really does: helpers,
 * direct calls and forked children (the record lives in a shared page) alike.
 * prereqs.c compares the record with the test's declared prerequisites.
 */
#ifndef SLOTKIT_CONFORMANCE_OP_RECORDER_H
#define SLOTKIT_CONFORMANCE_OP_RECORDER_H

#include <stdint.h>

#include "slotkit/backend.h"

enum conf_op {
    CONF_OP_OPEN,
    CONF_OP_CLOSE,
    CONF_OP_RESERVE,
    CONF_OP_COMMIT,
    CONF_OP_DISCARD,
    CONF_OP_READ,
    CONF_OP_MARK_READ,
    CONF_OP_DISCONNECT,
    CONF_OP_SLOT_COUNT,
    CONF_OP_TOTAL_SIZE,
    CONF_OP_CAPACITY,
    CONF_OP_DATA_PTR,
    CONF_OP_COMMIT_IN_PLACE,
    CONF_OP_READ_PTR,
    CONF_OP_NEXT_UNREAD,
    CONF_OP_TYPE_HASH,
    CONF_OP_GENERATION,
    CONF_OP_WAIT,
    CONF_OP_COUNT
};

/* The recording proxy of real (one per process; real must outlive it). */
const slotkit_backend *op_recorder_wrap(const slotkit_backend *real);
/* Bit (1 << op) for every operation called since the proxy was made. */
uint32_t op_recorder_used(void);
/* "reserve_slot", ... */
const char *op_recorder_name(enum conf_op op);

#endif
