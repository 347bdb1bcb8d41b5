/*
 * The list of cases for a run: which benchmarks exist for these suites on this
 * backend, which are not applicable (and why), and how many iterations each
 * takes. Registration (main.c) and the completeness check (validate.c) both
 * use it, so the JSON is checked against exactly what should have run.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

extern hwloc_topology_t bench_topology;

static const size_t sizes_full[] = {8, 64, 512, 4096, 65536, 1048576, 4194304};
static const size_t sizes_quick[] = {64, 65536};
static const size_t lat_full[] = {64, 4096, 65536, 1048576};
static const size_t lat_quick[] = {64};
static const size_t tput_full[] = {64, 4096, 65536, 1048576, 4194304};
static const size_t tput_quick[] = {64, 65536};
static const int slots_full[] = {2, 8, 32};
static const int slots_quick[] = {4};

#define N(a) (sizeof(a) / sizeof((a)[0]))

unsigned suite_bits(const char *name)
{
    if (strcmp(name, "limits") == 0) return SUITE_LIMITS;
    if (strcmp(name, "ops") == 0) return SUITE_OPS;
    if (strcmp(name, "latency") == 0) return SUITE_LATENCY;
    if (strcmp(name, "throughput") == 0) return SUITE_THROUGHPUT;
    if (strcmp(name, "all") == 0) return SUITE_ALL;
    return 0;
}

typedef struct plan {
    bench_case *out;
    size_t max, n;
} plan;

static bench_case *add(plan *p, case_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#include <stdarg.h>
static bench_case *add(plan *p, case_kind kind, const char *fmt, ...)
{
    char name[sizeof p->out[0].name];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->out[i].name, name) == 0) return NULL; /* a limit two suites need: once */
    if (p->n >= p->max) return NULL;
    bench_case *c = &p->out[p->n++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->kind = kind;
    return c;
}

static void na(bench_case *c, const char *why)
{
    if (c && c->na[0] == '\0') snprintf(c->na, sizeof c->na, "not applicable: %s", why);
}

static const char *mode(bool process) { return process ? "processes" : "threads"; }

/* What a backend must offer for a case with these peers and paths. */
static void need(bench_case *c, bool readers, bool process, bool event, bool in_place)
{
    if (c == NULL) return;
    if (readers && !(G.caps & SLOTKIT_CAP_NEXT_UNREAD))
        na(c, "backend lacks NEXT_UNREAD (readers find samples with next_unread)");
    if (process && !(G.caps & SLOTKIT_CAP_CROSS_PROCESS)) na(c, "backend lacks CROSS_PROCESS");
    if (event && !(G.caps & SLOTKIT_CAP_NOTIFY)) na(c, "backend lacks NOTIFY (wait_for_change)");
    if (in_place && !(G.caps & SLOTKIT_CAP_IN_PLACE)) na(c, "backend lacks IN_PLACE");
}

static void pingpong_limits(plan *p, bool futex)
{
    for (int m = 0; m < 2; m++) {
        bench_case *c = add(p, futex ? K_FUTEX : K_CACHELINE, "limits/%s/%s", futex ? "futex" : "cacheline", mode(m));
        if (c == NULL) continue;
        c->process = m;
        c->iterations = futex ? (G.quick ? 500 : 20000) : (G.quick ? 2000 : 200000);
    }
}

/* The slot floor of a 64 B sample and its ladder, per peer mode (slot_floor.c). */
static void slot_floor_limits(plan *p)
{
    for (int m = 0; m < 2; m++) {
        bench_case *c = add(p, K_FLOOR, "limits/slot_floor/%s", mode(m));
        if (c == NULL) continue;
        c->process = m;
        c->size = 64;
        c->iterations = 1;
    }
}

static void memcpy_limits(plan *p, const size_t *sizes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bench_case *c = add(p, K_MEMCPY, "limits/memcpy/size:%zu", sizes[i]);
        if (c) c->size = sizes[i];
    }
}

/* The cross-core copy limit for the copy sizes from 64 KiB up (below, the
 * copy cost is the backend's fixed cost, and the local memcpy bounds it). */
static void xcore_limits(plan *p, const size_t *sizes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (sizes[i] < XCORE_MIN_SIZE) continue;
        bench_case *c = add(p, K_XCORE, "limits/memcpy_xcore/size:%zu", sizes[i]);
        if (c == NULL) continue;
        c->size = sizes[i];
        c->iterations = (int64_t)bench_xcore_samples(sizes[i]);
    }
}

