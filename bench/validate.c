/*
 * --validate DIR: is a results directory well formed and complete? Checks the
 * Google Benchmark JSON against the case list of this suite and backend
 * (plan.c): every case present under its exact run_name and every run_name a
 * case's, not-applicable ones skipped with their reason, the others without
 * error and with every counter they must carry; cases.json says exactly what
 * the plan does; topology.json is there;
 * the hyperfine JSON files and meta.json parse and hold what they should.
 * Numbers are printed (one line per case, figure beside its limit), never judged.
 * Exit status: 0 complete, 1 incomplete, 3 complete but some cases INVALID
 * (the backend lost, reordered, duplicated or tore samples: verify.c).
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "native_peer.h"

#define MAX_CASES 512

static int problems;
static int invalid_cases; /* ran, but the backend lost, reordered or tore samples */

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void problem(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("validate: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    problems++;
}

static double num(json_object *run, const char *key, bool *present)
{
    json_object *v;
    *present = json_object_object_get_ex(run, key, &v) &&
               (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int));
    return *present ? json_object_get_double(v) : NAN;
}

static double get(json_object *run, const char *key)
{
    bool p;
    return num(run, key, &p);
}

/* The interleaved rounds' part of a line: the native peer and the placement class. */
static void peer_summary(json_object *run, const char *peer_key, const char *unit)
{
    bool has_rounds, has_peer;
    double rounds = num(run, "rounds", &has_rounds), peer = num(run, peer_key, &has_peer);
    if (has_rounds) {
        static const char *const classes[] = {"unknown", "same_core", "cross_core", "far"};
        double cls = get(run, "placement_class");
        printf("  %g rounds, %s", rounds, cls >= 0 && cls < 4 ? classes[(int)cls] : "unknown");
        if (has_peer)
            printf("  iceoryx2 %.4g%s x_peer %.2f", peer, unit, get(run, "x_peer"));
        else
            printf("  iceoryx2 %s", native_peer_available(NULL) ? "not measured" : "not built");
    }
    putchar('\n');
}

static void summary(const bench_case *c, json_object *run)
{
    switch (c->kind) {
    case K_CACHELINE:
    case K_FUTEX:
        printf("  %-48s one-way p50 %8.1f ns  p99 %8.1f ns  (RTT p50 %.1f ns)\n", c->name, get(run, "p50_ns"),
               get(run, "p99_ns"), get(run, "rtt_p50_ns"));
        break;
    case K_FLOOR:
        printf("  %-48s one-way p50 %8.1f ns  x_cacheline %5.2f  +reserve %6.1f  +claim %6.1f  +pin %6.1f  +events "
               "%6.1f ns\n",
               c->name, get(run, "p50_ns"), get(run, "x_cacheline"), get(run, "plus_reserve_ns"),
               get(run, "plus_claim_ns"), get(run, "plus_pin_ns"), get(run, "plus_events_ns"));
        break;
    case K_MEMCPY:
    case K_XCORE:
        printf("  %-48s %8.2f GB/s  %10.1f ns/copy\n", c->name, get(run, "GBps"), get(run, "ns_per_copy"));
        break;
    case K_OPS:
        printf("  %-48s %10.1f ns/sample  limit %9.1f ns  x_limit %6.2f\n", c->name, get(run, "ns_per_sample"),
               get(run, "limit_ns"), get(run, "x_limit"));
        break;
    case K_LATENCY:
        printf("  %-48s one-way p50 %8.1f p99 %8.1f p99.9 %8.1f max %9.1f ns  limit %7.1f ns  x_limit %6.2f  node %g",
               c->name, get(run, "p50_ns"), get(run, "p99_ns"), get(run, "p999_ns"), get(run, "max_ns"),
               get(run, "limit_ns"), get(run, "x_limit"), get(run, "mem_node"));
        peer_summary(run, "peer_p50_ns", " ns");
        break;
    case K_THROUGHPUT: {
        bool has_vs;
        double vs = num(run, "vs_64B", &has_vs);
        printf("  %-48s %11.0f samples/s %7.2f GB/s  x_limit %6.2f  nfs/sample %6.3f", c->name,
               get(run, "samples_per_s"), get(run, "bytes_per_s") / 1e9, get(run, "x_limit"),
               get(run, "nfs_per_sample"));
        if (has_vs) printf("  vs_64B %5.2f", vs);
        peer_summary(run, "peer_bytes_per_s", " B/s");
        break;
    }
    }
}

static json_object *load(const char *path)
{
    json_object *o = json_object_from_file(path);
    if (o == NULL) problem("%s: missing or not well-formed JSON (%s)", path, json_util_get_last_err());
    return o;
}

