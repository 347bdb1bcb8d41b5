/*
 * The placement planner on known topologies (lstopo XML exports under
 * bench/topologies/, or $SLOTKIT_TOPOLOGIES, and hwloc synthetic strings),
 * with the concrete CPU pairs and nodes each must yield; and the NUMA
 * pinning/binding read-back on this machine.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <numa.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "numa_mem.h"
#include "placement.h"

#define NCASES (CPU_RELATION_COUNT * MEM_PLACEMENT_COUNT)

#ifndef SLOTKIT_TOPOLOGY_DIR
#define SLOTKIT_TOPOLOGY_DIR "bench/topologies"
#endif

static hwloc_topology_t load_xml(const char *file)
{
    const char *dir = getenv("SLOTKIT_TOPOLOGIES");
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : SLOTKIT_TOPOLOGY_DIR, file);
    hwloc_topology_t t;
    cr_assert_eq(placement_topology_load(&t, path, err, sizeof err), 0, "%s", err);
    return t;
}

static hwloc_topology_t load_synthetic(const char *description)
{
    hwloc_topology_t t;
    cr_assert_eq(hwloc_topology_init(&t), 0);
    cr_assert_eq(hwloc_topology_set_synthetic(t, description), 0, "bad synthetic \"%s\"", description);
    cr_assert_eq(hwloc_topology_load(t), 0);
    return t;
}

static void plan(hwloc_topology_t t, placement_case *cases)
{
    cr_assert_eq(placement_plan(t, cases, NCASES), (size_t)NCASES);
    for (int i = 0; i < NCASES; i++) {
        cr_assert_eq(cases[i].relation, (cpu_relation)(i / MEM_PLACEMENT_COUNT), "case %d out of order", i);
        cr_assert_eq(cases[i].memory, (memory_placement)(i % MEM_PLACEMENT_COUNT), "case %d out of order", i);
    }
}

static const placement_case *at(const placement_case *cases, cpu_relation r, memory_placement m)
{
    return &cases[r * MEM_PLACEMENT_COUNT + m];
}

/* The relation is offered by (w, r) on nodes (wn, rn); reader-node and
 * interleaved memory only when the nodes differ. */
static void expect_pair(const placement_case *cases, cpu_relation rel, int w, int r, int wn, int rn)
{
    for (int m = 0; m < MEM_PLACEMENT_COUNT; m++) {
        const placement_case *c = at(cases, rel, (memory_placement)m);
        bool want = m == MEM_WRITER_NODE || wn != rn;
        cr_assert_eq(c->applicable, want, "%s: applicable %d, want %d (%s)", c->name, c->applicable, want, c->reason);
        if (!want) {
            cr_assert(strstr(c->reason, "same as writer_node"), "%s: reason \"%s\"", c->name, c->reason);
            cr_assert_eq(c->writer_cpu, -1, "%s", c->name);
            continue;
        }
        cr_assert_str_eq(c->reason, "", "%s", c->name);
        cr_assert_eq(c->writer_cpu, w, "%s: writer %d, want %d", c->name, c->writer_cpu, w);
        cr_assert_eq(c->reader_cpu, r, "%s: reader %d, want %d", c->name, c->reader_cpu, r);
        cr_assert_eq(c->writer_node, wn, "%s: writer node %d, want %d", c->name, c->writer_node, wn);
        cr_assert_eq(c->reader_node, rn, "%s: reader node %d, want %d", c->name, c->reader_node, rn);
    }
}

/* The relation is not offered; every memory placement says why. */
static void expect_none(const placement_case *cases, cpu_relation rel, const char *reason)
{
    for (int m = 0; m < MEM_PLACEMENT_COUNT; m++) {
        const placement_case *c = at(cases, rel, (memory_placement)m);
        cr_assert_not(c->applicable, "%s should not be applicable (%d,%d)", c->name, c->writer_cpu, c->reader_cpu);
        cr_assert_str_eq(c->reason, reason, "%s", c->name);
        cr_assert_eq(c->writer_cpu, -1);
        cr_assert_eq(c->reader_cpu, -1);
        cr_assert_eq(c->writer_node, -1);
        cr_assert_eq(c->reader_node, -1);
    }
}

