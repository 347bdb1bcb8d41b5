/*
 * topology.json from known topologies (lstopo XML exports under
 * bench/topologies/): the counts, the per-CPU rows, the caches and the NUMA
 * nodes the host description and the fingerprint are made of.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "placement.h"
#include "topology_json.h"

#ifndef SLOTKIT_TOPOLOGY_DIR
#define SLOTKIT_TOPOLOGY_DIR "bench/topologies"
#endif

static json_object *json_of_xml(const char *file)
{
    const char *dir = getenv("SLOTKIT_TOPOLOGIES");
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : SLOTKIT_TOPOLOGY_DIR, file);
    hwloc_topology_t t;
    cr_assert_eq(placement_topology_load(&t, path, err, sizeof err), 0, "%s", err);
    json_object *doc = topology_json(t);
    hwloc_topology_destroy(t);
    cr_assert_not_null(doc);
    return doc;
}

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    cr_assert(json_object_object_get_ex(o, key, &v), "no \"%s\" in %s", key, json_object_to_json_string(o));
    return v;
}

static int int_of(json_object *o, const char *key) { return json_object_get_int(member(o, key)); }
static const char *str_of(json_object *o, const char *key) { return json_object_get_string(member(o, key)); }

static void expect_counts(json_object *topo, int packages, int cores, int pus, int threads, int nodes)
{
    cr_assert_eq(int_of(topo, "packages"), packages);
    cr_assert_eq(int_of(topo, "cores"), cores);
    cr_assert_eq(int_of(topo, "pus"), pus);
    cr_assert_eq(int_of(topo, "threads_per_core"), threads);
    cr_assert_eq(int_of(topo, "numa_nodes"), nodes);
    cr_assert_eq(json_object_array_length(member(topo, "cpus")), (size_t)pus);
}

/* The row of CPU `cpu` says package, core's SMT siblings, node and L3 instance. */
static void expect_cpu(json_object *topo, int cpu, int package, const char *siblings, int node, int l3)
{
    json_object *cpus = member(topo, "cpus");
    for (size_t i = 0; i < json_object_array_length(cpus); i++) {
        json_object *c = json_object_array_get_idx(cpus, i);
        if (int_of(c, "cpu") != cpu) continue;
        cr_assert_eq(int_of(c, "package"), package, "cpu %d", cpu);
        cr_assert_str_eq(str_of(c, "smt_siblings"), siblings, "cpu %d", cpu);
        cr_assert_eq(int_of(c, "node"), node, "cpu %d", cpu);
        cr_assert_eq(int_of(c, "l3"), l3, "cpu %d", cpu);
        return;
    }
    cr_assert_fail("no row for cpu %d", cpu);
}

static int count_caches(json_object *topo, int level)
{
    json_object *caches = member(topo, "caches");
    int n = 0;
    for (size_t i = 0; i < json_object_array_length(caches); i++)
        n += int_of(json_object_array_get_idx(caches, i), "level") == level;
    return n;
}

Test(topology_json, two_packages_four_nodes)
{
    json_object *doc = json_of_xml("2pack-4numa-16l3-128pu.xml"), *topo = member(doc, "topology");
    cr_assert_str_eq(str_of(doc, "schema"), "slotkit-bench-topology");
    expect_counts(topo, 2, 64, 128, 2, 4);
    cr_assert_eq(count_caches(topo, 3), 16);
    json_object *l3 = json_object_array_get_idx(member(topo, "caches"), 0);
    cr_assert_eq(int_of(l3, "size_kib"), 32 * 1024);
    cr_assert_str_eq(str_of(l3, "type"), "Unified");
    cr_assert_str_eq(str_of(l3, "shared_cpus"), "0-7");
    expect_cpu(topo, 0, 0, "0-1", 0, 0);
    expect_cpu(topo, 127, 1, "126-127", 3, 15);
    json_object *numa = member(doc, "numa");
    cr_assert_eq(json_object_array_length(numa), 4);
    json_object *last = json_object_array_get_idx(numa, 3);
    cr_assert_eq(int_of(last, "node"), 3);
    cr_assert_str_eq(str_of(last, "cpus"), "96-127");
    cr_assert_eq(json_object_get_int64(member(last, "mem_total_kib")), 64LL * 1024 * 1024);
    json_object_put(doc);
}

Test(topology_json, snc2_siblings_numbered_apart)
{
    json_object *doc = json_of_xml("2socket-snc2-64pu.xml"), *topo = member(doc, "topology");
    expect_counts(topo, 2, 32, 64, 2, 4);
    cr_assert_eq(count_caches(topo, 3), 2, "one L3 a package, spanning its two nodes");
    expect_cpu(topo, 0, 0, "0,32", 0, 0);
    expect_cpu(topo, 32, 0, "0,32", 0, 0);
    expect_cpu(topo, 31, 1, "31,63", 3, 1);
    json_object_put(doc);
}

Test(topology_json, dev_machine_two_vcpus)
{
    json_object *doc = json_of_xml("dev-kvm-2vcpu.xml"), *topo = member(doc, "topology");
    expect_counts(topo, 1, 2, 2, 1, 1);
    expect_cpu(topo, 1, 0, "1", 0, 0);
    cr_assert_str_eq(str_of(json_object_array_get_idx(member(doc, "numa"), 0), "cpus"), "0-1");
    json_object_put(doc);
}

Test(topology_json, no_topology_is_not_recorded)
{
    json_object *doc = topology_json(NULL);
    cr_assert_str_eq(str_of(doc, "topology"), "not recorded");
    cr_assert_not(json_object_object_get_ex(doc, "numa", NULL));
    json_object_put(doc);
}
