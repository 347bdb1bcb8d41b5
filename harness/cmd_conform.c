/* `slotkit conform`: run the conformance suite against one backend and judge it. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conform_output.h"
#include "conform_runner.h"
#include "escape.h"
#include "expect.h"
#include "proc_tree.h"
#include "results.h"
#include "verdict.h"

#define DEFAULT_TIMEOUT_S 60.0
#define DEFAULT_BUDGET_S 1800.0
#define PROBE_LIMIT_S 30.0

static void usage(FILE *to)
{
    fprintf(to,
            "usage: slotkit conform [--backend NAME|PATH.so] [options]\n\n"
            "Runs the conformance suite against the backend, each test in its own process group\n"
            "with a deadline, then prints a verdict per SPEC rule: pass, FAIL, BLOCKED (a\n"
            "prerequisite rule failed first), warn (a SHOULD rule missed), NOT-RUN (the run's\n"
            "budget ran out) or skipped (the backend lacks a capability). Root failures come first.\n\n"
            "  --backend B    built-in name, plug-in name, or path to a plug-in (default: inmem)\n"
            "  --filter PAT   only tests whose suite/test matches PAT, e.g. 'commit/*' or '*/r_seq_*'\n"
            "  --jobs N       tests at once (default: one per CPU)\n"
            "  --timeout S    per test: kill it and all it started after S seconds (default %.0f)\n"
            "  --budget S     whole run: tests not started by then are NOT-RUN (default %.0f)\n"
            "  --memcheck     run every test under valgrind; invalid reads/writes fail the test's rule\n"
            "  --tap FILE     also write a TAP report\n"
            "  --xml FILE     also write a JUnit XML report\n"
            "  --json FILE    also write the per-test and per-rule results as JSON\n"
            "  --expect FILE  judge against expected verdicts (docs/expectations.md): the known\n"
            "                 failures a backend's CI pins, one line a rule\n"
            "  --write-expect FILE  write a first expectation file from this run's failures\n"
            "  --verbose      print every test's outcome and the tail of its output\n"
            "  --results DIR  store the results document here (default $SLOTKIT_RESULTS_DIR or ./results)\n"
            "  --no-store     do not store a results document\n\n"
            "Exit status: 0 no rule FAIL or NOT-RUN (warn and skipped are fine), 1 one is,\n"
            "2 setup error (no such backend, suite not found, bad option, bad --expect file).\n"
            "With --expect: 0 every verdict as the file expects, 1 a new failure, an unexpected\n"
            "pass (a fixed bug: remove its line) or a changed verdict.\n",
            DEFAULT_TIMEOUT_S, DEFAULT_BUDGET_S);
}

typedef struct conform_args {
    const char *backend, *filter, *tap, *xml, *json, *results_dir, *expect, *write_expect;
    int jobs;
    double timeout_s, budget_s;
    bool verbose, store, memcheck;
} conform_args;

/* The suite binary: $SLOTKIT_CONFORMANCE, beside this executable, or in libexec. */
static bool find_suite(char *path, size_t size)
{
    const char *env = getenv("SLOTKIT_CONFORMANCE");
    if (env != NULL) {
        snprintf(path, size, "%s", env);
        return access(path, X_OK) == 0;
    }
    snprintf(path, size, "%s/slotkit-conformance", cli_exe_dir());
    if (access(path, X_OK) == 0) return true;
    snprintf(path, size, "%s/../libexec/slotkit/slotkit-conformance", cli_exe_dir());
    return access(path, X_OK) == 0;
}

static bool parse_seconds(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v) || v <= 0 || v > 86400) return false;
    *out = v;
    return true;
}

