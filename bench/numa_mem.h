/*
 * Putting a benchmark thread on a CPU and a segment's pages on NUMA nodes,
 * and reading back where they really are, so that results echo the
 * placement actually obtained, not the one asked for.
 *
 * Memory policy only takes effect when a page is first faulted in: bind a
 * fresh mapping (for a shared segment: shm_open/memfd + mmap MAP_SHARED, the
 * policy is then shared by every process that attaches) BEFORE touching it.
 * numa_alloc_onnode() is private memory and does not apply to shared segments.
 *
 * Where the kernel or machine has no NUMA support (numa_available() < 0) the
 * memory calls return NUMA_MEM_NOT_APPLICABLE with the reason; nothing is
 * faked. Pinning does not depend on NUMA and works everywhere.
 */
#ifndef SLOTKIT_BENCH_NUMA_MEM_H
#define SLOTKIT_BENCH_NUMA_MEM_H

#include <stdbool.h>
#include <stddef.h>

#include "placement.h"

typedef enum numa_mem_status {
    NUMA_MEM_ERROR = -1, /* msg says what failed and why */
    NUMA_MEM_OK = 0,
    NUMA_MEM_NOT_APPLICABLE = 1 /* no NUMA support here; msg says so */
} numa_mem_status;

/* True when the libnuma API works here (numa_available() >= 0). */
bool numa_mem_available(void);

/* The NUMA node of CPU `cpu` per the kernel, -1 when unknown or no NUMA. */
int numa_mem_node_of_cpu(int cpu);

/*
 * Pins the calling thread to `cpu` (sched_setaffinity) and reads back the
 * CPU it then runs on (sched_getcpu) into *cpu_used (may be NULL). An error
 * when the CPU is not allowed, or when the read-back disagrees.
 */
numa_mem_status numa_mem_pin_thread(int cpu, int *cpu_used, char *msg, size_t msg_len);

/*
 * Binds [addr, addr+len) to node `node` (MPOL_BIND), or interleaves it over
 * nodes[0..count) (MPOL_INTERLEAVE), with mbind(). addr must be page-aligned.
 * MPOL_MF_STRICT makes the call fail if pages already present lie elsewhere,
 * which catches binding after first touch.
 */
numa_mem_status numa_mem_bind_node(void *addr, size_t len, int node, char *msg, size_t msg_len);
numa_mem_status numa_mem_bind_interleave(void *addr, size_t len, const int *nodes, size_t count, char *msg,
                                         size_t msg_len);

/* Applies a planned case's memory placement (writer node, reader node, or
 * interleaved over both); NOT_APPLICABLE for a case that is not applicable. */
numa_mem_status numa_mem_apply(void *addr, size_t len, const placement_case *c, char *msg, size_t msg_len);

/*
 * Where the segment is created and first touched inside code that cannot be
 * wrapped with mbind() (a backend's open()), set the calling thread's own
 * policy (set_mempolicy) to the case's placement instead: every page the
 * thread first faults in afterwards follows it (a range policy set with
 * mbind on a shared segment still wins). Reset restores local allocation.
 */
numa_mem_status numa_mem_thread_policy(const placement_case *c, char *msg, size_t msg_len);
numa_mem_status numa_mem_thread_policy_reset(char *msg, size_t msg_len);

#define NUMA_MEM_MAX_NODES 64

/* Where the pages of a range are, from move_pages(pid 0, ..., nodes NULL, status). */
typedef struct numa_mem_residency {
    size_t pages;                       /* pages queried */
    size_t on_node[NUMA_MEM_MAX_NODES]; /* pages present on each node */
    size_t on_higher_node;              /* present on a node >= NUMA_MEM_MAX_NODES */
    size_t not_present;                 /* -ENOENT or -EFAULT: not faulted in yet (or swapped out) */
    size_t failed;                      /* any other per-page error */
} numa_mem_residency;

/* Queries every page of [addr, addr+len) (addr rounded down to a page).
 * move_pages sees only pages mapped in this process: pages of a shared
 * segment that another process faulted in count as not present here until
 * this process touches (reads) them. */
numa_mem_status numa_mem_residency_of(const void *addr, size_t len, numa_mem_residency *out, char *msg, size_t msg_len);

/* The node holding the most pages, -1 when no page is present. */
int numa_mem_residency_main_node(const numa_mem_residency *r);

/* e.g. "node 0: 100%" or "node 0: 50%, node 1: 50%, not present: 0.4%". */
void numa_mem_residency_format(const numa_mem_residency *r, char *buf, size_t len);

#endif
