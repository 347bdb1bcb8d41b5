/*
 * --validate DIR: is a results directory well formed and complete? Checks the
 * Google Benchmark JSON against the case list of this suite and backend
 * (plan.c): every case present, not-applicable ones skipped with their
 * reason, the others without error and with every counter they must carry;
 * the hyperfine JSON files and meta.json parse and hold what they should.
 * Numbers are printed (one line per case, figure beside its limit), never judged.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define MAX_CASES 512

static int problems;

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

/* Google Benchmark's name without the suffixes it appends (/iterations:N, /repeats:N,
 * /min_time:X, /manual_time, /real_time). */
static void base_name(const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s", name);
    for (;;) {
        char *slash = strrchr(out, '/');
        if (slash == NULL) return;
        if (strncmp(slash, "/iterations:", 12) == 0 || strncmp(slash, "/repeats:", 9) == 0 ||
            strncmp(slash, "/min_time:", 10) == 0 || strncmp(slash, "/min_warmup_time:", 17) == 0 ||
            strncmp(slash, "/threads:", 9) == 0 || strcmp(slash, "/manual_time") == 0 ||
            strcmp(slash, "/real_time") == 0 || strcmp(slash, "/process_time") == 0)
            *slash = '\0';
        else
            return;
    }
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

static void summary(const bench_case *c, json_object *run)
{
    switch (c->kind) {
    case K_CACHELINE:
    case K_FUTEX:
        printf("  %-48s one-way p50 %8.1f ns  p99 %8.1f ns  (RTT p50 %.1f ns)\n", c->name, get(run, "p50_ns"),
               get(run, "p99_ns"), get(run, "rtt_p50_ns"));
        break;
    case K_MEMCPY: printf("  %-48s %8.2f GB/s  %10.1f ns/copy\n", c->name, get(run, "GBps"), get(run, "ns_per_copy")); break;
    case K_OPS:
        printf("  %-48s %10.1f ns/sample  limit %9.1f ns  x_limit %6.2f\n", c->name, get(run, "ns_per_sample"),
               get(run, "limit_ns"), get(run, "x_limit"));
        break;
    case K_LATENCY:
        printf("  %-48s one-way p50 %8.1f p99 %8.1f p99.9 %8.1f max %9.1f ns  limit %7.1f ns  x_limit %6.2f  node %g\n",
               c->name, get(run, "p50_ns"), get(run, "p99_ns"), get(run, "p999_ns"), get(run, "max_ns"),
               get(run, "limit_ns"), get(run, "x_limit"), get(run, "mem_node"));
        break;
    case K_THROUGHPUT: {
        bool has_vs;
        double vs = num(run, "vs_64B", &has_vs);
        printf("  %-48s %11.0f samples/s %7.2f GB/s  x_limit %6.2f  nfs/sample %6.3f", c->name,
               get(run, "samples_per_s"), get(run, "bytes_per_s") / 1e9, get(run, "x_limit"),
               get(run, "nfs_per_sample"));
        if (has_vs) printf("  vs_64B %5.2f", vs);
        putchar('\n');
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

static void check_gbench(const char *dir, unsigned suites)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/gbench.json", dir);
    json_object *root = load(path), *context, *benchmarks;
    if (root == NULL) return;
    if (!json_object_object_get_ex(root, "context", &context) || !json_object_is_type(context, json_type_object))
        problem("%s: no \"context\" object", path);
    else {
        static const char *const keys[] = {"slotkit_backend", "slotkit_cpus_requested", "slotkit_cpu_writer_read_back",
                                           "slotkit_suite", "host_name", "num_cpus"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (!json_object_object_get_ex(context, keys[i], NULL)) problem("%s: context lacks \"%s\"", path, keys[i]);
        json_object *b;
        if (json_object_object_get_ex(context, "slotkit_backend", &b) && strcmp(json_object_get_string(b), G.backend->name))
            problem("%s: results are for backend '%s', not '%s'", path, json_object_get_string(b), G.backend->name);
    }
    if (!json_object_object_get_ex(root, "benchmarks", &benchmarks) || !json_object_is_type(benchmarks, json_type_array)) {
        problem("%s: no \"benchmarks\" array", path);
        json_object_put(root);
        return;
    }
    static bench_case cases[MAX_CASES];
    size_t n = plan_cases(suites, cases, MAX_CASES), ran = 0, skipped = 0;
    size_t len = json_object_array_length(benchmarks);
    printf("validate: %s: %zu results for %zu expected cases (backend %s)\n", path, len, n, G.backend->name);
    for (size_t i = 0; i < n; i++) {
        const bench_case *c = &cases[i];
        json_object *run = NULL;
        for (size_t j = 0; j < len && run == NULL; j++) {
            json_object *r = json_object_array_get_idx(benchmarks, j), *v;
            char name[256];
            if (json_object_object_get_ex(r, "run_type", &v) && strcmp(json_object_get_string(v), "iteration") != 0)
                continue; /* aggregates of repetitions */
            if (!json_object_object_get_ex(r, "name", &v)) continue;
            base_name(json_object_get_string(v), name, sizeof name);
            if (strcmp(name, c->name) == 0) run = r;
        }
        if (run == NULL) {
            problem("%s: missing", c->name);
            continue;
        }
        json_object *err = NULL, *msg = NULL;
        bool errored = json_object_object_get_ex(run, "error_occurred", &err) && json_object_get_boolean(err);
        const char *text = json_object_object_get_ex(run, "error_message", &msg) ? json_object_get_string(msg) : "";
        if (c->na[0]) {
            if (!errored || strncmp(text, "not applicable", 14) != 0)
                problem("%s: should be reported not applicable (%s)", c->name, c->na);
            else
                skipped++;
            continue;
        }
        if (errored) {
            problem("%s: failed: %s", c->name, text);
            continue;
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
        if (complete) {
            ran++;
            summary(c, run);
        }
    }
    printf("validate: %zu cases ran complete, %zu not applicable here\n", ran, skipped);
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
    problems = 0;
    check_gbench(dir, suites);
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
    printf("validate: %s: %s (%d problem%s)\n", dir, problems ? "INCOMPLETE" : "complete", problems,
           problems == 1 ? "" : "s");
    return problems ? 1 : 0;
}
