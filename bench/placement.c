/*
 * The placement planner: from an hwloc topology to the (CPU pair, memory
 * placement) cases worth measuring. Pure: it reads the topology only, so the
 * same code runs on this machine and on XML/synthetic topologies in tests.
 *
 * Relations are mutually exclusive, so an explicit pair (--cpus A,B) gets
 * exactly one of them and the planner never lists one pair under two names:
 *   different packages                       -> cross_package
 *   same package, different NUMA nodes       -> cross_numa (even when an L3
 *                                               spans both, as with Intel SNC)
 *   same node, same core                     -> smt_siblings
 *   same node, different cores, same L3      -> same_l3
 *   same node, different cores, no common L3 -> same_numa
 */
#include "placement.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pu_info {
    int cpu;             /* OS index */
    hwloc_obj_t core;    /* the PU itself when the topology reports no cores */
    hwloc_obj_t l3;      /* NULL: no L3 above this PU */
    hwloc_obj_t package; /* NULL: no package reported (treated as one package) */
    int node;            /* OS index of the local NUMA node, -1 if none */
} pu_info;

/* What the topology offers, to explain a missing relation. */
typedef struct topo_stats {
    int cores, l3s, packages;
    int numa_nodes;     /* all NUMA node objects */
    int nodes_with_cpu; /* distinct nodes local to at least one PU */
} topo_stats;

static const char *const relation_names[CPU_RELATION_COUNT] = {
    [CPU_SMT_SIBLINGS] = "smt_siblings",   [CPU_SAME_L3] = "same_l3",
    [CPU_SAME_NUMA] = "same_numa",         [CPU_CROSS_NUMA] = "cross_numa",
    [CPU_CROSS_PACKAGE] = "cross_package",
};

static const char *const memory_names[MEM_PLACEMENT_COUNT] = {
    [MEM_WRITER_NODE] = "writer_node",
    [MEM_READER_NODE] = "reader_node",
    [MEM_INTERLEAVED] = "interleaved",
};

const char *cpu_relation_name(cpu_relation relation)
{
    return (unsigned)relation < CPU_RELATION_COUNT ? relation_names[relation] : "unknown";
}

const char *memory_placement_name(memory_placement memory)
{
    return (unsigned)memory < MEM_PLACEMENT_COUNT ? memory_names[memory] : "unknown";
}

/*
 * The NUMA node whose memory is local to this PU: the lowest OS-indexed node
 * whose cpuset holds it. Several can (HBM next to DDR, CXL); the lowest is
 * the conventional "home" node, and a fixed rule keeps the plan deterministic.
 */
static int local_node(hwloc_topology_t topology, unsigned cpu)
{
    int best = -1;
    hwloc_obj_t node = NULL;
    while ((node = hwloc_get_next_obj_by_type(topology, HWLOC_OBJ_NUMANODE, node)) != NULL) {
        if (node->cpuset && hwloc_bitmap_isset(node->cpuset, cpu) && (best < 0 || node->os_index < (unsigned)best))
            best = (int)node->os_index;
    }
    return best;
}

static int by_cpu(const void *a, const void *b)
{
    const pu_info *x = a, *y = b;
    return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

/* Every PU in OS-index order, so "first qualifying pair" means lowest OS indexes. */
static pu_info *collect_pus(hwloc_topology_t topology, int *count)
{
    int n = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_PU);
    *count = 0;
    if (n <= 0) return NULL;
    pu_info *pus = calloc((size_t)n, sizeof *pus);
    if (!pus) return NULL;
    hwloc_obj_t pu = NULL;
    int k = 0;
    while ((pu = hwloc_get_next_obj_by_type(topology, HWLOC_OBJ_PU, pu)) != NULL && k < n) {
        if (pu->os_index == HWLOC_UNKNOWN_INDEX) continue; /* cannot be pinned to */
        hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(topology, HWLOC_OBJ_CORE, pu);
        pus[k++] = (pu_info){
            .cpu = (int)pu->os_index,
            .core = core ? core : pu,
            .l3 = hwloc_get_ancestor_obj_by_type(topology, HWLOC_OBJ_L3CACHE, pu),
            .package = hwloc_get_ancestor_obj_by_type(topology, HWLOC_OBJ_PACKAGE, pu),
            .node = local_node(topology, pu->os_index),
        };
    }
    qsort(pus, (size_t)k, sizeof *pus, by_cpu);
    *count = k;
    return pus;
}

