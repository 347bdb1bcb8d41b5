/*
 * slotkit-bench: the benchmark binary behind `slotkit bench`.
 *
 *   slotkit-bench [--backend=B] [--suite=S] [--cpus=A,B] [--quick] [--benchmark_* flags]
 *   slotkit-bench --validate=DIR [--backend=B] [--suite=S] [--quick] [--hyperfine]
 *   slotkit-bench --whole=create-teardown|transfer [--samples=N] [--backend=B]   (hyperfine's commands)
 *   slotkit-bench --callgrind-ops=N [--payload=BYTES] [--backend=B]             (valgrind --tool=callgrind)
 *
 * The backend is a built-in name, a plug-in name or a path, as for
 * `slotkit conform`; without --backend it comes from $SLOTKIT_BACKEND.
 */
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "numa_mem.h"

bench_env G;
hwloc_topology_t bench_topology;

#define MAX_CASES 512
static bench_case cases[MAX_CASES];

static void usage(FILE *to)
{
    fprintf(to,
            "usage: slotkit-bench [--backend=B] [--suite=limits|ops|latency|throughput|all] [--cpus=A,B]\n"
            "                     [--quick] [--benchmark_* flags of Google Benchmark]\n"
            "       slotkit-bench --validate=DIR [--backend=B] [--suite=S] [--quick] [--hyperfine]\n"
            "       slotkit-bench --whole=create-teardown|transfer [--samples=N] [--backend=B]\n"
            "       slotkit-bench --callgrind-ops=N [--payload=BYTES] [--backend=B]\n"
            "Normally run through `slotkit bench`; see docs/benchmarks.md.\n");
}

/* "--name=value" or "--name value"; advances *i past a separate value. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc) return argv[++*i];
    return NULL;
}

/* Plug-ins that ship beside this binary (build tree or install), like the slotkit command. */
static void extend_plugin_path(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    const char *old = getenv("SLOTKIT_PLUGIN_PATH");
    char path[3 * PATH_MAX];
    snprintf(path, sizeof path, "%s%s%s/../lib/slotkit", old ? old : "", old ? ":" : "", exe);
    setenv("SLOTKIT_PLUGIN_PATH", path, 1);
}

/* CPUs: --cpus A,B, else the first two this process may run on. */
static bool choose_cpus(const char *spec)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof set, &set);
    G.ncpus = CPU_COUNT(&set);
    G.allowed = set;
    if (spec) {
        if (sscanf(spec, "%d,%d", &G.cpu_a, &G.cpu_b) != 2 || G.cpu_a < 0 || G.cpu_b < 0) {
            fprintf(stderr, "slotkit-bench: --cpus wants A,B (two CPU numbers), got '%s'\n", spec);
            return false;
        }
        return true;
    }
    G.cpu_a = G.cpu_b = -1;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &set)) continue;
        if (G.cpu_a < 0)
            G.cpu_a = c;
        else if (G.cpu_b < 0)
            G.cpu_b = c;
    }
    if (G.cpu_b < 0) G.cpu_b = G.cpu_a; /* one CPU: everything shares it (reported) */
    return true;
}

static void add_context(const char *suite)
{
    char buf[512], caps[128] = "";
    static const char *const cap_names[] = {"CROSS_PROCESS", "IN_PLACE", "NOTIFY", "TYPE_HASH", "NEXT_UNREAD"};
    for (unsigned i = 0; i < 5; i++)
        if (G.caps & (1u << i)) snprintf(caps + strlen(caps), sizeof caps - strlen(caps), "%s%s", caps[0] ? "," : "", cap_names[i]);
    gb_add_context("slotkit_version", SLOTKIT_VERSION);
    gb_add_context("slotkit_backend", G.backend->name);
    gb_add_context("slotkit_backend_version", G.backend->version);
    gb_add_context("slotkit_backend_arg", G.backend_arg);
    gb_add_context("slotkit_backend_caps", caps);
    gb_add_context("slotkit_suite", suite);
    gb_add_context("slotkit_quick", G.quick ? "1" : "0");
    snprintf(buf, sizeof buf, "%d,%d", G.cpu_a, G.cpu_b);
    gb_add_context("slotkit_cpus_requested", buf);
    snprintf(buf, sizeof buf, "%d", G.cpu_a_used);
    gb_add_context("slotkit_cpu_writer_read_back", buf);
    gb_add_context("slotkit_cpu_relation", G.have_topology ? cpu_relation_name(G.place.relation) : "unknown");
    snprintf(buf, sizeof buf, "%d,%d", G.place.writer_node, G.place.reader_node);
    gb_add_context("slotkit_cpu_nodes", buf);
    gb_add_context("slotkit_numa", numa_mem_available() ? "available" : "not available");
    gb_add_context("slotkit_clock", clock_source());
    gb_add_context("slotkit_one_way", "one-way latency = round-trip time / 2");
}