static void ops_cases(plan *p, const size_t *sizes, size_t n)
{
    for (int ip = 0; ip < 2; ip++)
        for (size_t i = 0; i < n; i++) {
            bench_case *c = add(p, K_OPS, "ops/%s/size:%zu", ip ? "in_place" : "copy", sizes[i]);
            if (c == NULL) continue;
            c->size = sizes[i];
            c->in_place = ip;
            c->readers = 1; /* the writing thread reads its own samples */
            c->slots = OPS_SLOTS;
            need(c, false, false, false, ip);
        }
}

/* Ping-pong between the default pair, both peer kinds, both ways of waiting. */
static void latency_cases(plan *p)
{
    const size_t *sizes = G.quick ? lat_quick : lat_full;
    size_t n = G.quick ? N(lat_quick) : N(lat_full);
    for (int m = 0; m < 2; m++)
        for (int ev = 0; ev < 2; ev++)
            for (size_t i = 0; i < n; i++) {
                bench_case *c = add(p, K_LATENCY, "latency/%s/%s/size:%zu", mode(m), ev ? "event" : "busy", sizes[i]);
                if (c == NULL) continue;
                c->process = m;
                c->event = ev;
                c->size = sizes[i];
                c->readers = 1;
                c->slots = LATENCY_SLOTS;
                int64_t rts = sizes[i] <= 4096 ? 20000 : sizes[i] <= 65536 ? 5000 : 1000;
                c->iterations = G.quick ? 300 : ev ? rts / 2 : rts;
                need(c, true, m, ev, false);
            }
}

/* The placement matrix: busy-poll 64 B between the pairs the topology
 * offers, memory per case; what this machine lacks is listed, not run. */
static void placement_cases(plan *p)
{
    placement_case cases[CPU_RELATION_COUNT * MEM_PLACEMENT_COUNT];
    size_t n = bench_topology ? placement_plan(bench_topology, cases, N(cases)) : 0;
    bool xp = G.caps & SLOTKIT_CAP_CROSS_PROCESS;
    for (size_t i = 0; i < n; i++) {
        bench_case *c = add(p, K_LATENCY, "latency/placement/%s", cases[i].name);
        if (c == NULL) continue;
        c->process = xp; /* processes where the backend can, as deployed */
        c->size = 64;
        c->readers = 1;
        c->slots = LATENCY_SLOTS;
        c->has_place = true;
        c->place = cases[i];
        c->iterations = G.quick ? 300 : 20000;
        if (!cases[i].applicable) na(c, cases[i].reason[0] ? cases[i].reason : "this machine lacks the pair");
        need(c, true, xp, false, false);
    }
}

static bench_case *throughput_case(plan *p, bool process, bool in_place, int readers, int slots, size_t size)
{
    bench_case *c = add(p, K_THROUGHPUT, "throughput/%s/%s/readers:%d/slots:%d/size:%zu", mode(process),
                        in_place ? "zero_copy" : "copy", readers, slots, size);
    if (c == NULL) return NULL;
    c->process = process;
    c->in_place = in_place;
    c->readers = readers;
    c->slots = slots;
    c->size = size;
    need(c, true, process, false, in_place);
    return c;
}

/* Against payload size: one reader, 8 slots, both paths. */
static void throughput_size_cases(plan *p, bool process)
{
    const size_t *sizes = G.quick ? tput_quick : tput_full;
    size_t n = G.quick ? N(tput_quick) : N(tput_full);
    for (int zc = 0; zc < 2; zc++)
        for (size_t i = 0; i < n; i++) {
            bench_case *c = throughput_case(p, process, zc, 1, 8, sizes[i]);
            if (c == NULL) continue;
            int64_t samples = zc ? 200000 : (int64_t)((256u << 20) / sizes[i]);
            if (samples < 256) samples = 256;
            if (samples > 200000) samples = 200000;
            if (G.quick) samples = 2048;
            c->iterations = (samples + 63) / 64 * 64; /* whole batches: readers know the count */
        }
}

