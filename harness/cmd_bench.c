/*
 * `slotkit bench`: run the benchmark binary (slotkit-bench) against one
 * backend, then hyperfine's whole-process runs, then check that what was
 * written is complete. Everything lands in one directory:
 *   gbench.json                       Google Benchmark JSON (every case, limits first)
 *   cases.json                        what each case is (kind, peers, size, placement, ...)
 *   topology.json                     the host's CPUs, caches and NUMA nodes (hwloc)
 *   hyperfine-create-teardown.json    hyperfine --export-json
 *   hyperfine-transfer.json
 *   meta.json                         the parameters of the run
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fingerprint.h"
#include "results.h"

static void usage(FILE *to)
{
    fprintf(to, "usage: slotkit bench --backend NAME|PATH.so [--suite S] [--cpus A,B] [--quick] [--out DIR]\n"
                "                     [-- Google Benchmark flags]\n\n"
                "Measures a backend against the machine's limits, measured in the same run on the\n"
                "same CPUs: cache-line and futex ping-pong, memcpy bandwidth. Every figure carries\n"
                "its limit and the ratio (counters limit_*, x_limit). See docs/benchmarks.md.\n\n"
                "  --backend B   built-in name, plug-in name, or path to a plug-in (default: inmem)\n"
                "  --suite S     limits, ops, latency, throughput or all (default: all; only 'all'\n"
                "                adds the hyperfine whole-process runs)\n"
                "  --cpus A,B    writer on CPU A, reader on CPU B (default: the first two allowed)\n"
                "  --quick       a smoke run: few sizes, few samples (seconds)\n"
                "  --out DIR     where to write (default: results/runs/<UTC time>-<host>-<backend>/)\n"
                "  --callgrind   instead: count instructions per reserve+commit+read+mark_read of\n"
                "                the single-thread copy path under valgrind (repeatable, for the\n"
                "                deterministic gate) into callgrind.json\n"
                "  --results DIR store the results document here (default $SLOTKIT_RESULTS_DIR or ./results)\n"
                "  --no-store    do not store a results document\n\n"
                "Progress goes to stderr, Google Benchmark's table to stdout, then one line per\n"
                "case with its figure beside its limit. Exit status: 0 complete, 1 a case failed,\n"
                "the output is incomplete, or a case is INVALID (the backend lost, reordered or\n"
                "tore samples: the case reports no figure; the results are still stored, marked\n"
                "invalid), 2 setup error.\n");
}

/* slotkit-bench: $SLOTKIT_BENCH, beside this executable, or in libexec. */
static bool find_bench(char *path, size_t size)
{
    const char *env = getenv("SLOTKIT_BENCH");
    if (env != NULL) {
        snprintf(path, size, "%s", env);
        return access(path, X_OK) == 0;
    }
    snprintf(path, size, "%s/slotkit-bench", cli_exe_dir());
    if (access(path, X_OK) == 0) return true;
    snprintf(path, size, "%s/../libexec/slotkit/slotkit-bench", cli_exe_dir());
    return access(path, X_OK) == 0;
}

static bool mkdir_p(const char *dir)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return false;
        *p = '/';
    }
    return mkdir(tmp, 0755) == 0 || errno == EEXIST;
}

/* Runs argv, waits; the child's exit status, or -1. */
static int run(char **argv)
{
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) return -1;
    if (child == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "slotkit: bench: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static json_object *argv_json(char **argv)
{
    json_object *a = json_object_new_array();
    for (; *argv; argv++) json_object_array_add(a, json_object_new_string(*argv));
    return a;
}

static void utc_now(char *buf, size_t len, const char *fmt)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, fmt, &tm);
}

/* The "summary:" (or "totals:") instruction count of a callgrind output file; -1 if none. */
static long long callgrind_total(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) return -1;
    char line[512];
    long long total = -1, value;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "summary: %lld", &value) == 1 || sscanf(line, "totals: %lld", &value) == 1) total = value;
    fclose(f);
    return total;
}

/* Instructions per round trip of the copy path, at two payload sizes, counted
 * by callgrind over the measured loop only (--toggle-collect); writes
 * callgrind.json. Instruction counts do not move with machine noise, which
 * is what lets a shared CI runner gate on them. */
