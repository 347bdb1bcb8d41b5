/*
 * Where a backend's pages really land under each planned placement, and the
 * plan itself as JSON:
 *
 *   slotkit-bench --plan=FILE                      the planner's cases for this topology
 *   slotkit-bench --placement-probe=FILE --backend=B
 *
 * The probe places its thread exactly as a latency case does (place_thread:
 * the writer's CPU and the case's memory policy, set before the pool exists),
 * creates a pool of PROBE_SLOTS x PROBE_CAPACITY through the ABI, fills every
 * slot through a loan, and reads back with move_pages() the node of every
 * payload page. A bound case passes when every page is on the requested node;
 * an interleaved one when each of its nodes holds at least a fair share's half
 * and no page lies elsewhere. The latency bench reads back one page per case;
 * this sees the whole payload, so a policy that spreads or drifts shows.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "numa_mem.h"

extern hwloc_topology_t bench_topology;

enum { PROBE_SLOTS = 16, PROBE_CAPACITY = 64 * 1024, MAX_PLAN = CPU_RELATION_COUNT * MEM_PLACEMENT_COUNT };

static json_object *plan_case_json(const placement_case *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(c->name));
    json_object_object_add(o, "relation", json_object_new_string(cpu_relation_name(c->relation)));
    json_object_object_add(o, "memory", json_object_new_string(memory_placement_name(c->memory)));
    json_object_object_add(o, "applicable", json_object_new_boolean(c->applicable));
    json_object_object_add(o, "writer_cpu", json_object_new_int(c->writer_cpu));
    json_object_object_add(o, "reader_cpu", json_object_new_int(c->reader_cpu));
    json_object_object_add(o, "writer_node", json_object_new_int(c->writer_node));
    json_object_object_add(o, "reader_node", json_object_new_int(c->reader_node));
    json_object_object_add(o, "reason", json_object_new_string(c->reason));
    return o;
}

static size_t plan_here(placement_case *cases)
{
    return bench_topology ? placement_plan(bench_topology, cases, MAX_PLAN) : 0;
}

int run_plan(const char *path)
{
    if (!bench_topology) {
        fprintf(stderr, "slotkit-bench: --plan: no topology\n");
        return 2;
    }
    placement_case cases[MAX_PLAN];
    size_t n = plan_here(cases);
    json_object *doc = json_object_new_object(), *list = json_object_new_array();
    json_object_object_add(doc, "schema", json_object_new_string("slotkit-placement-plan"));
    json_object_object_add(doc, "version", json_object_new_int(1));
    for (size_t i = 0; i < n; i++) json_object_array_add(list, plan_case_json(&cases[i]));
    json_object_object_add(doc, "cases", list);
    return write_json(path, doc) ? 0 : 2;
}

/* The nodes a case asks for; returns how many (1 or 2). */
static int expected_nodes(const placement_case *c, int nodes[2])
{
    nodes[0] = c->memory == MEM_READER_NODE ? c->reader_node : c->writer_node;
    nodes[1] = c->reader_node;
    return c->memory == MEM_INTERLEAVED && c->writer_node != c->reader_node ? 2 : 1;
}

/* ok, or why not: every page present, on the asked nodes, interleave spread. */
static const char *judge(const placement_case *c, const numa_mem_residency *r)
{
    int nodes[2], k = expected_nodes(c, nodes);
    if (r->pages == 0 || r->not_present || r->failed || r->on_higher_node) return "pages missing or unreadable";
    size_t on_expected = 0;
    for (int i = 0; i < k; i++) {
        size_t here = r->on_node[nodes[i]];
        on_expected += here;
        if (k > 1 && here * 2 * (size_t)k < r->pages) return "interleave does not spread over both nodes";
    }
    return on_expected == r->pages ? NULL : "pages on a node the case did not ask for";
}

