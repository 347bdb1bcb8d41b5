/*
 * The cases of a run as the outside sees them: how each is registered with
 * Google Benchmark, the run_name that registration gives it, and its
 * structured description in cases.json. Registration and name come from one
 * description (registration_of), so the names written to cases.json are the
 * names Google Benchmark writes to gbench.json; --validate checks it.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

/* What a case's registration sets beyond its name. */
typedef struct registration {
    int64_t iterations; /* 0: Google Benchmark chooses */
    double min_time;    /* 0: its default */
    bool manual_time;   /* the body times itself (gb_set_iteration_time) */
} registration;

static registration registration_of(const bench_case *c)
{
    /* Not applicable: one iteration that only reports why. */
    if (c->na[0]) return (registration){.iterations = 1};
    bool self_timed = c->kind != K_MEMCPY && c->kind != K_OPS;
    return (registration){
        .iterations = c->iterations,
        .min_time = self_timed ? 0
                    : G.quick  ? 0.01
                               : 0.2,
        .manual_time = self_timed,
    };
}

void case_register(bench_case *c)
{
    registration r = registration_of(c);
    gb_bench *b = gb_unit(gb_register(c->name, run_case, c), GB_NS);
    if (r.iterations > 0) gb_iterations(b, r.iterations);
    if (r.min_time > 0) gb_min_time(b, r.min_time);
    if (r.manual_time) gb_use_manual_time(b);
}

/* The suffixes and their order are BenchmarkName::str() of Google Benchmark
 * 1.7 (benchmark_api_internal.cc): min_time, iterations, then time type. */
void case_run_name(const bench_case *c, char *out, size_t len)
{
    registration r = registration_of(c);
    size_t used = (size_t)snprintf(out, len, "%s", c->name);
    if (r.min_time > 0 && used < len) used += (size_t)snprintf(out + used, len - used, "/min_time:%0.3f", r.min_time);
    if (r.iterations > 0 && used < len)
        used += (size_t)snprintf(out + used, len - used, "/iterations:%lld", (long long)r.iterations);
    if (r.manual_time && used < len) snprintf(out + used, len - used, "/manual_time");
}

static const char *suite_name(case_kind kind)
{
    switch (kind) {
    case K_CACHELINE:
    case K_FUTEX:
    case K_MEMCPY:
    case K_XCORE:
    case K_FLOOR: return "limits";
    case K_OPS: return "ops";
    case K_LATENCY: return "latency";
    default: return "throughput";
    }
}

static const char *kind_name(case_kind kind)
{
    static const char *const names[] = {[K_CACHELINE] = "cacheline",   [K_FUTEX] = "futex",     [K_MEMCPY] = "memcpy",
                                        [K_XCORE] = "memcpy_xcore",    [K_OPS] = "ops",         [K_LATENCY] = "latency",
                                        [K_THROUGHPUT] = "throughput", [K_FLOOR] = "slot_floor"};
    return names[kind];
}

static json_object *str_or_null(bool present, const char *s) { return present ? json_object_new_string(s) : NULL; }

static json_object *placement_json(const bench_case *c)
{
    if (!c->has_place) return NULL;
    json_object *p = json_object_new_object();
    json_object_object_add(p, "cpus", json_object_new_string(cpu_relation_name(c->place.relation)));
    json_object_object_add(p, "memory", json_object_new_string(memory_placement_name(c->place.memory)));
    return p;
}

json_object *case_json(const bench_case *c)
{
    char run_name[256];
    case_run_name(c, run_name, sizeof run_name);
    bool has_peer = c->kind != K_MEMCPY && c->kind != K_OPS;
    bool has_path = c->kind == K_OPS || c->kind == K_THROUGHPUT;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(run_name));
    json_object_object_add(o, "suite", json_object_new_string(suite_name(c->kind)));
    json_object_object_add(o, "kind", json_object_new_string(kind_name(c->kind)));
    json_object_object_add(o, "peers", str_or_null(has_peer, c->process ? "processes" : "threads"));
    json_object_object_add(o, "wait", str_or_null(c->kind == K_LATENCY, c->event ? "event" : "busy"));
    json_object_object_add(o, "path", str_or_null(has_path, c->in_place ? "in_place" : "copy"));
    json_object_object_add(o, "size", json_object_new_int64((int64_t)c->size));
    json_object_object_add(o, "readers", json_object_new_int(c->readers));
    json_object_object_add(o, "slots", json_object_new_int(c->slots));
    json_object_object_add(o, "placement", placement_json(c));
    static const char prefix[] = "not applicable: "; /* the skip message's, not part of the reason */
    if (c->na[0])
        json_object_object_add(
            o, "not_applicable",
            json_object_new_string(strncmp(c->na, prefix, sizeof prefix - 1) == 0 ? c->na + sizeof prefix - 1 : c->na));
    return o;
}

json_object *cases_json(const bench_case *cases, size_t n)
{
    json_object *doc = json_object_new_object(), *list = json_object_new_array();
    if (doc == NULL || list == NULL) {
        json_object_put(doc);
        json_object_put(list);
        return NULL;
    }
    json_object_object_add(doc, "schema", json_object_new_string("slotkit-bench-cases"));
    json_object_object_add(doc, "version", json_object_new_int(1));
    for (size_t i = 0; i < n; i++) json_object_array_add(list, case_json(&cases[i]));
    json_object_object_add(doc, "cases", list);
    return doc;
}