static cpu_relation classify(const pu_info *a, const pu_info *b)
{
    if (a->package != b->package) return CPU_CROSS_PACKAGE;
    if (a->node != b->node) return CPU_CROSS_NUMA;
    if (a->core == b->core) return CPU_SMT_SIBLINGS;
    if (a->l3 && a->l3 == b->l3) return CPU_SAME_L3;
    return CPU_SAME_NUMA;
}

static void gather_stats(hwloc_topology_t topology, const pu_info *pus, int n, topo_stats *s)
{
    *s = (topo_stats){
        .cores = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_CORE),
        .l3s = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_L3CACHE),
        .packages = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_PACKAGE),
        .numa_nodes = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_NUMANODE),
    };
    hwloc_bitmap_t seen = hwloc_bitmap_alloc();
    if (!seen) return;
    for (int i = 0; i < n; i++)
        if (pus[i].node >= 0) hwloc_bitmap_set(seen, (unsigned)pus[i].node);
    s->nodes_with_cpu = hwloc_bitmap_weight(seen);
    hwloc_bitmap_free(seen);
}

/* Why no pair has this relation, in terms of what the topology lacks. */
static void explain_missing(cpu_relation r, const topo_stats *s, char *buf, size_t len)
{
    switch (r) {
    case CPU_SMT_SIBLINGS:
        if (s->cores == 0)
            snprintf(buf, len, "needs 2 PUs in one core (SMT); topology reports no cores");
        else
            snprintf(buf, len, "needs 2 PUs in one core (SMT); every core here has 1");
        return;
    case CPU_SAME_L3:
        if (s->l3s == 0)
            snprintf(buf, len, "needs 2 cores sharing an L3; topology reports no L3 cache");
        else
            snprintf(buf, len, "needs 2 cores sharing an L3 in one NUMA node; no L3 here has 2");
        return;
    case CPU_SAME_NUMA:
        if (s->nodes_with_cpu == 0)
            snprintf(buf, len, "needs a NUMA node with CPUs; topology reports none");
        else if (s->l3s == 0)
            snprintf(buf, len, "needs 2 cores in one NUMA node; no node here has 2");
        else
            snprintf(buf, len, "needs 2 L3 caches in one NUMA node; no node here has 2");
        return;
    case CPU_CROSS_NUMA:
        if (s->nodes_with_cpu < 2 && s->numa_nodes >= 2)
            snprintf(buf, len, "needs 2 NUMA nodes with CPUs; this machine has %d (of %d nodes)", s->nodes_with_cpu,
                     s->numa_nodes);
        else if (s->nodes_with_cpu < 2)
            snprintf(buf, len, "needs 2 NUMA nodes; this machine has %d", s->nodes_with_cpu);
        else
            snprintf(buf, len, "needs 2 NUMA nodes in one package; each package here has 1");
        return;
    case CPU_CROSS_PACKAGE: snprintf(buf, len, "needs 2 packages; this machine has %d", s->packages); return;
    default: snprintf(buf, len, "unknown relation"); return;
    }
}

static void not_applicable(placement_case *c, const char *why)
{
    c->applicable = false;
    c->writer_cpu = c->reader_cpu = -1;
    c->writer_node = c->reader_node = -1;
    snprintf(c->reason, sizeof c->reason, "%s", why);
}

/* Fills one case for a found pair (w, r), or not applicable with the reason. */
static void fill_case(placement_case *c, cpu_relation rel, memory_placement mem, const pu_info *w, const pu_info *r,
                      const char *missing)
{
    memset(c, 0, sizeof *c);
    c->relation = rel;
    c->memory = mem;
    snprintf(c->name, sizeof c->name, "%s/%s", cpu_relation_name(rel), memory_placement_name(mem));
    if (!w) {
        not_applicable(c, missing);
        return;
    }
    if (w->node < 0) {
        char why[128];
        snprintf(why, sizeof why, "topology reports no NUMA node for CPU %d", w->cpu);
        not_applicable(c, why);
        return;
    }
    /* Reader-node and interleaved memory equal writer-node memory when both
     * CPUs share a node: listing them would measure the same thing twice. */
    if (mem != MEM_WRITER_NODE && (r->node < 0 || r->node == w->node)) {
        char why[128];
        snprintf(why, sizeof why, "both CPUs are on NUMA node %d; same as writer_node", w->node);
        not_applicable(c, why);
        return;
    }
    c->applicable = true;
    c->writer_cpu = w->cpu;
    c->reader_cpu = r->cpu;
    c->writer_node = w->node;
    c->reader_node = r->node;
}