static void expect_for_cpus(hwloc_topology_t t, int w, int r, cpu_relation rel, int wn, int rn)
{
    placement_case c;
    cr_assert(placement_for_cpus(t, w, r, &c), "cpus %d,%d: %s", w, r, c.reason);
    cr_assert_eq(c.relation, rel, "cpus %d,%d: %s, want %s", w, r, cpu_relation_name(c.relation),
                 cpu_relation_name(rel));
    cr_assert_eq(c.memory, MEM_WRITER_NODE);
    cr_assert_eq(c.writer_cpu, w);
    cr_assert_eq(c.reader_cpu, r);
    cr_assert_eq(c.writer_node, wn);
    cr_assert_eq(c.reader_node, rn);
}

static const char *const one_node = "needs 2 NUMA nodes; this machine has 1";
static const char *const one_package = "needs 2 packages; this machine has 1";
static const char *const node_per_package = "needs 2 NUMA nodes in one package; each package here has 1";
static const char *const one_l3_per_node = "needs 2 L3 caches in one NUMA node; no node here has 2";
static const char *const no_smt = "needs 2 PUs in one core (SMT); every core here has 1";

Test(placement, names)
{
    cr_assert_str_eq(cpu_relation_name(CPU_SMT_SIBLINGS), "smt_siblings");
    cr_assert_str_eq(cpu_relation_name(CPU_SAME_L3), "same_l3");
    cr_assert_str_eq(cpu_relation_name(CPU_SAME_NUMA), "same_numa");
    cr_assert_str_eq(cpu_relation_name(CPU_CROSS_NUMA), "cross_numa");
    cr_assert_str_eq(cpu_relation_name(CPU_CROSS_PACKAGE), "cross_package");
    cr_assert_str_eq(cpu_relation_name(CPU_RELATION_COUNT), "unknown");
    cr_assert_str_eq(memory_placement_name(MEM_WRITER_NODE), "writer_node");
    cr_assert_str_eq(memory_placement_name(MEM_READER_NODE), "reader_node");
    cr_assert_str_eq(memory_placement_name(MEM_INTERLEAVED), "interleaved");

    hwloc_topology_t t = load_xml("2pack-4numa-16l3-128pu.xml");
    placement_case cases[NCASES];
    plan(t, cases);
    cr_assert_str_eq(at(cases, CPU_SAME_L3, MEM_WRITER_NODE)->name, "same_l3/writer_node");
    cr_assert_str_eq(at(cases, CPU_CROSS_PACKAGE, MEM_INTERLEAVED)->name, "cross_package/interleaved");
    hwloc_topology_destroy(t);
}

/* (a) 2 packages x 2 NUMA nodes x 4 L3 x 4 cores x 2 PUs: 32 PUs a node. */
Test(placement, two_packages_four_nodes)
{
    hwloc_topology_t t = load_xml("2pack-4numa-16l3-128pu.xml");
    placement_case cases[NCASES];
    plan(t, cases);
    expect_pair(cases, CPU_SMT_SIBLINGS, 0, 1, 0, 0);
    expect_pair(cases, CPU_SAME_L3, 0, 2, 0, 0);
    expect_pair(cases, CPU_SAME_NUMA, 0, 8, 0, 0);
    expect_pair(cases, CPU_CROSS_NUMA, 0, 32, 0, 1);
    expect_pair(cases, CPU_CROSS_PACKAGE, 0, 64, 0, 2); /* first PU of package 1 */

    expect_for_cpus(t, 6, 7, CPU_SMT_SIBLINGS, 0, 0);
    expect_for_cpus(t, 0, 3, CPU_SAME_L3, 0, 0);
    expect_for_cpus(t, 5, 20, CPU_SAME_NUMA, 0, 0);
    expect_for_cpus(t, 40, 1, CPU_CROSS_NUMA, 1, 0);
    expect_for_cpus(t, 2, 127, CPU_CROSS_PACKAGE, 0, 3);
    hwloc_topology_destroy(t);
}

/* (b) one package, one node, 8 CCX (L3) x 8 cores x 2 PUs. */
Test(placement, single_socket_eight_ccx)
{
    hwloc_topology_t t = load_xml("1pack-8ccx-128pu.xml");
    placement_case cases[NCASES];
    plan(t, cases);
    expect_pair(cases, CPU_SMT_SIBLINGS, 0, 1, 0, 0);
    expect_pair(cases, CPU_SAME_L3, 0, 2, 0, 0);
    expect_pair(cases, CPU_SAME_NUMA, 0, 16, 0, 0); /* first PU of the second CCX */
    expect_none(cases, CPU_CROSS_NUMA, one_node);
    expect_none(cases, CPU_CROSS_PACKAGE, one_package);
    hwloc_topology_destroy(t);
}

