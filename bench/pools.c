/* Pools by name, and where benchmark threads and their memory are placed. */
#include <numa.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "numa_mem.h"

void pool_name(char *buf, size_t len)
{
    static _Atomic unsigned counter;
    snprintf(buf, len, "/slotkit-bench-%d-%u", (int)getpid(), atomic_fetch_add(&counter, 1u));
}

slotkit_pool *pool_create(const char *name, size_t slots, size_t capacity, char *msg, size_t len)
{
    slotkit_config cfg = {.slot_count = slots, .slot_capacity = capacity, .name = name, .role = SLOTKIT_ROLE_CREATE};
    slotkit_pool *pool = NULL;
    slotkit_error err;
    if (slotkit_pool_open(G.backend, &cfg, &pool, &err) != SLOTKIT_OK) {
        snprintf(msg, len, "creating a pool of %zu x %zu B: %s", slots, capacity, err.message);
        return NULL;
    }
    return pool;
}

slotkit_pool *pool_attach(const char *name, char *msg, size_t len)
{
    /* Geometry 0: take the creator's (R-XPROC-1). */
    slotkit_config cfg = {.name = name, .role = SLOTKIT_ROLE_ATTACH};
    slotkit_pool *pool = NULL;
    slotkit_error err;
    if (slotkit_pool_open(G.backend, &cfg, &pool, &err) != SLOTKIT_OK) {
        snprintf(msg, len, "attaching to %s: %s", name, err.message);
        return NULL;
    }
    return pool;
}

/*
 * The backend creates and first touches its segment inside open(), which the
 * API does not let us wrap with mbind() on the range. So every benchmark
 * thread (writer and reader, thread or process) runs under the case's memory
 * policy from before the pool exists: whichever of them faults a page in, the
 * page lands where the case says. pool_payload_node() then reads it back.
 */
int place_thread(int cpu, const placement_case *pc, char *msg, size_t len)
{
    int used = -1;
    if (cpu >= 0 && numa_mem_pin_thread(cpu, &used, msg, len) != NUMA_MEM_OK) return -1;
    if (pc == NULL || !numa_mem_available() || pc->writer_node < 0) return used;
    struct bitmask *nodes = numa_allocate_nodemask();
    switch (pc->memory) {
    case MEM_WRITER_NODE: numa_bitmask_setbit(nodes, (unsigned)pc->writer_node); break;
    case MEM_READER_NODE: numa_bitmask_setbit(nodes, (unsigned)pc->reader_node); break;
    default:
        numa_bitmask_setbit(nodes, (unsigned)pc->writer_node);
        numa_bitmask_setbit(nodes, (unsigned)pc->reader_node);
        break;
    }
    if (pc->memory == MEM_INTERLEAVED)
        numa_set_interleave_mask(nodes);
    else
        numa_set_membind(nodes);
    numa_free_nodemask(nodes);
    return used;
}

void place_reset_memory(void)
{
    if (numa_mem_available()) numa_set_localalloc();
}

int pool_payload_node(slotkit_pool *pool, slotkit_handle h, bool loan, const char **why)
{
    *why = "";
    if (!(G.caps & SLOTKIT_CAP_IN_PLACE)) {
        *why = "backend has no IN_PLACE pointer to its pages";
        return -1;
    }
    if (!numa_mem_available()) {
        *why = "no NUMA support here";
        return -1;
    }
    const void *ptr = NULL;
    size_t n = 0;
    void *wptr = NULL;
    slotkit_status s = loan ? slotkit_slot_data_ptr(pool, h, &wptr, &n) : slotkit_slot_read_ptr(pool, h, &ptr, &n);
    if (loan) ptr = wptr;
    if (s != SLOTKIT_OK || ptr == NULL) {
        *why = "no payload pointer";
        return -1;
    }
    numa_mem_residency r;
    char msg[160];
    if (numa_mem_residency_of(ptr, n ? n : 1, &r, msg, sizeof msg) != NUMA_MEM_OK) {
        *why = "move_pages failed";
        return -1;
    }
    return numa_mem_residency_main_node(&r);
}