static int run_callgrind(const char *bench, const char *dir)
{
    static const int sizes[] = {64, 4096};
    const long rounds = 20000;
    json_object *doc = json_object_new_object(), *list = json_object_new_array();
    json_object_object_add(doc, "tool", json_object_new_string("callgrind"));
    json_object_object_add(doc, "valgrind", json_object_new_string("valgrind --tool=callgrind"));
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char out_file[PATH_MAX + 64], a_out[PATH_MAX + 96], a_rounds[48], a_size[48], name[64];
        snprintf(out_file, sizeof out_file, "%s/callgrind-%d.out", dir, sizes[i]);
        snprintf(a_out, sizeof a_out, "--callgrind-out-file=%s", out_file);
        snprintf(a_rounds, sizeof a_rounds, "--callgrind-ops=%ld", rounds);
        snprintf(a_size, sizeof a_size, "--payload=%d", sizes[i]);
        char *cg_argv[] = {"valgrind", "--quiet",     "--tool=callgrind", "--toggle-collect=ops_callgrind_loop",
                           a_out,      (char *)bench, a_rounds,           a_size,
                           NULL};
        fprintf(stderr, "slotkit: bench: callgrind, copy path, %d B, %ld round trips\n", sizes[i], rounds);
        int status = run(cg_argv);
        long long total = callgrind_total(out_file);
        if (status != 0 || total <= 0) {
            json_object_put(doc);
            json_object_put(list);
            return cli_fail("bench: callgrind run for %d B failed (exit %d, %lld instructions)", sizes[i], status,
                            total);
        }
        json_object *b = json_object_new_object();
        snprintf(name, sizeof name, "ops/copy/size:%d", sizes[i]);
        json_object_object_add(b, "name", json_object_new_string(name));
        json_object_object_add(b, "payload_bytes", json_object_new_int(sizes[i]));
        json_object_object_add(b, "instructions", json_object_new_int64(total));
        json_object_object_add(b, "rounds", json_object_new_int64(rounds));
        json_object_object_add(b, "instructions_per_op", json_object_new_double((double)total / (double)rounds));
        json_object_array_add(list, b);
        printf("callgrind: %-18s %8.1f instructions per reserve+commit+read+mark_read\n", name,
               (double)total / (double)rounds);
    }
    json_object_object_add(doc, "benchmarks", list);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/callgrind.json", dir);
    int wrote = json_object_to_file_ext(path, doc, JSON_C_TO_STRING_PRETTY);
    json_object_put(doc);
    return wrote == 0 ? 0 : cli_fail("bench: cannot write %s", path);
}

/* slotkit-bench --topology: the host topology alone (for runs that write no gbench.json). */
static int record_topology(const char *bench, const char *dir)
{
    char a_topology[PATH_MAX + 32];
    snprintf(a_topology, sizeof a_topology, "--topology=%s/topology.json", dir);
    char *t_argv[] = {(char *)bench, a_topology, NULL};
    int status = run(t_argv);
    if (status != 0) cli_fail("bench: slotkit-bench --topology exited with %d", status);
    return status;
}

/* One results document per run (docs/results-schema.md), its host
 * topology the one slotkit-bench recorded in the run directory. */
static void store_run(const char *dir, const slotkit_backend *backend, const char *root)
{
    char path[PATH_MAX], err[PATH_MAX + 128];
    if (fingerprint_load_topology(dir, err, sizeof err) != 0)
        fprintf(stderr, "slotkit: bench: host topology not recorded: %s\n", err);
    if (results_write_bench(dir, backend, NULL, root, path, sizeof path) == 0)
        printf("slotkit: bench: stored %s\n", path);
    else
        cli_fail("bench: the run was not stored in the results store: %s", path);
    fingerprint_set_topology(NULL);
}

/* What the command line asks for. */
typedef struct bench_opts {
    const char *backend_arg, *suite, *cpus, *out, *results_dir;
    bool quick, callgrind, store, hyperfine;
    char **extra; /* Google Benchmark flags, after "--" */
    int extra_count;
} bench_opts;