/* (c) plain 2-socket server: one node and one L3 a package. */
Test(placement, plain_two_socket)
{
    hwloc_topology_t t = load_xml("2socket-64pu.xml");
    placement_case cases[NCASES];
    plan(t, cases);
    expect_pair(cases, CPU_SMT_SIBLINGS, 0, 1, 0, 0);
    expect_pair(cases, CPU_SAME_L3, 0, 2, 0, 0);
    expect_none(cases, CPU_SAME_NUMA, one_l3_per_node);
    expect_none(cases, CPU_CROSS_NUMA, node_per_package);
    expect_pair(cases, CPU_CROSS_PACKAGE, 0, 32, 0, 1);
    hwloc_topology_destroy(t);
}

/* (e) Intel-style 2-socket with sub-NUMA clustering: one L3 spans two nodes,
 * and SMT siblings are numbered N apart (PU 0 and 32 share core 0). */
Test(placement, two_socket_snc2_intel_numbering)
{
    hwloc_topology_t t = load_xml("2socket-snc2-64pu.xml");
    placement_case cases[NCASES];
    plan(t, cases);
    expect_pair(cases, CPU_SMT_SIBLINGS, 0, 32, 0, 0);
    expect_pair(cases, CPU_SAME_L3, 0, 1, 0, 0);
    expect_none(cases, CPU_SAME_NUMA, one_l3_per_node);
    expect_pair(cases, CPU_CROSS_NUMA, 0, 8, 0, 1); /* shares the L3, but not the node */
    expect_pair(cases, CPU_CROSS_PACKAGE, 0, 16, 0, 2);

    expect_for_cpus(t, 33, 1, CPU_SMT_SIBLINGS, 0, 0);
    expect_for_cpus(t, 7, 40, CPU_CROSS_NUMA, 0, 1);
    expect_for_cpus(t, 63, 0, CPU_CROSS_PACKAGE, 3, 0);
    hwloc_topology_destroy(t);
}

/* (d) this development machine as exported: 2 vCPUs, 1 core each, one L3,
 * one node, one package. Only same_l3 with writer-node memory is offered. */
Test(placement, dev_machine_two_vcpus)
{
    hwloc_topology_t t = load_xml("dev-kvm-2vcpu.xml");
    placement_case cases[NCASES];
    plan(t, cases);
    expect_none(cases, CPU_SMT_SIBLINGS, no_smt);
    expect_pair(cases, CPU_SAME_L3, 0, 1, 0, 0);
    expect_none(cases, CPU_SAME_NUMA, one_l3_per_node);
    expect_none(cases, CPU_CROSS_NUMA, one_node);
    expect_none(cases, CPU_CROSS_PACKAGE, one_package);
    int applicable = 0;
    for (int i = 0; i < NCASES; i++) applicable += cases[i].applicable;
    cr_assert_eq(applicable, 1);
    cr_assert_str_eq(at(cases, CPU_SAME_L3, MEM_READER_NODE)->reason,
                     "both CPUs are on NUMA node 0; same as writer_node");
    hwloc_topology_destroy(t);
}

/* The synthetic description gives the same plan as its lstopo XML export. */
Test(placement, synthetic_matches_xml)
{
    hwloc_topology_t x = load_xml("2pack-4numa-16l3-128pu.xml");
    hwloc_topology_t s = load_synthetic("pack:2 group:2 [numa(memory=64GiB)] l3:4(size=32MiB) core:4 pu:2");
    placement_case a[NCASES], b[NCASES];
    plan(x, a);
    plan(s, b);
    for (int i = 0; i < NCASES; i++) {
        cr_assert_str_eq(a[i].name, b[i].name);
        cr_assert_eq(a[i].applicable, b[i].applicable, "%s", a[i].name);
        cr_assert_eq(a[i].writer_cpu, b[i].writer_cpu, "%s", a[i].name);
        cr_assert_eq(a[i].reader_cpu, b[i].reader_cpu, "%s", a[i].name);
        cr_assert_eq(a[i].writer_node, b[i].writer_node, "%s", a[i].name);
        cr_assert_eq(a[i].reader_node, b[i].reader_node, "%s", a[i].name);
        cr_assert_str_eq(a[i].reason, b[i].reason, "%s", a[i].name);
    }
    hwloc_topology_destroy(x);
    hwloc_topology_destroy(s);
}

