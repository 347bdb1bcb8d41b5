/*
 * The in-memory reference backend: a slot table in one aligned heap block.
 *
 * Depends only on include/slotkit/backend.h and ref/common, so it builds
 * both into libslotkit and as a stand-alone plug-in. All the semantics live
 * in the slot table; this file validates the configuration, owns the
 * memory, and adapts the table to slotkit_ops.
 */
#include "inmem/inmem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/backend_util.h"
#include "common/slot_table.h"
#include "common/slot_table_ops.h"

#define INMEM_VERSION "0.1.0"

/* The instance header sits at the start of the one allocation; the table
 * follows at the next SLOT_TABLE_ALIGN boundary. */
struct slotkit_instance {
    slot_table_view table[1]; /* this process's view of the table below */
};
_Static_assert(offsetof(struct slotkit_instance, table) == 0, "slot_table_ops needs the view first");

#define INSTANCE_BYTES ((sizeof(struct slotkit_instance) + SLOT_TABLE_ALIGN - 1u) & ~(size_t)(SLOT_TABLE_ALIGN - 1u))

/*
 * R-HANDLE-3: unique per instance within the process and never 0. The pid
 * in the high half keeps ids apart across a fork; the counter keeps them
 * apart within a process (2^32 pools before one could repeat).
 */
static uint64_t next_segment_id(void)
{
    static _Atomic uint32_t counter;
    uint32_t n = atomic_fetch_add_explicit(&counter, 1u, memory_order_relaxed) + 1u;
    uint64_t id = ((uint64_t)(uint32_t)getpid() << 32) | n;
    return id != 0 ? id : 1u; /* getpid() > 0, so only paranoia */
}

static slotkit_status inmem_open(const slotkit_config *config, slotkit_instance **out, slotkit_error *err)
{
    if (!config || !out) {
        backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "inmem: %s is NULL", !config ? "config" : "out");
        return SLOTKIT_INVALID_ARGUMENT;
    }
    if (config->role == SLOTKIT_ROLE_ATTACH) {
        backend_set_error(err, SLOTKIT_UNSUPPORTED, 0,
                          "inmem: role ATTACH is unsupported (single-process backend, no CROSS_PROCESS)");
        return SLOTKIT_UNSUPPORTED;
    }
    if (config->role != SLOTKIT_ROLE_CREATE) {
        backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "inmem: unknown role %d", (int)config->role);
        return SLOTKIT_INVALID_ARGUMENT;
    }

    size_t table_bytes = 0;
    const char *why = NULL;
    slotkit_status st = slot_table_size(config->slot_count, config->slot_capacity, &table_bytes, &why);
    if (st != SLOTKIT_OK) {
        backend_set_error(err, st, 0, "inmem: %s (slot_count %zu, slot_capacity %zu)", why, config->slot_count,
                          config->slot_capacity);
        return st;
    }
    if (table_bytes > SIZE_MAX - INSTANCE_BYTES) {
        backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0,
                          "inmem: pool of %zu slots of %zu bytes overflows the address space", config->slot_count,
                          config->slot_capacity);
        return SLOTKIT_INVALID_ARGUMENT;
    }

    /* The only allocation of the instance's life. */
    void *block = NULL;
    int rc = posix_memalign(&block, SLOT_TABLE_ALIGN, INSTANCE_BYTES + table_bytes);
    if (rc != 0) {
        backend_set_error(err, SLOTKIT_SYSTEM_ERROR, rc, "inmem: allocating %zu bytes for %zu slots failed: %s",
                          INSTANCE_BYTES + table_bytes, config->slot_count, strerror(rc));
        return SLOTKIT_SYSTEM_ERROR;
    }

    slotkit_instance *inst = block;
    if (!slot_table_init((char *)block + INSTANCE_BYTES, config->slot_count, config->slot_capacity,
                         config->first_sequence_number, next_segment_id(), config->type_hash,
                         false /* private futexes: one process */,
                         inst->table)) { /* cannot happen after slot_table_size succeeded */
        free(block);
        backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "inmem: slot table initialisation failed");
        return SLOTKIT_INVALID_ARGUMENT;
    }
    *out = inst;
    return SLOTKIT_OK;
}

static void inmem_close(slotkit_instance *inst) { free(inst); }

static const slotkit_backend inmem_backend = {
    .abi_version = SLOTKIT_ABI_VERSION,
    .name = "inmem",
    .version = INMEM_VERSION,
    .capabilities = SLOTKIT_CAP_IN_PLACE | SLOTKIT_CAP_NOTIFY | SLOTKIT_CAP_TYPE_HASH | SLOTKIT_CAP_NEXT_UNREAD,
    .open = inmem_open,
    .close = inmem_close,
    .ops = &slot_table_ops, /* the instance starts with its slot_table pointer */
};

const slotkit_backend *slotkit_inmem_backend(void) { return &inmem_backend; }

#ifdef SLOTKIT_INMEM_PLUGIN
/* Plug-in build: the loader looks this symbol up by SLOTKIT_ENTRY_SYMBOL. */
SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void);
SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void) { return &inmem_backend; }
#endif