static void check_context(const char *path, json_object *root)
{
    json_object *context, *b;
    if (!json_object_object_get_ex(root, "context", &context) || !json_object_is_type(context, json_type_object)) {
        problem("%s: no \"context\" object", path);
        return;
    }
    static const char *const keys[] = {
        "slotkit_backend", "slotkit_cpus_requested", "slotkit_cpu_writer_read_back", "slotkit_suite", "host_name",
        "num_cpus"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!json_object_object_get_ex(context, keys[i], NULL)) problem("%s: context lacks \"%s\"", path, keys[i]);
    if (json_object_object_get_ex(context, "slotkit_backend", &b) && strcmp(json_object_get_string(b), G.backend->name))
        problem("%s: results are for backend '%s', not '%s'", path, json_object_get_string(b), G.backend->name);
}

/* A measured run (aggregates of repetitions have other run types), with its run_name. */
static const char *iteration_run_name(json_object *run)
{
    json_object *v;
    if (json_object_object_get_ex(run, "run_type", &v) && strcmp(json_object_get_string(v), "iteration") != 0)
        return NULL;
    return json_object_object_get_ex(run, "run_name", &v) ? json_object_get_string(v) : NULL;
}

static json_object *find_run(json_object *benchmarks, const char *run_name)
{
    for (size_t j = 0; j < json_object_array_length(benchmarks); j++) {
        json_object *r = json_object_array_get_idx(benchmarks, j);
        const char *name = iteration_run_name(r);
        if (name && strcmp(name, run_name) == 0) return r;
    }
    return NULL;
}

/* True when the case ran complete (not skipped, no error, every counter). A
 * case that reports "invalid: ..." is counted apart: the run worked, the
 * backend delivered samples wrongly, and the case has no figure. */
static bool check_case(const bench_case *c, json_object *run, size_t *skipped)
{
    json_object *err = NULL, *msg = NULL;
    bool errored = json_object_object_get_ex(run, "error_occurred", &err) && json_object_get_boolean(err);
    const char *text = json_object_object_get_ex(run, "error_message", &msg) ? json_object_get_string(msg) : "";
    if (c->na[0]) {
        if (!errored || strncmp(text, "not applicable", 14) != 0)
            problem("%s: should be reported not applicable (%s)", c->name, c->na);
        else
            ++*skipped;
        return false;
    }
    if (errored && strncmp(text, "invalid:", 8) == 0) {
        printf("validate: %s: INVALID, no figure: %s\n", c->name, text + 9);
        invalid_cases++;
        return false;
    }
    if (errored) {
        problem("%s: failed: %s", c->name, text);
        return false;
    }
    bool complete = true;
    for (const char *const *k = case_counters(c->kind); *k; k++) {
        bool present;
        double v = num(run, *k, &present);
        if (!present || !isfinite(v)) {
            problem("%s: counter %s missing or not a number", c->name, *k);
            complete = false;
        }
    }
    return complete;
}

/* Every measured run_name belongs to exactly one case of the plan. */
static void check_run_names(json_object *benchmarks, const bench_case *cases, size_t n)
{
    for (size_t j = 0; j < json_object_array_length(benchmarks); j++) {
        const char *name = iteration_run_name(json_object_array_get_idx(benchmarks, j));
        if (name == NULL) continue;
        int owners = 0;
        for (size_t i = 0; i < n; i++) {
            char run_name[256];
            case_run_name(&cases[i], run_name, sizeof run_name);
            owners += strcmp(run_name, name) == 0;
        }
        if (owners != 1) problem("%s: run_name matches %d cases of the plan, not 1", name, owners);
    }
}

static void check_gbench(const char *dir, const bench_case *cases, size_t n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/gbench.json", dir);
    json_object *root = load(path), *benchmarks;
    if (root == NULL) return;
    check_context(path, root);
    if (!json_object_object_get_ex(root, "benchmarks", &benchmarks) ||
        !json_object_is_type(benchmarks, json_type_array)) {
        problem("%s: no \"benchmarks\" array", path);
        json_object_put(root);
        return;
    }
    size_t ran = 0, skipped = 0;
    printf("validate: %s: %zu results for %zu expected cases (backend %s)\n", path,
           json_object_array_length(benchmarks), n, G.backend->name);
    for (size_t i = 0; i < n; i++) {
        char run_name[256];
        case_run_name(&cases[i], run_name, sizeof run_name);
        json_object *run = find_run(benchmarks, run_name);
        if (run == NULL) {
            problem("%s: missing (no run named %s)", cases[i].name, run_name);
        } else if (check_case(&cases[i], run, &skipped)) {
            ran++;
            summary(&cases[i], run);
        }
    }
    check_run_names(benchmarks, cases, n);
    printf("validate: %zu cases ran complete, %d invalid, %zu not applicable here\n", ran, invalid_cases, skipped);
    json_object_put(root);
}