/* Without an L3, two cores of one node are "same_numa" (they share no L3). */
Test(placement, no_l3)
{
    hwloc_topology_t t = load_synthetic("pack:2 [numa] core:4 pu:1");
    placement_case cases[NCASES];
    plan(t, cases);
    expect_none(cases, CPU_SMT_SIBLINGS, no_smt);
    expect_none(cases, CPU_SAME_L3, "needs 2 cores sharing an L3; topology reports no L3 cache");
    expect_pair(cases, CPU_SAME_NUMA, 0, 1, 0, 0);
    expect_none(cases, CPU_CROSS_NUMA, node_per_package);
    expect_pair(cases, CPU_CROSS_PACKAGE, 0, 4, 0, 1);
    hwloc_topology_destroy(t);
}

/* Without cores, each PU counts as its own core: no SMT pair is invented. */
Test(placement, no_cores)
{
    hwloc_topology_t t = load_synthetic("pack:1 [numa] l3:1 pu:4");
    placement_case cases[NCASES];
    plan(t, cases);
    expect_none(cases, CPU_SMT_SIBLINGS, "needs 2 PUs in one core (SMT); topology reports no cores");
    expect_pair(cases, CPU_SAME_L3, 0, 1, 0, 0);
    hwloc_topology_destroy(t);
}

/* No NUMA attribute: hwloc puts all memory in one machine-wide node, so two
 * packages share it and only writer-node memory is listed. */
Test(placement, packages_without_numa)
{
    hwloc_topology_t t = load_synthetic("pack:2 core:2 pu:2");
    placement_case cases[NCASES];
    plan(t, cases);
    expect_pair(cases, CPU_SMT_SIBLINGS, 0, 1, 0, 0);
    expect_none(cases, CPU_SAME_L3, "needs 2 cores sharing an L3; topology reports no L3 cache");
    expect_pair(cases, CPU_SAME_NUMA, 0, 2, 0, 0);
    expect_none(cases, CPU_CROSS_NUMA, one_node);
    expect_pair(cases, CPU_CROSS_PACKAGE, 0, 4, 0, 0);
    hwloc_topology_destroy(t);
}

/* No package objects: the machine counts as one package, nodes still differ. */
Test(placement, nodes_without_packages)
{
    hwloc_topology_t t = load_synthetic("group:2 [numa] core:2 pu:1");
    placement_case cases[NCASES];
    plan(t, cases);
    expect_pair(cases, CPU_CROSS_NUMA, 0, 2, 0, 1);
    expect_none(cases, CPU_CROSS_PACKAGE, "needs 2 packages; this machine has 0");
    hwloc_topology_destroy(t);
}

Test(placement, explicit_pair_errors)
{
    hwloc_topology_t t = load_xml("2socket-64pu.xml");
    placement_case c;
    cr_assert_not(placement_for_cpus(t, 3, 3, &c));
    cr_assert_str_eq(c.reason, "writer and reader are the same CPU 3");
    cr_assert_eq(c.relation, CPU_RELATION_COUNT);
    cr_assert_eq(c.writer_cpu, -1);
    cr_assert_not(placement_for_cpus(t, 0, 64, &c));
    cr_assert(strstr(c.reason, "CPU 64 is not in the topology"), "%s", c.reason);
    cr_assert_not(placement_for_cpus(t, -1, 0, &c));
    cr_assert(strstr(c.reason, "CPU -1 is not in the topology"), "%s", c.reason);
    cr_assert_eq(placement_cpu_node(t, 40), 1);
    cr_assert_eq(placement_cpu_node(t, 64), -1);
    hwloc_topology_destroy(t);
}

Test(placement, plan_respects_max)
{
    hwloc_topology_t t = load_xml("2socket-64pu.xml");
    placement_case cases[NCASES + 1];
    memset(cases, 0x5a, sizeof cases);
    cr_assert_eq(placement_plan(t, cases, 4), (size_t)4);
    cr_assert_str_eq(cases[3].name, "same_l3/writer_node");
    cr_assert_eq(cases[4].writer_cpu, 0x5a5a5a5a, "wrote past max");
    cr_assert_eq(placement_plan(t, NULL, 0), (size_t)0);
    cr_assert_eq(placement_plan(t, cases, NCASES + 1), (size_t)NCASES);
    hwloc_topology_destroy(t);
}