int main(int argc, char **argv)
{
    gb_initialize(&argc, argv);
    const char *backend_arg = getenv("SLOTKIT_BACKEND"), *suite = "all", *cpus = NULL, *validate = NULL,
               *whole = NULL;
    long samples = 1000000, callgrind = 0, payload = 64;
    bool hyperfine = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--backend")))
            backend_arg = v;
        else if ((v = opt_value(argc, argv, &i, "--suite")))
            suite = v;
        else if ((v = opt_value(argc, argv, &i, "--cpus")))
            cpus = v;
        else if ((v = opt_value(argc, argv, &i, "--validate")))
            validate = v;
        else if ((v = opt_value(argc, argv, &i, "--whole")))
            whole = v;
        else if ((v = opt_value(argc, argv, &i, "--samples")))
            samples = atol(v);
        else if ((v = opt_value(argc, argv, &i, "--callgrind-ops")))
            callgrind = atol(v);
        else if ((v = opt_value(argc, argv, &i, "--payload")))
            payload = atol(v);
        else if (strcmp(argv[i], "--quick") == 0)
            G.quick = true;
        else if (strcmp(argv[i], "--hyperfine") == 0)
            hyperfine = true;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "slotkit-bench: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    unsigned suites = suite_bits(suite);
    if (suites == 0) {
        fprintf(stderr, "slotkit-bench: unknown suite '%s' (limits, ops, latency, throughput, all)\n", suite);
        return 2;
    }
    extend_plugin_path();
    snprintf(G.backend_arg, sizeof G.backend_arg, "%s", backend_arg ? backend_arg : "inmem");
    slotkit_error err;
    if (slotkit_backend_load(G.backend_arg, &G.backend, &err) != SLOTKIT_OK) {
        fprintf(stderr, "slotkit-bench: %s\n", err.message);
        return 2;
    }
    G.caps = G.backend->capabilities;
    if (!choose_cpus(cpus)) return 2;

    char msg[256];
    if (placement_topology_load(&bench_topology, NULL, msg, sizeof msg) != 0) {
        fprintf(stderr, "slotkit-bench: no topology (placement cases not run): %s\n", msg);
        bench_topology = NULL;
    } else {
        G.have_topology = placement_for_cpus(bench_topology, G.cpu_a, G.cpu_b, &G.place);
    }
    if (!G.have_topology) G.place.writer_node = G.place.reader_node = -1;

    if (validate) {
        int rc = run_validate(validate, suites, G.quick, hyperfine);
        if (bench_topology) hwloc_topology_destroy(bench_topology);
        return rc;
    }

    clock_init();
    /* The main thread is the writer / pinger of every case, on CPU A for the whole run. */
    G.cpu_a_used = place_thread(G.cpu_a, NULL, msg, sizeof msg);
    if (G.cpu_a_used < 0) {
        fprintf(stderr, "slotkit-bench: cannot run on CPU %d: %s\n", G.cpu_a, msg);
        return 2;
    }
    int rc = 0;
    if (whole) {
        rc = run_whole(whole, samples);
    } else if (callgrind > 0) {
        rc = run_callgrind_ops(callgrind, (size_t)payload);
    } else {
        size_t n = plan_cases(suites, cases, MAX_CASES);
        for (size_t i = 0; i < n; i++) {
            bench_case *c = &cases[i];
            gb_bench *b;
            if (c->kind == K_MEMCPY) {
                /* The size as a Google Benchmark argument: the name becomes limits/memcpy/size:<size>. */
                b = gb_arg(gb_arg_name(gb_register("limits/memcpy", run_case, c), "size"), (int64_t)c->size);
            } else {
                b = gb_register(c->name, run_case, c);
            }
            gb_unit(b, GB_NS);
            if (c->na[0]) {
                gb_iterations(b, 1);
                continue;
            }
            if (c->iterations > 0) gb_iterations(b, c->iterations);
            if (c->kind == K_MEMCPY || c->kind == K_OPS) gb_min_time(b, G.quick ? 0.01 : 0.2);
            if (c->kind != K_MEMCPY && c->kind != K_OPS) gb_use_manual_time(b);
        }
        add_context(suite);
        gb_set_progress(true);
        fprintf(stderr, "slotkit-bench: backend %s, suite %s%s, %zu cases, writer CPU %d, reader CPU %d (%s)\n",
                G.backend->name, suite, G.quick ? " (quick)" : "", n, G.cpu_a_used, G.cpu_b,
                G.have_topology ? cpu_relation_name(G.place.relation) : "topology unknown");
        gb_run_specified();
        gb_shutdown();
    }
    if (bench_topology) hwloc_topology_destroy(bench_topology);
    return rc;
}
