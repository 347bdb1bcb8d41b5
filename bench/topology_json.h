/*
 * The host topology as the results document describes it: the one reading
 * of the machine's CPUs, caches and NUMA nodes (hwloc, the same object the
 * placement planner uses), written by slotkit-bench as topology.json and put
 * by `slotkit bench` into the document's host fingerprint.
 *
 *   {"schema": "slotkit-bench-topology", "version": 1, "source": "hwloc API 2.8",
 *    "topology": {"packages", "cores", "pus", "threads_per_core", "numa_nodes",
 *                 "cpus": [{"cpu", "package", "core", "node", "l3", "smt_siblings"}],
 *                 "caches": [{"level", "type", "size_kib", "shared_cpus"}]},
 *    "numa": [{"node", "cpus", "mem_total_kib", "distances": [...]}]}
 *
 * "topology" is the shape of the document's host.topology, "numa" that of
 * host.memory.numa (docs/results-schema.md). Without a topology, "topology"
 * is the string "not recorded" and "numa" is absent.
 */
#ifndef SLOTKIT_BENCH_TOPOLOGY_JSON_H
#define SLOTKIT_BENCH_TOPOLOGY_JSON_H

#include <hwloc.h>
#include <json-c/json.h>

/* A new JSON object (the caller puts it); topology may be NULL. */
json_object *topology_json(hwloc_topology_t topology);

#endif