/* Fills every slot through a loan and adds up where its payload pages are. */
static bool touch_and_read_back(slotkit_pool *pool, numa_mem_residency *sum, char *msg, size_t len)
{
    slotkit_handle loans[PROBE_SLOTS];
    int held = 0;
    bool ok = true;
    memset(sum, 0, sizeof *sum);
    for (; ok && held < PROBE_SLOTS; held++) {
        void *p = NULL;
        size_t n = 0;
        numa_mem_residency r;
        ok = slotkit_reserve(pool, 0, &loans[held]) == SLOTKIT_OK;
        if (!ok) {
            snprintf(msg, len, "reserve of slot %d failed", held);
            break;
        }
        ok = slotkit_slot_data_ptr(pool, loans[held], &p, &n) == SLOTKIT_OK && p && n;
        if (ok) memset(p, 0xA5, n);
        ok = ok && numa_mem_residency_of(p, n, &r, msg, len) == NUMA_MEM_OK;
        for (int i = 0; ok && i < NUMA_MEM_MAX_NODES; i++) sum->on_node[i] += r.on_node[i];
        if (ok) {
            sum->pages += r.pages;
            sum->not_present += r.not_present;
            sum->failed += r.failed;
            sum->on_higher_node += r.on_higher_node;
        } else if (!msg[0]) {
            snprintf(msg, len, "no payload pointer for slot %d", held);
        }
    }
    for (int i = 0; i < held; i++) slotkit_discard(pool, loans[i]);
    return ok;
}

static json_object *residency_json(const numa_mem_residency *r)
{
    json_object *o = json_object_new_object();
    char key[16];
    for (int i = 0; i < NUMA_MEM_MAX_NODES; i++)
        if (r->on_node[i]) {
            snprintf(key, sizeof key, "%d", i);
            json_object_object_add(o, key, json_object_new_int64((int64_t)r->on_node[i]));
        }
    return o;
}

/* One case: placed as a latency case's writer, a fresh pool, read back. */
static bool probe_case(const placement_case *c, json_object *o)
{
    char msg[256] = "", name[64];
    numa_mem_residency r = {0};
    int cpu_used = place_thread(c->writer_cpu, c, msg, sizeof msg);
    slotkit_pool *pool = NULL;
    bool measured = cpu_used >= 0;
    if (measured) {
        pool_name(name, sizeof name);
        pool = pool_create(name, PROBE_SLOTS, PROBE_CAPACITY, msg, sizeof msg);
        measured = pool && touch_and_read_back(pool, &r, msg, sizeof msg);
    }
    if (pool) slotkit_pool_close(pool);
    place_reset_memory();
    const char *wrong = measured ? judge(c, &r) : "not measured";
    char summary[256];
    numa_mem_residency_format(&r, summary, sizeof summary);
    json_object_object_add(o, "cpu_used", json_object_new_int(cpu_used));
    json_object_object_add(o, "pages", json_object_new_int64((int64_t)r.pages));
    json_object_object_add(o, "pages_on_node", residency_json(&r));
    json_object_object_add(o, "residency", json_object_new_string(measured ? summary : msg));
    json_object_object_add(o, "verdict", json_object_new_string(wrong ? "wrong" : "ok"));
    if (wrong) json_object_object_add(o, "why", json_object_new_string(measured ? wrong : msg));
    fprintf(stderr, "slotkit-bench: probe %-32s cpu %d -> %s: %s%s%s\n", c->name, cpu_used, measured ? summary : "-",
            wrong ? "WRONG, " : "ok", wrong ? wrong : "", measured || !wrong ? "" : msg);
    return wrong == NULL;
}

int run_placement_probe(const char *path)
{
    if (!(G.caps & SLOTKIT_CAP_IN_PLACE) || !numa_mem_available()) {
        fprintf(stderr, "slotkit-bench: --placement-probe needs %s\n",
                numa_mem_available() ? "a backend with IN_PLACE (a pointer to its pages)" : "NUMA support");
        return 2;
    }
    placement_case cases[MAX_PLAN];
    size_t n = plan_here(cases), wrong = 0, probed = 0;
    json_object *doc = json_object_new_object(), *list = json_object_new_array();
    json_object_object_add(doc, "schema", json_object_new_string("slotkit-placement-probe"));
    json_object_object_add(doc, "version", json_object_new_int(1));
    json_object_object_add(doc, "backend", json_object_new_string(G.backend->name));
    json_object_object_add(doc, "slots", json_object_new_int(PROBE_SLOTS));
    json_object_object_add(doc, "slot_capacity", json_object_new_int(PROBE_CAPACITY));
    for (size_t i = 0; i < n; i++) {
        json_object *o = plan_case_json(&cases[i]);
        if (cases[i].applicable) {
            probed++;
            wrong += !probe_case(&cases[i], o);
        }
        json_object_array_add(list, o);
    }
    json_object_object_add(doc, "cases", list);
    fprintf(stderr, "slotkit-bench: placement probe: %zu cases probed, %zu wrong, %zu not applicable here\n", probed,
            wrong, n - probed);
    if (!write_json(path, doc)) return 2;
    return wrong ? 1 : 0;
}