size_t placement_plan(hwloc_topology_t topology, placement_case *out, size_t max)
{
    const pu_info *pair[CPU_RELATION_COUNT][2] = {{NULL, NULL}};
    char missing[CPU_RELATION_COUNT][128];
    int n = 0;
    pu_info *pus = topology ? collect_pus(topology, &n) : NULL;

    if (!pus) {
        for (int r = 0; r < CPU_RELATION_COUNT; r++)
            snprintf(missing[r], sizeof missing[r], "%s",
                     topology ? "topology has no usable PUs (or out of memory)" : "no topology");
    } else {
        /* Writer ascending, then reader ascending: the first hit per relation
         * is the lowest OS-indexed pair (and has writer < reader). */
        int found = 0;
        for (int i = 0; i < n && found < CPU_RELATION_COUNT; i++)
            for (int j = i + 1; j < n && found < CPU_RELATION_COUNT; j++) {
                cpu_relation r = classify(&pus[i], &pus[j]);
                if (!pair[r][0]) {
                    pair[r][0] = &pus[i];
                    pair[r][1] = &pus[j];
                    found++;
                }
            }
        topo_stats stats;
        gather_stats(topology, pus, n, &stats);
        for (int r = 0; r < CPU_RELATION_COUNT; r++)
            explain_missing((cpu_relation)r, &stats, missing[r], sizeof missing[r]);
    }

    size_t k = 0;
    for (int r = 0; r < CPU_RELATION_COUNT; r++)
        for (int m = 0; m < MEM_PLACEMENT_COUNT && k < max; m++)
            fill_case(&out[k++], (cpu_relation)r, (memory_placement)m, pair[r][0], pair[r][1], missing[r]);
    free(pus);
    return k;
}

static const pu_info *find_cpu(const pu_info *pus, int n, int cpu)
{
    for (int i = 0; i < n; i++)
        if (pus[i].cpu == cpu) return &pus[i];
    return NULL;
}

bool placement_for_cpus(hwloc_topology_t topology, int writer_cpu, int reader_cpu, placement_case *out)
{
    int n = 0;
    pu_info *pus = topology ? collect_pus(topology, &n) : NULL;
    const pu_info *w = find_cpu(pus, n, writer_cpu), *r = find_cpu(pus, n, reader_cpu);
    char why[128] = "";

    if (!pus)
        snprintf(why, sizeof why, "%s", topology ? "topology has no usable PUs" : "no topology");
    else if (!w || !r)
        snprintf(why, sizeof why, "CPU %d is not in the topology (offline, not allowed or absent)",
                 w ? reader_cpu : writer_cpu);
    else if (writer_cpu == reader_cpu)
        snprintf(why, sizeof why, "writer and reader are the same CPU %d", writer_cpu);

    if (why[0]) {
        memset(out, 0, sizeof *out);
        out->relation = CPU_RELATION_COUNT;
        out->memory = MEM_WRITER_NODE;
        snprintf(out->name, sizeof out->name, "cpus_%d_%d/invalid", writer_cpu, reader_cpu);
        not_applicable(out, why);
    } else {
        fill_case(out, classify(w, r), MEM_WRITER_NODE, w, r, "");
    }
    free(pus);
    return out->applicable;
}

int placement_cpu_node(hwloc_topology_t topology, int cpu)
{
    if (!topology || cpu < 0) return -1;
    hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(topology, (unsigned)cpu);
    return pu ? local_node(topology, (unsigned)cpu) : -1;
}

int placement_topology_load(hwloc_topology_t *topology, const char *xml_path, char *err, size_t err_len)
{
    const char *step = "hwloc_topology_init";
    int saved;
    *topology = NULL;
    hwloc_topology_t t;
    if (hwloc_topology_init(&t) != 0) goto fail_noinit;
    if (xml_path) {
        step = "hwloc_topology_set_xml";
        if (hwloc_topology_set_xml(t, xml_path) != 0) goto fail;
    }
    /* Instruction caches too: the host description lists every cache (hwloc drops them by default). */
    step = "hwloc_topology_set_icache_types_filter";
    if (hwloc_topology_set_icache_types_filter(t, HWLOC_TYPE_FILTER_KEEP_ALL) != 0) goto fail;
    step = "hwloc_topology_load";
    if (hwloc_topology_load(t) != 0) goto fail;
    *topology = t;
    return 0;
fail:
    saved = errno; /* destroy may overwrite it */
    hwloc_topology_destroy(t);
    errno = saved;
fail_noinit:
    if (err && err_len)
        snprintf(err, err_len, "%s(%s) failed: %s", step, xml_path ? xml_path : "this machine", strerror(errno));
    return -1;
}
