/* The host topology as JSON, from hwloc (see topology_json.h). */
#include "topology_json.h"

#include <stdio.h>

#include "placement.h"

static json_object *cpuset_list(hwloc_const_cpuset_t set)
{
    char buf[1024] = "";
    if (set) hwloc_bitmap_list_snprintf(buf, sizeof buf, set);
    return json_object_new_string(buf);
}

/* An object's OS index, else its logical index (hwloc knows no id for some caches), -1 for none. */
static int obj_index(hwloc_obj_t obj)
{
    if (obj == NULL) return -1;
    return obj->os_index != HWLOC_UNKNOWN_INDEX ? (int)obj->os_index : (int)obj->logical_index;
}

/* Logical CPUs in OS-index order (hwloc_bitmap_foreach walks the bitmap ascending). */
static json_object *cpus_json(hwloc_topology_t t, int *threads_per_core)
{
    json_object *list = json_object_new_array();
    hwloc_const_cpuset_t all = hwloc_topology_get_topology_cpuset(t);
    unsigned cpu;
    *threads_per_core = 1;
    hwloc_bitmap_foreach_begin(cpu, all)
    {
        hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t, cpu);
        if (pu == NULL) continue;
        hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_CORE, pu);
        hwloc_obj_t package = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_PACKAGE, pu);
        hwloc_obj_t l3 = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_L3CACHE, pu);
        hwloc_const_cpuset_t siblings = core ? core->cpuset : pu->cpuset;
        int width = hwloc_bitmap_weight(siblings);
        if (width > *threads_per_core) *threads_per_core = width;
        json_object *c = json_object_new_object();
        json_object_object_add(c, "cpu", json_object_new_int((int)cpu));
        json_object_object_add(c, "package", json_object_new_int(package ? obj_index(package) : 0));
        json_object_object_add(c, "core", json_object_new_int(obj_index(core ? core : pu)));
        json_object_object_add(c, "node", json_object_new_int(placement_cpu_node(t, (int)cpu)));
        json_object_object_add(c, "l3", json_object_new_int(obj_index(l3)));
        json_object_object_add(c, "smt_siblings", cpuset_list(siblings));
        json_object_array_add(list, c);
    }
    hwloc_bitmap_foreach_end();
    return list;
}

static const char *cache_type(hwloc_obj_cache_type_t type)
{
    switch (type) {
    case HWLOC_OBJ_CACHE_DATA: return "Data";
    case HWLOC_OBJ_CACHE_INSTRUCTION: return "Instruction";
    default: return "Unified";
    }
}

static void add_caches(hwloc_topology_t t, hwloc_obj_type_t type, json_object *list)
{
    for (hwloc_obj_t o = NULL; (o = hwloc_get_next_obj_by_type(t, type, o)) != NULL;) {
        json_object *c = json_object_new_object();
        json_object_object_add(c, "level", json_object_new_int((int)o->attr->cache.depth));
        json_object_object_add(c, "type", json_object_new_string(cache_type(o->attr->cache.type)));
        json_object_object_add(c, "size_kib", json_object_new_int64((int64_t)(o->attr->cache.size / 1024)));
        json_object_object_add(c, "shared_cpus", cpuset_list(o->cpuset));
        json_object_array_add(list, c);
    }
}

/* Every cache instance, level by level, data and unified before instruction. */
static json_object *caches_json(hwloc_topology_t t)
{
    static const hwloc_obj_type_t order[] = {HWLOC_OBJ_L1CACHE,  HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2CACHE,
                                             HWLOC_OBJ_L2ICACHE, HWLOC_OBJ_L3CACHE,  HWLOC_OBJ_L3ICACHE,
                                             HWLOC_OBJ_L4CACHE,  HWLOC_OBJ_L5CACHE};
    json_object *list = json_object_new_array();
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) add_caches(t, order[i], list);
    return list;
}

static json_object *counts_json(hwloc_topology_t t)
{
    json_object *o = json_object_new_object();
    int threads_per_core;
    json_object *cpus = cpus_json(t, &threads_per_core);
    json_object_object_add(o, "packages", json_object_new_int(hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE)));
    json_object_object_add(o, "cores", json_object_new_int(hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE)));
    json_object_object_add(o, "pus", json_object_new_int(hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU)));
    json_object_object_add(o, "threads_per_core", json_object_new_int(threads_per_core));
    json_object_object_add(o, "numa_nodes", json_object_new_int(hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE)));
    json_object_object_add(o, "cpus", cpus);
    json_object_object_add(o, "caches", caches_json(t));
    return o;
}

/* The node's row of the OS-reported latency matrix (ACPI SLIT); [] when none is reported. */
static json_object *distances_json(hwloc_topology_t t, struct hwloc_distances_s *d, hwloc_obj_t node)
{
    json_object *row = json_object_new_array();
    if (d == NULL) return row;
    for (unsigned i = 0; i < d->nbobjs; i++) {
        if (d->objs[i] != node) continue;
        for (hwloc_obj_t to = NULL; (to = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_NUMANODE, to)) != NULL;)
            for (unsigned j = 0; j < d->nbobjs; j++)
                if (d->objs[j] == to)
                    json_object_array_add(row, json_object_new_int64((int64_t)d->values[i * d->nbobjs + j]));
    }
    return row;
}

static json_object *numa_json(hwloc_topology_t t)
{
    struct hwloc_distances_s *d = NULL;
    unsigned nr = 1;
    if (hwloc_distances_get_by_type(t, HWLOC_OBJ_NUMANODE, &nr, &d, HWLOC_DISTANCES_KIND_MEANS_LATENCY, 0) != 0 ||
        nr == 0)
        d = NULL;
    json_object *list = json_object_new_array();
    for (hwloc_obj_t node = NULL; (node = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_NUMANODE, node)) != NULL;) {
        json_object *n = json_object_new_object();
        json_object_object_add(n, "node", json_object_new_int(obj_index(node)));
        json_object_object_add(n, "cpus", cpuset_list(node->cpuset));
        json_object_object_add(n, "mem_total_kib",
                               json_object_new_int64((int64_t)(node->attr->numanode.local_memory / 1024)));
        json_object_object_add(n, "distances", distances_json(t, d, node));
        json_object_array_add(list, n);
    }
    if (d) hwloc_distances_release(t, d);
    return list;
}

json_object *topology_json(hwloc_topology_t topology)
{
    json_object *doc = json_object_new_object();
    char source[64];
    unsigned v = hwloc_get_api_version(); /* the API level (2.8 for hwloc 2.8 to 2.11), not the release */
    snprintf(source, sizeof source, "hwloc API %u.%u", v >> 16, (v >> 8) & 0xff);
    json_object_object_add(doc, "schema", json_object_new_string("slotkit-bench-topology"));
    json_object_object_add(doc, "version", json_object_new_int(1));
    json_object_object_add(doc, "source", json_object_new_string(source));
    if (topology == NULL) {
        json_object_object_add(doc, "topology", json_object_new_string("not recorded"));
        return doc;
    }
    json_object_object_add(doc, "topology", counts_json(topology));
    json_object_object_add(doc, "numa", numa_json(topology));
    return doc;
}