/* cases.json describes exactly the plan's cases, in its order. */
static void check_cases_file(const char *dir, const bench_case *cases, size_t n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/cases.json", dir);
    json_object *root = load(path), *expected = cases_json(cases, n), *list = NULL, *want = NULL;
    if (root && (!json_object_object_get_ex(root, "cases", &list) || !json_object_is_type(list, json_type_array)))
        problem("%s: no \"cases\" array", path);
    else if (root && json_object_array_length(list) != n)
        problem("%s: %zu cases, the plan has %zu", path, json_object_array_length(list), n);
    else if (root && expected && json_object_object_get_ex(expected, "cases", &want)) {
        for (size_t i = 0; i < n; i++)
            if (!json_object_equal(json_object_array_get_idx(list, i), json_object_array_get_idx(want, i)))
                problem("%s: entry %zu is %s, the plan says %s", path, i,
                        json_object_to_json_string(json_object_array_get_idx(list, i)),
                        json_object_to_json_string(json_object_array_get_idx(want, i)));
        if (!json_object_equal(json_object_object_get(root, "schema"), json_object_object_get(expected, "schema")) ||
            !json_object_equal(json_object_object_get(root, "version"), json_object_object_get(expected, "version")))
            problem("%s: not schema slotkit-bench-cases version 1", path);
    }
    json_object_put(root);
    json_object_put(expected);
}

/* topology.json: the host as hwloc saw it, or said not recorded. */
static void check_topology_file(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/topology.json", dir);
    json_object *root = load(path), *topo = NULL, *pus = NULL;
    if (root == NULL) return;
    if (!json_object_object_get_ex(root, "topology", &topo))
        problem("%s: no \"topology\"", path);
    else if (json_object_is_type(topo, json_type_object) &&
             (!json_object_object_get_ex(topo, "pus", &pus) || json_object_get_int(pus) <= 0))
        problem("%s: topology.pus missing or not positive", path);
    else if (json_object_is_type(topo, json_type_object) && !json_object_object_get_ex(root, "numa", NULL))
        problem("%s: a topology without \"numa\"", path);
    json_object_put(root);
}

static void check_hyperfine(const char *dir, const char *what)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/hyperfine-%s.json", dir, what);
    json_object *root = load(path), *results;
    if (root == NULL) return;
    if (!json_object_object_get_ex(root, "results", &results) || !json_object_is_type(results, json_type_array) ||
        json_object_array_length(results) == 0) {
        problem("%s: no \"results\"", path);
    } else {
        for (size_t i = 0; i < json_object_array_length(results); i++) {
            json_object *r = json_object_array_get_idx(results, i), *times, *cmd;
            bool has_mean, has_median;
            double mean = num(r, "mean", &has_mean), median = num(r, "median", &has_median);
            if (!json_object_object_get_ex(r, "command", &cmd) || !has_mean || !has_median ||
                !json_object_object_get_ex(r, "times", &times) || json_object_array_length(times) == 0)
                problem("%s: result %zu lacks command, mean, median or times", path, i);
            else
                printf("  hyperfine %-38s mean %9.3f ms  median %9.3f ms  (%zu runs)\n", json_object_get_string(cmd),
                       mean * 1e3, median * 1e3, json_object_array_length(times));
        }
    }
    json_object_put(root);
}

int run_validate(const char *dir, unsigned suites, bool quick, bool hyperfine)
{
    (void)quick; /* G.quick already set: plan_cases reads it */
    problems = invalid_cases = 0;
    static bench_case cases[MAX_CASES];
    size_t n = plan_cases(suites, cases, MAX_CASES);
    check_gbench(dir, cases, n);
    check_cases_file(dir, cases, n);
    check_topology_file(dir);
    if (hyperfine) {
        check_hyperfine(dir, "create-teardown");
        if (G.caps & SLOTKIT_CAP_NEXT_UNREAD) check_hyperfine(dir, "transfer"); /* else not applicable */
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/meta.json", dir);
    json_object *meta = load(path);
    if (meta) {
        static const char *const keys[] = {"backend", "suite", "quick", "cpus", "started_utc", "host", "files"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (!json_object_object_get_ex(meta, keys[i], NULL)) problem("%s: lacks \"%s\"", path, keys[i]);
        json_object_put(meta);
    }
    printf("validate: %s: %s (%d problem%s)", dir, problems ? "INCOMPLETE" : "complete", problems,
           problems == 1 ? "" : "s");
    if (invalid_cases) printf("; %d case%s INVALID", invalid_cases, invalid_cases == 1 ? "" : "s");
    printf("\n");
    return problems ? 1 : invalid_cases ? 3 : 0;
}
