/*
 * slotkit-bench: the benchmark binary behind `slotkit bench`.
 *
 *   slotkit-bench [--backend=B] [--suite=S] [--cpus=A,B] [--quick] [--rounds=N] [--out=DIR] [--benchmark_* flags]
 *   slotkit-bench --validate=DIR [--backend=B] [--suite=S] [--quick] [--hyperfine]
 *   slotkit-bench --whole=create-teardown|transfer [--samples=N] [--backend=B]   (hyperfine's commands)
 *   slotkit-bench --callgrind-ops=N [--payload=BYTES] [--backend=B]             (valgrind --tool=callgrind)
 *   slotkit-bench --topology=PATH                        (the host topology as JSON, nothing run)
 *   slotkit-bench --plan=PATH                            (the placement planner's cases as JSON)
 *   slotkit-bench --placement-probe=PATH [--backend=B]   (where each case's pages land, read back)
 *
 * --out=DIR names the run directory: gbench.json (Google Benchmark's JSON),
 * cases.json (what each case is), topology.json (the host it ran on) and
 * figures.json (each compared case's interleaved rounds of limit, backend and
 * the native iceoryx2 peer: rounds.h).
 *
 * The backend is a built-in name, a plug-in name or a path, as for
 * `slotkit conform`; without --backend it comes from $SLOTKIT_BACKEND.
 */
#include <json-c/json.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "numa_mem.h"
#include "native_peer.h"
#include "rounds.h"
#include "topology_json.h"

bench_env G;
hwloc_topology_t bench_topology;

#define MAX_CASES 512
static bench_case cases[MAX_CASES];

static void usage(FILE *to)
{
    fprintf(to, "usage: slotkit-bench [--backend=B] [--suite=limits|ops|latency|throughput|all] [--cpus=A,B]\n"
                "                     [--quick] [--rounds=N] [--out=DIR] [--benchmark_* flags of Google Benchmark]\n"
                "       slotkit-bench --validate=DIR [--backend=B] [--suite=S] [--quick] [--hyperfine]\n"
                "       slotkit-bench --whole=create-teardown|transfer [--samples=N] [--backend=B]\n"
                "       slotkit-bench --callgrind-ops=N [--payload=BYTES] [--backend=B]\n"
                "       slotkit-bench --topology=PATH\n"
                "       slotkit-bench --plan=PATH\n"
                "       slotkit-bench --placement-probe=PATH [--backend=B]\n"
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
        if (G.caps & (1u << i))
            snprintf(caps + strlen(caps), sizeof caps - strlen(caps), "%s%s", caps[0] ? "," : "", cap_names[i]);
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
    snprintf(buf, sizeof buf, "%d", G.rounds);
    gb_add_context("slotkit_rounds", buf);
    gb_add_context("slotkit_peer", native_peer_version());
}

/* What the command line asks for. */
typedef struct options {
    const char *backend, *suite, *cpus, *validate, *whole, *out, *topology, *plan, *probe;
    long samples, callgrind, payload, rounds;
    bool hyperfine;
    unsigned suites;
} options;

/* -1: go on; else the exit status (help, or a bad argument). */
static int parse_args(int argc, char **argv, options *o)
{
    *o = (options){.backend = getenv("SLOTKIT_BACKEND"), .suite = "all", .samples = 1000000, .payload = 64};
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--backend")))
            o->backend = v;
        else if ((v = opt_value(argc, argv, &i, "--suite")))
            o->suite = v;
        else if ((v = opt_value(argc, argv, &i, "--cpus")))
            o->cpus = v;
        else if ((v = opt_value(argc, argv, &i, "--validate")))
            o->validate = v;
        else if ((v = opt_value(argc, argv, &i, "--whole")))
            o->whole = v;
        else if ((v = opt_value(argc, argv, &i, "--samples")))
            o->samples = atol(v);
        else if ((v = opt_value(argc, argv, &i, "--callgrind-ops")))
            o->callgrind = atol(v);
        else if ((v = opt_value(argc, argv, &i, "--payload")))
            o->payload = atol(v);
        else if ((v = opt_value(argc, argv, &i, "--out")))
            o->out = v;
        else if ((v = opt_value(argc, argv, &i, "--topology")))
            o->topology = v;
        else if ((v = opt_value(argc, argv, &i, "--plan")))
            o->plan = v;
        else if ((v = opt_value(argc, argv, &i, "--placement-probe")))
            o->probe = v;
        else if ((v = opt_value(argc, argv, &i, "--rounds")))
            o->rounds = atol(v);
        else if (strcmp(argv[i], "--quick") == 0)
            G.quick = true;
        else if (strcmp(argv[i], "--hyperfine") == 0)
            o->hyperfine = true;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "slotkit-bench: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (o->rounds < 0 || o->rounds > MAX_ROUNDS) {
        fprintf(stderr, "slotkit-bench: --rounds wants 1 to %d, got %ld\n", MAX_ROUNDS, o->rounds);
        return 2;
    }
    G.rounds = o->rounds ? (int)o->rounds : G.quick ? QUICK_ROUNDS : DEFAULT_ROUNDS;
    if ((o->suites = suite_bits(o->suite)) == 0) {
        fprintf(stderr, "slotkit-bench: unknown suite '%s' (limits, ops, latency, throughput, all)\n", o->suite);
        return 2;
    }
    return -1;
}

