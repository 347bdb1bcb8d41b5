/*
 * `slotkit bench`: run the benchmark binary (slotkit-bench) against one
 * backend, then hyperfine's whole-process runs, then check that what was
 * written is complete. Everything lands in one directory:
 *   gbench.json                       Google Benchmark JSON (every case, limits first)
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
#include "results.h"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: slotkit bench --backend NAME|PATH.so [--suite S] [--cpus A,B] [--quick] [--out DIR]\n"
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
            "case with its figure beside its limit. Exit status: 0 complete, 1 a case failed\n"
            "or the output is incomplete, 2 setup error.\n");
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
        char *cg_argv[] = {"valgrind", "--quiet", "--tool=callgrind", "--toggle-collect=ops_callgrind_loop",
                           a_out, (char *)bench, a_rounds, a_size, NULL};
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

/* One results document per run (docs/results-schema.md). */
static void store_run(const char *dir, const slotkit_backend *backend, const char *root)
{
    char path[PATH_MAX];
    if (results_write_bench(dir, backend, NULL, root, path, sizeof path) == 0)
        printf("slotkit: bench: stored %s\n", path);
    else
        cli_fail("bench: the run was not stored in the results store (see above)");
}

int cmd_bench(int argc, char **argv)
{
    static const struct option options[] = {
        {"backend", required_argument, NULL, 'b'}, {"suite", required_argument, NULL, 's'},
        {"cpus", required_argument, NULL, 'c'},    {"quick", no_argument, NULL, 'q'},
        {"out", required_argument, NULL, 'o'},     {"help", no_argument, NULL, 'h'},
        {"callgrind", no_argument, NULL, 'g'},     {"results", required_argument, NULL, 'r'},
        {"no-store", no_argument, NULL, 'n'},      {0, 0, 0, 0}};
    const char *backend_arg = "inmem", *suite = "all", *cpus = NULL, *out = NULL, *results_dir = NULL;
    bool quick = false, callgrind = false, store = true;
    for (int opt; (opt = getopt_long(argc, argv, "b:s:c:qo:h", options, NULL)) != -1;) {
        switch (opt) {
        case 'b': backend_arg = optarg; break;
        case 's': suite = optarg; break;
        case 'c': cpus = optarg; break;
        case 'q': quick = true; break;
        case 'o': out = optarg; break;
        case 'g': callgrind = true; break;
        case 'r': results_dir = optarg; break;
        case 'n': store = false; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    /* Whatever follows "--" goes to Google Benchmark as is. */
    char **extra = argv + optind;
    int extra_count = argc - optind;
    if (extra_count > 0 && optind > 0 && strcmp(argv[optind - 1], "--") != 0)
        return cli_fail("bench: unexpected argument '%s' (Google Benchmark flags go after --)", argv[optind]);
    if (strcmp(suite, "limits") && strcmp(suite, "ops") && strcmp(suite, "latency") && strcmp(suite, "throughput") &&
        strcmp(suite, "all"))
        return cli_fail("bench: unknown suite '%s' (limits, ops, latency, throughput, all)", suite);

    const slotkit_backend *backend = cli_load_backend(backend_arg);
    if (backend == NULL) return 2;
    char bench[PATH_MAX];
    if (!find_bench(bench, sizeof bench))
        return cli_fail("bench: slotkit-bench not found (looked for %s; set $SLOTKIT_BENCH)", bench);
    char backend_env[PATH_MAX];
    if (strchr(backend_arg, '/') != NULL && realpath(backend_arg, backend_env) != NULL)
        setenv("SLOTKIT_BACKEND", backend_env, 1);
    else
        setenv("SLOTKIT_BACKEND", backend_arg, 1);

    char dir[PATH_MAX], started[32], host[256] = "unknown";
    utc_now(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ");
    gethostname(host, sizeof host - 1);
    if (out) {
        snprintf(dir, sizeof dir, "%s", out);
    } else {
        char stamp[32];
        utc_now(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ");
        /* Neither the hostname nor a plug-in's name may steer the path. */
        char safe_host[64], safe_backend[64];
        results_safe_name(host, safe_host, sizeof safe_host);
        results_safe_name(backend->name, safe_backend, sizeof safe_backend);
        snprintf(dir, sizeof dir, "results/runs/%s-%s-%s", stamp, safe_host, safe_backend);
    }
    if (!mkdir_p(dir)) return cli_fail("bench: cannot create %s: %s", dir, strerror(errno));
    if (callgrind) {
        if (run_callgrind(bench, dir) != 0) return 2;
        if (store) store_run(dir, backend, results_dir);
        return 0;
    }

    /* 1. Google Benchmark: every case of the suite, JSON into gbench.json. */
    char a_suite[64], a_cpus[64], a_out[PATH_MAX + 32];
    snprintf(a_suite, sizeof a_suite, "--suite=%s", suite);
    snprintf(a_out, sizeof a_out, "--benchmark_out=%s/gbench.json", dir);
    char *gb_argv[64];
    int n = 0;
    gb_argv[n++] = bench;
    gb_argv[n++] = a_suite;
    if (cpus) snprintf(a_cpus, sizeof a_cpus, "--cpus=%s", cpus), gb_argv[n++] = a_cpus;
    if (quick) gb_argv[n++] = "--quick";
    gb_argv[n++] = a_out;
    gb_argv[n++] = "--benchmark_out_format=json";
    for (int i = 0; i < extra_count && n < 62; i++) gb_argv[n++] = extra[i];
    gb_argv[n] = NULL;
    fprintf(stderr, "slotkit: bench: backend %s, suite %s%s, results in %s\n", backend->name, suite,
            quick ? " (quick)" : "", dir);
    int gb_status = run(gb_argv);

    /* 2. hyperfine, whole processes: a pool's life, and 1e6 samples between two processes. */
    json_object *commands = json_object_new_array();
    json_object_array_add(commands, argv_json(gb_argv));
    int hf_status = 0;
    bool hyperfine = strcmp(suite, "all") == 0;
    const char *samples = quick ? "10000" : "1000000";
    if (hyperfine) {
        static const char *const what[] = {"create-teardown", "transfer"};
        /* transfer needs a reader that finds samples (next_unread). */
        int runs = backend->capabilities & SLOTKIT_CAP_NEXT_UNREAD ? 2 : 1;
        if (runs == 1) fprintf(stderr, "slotkit: bench: hyperfine transfer: not applicable: backend lacks NEXT_UNREAD\n");
        for (int w = 0; w < runs; w++) {
            char cmd[PATH_MAX * 2], export[PATH_MAX + 64], name[128];
            snprintf(cmd, sizeof cmd, "%s --whole=%s --samples=%s%s%s", bench, what[w], samples, cpus ? " --cpus=" : "",
                     cpus ? cpus : "");
            snprintf(export, sizeof export, "%s/hyperfine-%s.json", dir, what[w]);
            bool xp = backend->capabilities & SLOTKIT_CAP_CROSS_PROCESS;
            snprintf(name, sizeof name, "%s %s%s", backend->name, what[w],
                     w == 1 ? (xp ? " (2 processes)" : " (2 threads: backend lacks CROSS_PROCESS)") : "");
            char *hf_argv[] = {"hyperfine", "--style", "basic", "-N", "--warmup", quick ? "1" : "3",
                               "--runs", quick ? "3" : (w == 1 ? "10" : "30"), "--export-json", export,
                               "--command-name", name, cmd, NULL};
            fprintf(stderr, "slotkit: bench: hyperfine %s\n", what[w]);
            int s = run(hf_argv);
            if (s != 0) {
                cli_fail("bench: hyperfine %s failed (exit %d)", what[w], s);
                hf_status = 1;
            }
            json_object_array_add(commands, argv_json(hf_argv));
        }
    }

    /* 3. meta.json: what was asked for and what ran. */
    char finished[32];
    utc_now(finished, sizeof finished, "%Y-%m-%dT%H:%M:%SZ");
    char caps[128];
    cli_format_caps(backend->capabilities, caps, sizeof caps);
    json_object *meta = json_object_new_object(), *files = json_object_new_array();
    json_object_object_add(meta, "tool", json_object_new_string("slotkit bench"));
    json_object_object_add(meta, "slotkit_version", json_object_new_string(SLOTKIT_VERSION));
    json_object_object_add(meta, "backend", json_object_new_string(backend->name));
    json_object_object_add(meta, "backend_version", json_object_new_string(backend->version));
    json_object_object_add(meta, "backend_arg", json_object_new_string(getenv("SLOTKIT_BACKEND")));
    json_object_object_add(meta, "backend_caps", json_object_new_string(caps));
    json_object_object_add(meta, "suite", json_object_new_string(suite));
    json_object_object_add(meta, "quick", json_object_new_boolean(quick));
    json_object_object_add(meta, "cpus", json_object_new_string(cpus ? cpus : "auto (first two allowed CPUs)"));
    json_object_object_add(meta, "host", json_object_new_string(host));
    json_object_object_add(meta, "started_utc", json_object_new_string(started));
    json_object_object_add(meta, "finished_utc", json_object_new_string(finished));
    json_object_object_add(meta, "hyperfine_transfer_samples", json_object_new_int64(hyperfine ? atol(samples) : 0));
    json_object_object_add(meta, "commands", commands);
    json_object_array_add(files, json_object_new_string("gbench.json"));
    if (hyperfine) {
        json_object_array_add(files, json_object_new_string("hyperfine-create-teardown.json"));
        if (backend->capabilities & SLOTKIT_CAP_NEXT_UNREAD)
            json_object_array_add(files, json_object_new_string("hyperfine-transfer.json"));
        else
            json_object_object_add(meta, "hyperfine_transfer",
                                   json_object_new_string("not applicable: backend lacks NEXT_UNREAD"));
    }
    json_object_object_add(meta, "files", files);
    json_object_object_add(meta, "units",
                           json_object_new_string("gbench: *_ns counters in ns, one-way latency = RTT/2; *_per_s per "
                                                  "second; x_limit = figure / limit (latency, ops: >= 1, lower is "
                                                  "better; throughput: <= 1, higher is better). hyperfine: seconds"));
    json_object_object_add(meta, "bench_exit_status", json_object_new_int(gb_status));
    char meta_path[PATH_MAX + 16];
    snprintf(meta_path, sizeof meta_path, "%s/meta.json", dir);
    int wrote = json_object_to_file_ext(meta_path, meta, JSON_C_TO_STRING_PRETTY);
    json_object_put(meta);
    if (wrote != 0) return cli_fail("bench: cannot write %s", meta_path);

    /* 4. Complete? Prints each figure beside its limit. */
    char v_dir[PATH_MAX + 16];
    snprintf(v_dir, sizeof v_dir, "--validate=%s", dir);
    char *v_argv[6] = {bench, v_dir, a_suite};
    int v = 3;
    if (quick) v_argv[v++] = "--quick";
    if (hyperfine) v_argv[v++] = "--hyperfine";
    v_argv[v] = NULL;
    int v_status = run(v_argv);
    if (gb_status != 0) cli_fail("bench: slotkit-bench exited with %d", gb_status);
    printf("slotkit: bench: results in %s\n", dir);
    if (store && gb_status == 0) store_run(dir, backend, results_dir);
    if (gb_status < 0 || v_status >= 2) return 2;
    return gb_status || hf_status || v_status ? 1 : 0;
}