Test(placement, missing_xml_reports_error)
{
    hwloc_topology_t t;
    char err[256];
    cr_assert_eq(placement_topology_load(&t, "/nonexistent/topology.xml", err, sizeof err), -1);
    cr_assert_null(t);
    cr_assert(strstr(err, "/nonexistent/topology.xml"), "%s", err);
}

/* This machine, live: whatever it offers must be consistent with the kernel's
 * view, and what it lacks must be said. Holds on any machine. */
Test(placement, this_machine_live)
{
    hwloc_topology_t t;
    char err[256];
    cr_assert_eq(placement_topology_load(&t, NULL, err, sizeof err), 0, "%s", err);
    placement_case cases[NCASES];
    plan(t, cases);
    int applicable = 0;
    for (int i = 0; i < NCASES; i++) {
        const placement_case *c = &cases[i];
        if (!c->applicable) {
            cr_assert_neq(c->reason[0], '\0', "%s: no reason given", c->name);
            continue;
        }
        applicable++;
        cr_assert_neq(c->writer_cpu, c->reader_cpu);
        cr_assert_eq(c->writer_node, placement_cpu_node(t, c->writer_cpu));
        cr_assert_eq(c->reader_node, placement_cpu_node(t, c->reader_cpu));
        if (numa_mem_available()) {
            cr_assert_eq(c->writer_node, numa_mem_node_of_cpu(c->writer_cpu), "%s", c->name);
            cr_assert_eq(c->reader_node, numa_mem_node_of_cpu(c->reader_cpu), "%s", c->name);
        }
        placement_case e;
        cr_assert(placement_for_cpus(t, c->writer_cpu, c->reader_cpu, &e));
        cr_assert_eq(e.relation, c->relation, "%s", c->name);
    }
    if (hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU) >= 2)
        cr_assert_geq(applicable, 1, "a machine with 2 CPUs offers at least one pair");
    if (hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE) == 1) expect_none(cases, CPU_CROSS_NUMA, one_node);
    if (hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE) == 1) expect_none(cases, CPU_CROSS_PACKAGE, one_package);
    hwloc_topology_destroy(t);
}

/* ---- numa_mem: pinning and memory placement read back on this machine ---- */

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

Test(numa_mem, pin_reads_back_every_allowed_cpu)
{
    cpu_set_t allowed;
    cr_assert_eq(sched_getaffinity(0, sizeof allowed, &allowed), 0);
    int pinned = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed)) continue;
        int used = -2;
        char msg[160];
        cr_assert_eq(numa_mem_pin_thread(cpu, &used, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
        cr_assert_eq(used, cpu);
        cr_assert_eq(sched_getcpu(), cpu);
        pinned++;
    }
    cr_assert_geq(pinned, 1);
}

Test(numa_mem, pin_rejects_absent_cpu)
{
    int used = 7;
    char msg[160];
    cr_assert_eq(numa_mem_pin_thread(100000, &used, msg, sizeof msg), NUMA_MEM_ERROR);
    cr_assert(strstr(msg, "sched_setaffinity(CPU 100000)"), "%s", msg);
    cr_assert_eq(used, -1);
    cr_assert_eq(numa_mem_pin_thread(-1, NULL, msg, sizeof msg), NUMA_MEM_ERROR);
}

/* Where NUMA is unavailable every memory call says "not applicable". */
static bool need_numa(void)
{
    if (numa_mem_available()) return true;
    char msg[160], some[64] = "";
    numa_mem_residency r;
    cr_assert_eq(numa_mem_residency_of(some, sizeof some, &r, msg, sizeof msg), NUMA_MEM_NOT_APPLICABLE);
    cr_assert_eq(numa_mem_bind_node(some, sizeof some, 0, msg, sizeof msg), NUMA_MEM_NOT_APPLICABLE);
    cr_assert(strstr(msg, "not applicable"), "%s", msg);
    return false;
}