/* -1: go on; else the exit status (help, or a bad argument). */
static int parse_bench_args(int argc, char **argv, bench_opts *o)
{
    static const struct option options[] = {
        {"backend", required_argument, NULL, 'b'}, {"suite", required_argument, NULL, 's'},
        {"cpus", required_argument, NULL, 'c'},    {"quick", no_argument, NULL, 'q'},
        {"out", required_argument, NULL, 'o'},     {"help", no_argument, NULL, 'h'},
        {"callgrind", no_argument, NULL, 'g'},     {"results", required_argument, NULL, 'r'},
        {"no-store", no_argument, NULL, 'n'},      {0, 0, 0, 0}};
    *o = (bench_opts){.backend_arg = "inmem", .suite = "all", .store = true};
    for (int opt; (opt = getopt_long(argc, argv, "b:s:c:qo:h", options, NULL)) != -1;) {
        switch (opt) {
        case 'b': o->backend_arg = optarg; break;
        case 's': o->suite = optarg; break;
        case 'c': o->cpus = optarg; break;
        case 'q': o->quick = true; break;
        case 'o': o->out = optarg; break;
        case 'g': o->callgrind = true; break;
        case 'r': o->results_dir = optarg; break;
        case 'n': o->store = false; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    o->extra = argv + optind;
    o->extra_count = argc - optind;
    if (o->extra_count > 0 && optind > 0 && strcmp(argv[optind - 1], "--") != 0)
        return cli_fail("bench: unexpected argument '%s' (Google Benchmark flags go after --)", argv[optind]);
    static const char *const suites[] = {"limits", "ops", "latency", "throughput", "all"};
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (strcmp(o->suite, suites[i]) == 0) {
            o->hyperfine = strcmp(o->suite, "all") == 0;
            return -1;
        }
    return cli_fail("bench: unknown suite '%s' (limits, ops, latency, throughput, all)", o->suite);
}

/* slotkit-bench and hyperfine's commands load the backend from $SLOTKIT_BACKEND (a path made absolute). */
static void export_backend(const char *backend_arg)
{
    char absolute[PATH_MAX];
    if (strchr(backend_arg, '/') != NULL && realpath(backend_arg, absolute) != NULL)
        setenv("SLOTKIT_BACKEND", absolute, 1);
    else
        setenv("SLOTKIT_BACKEND", backend_arg, 1);
}

/* --out, else results/runs/<UTC time>-<host>-<backend>/. */
static bool make_run_dir(const bench_opts *o, const slotkit_backend *backend, const char *host, char *dir, size_t size)
{
    if (o->out) {
        snprintf(dir, size, "%s", o->out);
    } else {
        char stamp[32], safe_host[64], safe_backend[64];
        utc_now(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ");
        /* Neither the hostname nor a plug-in's name may steer the path. */
        results_safe_name(host, safe_host, sizeof safe_host);
        results_safe_name(backend->name, safe_backend, sizeof safe_backend);
        snprintf(dir, size, "results/runs/%s-%s-%s", stamp, safe_host, safe_backend);
    }
    if (mkdir_p(dir)) return true;
    cli_fail("bench: cannot create %s: %s", dir, strerror(errno));
    return false;
}

/* Google Benchmark: every case of the suite; slotkit-bench writes gbench.json,
 * cases.json and topology.json into dir. Its exit status. */
static int run_gbench(const bench_opts *o, const char *bench, const char *dir, json_object *commands)
{
    char a_suite[64], a_cpus[64], a_out[PATH_MAX + 32];
    snprintf(a_suite, sizeof a_suite, "--suite=%s", o->suite);
    snprintf(a_out, sizeof a_out, "--out=%s", dir);
    char *gb_argv[64];
    int n = 0;
    gb_argv[n++] = (char *)bench;
    gb_argv[n++] = a_suite;
    if (o->cpus) snprintf(a_cpus, sizeof a_cpus, "--cpus=%s", o->cpus), gb_argv[n++] = a_cpus;
    if (o->quick) gb_argv[n++] = "--quick";
    gb_argv[n++] = a_out;
    for (int i = 0; i < o->extra_count && n < 62; i++) gb_argv[n++] = o->extra[i];
    gb_argv[n] = NULL;
    json_object_array_add(commands, argv_json(gb_argv));
    return run(gb_argv);
}

static const char *const whole_runs[] = {"create-teardown", "transfer"};

/* hyperfine, whole processes: a pool's life, and samples between two processes
 * (transfer needs a reader that finds samples: next_unread). 0, or 1 if one failed. */
static int run_hyperfine(const bench_opts *o, const slotkit_backend *backend, const char *bench, const char *dir,
                         json_object *commands)
{
    int runs = backend->capabilities & SLOTKIT_CAP_NEXT_UNREAD ? 2 : 1, status = 0;
    if (runs == 1) fprintf(stderr, "slotkit: bench: hyperfine transfer: not applicable: backend lacks NEXT_UNREAD\n");
    bool xp = backend->capabilities & SLOTKIT_CAP_CROSS_PROCESS;
    for (int w = 0; w < runs; w++) {
        char cmd[PATH_MAX * 2], export[PATH_MAX + 64], name[128];
        snprintf(cmd, sizeof cmd, "%s --whole=%s --samples=%s%s%s", bench, whole_runs[w],
                 o->quick ? "10000" : "1000000", o->cpus ? " --cpus=" : "", o->cpus ? o->cpus : "");
        snprintf(export, sizeof export, "%s/hyperfine-%s.json", dir, whole_runs[w]);
        snprintf(name, sizeof name, "%s %s%s", backend->name, whole_runs[w],
                 w == 1 ? (xp ? " (2 processes)" : " (2 threads: backend lacks CROSS_PROCESS)") : "");
        char *hf_argv[] = {"hyperfine",
                           "--style",
                           "basic",
                           "-N",
                           "--warmup",
                           o->quick ? "1" : "3",
                           "--runs",
                           o->quick ? "3" : (w == 1 ? "10" : "30"),
                           "--export-json",
                           export,
                           "--command-name",
                           name,
                           cmd,
                           NULL};
        fprintf(stderr, "slotkit: bench: hyperfine %s\n", whole_runs[w]);
        int s = run(hf_argv);
        if (s != 0) {
            cli_fail("bench: hyperfine %s failed (exit %d)", whole_runs[w], s);
            status = 1;
        }
        json_object_array_add(commands, argv_json(hf_argv));
    }
    return status;
}

/* The files of the run directory, and why one that could be there is not. */
static json_object *meta_files(const bench_opts *o, const slotkit_backend *backend, json_object *meta)
{
    json_object *files = json_object_new_array();
    static const char *const always[] = {"gbench.json", "cases.json", "topology.json"};
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++)
        json_object_array_add(files, json_object_new_string(always[i]));
    if (!o->hyperfine) return files;
    json_object_array_add(files, json_object_new_string("hyperfine-create-teardown.json"));
    if (backend->capabilities & SLOTKIT_CAP_NEXT_UNREAD)
        json_object_array_add(files, json_object_new_string("hyperfine-transfer.json"));
    else
        json_object_object_add(meta, "hyperfine_transfer",
                               json_object_new_string("not applicable: backend lacks NEXT_UNREAD"));
    return files;
}

static void meta_add(json_object *meta, const char *key, const char *value)
{
    json_object_object_add(meta, key, json_object_new_string(value));
}

/* meta.json: what was asked for and what ran (takes commands). */
static int write_meta(const bench_opts *o, const slotkit_backend *backend, const char *dir, const char *host,
                      const char *started, json_object *commands, int gb_status)
{
    char finished[32], caps[128], path[PATH_MAX + 16];
    utc_now(finished, sizeof finished, "%Y-%m-%dT%H:%M:%SZ");
    cli_format_caps(backend->capabilities, caps, sizeof caps);
    json_object *meta = json_object_new_object();
    meta_add(meta, "tool", "slotkit bench");
    meta_add(meta, "slotkit_version", SLOTKIT_VERSION);
    meta_add(meta, "backend", backend->name);
    meta_add(meta, "backend_version", backend->version);
    meta_add(meta, "backend_arg", getenv("SLOTKIT_BACKEND"));
    meta_add(meta, "backend_caps", caps);
    meta_add(meta, "suite", o->suite);
    json_object_object_add(meta, "quick", json_object_new_boolean(o->quick));
    meta_add(meta, "cpus", o->cpus ? o->cpus : "auto (first two allowed CPUs)");
    meta_add(meta, "host", host);
    meta_add(meta, "started_utc", started);
    meta_add(meta, "finished_utc", finished);
    json_object_object_add(meta, "hyperfine_transfer_samples",
                           json_object_new_int64(o->hyperfine ? (o->quick ? 10000 : 1000000) : 0));
    json_object_object_add(meta, "commands", commands);
    json_object_object_add(meta, "files", meta_files(o, backend, meta));
    meta_add(meta, "units",
             "gbench: *_ns counters in ns, one-way latency = RTT/2; *_per_s per second; x_limit = "
             "figure / limit (latency, ops: >= 1, lower is better; throughput: <= 1, higher is "
             "better). hyperfine: seconds");
    json_object_object_add(meta, "bench_exit_status", json_object_new_int(gb_status));
    snprintf(path, sizeof path, "%s/meta.json", dir);
    int wrote = json_object_to_file_ext(path, meta, JSON_C_TO_STRING_PRETTY);
    json_object_put(meta);
    return wrote == 0 ? 0 : cli_fail("bench: cannot write %s", path);
}

/* slotkit-bench --validate's status when complete but some cases are invalid. */
#define VALIDATE_INVALID 3

/* Complete? slotkit-bench --validate prints each figure beside its limit. */
static int validate_run(const bench_opts *o, const char *bench, const char *dir)
{
    char a_dir[PATH_MAX + 16], a_suite[64];
    snprintf(a_dir, sizeof a_dir, "--validate=%s", dir);
    snprintf(a_suite, sizeof a_suite, "--suite=%s", o->suite);
    char *v_argv[6] = {(char *)bench, a_dir, a_suite};
    int v = 3;
    if (o->quick) v_argv[v++] = "--quick";
    if (o->hyperfine) v_argv[v++] = "--hyperfine";
    v_argv[v] = NULL;
    return run(v_argv);
}

static int bench_callgrind(const bench_opts *o, const slotkit_backend *backend, const char *bench, const char *dir)
{
    if (run_callgrind(bench, dir) != 0 || record_topology(bench, dir) != 0) return 2;
    if (o->store) store_run(dir, backend, o->results_dir);
    return 0;
}

/* The measuring run: Google Benchmark, hyperfine, meta.json, validation, the store. */
static int bench_run(const bench_opts *o, const slotkit_backend *backend, const char *bench, const char *dir,
                     const char *host)
{
    char started[32];
    utc_now(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ");
    fprintf(stderr, "slotkit: bench: backend %s, suite %s%s, results in %s\n", backend->name, o->suite,
            o->quick ? " (quick)" : "", dir);
    json_object *commands = json_object_new_array();
    int gb_status = run_gbench(o, bench, dir, commands);
    int hf_status = o->hyperfine ? run_hyperfine(o, backend, bench, dir, commands) : 0;
    if (write_meta(o, backend, dir, host, started, commands, gb_status) != 0) return 2;
    int v_status = validate_run(o, bench, dir);
    if (gb_status != 0) cli_fail("bench: slotkit-bench exited with %d", gb_status);
    /* The run worked but the backend delivered samples wrongly: stored, marked invalid, exit 1. */
    if (v_status == VALIDATE_INVALID) {
        cli_fail("bench: backend %s delivered samples lost, out of order or torn: the cases marked INVALID "
                 "above have no figure",
                 backend->name);
        v_status = 1;
    }
    printf("slotkit: bench: results in %s\n", dir);
    if (o->store && gb_status == 0) store_run(dir, backend, o->results_dir);
    if (gb_status < 0 || v_status >= 2) return 2;
    return gb_status || hf_status || v_status ? 1 : 0;
}

int cmd_bench(int argc, char **argv)
{
    bench_opts o;
    int rc = parse_bench_args(argc, argv, &o);
    if (rc >= 0) return rc;
    const slotkit_backend *backend = cli_load_backend(o.backend_arg);
    if (backend == NULL) return 2;
    char bench[PATH_MAX];
    if (!find_bench(bench, sizeof bench))
        return cli_fail("bench: slotkit-bench not found (looked for %s; set $SLOTKIT_BENCH)", bench);
    export_backend(o.backend_arg);
    char dir[PATH_MAX], host[256] = "unknown";
    gethostname(host, sizeof host - 1);
    if (!make_run_dir(&o, backend, host, dir, sizeof dir)) return 2;
    return o.callgrind ? bench_callgrind(&o, backend, bench, dir) : bench_run(&o, backend, bench, dir, host);
}
