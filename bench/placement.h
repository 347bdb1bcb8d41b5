/*
 * Where benchmark threads and processes run, and where a segment's memory
 * lives. The planner is a pure function from an hwloc topology to the list
 * of cases worth measuring, so it is unit-tested on synthetic and exported
 * (lstopo XML) topologies; cases the machine cannot offer are listed as not
 * applicable with the reason, never faked.
 */
#ifndef SLOTKIT_BENCH_PLACEMENT_H
#define SLOTKIT_BENCH_PLACEMENT_H

#include <hwloc.h>
#include <stdbool.h>
#include <stddef.h>

/* How the writer's and the reader's CPUs relate, closest first. */
typedef enum cpu_relation {
    CPU_SMT_SIBLINGS,  /* two PUs of one core */
    CPU_SAME_L3,       /* different cores sharing the last-level cache (same CCX) */
    CPU_SAME_NUMA,     /* same NUMA node, different L3 */
    CPU_CROSS_NUMA,    /* different NUMA nodes of one package */
    CPU_CROSS_PACKAGE, /* different packages (sockets) */
    CPU_RELATION_COUNT
} cpu_relation;

/* Where the shared segment's pages are bound before first touch. */
typedef enum memory_placement {
    MEM_WRITER_NODE, /* the writer CPU's NUMA node */
    MEM_READER_NODE, /* the reader CPU's NUMA node */
    MEM_INTERLEAVED, /* interleaved over both nodes */
    MEM_PLACEMENT_COUNT
} memory_placement;

typedef struct placement_case {
    cpu_relation relation;
    memory_placement memory;
    bool applicable; /* false: the machine cannot offer this case */
    int writer_cpu;  /* OS index of the writer's PU (-1 when not applicable) */
    int reader_cpu;  /* OS index of the reader's PU */
    int writer_node; /* OS index of the NUMA node of each CPU */
    int reader_node;
    char name[64];    /* e.g. "same_l3/writer_node" */
    char reason[128]; /* why not applicable, or "" */
} placement_case;

const char *cpu_relation_name(cpu_relation relation);
const char *memory_placement_name(memory_placement memory);

/*
 * Fills out[0..max) with one case per (relation, memory placement) pair, in
 * enum order; returns the number of cases (CPU_RELATION_COUNT *
 * MEM_PLACEMENT_COUNT when max allows). Memory placements other than
 * MEM_WRITER_NODE are not applicable when both CPUs share a node (they would
 * measure the same thing). Deterministic: the lowest-numbered qualifying pair.
 */
size_t placement_plan(hwloc_topology_t topology, placement_case *out, size_t max);

/* The case for an explicit CPU pair (--cpus A,B), memory on the writer's node.
 * Returns out->applicable. A CPU absent from the topology, or writer == reader,
 * gives false with the reason and relation CPU_RELATION_COUNT (name "unknown"). */
bool placement_for_cpus(hwloc_topology_t topology, int writer_cpu, int reader_cpu, placement_case *out);

/* OS index of the NUMA node local to PU `cpu` (the lowest when several are),
 * or -1 when the CPU or its node is not in the topology. */
int placement_cpu_node(hwloc_topology_t topology, int cpu);

/* Loads this machine's topology (xml_path NULL) or an lstopo XML export.
 * 0 on success (free with hwloc_topology_destroy); -1 with err filled. */
int placement_topology_load(hwloc_topology_t *topology, const char *xml_path, char *err, size_t err_len);

#endif