/* Binds a fresh mapping to node 0, touches it, reads back node 0. */
static void bind_touch_read(int flags)
{
    if (!need_numa()) return;
    size_t len = 64 * page_size();
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(p, MAP_FAILED);
    char msg[160];
    cr_assert_eq(numa_mem_bind_node(p, len, 0, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
    cr_assert_str_eq(msg, "bound to node 0");
    memset(p, 1, len); /* first touch: the policy applies now */
    numa_mem_residency r;
    cr_assert_eq(numa_mem_residency_of(p, len, &r, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
    cr_assert_eq(r.pages, (size_t)64);
    cr_assert_eq(r.on_node[0], (size_t)64);
    cr_assert_eq(numa_mem_residency_main_node(&r), 0);
    char summary[128];
    numa_mem_residency_format(&r, summary, sizeof summary);
    cr_assert_str_eq(summary, "node 0: 100%");
    munmap(p, len);
}

Test(numa_mem, bind_private_mapping_to_node0) { bind_touch_read(MAP_PRIVATE); }

Test(numa_mem, bind_shared_mapping_to_node0) { bind_touch_read(MAP_SHARED); }

/* A shared segment's policy is the segment's: bound in the parent before
 * first touch, pages first touched by another process still land on node 0. */
Test(numa_mem, shared_segment_policy_holds_for_other_process)
{
    if (!need_numa()) return;
    size_t len = 32 * page_size();
    int fd = memfd_create("slotkit-placement-test", 0);
    cr_assert_geq(fd, 0, "memfd_create: %s", strerror(errno));
    cr_assert_eq(ftruncate(fd, (off_t)len), 0);
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    cr_assert_neq(p, MAP_FAILED);
    char msg[160];
    cr_assert_eq(numa_mem_bind_node(p, len, 0, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        char *q = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (q == MAP_FAILED) _exit(1);
        memset(q, 2, len);
        _exit(0);
    }
    int st;
    cr_assert_eq(waitpid(child, &st, 0), child);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    numa_mem_residency r;
    /* move_pages sees only pages mapped in the caller's page tables: the
     * child's pages are "not present" here until this process faults them in
     * (reading an existing shmem page maps it, allocating nothing). */
    cr_assert_eq(numa_mem_residency_of(p, len, &r, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
    cr_assert_eq(r.not_present, (size_t)32);
    for (size_t off = 0; off < len; off += page_size()) cr_assert_eq(((volatile char *)p)[off], 2);
    cr_assert_eq(numa_mem_residency_of(p, len, &r, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
    cr_assert_eq(r.on_node[0], (size_t)32, "pages on node 0: %zu, not present %zu", r.on_node[0], r.not_present);
    munmap(p, len);
    close(fd);
}

Test(numa_mem, interleave_over_node0)
{
    if (!need_numa()) return;
    size_t len = 16 * page_size();
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(p, MAP_FAILED);
    int nodes[] = {0};
    char msg[160];
    cr_assert_eq(numa_mem_bind_interleave(p, len, nodes, 1, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
    cr_assert_str_eq(msg, "interleaved over nodes 0");
    memset(p, 1, len);
    numa_mem_residency r;
    cr_assert_eq(numa_mem_residency_of(p, len, &r, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
    cr_assert_eq(r.on_node[0], (size_t)16);
    munmap(p, len);
}

/* Untouched pages are reported as not present, not guessed. */
Test(numa_mem, untouched_pages_not_present)
{
    if (!need_numa()) return;
    size_t len = 8 * page_size();
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(p, MAP_FAILED);
    numa_mem_residency r;
    char msg[160], summary[128];
    cr_assert_eq(numa_mem_residency_of(p, len, &r, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
    cr_assert_eq(r.not_present, (size_t)8);
    cr_assert_eq(numa_mem_residency_main_node(&r), -1);
    numa_mem_residency_format(&r, summary, sizeof summary);
    cr_assert_str_eq(summary, "not present: 100%");
    memset(p, 1, len / 2);
    cr_assert_eq(numa_mem_residency_of(p, len, &r, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
    numa_mem_residency_format(&r, summary, sizeof summary);
    cr_assert(strstr(summary, ": 50%, not present: 50%"), "%s", summary);
    munmap(p, len);
}

Test(numa_mem, bind_errors_are_reported)
{
    if (!need_numa()) return;
    size_t len = 4 * page_size();
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(p, MAP_FAILED);
    char msg[160];
    int absent = numa_max_node() + 1;
    cr_assert_eq(numa_mem_bind_node(p, len, absent, msg, sizeof msg), NUMA_MEM_ERROR);
    cr_assert(strstr(msg, "does not exist here"), "%s", msg);
    cr_assert_eq(numa_mem_bind_node(p + 1, len - 1, 0, msg, sizeof msg), NUMA_MEM_ERROR);
    cr_assert(strstr(msg, "not page-aligned"), "%s", msg);
    cr_assert_eq(numa_mem_bind_interleave(p, len, NULL, 0, msg, sizeof msg), NUMA_MEM_ERROR);
    munmap(p, len);
}

/* A plan's applicable case binds and reads back its node; a case that is
 * not applicable is refused with its reason, not approximated. */
Test(numa_mem, apply_planned_cases_on_this_machine)
{
    hwloc_topology_t t;
    char err[256];
    cr_assert_eq(placement_topology_load(&t, NULL, err, sizeof err), 0, "%s", err);
    placement_case cases[NCASES];
    plan(t, cases);
    size_t len = 8 * page_size();
    for (int i = 0; i < NCASES; i++) {
        const placement_case *c = &cases[i];
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        cr_assert_neq(p, MAP_FAILED);
        char msg[160];
        numa_mem_status st = numa_mem_apply(p, len, c, msg, sizeof msg);
        if (!c->applicable) {
            cr_assert_eq(st, NUMA_MEM_NOT_APPLICABLE, "%s", c->name);
            cr_assert(strstr(msg, c->reason), "%s: %s", c->name, msg);
        } else if (!numa_mem_available()) {
            cr_assert_eq(st, NUMA_MEM_NOT_APPLICABLE, "%s: %s", c->name, msg);
        } else {
            cr_assert_eq(st, NUMA_MEM_OK, "%s: %s", c->name, msg);
            int used;
            cr_assert_eq(numa_mem_pin_thread(c->writer_cpu, &used, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
            memset(p, 1, len);
            numa_mem_residency r;
            cr_assert_eq(numa_mem_residency_of(p, len, &r, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
            int want = c->memory == MEM_READER_NODE ? c->reader_node : c->writer_node;
            if (c->memory == MEM_INTERLEAVED)
                cr_assert_eq(r.on_node[c->writer_node] + r.on_node[c->reader_node], r.pages, "%s", c->name);
            else
                cr_assert_eq(r.on_node[want], r.pages, "%s", c->name);
        }
        munmap(p, len);
    }
    hwloc_topology_destroy(t);
}

/* The thread policy variant: pages the thread first touches follow the case. */
Test(numa_mem, thread_policy_places_first_touch)
{
    hwloc_topology_t t = load_xml("dev-kvm-2vcpu.xml");
    placement_case cases[NCASES];
    plan(t, cases);
    hwloc_topology_destroy(t);
    char msg[160];
    cr_assert_eq(numa_mem_thread_policy(at(cases, CPU_CROSS_NUMA, MEM_WRITER_NODE), msg, sizeof msg),
                 NUMA_MEM_NOT_APPLICABLE);
    cr_assert(strstr(msg, one_node), "%s", msg);
    if (!need_numa()) return;
    const placement_case *c = at(cases, CPU_SAME_L3, MEM_WRITER_NODE); /* node 0, as on every machine */
    cr_assert_eq(numa_mem_thread_policy(c, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
    cr_assert_str_eq(msg, "thread memory bound to node 0");
    size_t len = 8 * page_size();
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(p, MAP_FAILED);
    memset(p, 1, len);
    numa_mem_residency r;
    cr_assert_eq(numa_mem_residency_of(p, len, &r, msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
    cr_assert_eq(r.on_node[0], (size_t)8);
    cr_assert_eq(numa_mem_thread_policy_reset(msg, sizeof msg), NUMA_MEM_OK, "%s", msg);
    munmap(p, len);
}

Test(numa_mem, format_shares)
{
    numa_mem_residency r = {.pages = 3};
    r.on_node[0] = 1;
    r.on_node[1] = 2;
    char s[128];
    numa_mem_residency_format(&r, s, sizeof s);
    cr_assert_str_eq(s, "node 0: 33.3%, node 1: 66.7%");
    cr_assert_eq(numa_mem_residency_main_node(&r), 1);
    numa_mem_residency empty = {0};
    numa_mem_residency_format(&empty, s, sizeof s);
    cr_assert_str_eq(s, "no pages");
    char tiny[8];
    numa_mem_residency_format(&r, tiny, sizeof tiny); /* truncates, never overflows */
    cr_assert_eq(strlen(tiny), sizeof tiny - 1);
}