/* With --out=DIR, Google Benchmark writes its JSON into DIR: the flags go in
 * front of the user's, which may still override them. */
static char **with_gbench_out(int *argc, char **argv)
{
    static char out_flag[PATH_MAX + 32];
    const char *dir = NULL;
    for (int i = 1; i < *argc && dir == NULL; i++) {
        if (strncmp(argv[i], "--out=", 6) == 0)
            dir = argv[i] + 6;
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < *argc)
            dir = argv[i + 1];
    }
    if (dir == NULL) return argv;
    static char **args; /* lives as long as the process, like argv */
    args = calloc((size_t)*argc + 3, sizeof *args);
    if (args == NULL) return argv;
    snprintf(out_flag, sizeof out_flag, "--benchmark_out=%s/gbench.json", dir);
    args[0] = argv[0];
    args[1] = out_flag;
    args[2] = "--benchmark_out_format=json";
    for (int i = 1; i < *argc; i++) args[i + 2] = argv[i];
    *argc += 2;
    return args;
}

/* This machine's topology for the planner; without it the placement cases are not run. */
static void load_topology(void)
{
    char msg[256];
    if (placement_topology_load(&bench_topology, NULL, msg, sizeof msg) != 0) {
        fprintf(stderr, "slotkit-bench: no topology (placement cases not run): %s\n", msg);
        bench_topology = NULL;
    }
}

/* The backend, its capabilities, the CPU pair and what the pair is. */
static bool setup_backend(const options *o)
{
    extend_plugin_path();
    snprintf(G.backend_arg, sizeof G.backend_arg, "%s", o->backend ? o->backend : "inmem");
    slotkit_error err;
    if (slotkit_backend_load(G.backend_arg, &G.backend, &err) != SLOTKIT_OK) {
        fprintf(stderr, "slotkit-bench: %s\n", err.message);
        return false;
    }
    G.caps = G.backend->capabilities;
    if (!choose_cpus(o->cpus)) return false;
    if (bench_topology) G.have_topology = placement_for_cpus(bench_topology, G.cpu_a, G.cpu_b, &G.place);
    if (!G.have_topology) G.place.writer_node = G.place.reader_node = -1;
    return true;
}

bool write_json(const char *path, json_object *doc)
{
    int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE; /* names read as gbench.json's */
    bool ok = doc != NULL && json_object_to_file_ext(path, doc, flags) == 0;
    if (!ok) fprintf(stderr, "slotkit-bench: cannot write %s: %s\n", path, json_util_get_last_err());
    json_object_put(doc);
    return ok;
}

/* cases.json and topology.json, before anything runs: a run that dies still says what it was. */
static bool write_run_files(const char *dir, size_t n)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/cases.json", dir);
    if (!write_json(path, cases_json(cases, n))) return false;
    snprintf(path, sizeof path, "%s/topology.json", dir);
    return write_json(path, topology_json(bench_topology));
}

static int run_benchmarks(const options *o)
{
    size_t n = plan_cases(o->suites, cases, MAX_CASES);
    if (o->out && !write_run_files(o->out, n)) return 2;
    for (size_t i = 0; i < n; i++) case_register(&cases[i]);
    add_context(o->suite);
    gb_set_progress(true);
    fprintf(stderr, "slotkit-bench: backend %s, suite %s%s, %zu cases, writer CPU %d, reader CPU %d (%s)\n",
            G.backend->name, o->suite, G.quick ? " (quick)" : "", n, G.cpu_a_used, G.cpu_b,
            G.have_topology ? cpu_relation_name(G.place.relation) : "topology unknown");
    gb_run_specified();
    gb_shutdown();
    if (o->out) {
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/figures.json", o->out);
        if (!write_json(path, rounds_json())) return 2;
    }
    return 0;
}

/* Everything that measures: the main thread is the writer / pinger of every
 * case, on CPU A for the whole run. */
static int run_measuring(const options *o)
{
    char msg[256];
    clock_init();
    G.cpu_a_used = place_thread(G.cpu_a, NULL, msg, sizeof msg);
    if (G.cpu_a_used < 0) {
        fprintf(stderr, "slotkit-bench: cannot run on CPU %d: %s\n", G.cpu_a, msg);
        return 2;
    }
    if (o->whole) return run_whole(o->whole, o->samples);
    if (o->callgrind > 0) return run_callgrind_ops(o->callgrind, (size_t)o->payload);
    return run_benchmarks(o);
}

int main(int argc, char **argv)
{
    argv = with_gbench_out(&argc, argv);
    gb_initialize(&argc, argv);
    options o;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0) return rc;
    if (o.callgrind == 0) load_topology(); /* under valgrind hwloc only warns; callgrind needs no pair */
    if (o.topology) {
        rc = write_json(o.topology, topology_json(bench_topology)) ? 0 : 2;
    } else if (o.plan) {
        rc = run_plan(o.plan);
    } else if (!setup_backend(&o)) {
        rc = 2;
    } else {
        rc = o.validate ? run_validate(o.validate, o.suites, G.quick, o.hyperfine)
             : o.probe  ? run_placement_probe(o.probe)
                        : run_measuring(&o);
    }
    if (bench_topology) hwloc_topology_destroy(bench_topology);
    return rc;
}