/* Against readers and slot count (back-pressure), 64 B copies. */
static void throughput_fanout_cases(plan *p, bool process)
{
    int readers[4] = {1, 2}, nr = 2;
    for (int r = 4; r <= 8 && r <= G.ncpus - 1; r *= 2) readers[nr++] = r;
    const int *slots = G.quick ? slots_quick : slots_full;
    size_t ns = G.quick ? N(slots_quick) : N(slots_full);
    for (int r = 0; r < nr; r++)
        for (size_t s = 0; s < ns; s++) {
            bench_case *c = throughput_case(p, process, false, readers[r], slots[s], 64);
            if (c) c->iterations = G.quick ? 2048 : 100032;
        }
}

size_t plan_cases(unsigned suites, bench_case *out, size_t max)
{
    plan p = {out, max, 0};
    /* Limits first: Google Benchmark runs in registration order, so every later
     * ratio uses a limit measured earlier in this run. */
    if (suites & (SUITE_LIMITS | SUITE_LATENCY | SUITE_THROUGHPUT)) pingpong_limits(&p, false);
    if (suites & (SUITE_LIMITS | SUITE_LATENCY)) pingpong_limits(&p, true);
    if (suites & (SUITE_LIMITS | SUITE_LATENCY)) slot_floor_limits(&p);
    if (suites & (SUITE_LIMITS | SUITE_OPS))
        memcpy_limits(&p, G.quick ? sizes_quick : sizes_full, G.quick ? N(sizes_quick) : N(sizes_full));
    if (suites & SUITE_THROUGHPUT)
        memcpy_limits(&p, G.quick ? tput_quick : tput_full, G.quick ? N(tput_quick) : N(tput_full));
    if (suites & (SUITE_LIMITS | SUITE_THROUGHPUT))
        xcore_limits(&p, G.quick ? tput_quick : tput_full, G.quick ? N(tput_quick) : N(tput_full));

    if (suites & SUITE_OPS) ops_cases(&p, G.quick ? sizes_quick : sizes_full, G.quick ? N(sizes_quick) : N(sizes_full));
    if (suites & SUITE_LATENCY) {
        latency_cases(&p);
        placement_cases(&p);
    }
    if (suites & SUITE_THROUGHPUT)
        for (int m = 0; m < 2; m++) {
            throughput_size_cases(&p, m);
            throughput_fanout_cases(&p, m);
        }
    return p.n;
}

const char *const *case_counters(case_kind kind)
{
    static const char *const pingpong[] = {"p50_ns",     "p90_ns", "p99_ns", "p999_ns", "max_ns",
                                           "rtt_p50_ns", "cpu_a",  "cpu_b",  NULL};
    static const char *const mem[] = {"ns_per_copy", "GBps", NULL};
    static const char *const floor[] = {"p50_ns",         "plus_reserve_ns", "plus_claim_ns", "plus_pin_ns",
                                        "plus_events_ns", "cacheline_ns",    "x_cacheline",   NULL};
    static const char *const ops[] = {"ns_per_sample", "limit_ns", "x_limit", NULL};
    static const char *const lat[] = {"p50_ns",  "p90_ns",     "p99_ns",     "p999_ns",  "max_ns",        "limit_ns",
                                      "x_limit", "cpu_writer", "cpu_reader", "mem_node", "payload_bytes", NULL};
    static const char *const tput[] = {
        "samples_per_s",     "bytes_per_s", "nfs",     "nfs_per_sample", "limit_samples_per_s",
        "limit_bytes_per_s", "x_limit",     "readers", "slots",          NULL};
    switch (kind) {
    case K_CACHELINE:
    case K_FUTEX: return pingpong;
    case K_MEMCPY:
    case K_XCORE: return mem;
    case K_OPS: return ops;
    case K_LATENCY: return lat;
    case K_FLOOR: return floor;
    default: return tput;
    }
}

void run_case(gb_state *st, void *ctx)
{
    const bench_case *c = ctx;
    if (c->na[0]) {
        gb_skip_with_error(st, c->na);
        return;
    }
    switch (c->kind) {
    case K_CACHELINE: bench_cacheline(st, c); break;
    case K_FUTEX: bench_futex(st, c); break;
    case K_FLOOR: bench_slot_floor(st, c); break;
    case K_MEMCPY: bench_memcpy(st, c); break;
    case K_XCORE: bench_memcpy_xcore(st, c); break;
    case K_OPS: bench_ops(st, c); break;
    case K_LATENCY: bench_latency(st, c); break;
    case K_THROUGHPUT: bench_throughput(st, c); break;
    }
}