static int parse_args(int argc, char **argv, conform_args *a)
{
    static const struct option options[] = {{"backend", required_argument, NULL, 'b'},
                                            {"filter", required_argument, NULL, 'f'},
                                            {"jobs", required_argument, NULL, 'j'},
                                            {"tap", required_argument, NULL, 't'},
                                            {"xml", required_argument, NULL, 'x'},
                                            {"json", required_argument, NULL, 'J'},
                                            {"verbose", no_argument, NULL, 'v'},
                                            {"help", no_argument, NULL, 'h'},
                                            {"results", required_argument, NULL, 'R'},
                                            {"no-store", no_argument, NULL, 'S'},
                                            {"timeout", required_argument, NULL, 'T'},
                                            {"budget", required_argument, NULL, 'B'},
                                            {"memcheck", no_argument, NULL, 'M'},
                                            {"expect", required_argument, NULL, 'E'},
                                            {"write-expect", required_argument, NULL, 'W'},
                                            {0, 0, 0, 0}};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    *a = (conform_args){.backend = "inmem",
                        .jobs = cpus > 0 ? (int)cpus : 1,
                        .timeout_s = DEFAULT_TIMEOUT_S,
                        .budget_s = DEFAULT_BUDGET_S,
                        .store = true};
    for (int opt; (opt = getopt_long(argc, argv, "b:f:j:h", options, NULL)) != -1;) {
        char *end;
        switch (opt) {
        case 'b': a->backend = optarg; break;
        case 'f': a->filter = optarg; break;
        case 'j':
            a->jobs = (int)strtol(optarg, &end, 10);
            if (*end != '\0' || a->jobs < 1 || a->jobs > 64) return cli_fail("conform: --jobs must be 1..64");
            break;
        case 'T':
            if (!parse_seconds(optarg, &a->timeout_s)) return cli_fail("conform: --timeout must be 0 < S <= 86400");
            break;
        case 'B':
            if (!parse_seconds(optarg, &a->budget_s)) return cli_fail("conform: --budget must be 0 < S <= 86400");
            break;
        case 't': a->tap = optarg; break;
        case 'x': a->xml = optarg; break;
        case 'J': a->json = optarg; break;
        case 'E': a->expect = optarg; break;
        case 'W': a->write_expect = optarg; break;
        case 'v': a->verbose = true; break;
        case 'M': a->memcheck = true; break;
        case 'R': a->results_dir = optarg; break;
        case 'S': a->store = false; break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) return cli_fail("conform: unexpected argument '%s' (see --help)", argv[optind]);
    return 0;
}

/* ---- probing the backend in a child: a plug-in that crashes or hangs while
 * loading or opening cannot take this process with it ---------------------- */

static void probe_child(void *arg)
{
    const char *spec = arg;
    dup2(STDOUT_FILENO, 3); /* keep the pipe; silence whatever the plug-in prints */
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    FILE *out = fdopen(3, "w");
    const slotkit_backend *backend = NULL;
    slotkit_error err = {0};
    if (slotkit_backend_load(spec, &backend, &err) != SLOTKIT_OK) {
        fprintf(out, "ERR\t%s\n", err.message);
        fflush(out);
        _exit(2);
    }
    /* Said before open: a backend that then crashes or hangs is still run and judged. */
    fprintf(out, "LOADED\t%s\t%s\t%u\n", backend->name, backend->version, backend->capabilities);
    fflush(out);
    char name[64];
    snprintf(name, sizeof name, "slotkit-probe-%ld", (long)getpid());
    slotkit_config config = {.slot_count = 4, .slot_capacity = 64, .name = name, .role = SLOTKIT_ROLE_CREATE};
    slotkit_pool *pool;
    if (slotkit_pool_open(backend, &config, &pool, &err) != SLOTKIT_OK) {
        fprintf(out, "ERR\tbackend '%s' refuses to open a 4-slot pool: %s\n", backend->name, err.message);
        fflush(out);
        _exit(2);
    }
    slotkit_pool_close(pool);
    fprintf(out, "OK\n");
    fclose(out);
    _exit(0);
}

typedef struct probed_backend {
    char name[64], version[128];
    unsigned capabilities;
} probed_backend;

static void take_description(char *line, probed_backend *out)
{
    char *save = NULL;
    strtok_r(line, "\t", &save);
    char *name = strtok_r(NULL, "\t", &save), *version = strtok_r(NULL, "\t", &save);
    char *caps = strtok_r(NULL, "\t", &save);
    report_escape(name ? name : "?", out->name, sizeof out->name);
    report_escape(version ? version : "?", out->version, sizeof out->version);
    out->capabilities = caps ? (unsigned)strtoul(caps, NULL, 10) & SLOTKIT_CAP_ALL_KNOWN : 0;
}

/* 0: loaded and opened; 1: loaded, then crashed or hung in open/close (the
 * suite still runs and judges it); 2: a setup error, already printed. */
static int probe(const char *spec, probed_backend *out)
{
    char buf[4096];
    int status = runner_capture(probe_child, (void *)spec, PROBE_LIMIT_S, buf, sizeof buf);
    char *loaded = strncmp(buf, "LOADED\t", 7) == 0 ? buf : NULL;
    char *rest = strchr(buf, '\n');
    if (rest != NULL) *rest++ = '\0';
    if (loaded != NULL) take_description(loaded, out);
    if (loaded != NULL && status == 0 && rest != NULL && strncmp(rest, "OK", 2) == 0) return 0;
    char *line = loaded ? rest : buf;
    if (line != NULL && strncmp(line, "ERR\t", 4) == 0) {
        char why[1024];
        line[strcspn(line, "\n")] = '\0';
        report_escape(line + 4, why, sizeof why);
        cli_fail("conform: %s", why);
        return 2;
    }
    if (loaded == NULL) {
        cli_fail("conform: backend '%s' %s while loading", spec, status == -1 ? "hung or crashed" : "exited");
        return 2;
    }
    fprintf(stderr,
            "slotkit: conform: warning: backend '%s' crashed or hung in its first open/close; "
            "running the suite, which judges that (R-OPEN-4)\n",
            out->name);
    return 1;
}

/* ---- the run -------------------------------------------------------------- */

static void select_tests(conform_test *tests, size_t count, const char *filter)
{
    for (size_t i = 0; i < count; i++) {
        char full[400];
        snprintf(full, sizeof full, "%s/%s", tests[i].suite, tests[i].name);
        tests[i].selected = filter == NULL || fnmatch(filter, full, 0) == 0;
    }
}

/* Each test process loads the backend itself: it travels in the environment. */
static void export_backend(const char *spec)
{
    char path[PATH_MAX];
    if (strchr(spec, '/') != NULL && realpath(spec, path) != NULL)
        setenv("SLOTKIT_BACKEND", path, 1);
    else
        setenv("SLOTKIT_BACKEND", spec, 1);
}

static int write_reports(const conform_args *a, const probed_backend *b, const conform_test *tests, size_t count,
                         const conform_rule *rules, size_t rule_count, json_object *json)
{
    int rc = 0;
    if (a->tap && conform_write_tap(a->tap, tests, count, rules, rule_count) != 0) rc = 2;
    if (a->xml && conform_write_junit(a->xml, b->name, tests, count, rules, rule_count) != 0) rc = 2;
    if (a->write_expect && expect_write(a->write_expect, rules, rule_count, b->name) != 0) rc = 2;
    if (a->json && json_object_to_file_ext(a->json, json, JSON_C_TO_STRING_PRETTY) != 0)
        rc = cli_fail("conform: cannot write %s", a->json);
    return rc;
}

static void store_results(const conform_args *a, const probed_backend *b, json_object *json)
{
    json_object *config = json_object_new_object();
    json_object_object_add(config, "backend_arg", json_object_new_string(a->backend));
    json_object_object_add(config, "filter", a->filter ? json_object_new_string(a->filter) : NULL);
    json_object_object_add(config, "jobs", json_object_new_int(a->jobs));
    json_object_object_add(config, "timeout_s", json_object_new_double(a->timeout_s));
    json_object_object_add(config, "budget_s", json_object_new_double(a->budget_s));
    slotkit_backend described = {.name = b->name, .version = b->version, .capabilities = b->capabilities};
    char stored[PATH_MAX + 256];
    if (results_write_conform(&described, json_object_get(json), config, a->results_dir, stored, sizeof stored) == 0)
        fprintf(stderr, "slotkit: conform: results stored in %s\n", stored);
    else
        fprintf(stderr, "slotkit: conform: warning: results not stored: %s\n", stored);
}

static void print_summary(const probed_backend *b, const conform_test *tests, size_t count,
                          const verdict_totals *totals)
{
    size_t run = 0, passed = 0, skipped = 0;
    for (size_t i = 0; i < count; i++) {
        run += tests[i].selected;
        passed += tests[i].selected && tests[i].outcome == OUTCOME_PASSED;
        skipped += tests[i].selected && tests[i].outcome == OUTCOME_SKIPPED;
    }
    printf("conformance tests: %zu passed, %zu failed, %zu skipped\n", passed, run - passed - skipped, skipped);
    printf("backend %s: %d rules passed, %d failed, %d blocked, %d skipped by capability, %d advisory (SHOULD) "
           "missed%s\n",
           b->name, totals->passed, totals->failed, totals->blocked, totals->skipped, totals->warned,
           totals->not_run ? " -- budget spent: some rules NOT-RUN" : "");
}

/* expect: the --expect file, or NULL. Returns the exit status. */
static int judge_and_report(const conform_args *a, const probed_backend *b, conform_test *tests, size_t count,
                            const expect_file *expect)
{
    size_t rule_count;
    verdict_totals totals;
    expect_totals expected = {0};
    conform_rule *rules = verdict_compute(tests, count, &rule_count, &totals);
    if (expect) expect_judge(rules, rule_count, expect, &expected);
    verdict_print_table(rules, rule_count, stdout);
    print_summary(b, tests, count, &totals);
    if (expect) expect_print_summary(rules, rule_count, expect, &expected, stdout);
    fflush(stdout);
    json_object *json = conform_to_json(tests, count, rules, rule_count, &totals, expect != NULL);
    if (expect) json_object_object_add(json, "expectations", expect_to_json(expect, &expected));
    int rc = write_reports(a, b, tests, count, rules, rule_count, json);
    if (a->store) store_results(a, b, json);
    json_object_put(json);
    free(rules);
    if (rc != 0) return rc;
    if (expect) return expect_unmet(&expected) ? 1 : 0;
    return totals.failed || totals.not_run ? 1 : 0;
}

/* The --expect file, read before anything runs; its rules are checked
 * against the suite's list once that is known. 0, or 2 with the reason. */
static int load_expectations(const char *path, expect_file *out)
{
    char err[512], shown[PATH_MAX];
    if (expect_load(path, out, err, sizeof err) == 0) return 0;
    return cli_fail("conform: --expect %s: %s", escape_terminal(shown, sizeof shown, path), err);
}

static int check_expectations(const expect_file *expect, const conform_test *tests, size_t count)
{
    char err[512];
    if (expect_check_rules(expect, tests, count, err, sizeof err) == 0) return 0;
    return cli_fail("conform: --expect %s: %s", expect->path, err);
}

static int run_and_judge(const conform_args *a, const char *suite, const probed_backend *backend,
                         const expect_file *expect)
{
    conform_test *tests = NULL;
    long count = runner_list_tests(suite, &tests);
    if (count < 0) return 2;
    if (expect && check_expectations(expect, tests, (size_t)count) != 0) {
        free(tests);
        return 2;
    }
    select_tests(tests, (size_t)count, a->filter);
    export_backend(a->backend);
    char caps[128];
    cli_format_caps(backend->capabilities, caps, sizeof caps);
    fprintf(stderr, "slotkit: conformance of backend '%s' %s (capabilities: %s), %.0f s per test, %.0f s budget\n",
            backend->name, backend->version, caps, a->timeout_s, a->budget_s);
    runner_options options = {.suite_path = suite,
                              .jobs = a->jobs,
                              .test_timeout_s = a->timeout_s,
                              .budget_s = a->budget_s,
                              .verbose = a->verbose,
                              .memcheck = a->memcheck ? "/usr/bin/valgrind" : NULL};
    int rc = runner_run(tests, (size_t)count, &options);
    if (rc == 0) rc = judge_and_report(a, backend, tests, (size_t)count, expect);
    free(tests);
    return rc;
}

int cmd_conform(int argc, char **argv)
{
    conform_args a;
    int parsed = parse_args(argc, argv, &a);
    if (parsed != 0) return parsed < 0 ? 0 : parsed;
    char suite[PATH_MAX];
    if (!find_suite(suite, sizeof suite))
        return cli_fail("conform: conformance suite binary not found (looked for %s; set $SLOTKIT_CONFORMANCE)", suite);
    if (a.memcheck && access("/usr/bin/valgrind", X_OK) != 0)
        return cli_fail("conform: --memcheck needs valgrind (/usr/bin/valgrind not found; apt-get install valgrind)");
    expect_file expect;
    if (a.expect && load_expectations(a.expect, &expect) != 0) return 2;
    proc_tree_become_subreaper(); /* before the probe: what it forks comes back here */
    probed_backend backend;
    int rc = probe(a.backend, &backend) == 2 ? 2 : run_and_judge(&a, suite, &backend, a.expect ? &expect : NULL);
    if (a.expect) expect_free(&expect);
    return rc;
}
