/* `slotkit conform`: run the Criterion conformance suite against one backend. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "results.h"
#include "verdict.h"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: slotkit conform [--backend NAME|PATH.so] [options]\n\n"
            "Runs the conformance suite (one process per test, a timeout on each) against\n"
            "the backend, then prints a verdict per SPEC rule: pass, FAIL, warn (a SHOULD\n"
            "rule missed), or skipped because the backend lacks a capability.\n\n"
            "  --backend B    built-in name, plug-in name, or path to a plug-in (default: inmem)\n"
            "  --filter PAT   only tests matching PAT, e.g. 'commit/*' or '*/r_seq_*'\n"
            "  --jobs N       parallel test processes (default: Criterion's, one per CPU)\n"
            "  --tap FILE     also write a TAP report\n"
            "  --xml FILE     also write a JUnit XML report\n"
            "  --json FILE    also write Criterion's JSON report\n"
            "  --verbose      Criterion's verbose output\n"
            "  --results DIR  store the results document here (default $SLOTKIT_RESULTS_DIR or ./results)\n"
            "  --no-store     do not store a results document\n\n"
            "Exit status: 0 every run rule passed or was skipped, 1 a rule failed, 2 setup error.\n");
}

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

/* Opening a small pool first turns "the backend refuses to open" into one clear line. */
static bool probe_open(const slotkit_backend *backend)
{
    char name[64];
    snprintf(name, sizeof name, "slotkit-probe-%ld", (long)getpid());
    slotkit_config config = {.slot_count = 4, .slot_capacity = 64, .name = name, .role = SLOTKIT_ROLE_CREATE};
    slotkit_pool *pool;
    slotkit_error err;
    if (slotkit_pool_open(backend, &config, &pool, &err) != SLOTKIT_OK) {
        cli_fail("conform: backend '%s' refuses to open a 4-slot pool: %s", backend->name, err.message);
        return false;
    }
    slotkit_pool_close(pool);
    return true;
}

static int run_suite(const char *suite, char **args)
{
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) return cli_fail("conform: fork: %s", strerror(errno));
    if (child == 0) {
        execv(suite, args);
        fprintf(stderr, "slotkit: conform: cannot run %s: %s\n", suite, strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR) return cli_fail("conform: waitpid: %s", strerror(errno));
    return status;
}

int cmd_conform(int argc, char **argv)
{
    static const struct option options[] = {
        {"backend", required_argument, NULL, 'b'}, {"filter", required_argument, NULL, 'f'},
        {"jobs", required_argument, NULL, 'j'},    {"tap", required_argument, NULL, 't'},
        {"xml", required_argument, NULL, 'x'},     {"json", required_argument, NULL, 'J'},
        {"verbose", no_argument, NULL, 'v'},       {"help", no_argument, NULL, 'h'},
        {"results", required_argument, NULL, 'R'}, {"no-store", no_argument, NULL, 'S'},
        {0, 0, 0, 0}};
    const char *results_dir = NULL;
    bool store = true;
    const char *backend_arg = "inmem", *filter = NULL, *jobs = NULL, *tap = NULL, *xml = NULL, *json = NULL;
    bool verbose = false;
    for (int opt; (opt = getopt_long(argc, argv, "b:f:j:h", options, NULL)) != -1;) {
        switch (opt) {
        case 'b': backend_arg = optarg; break;
        case 'f': filter = optarg; break;
        case 'j': jobs = optarg; break;
        case 't': tap = optarg; break;
        case 'x': xml = optarg; break;
        case 'J': json = optarg; break;
        case 'v': verbose = true; break;
        case 'R': results_dir = optarg; break;
        case 'S': store = false; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) return cli_fail("conform: unexpected argument '%s' (see --help)", argv[optind]);

    const slotkit_backend *backend = cli_load_backend(backend_arg);
    if (backend == NULL || !probe_open(backend)) return 2;
    char suite[PATH_MAX];
    if (!find_suite(suite, sizeof suite))
        return cli_fail("conform: conformance suite binary not found (looked for %s; set $SLOTKIT_CONFORMANCE)",
                        suite);

    /* Each test process loads the backend itself: it travels in the environment. */
    char backend_env[PATH_MAX];
    if (strchr(backend_arg, '/') != NULL && realpath(backend_arg, backend_env) != NULL)
        setenv("SLOTKIT_BACKEND", backend_env, 1);
    else
        setenv("SLOTKIT_BACKEND", backend_arg, 1);

    /* The JSON report feeds the verdict table: the user's file if asked for, else a temporary one. */
    char report[PATH_MAX] = "/tmp/slotkit-conform-XXXXXX";
    if (json != NULL) {
        snprintf(report, sizeof report, "%s", json);
    } else {
        int fd = mkstemp(report);
        if (fd < 0) return cli_fail("conform: cannot create a temporary report: %s", strerror(errno));
        close(fd);
    }
    char arg_json[PATH_MAX + 8], arg_tap[PATH_MAX + 8], arg_xml[PATH_MAX + 8], arg_filter[512], arg_jobs[32];
    char *args[12];
    int n = 0;
    args[n++] = suite;
    snprintf(arg_json, sizeof arg_json, "--json=%s", report);
    args[n++] = arg_json;
    if (tap) snprintf(arg_tap, sizeof arg_tap, "--tap=%s", tap), args[n++] = arg_tap;
    if (xml) snprintf(arg_xml, sizeof arg_xml, "--xml=%s", xml), args[n++] = arg_xml;
    if (filter) snprintf(arg_filter, sizeof arg_filter, "--filter=%s", filter), args[n++] = arg_filter;
    if (jobs) snprintf(arg_jobs, sizeof arg_jobs, "--jobs=%s", jobs), args[n++] = arg_jobs;
    if (verbose) args[n++] = "--verbose";
    args[n] = NULL;

    char caps[128];
    cli_format_caps(backend->capabilities, caps, sizeof caps);
    fprintf(stderr, "slotkit: conformance of backend '%s' %s (capabilities: %s)\n", backend->name,
            backend->version, caps);
    int status = run_suite(suite, args);
    verdict_totals totals;
    int parsed = verdict_print(report, stdout, &totals);
    /* Every run leaves one results document (the report's rule table and Criterion's JSON). */
    if (parsed == 0 && store) {
        json_object *config = json_object_new_object();
        json_object_object_add(config, "backend_arg", json_object_new_string(backend_arg));
        json_object_object_add(config, "filter", filter ? json_object_new_string(filter) : NULL);
        json_object_object_add(config, "jobs", jobs ? json_object_new_string(jobs) : NULL);
        json_object_object_add(config, "suite_exit_status", json_object_new_int(status));
        char stored[PATH_MAX + 256];
        if (results_write_conform(backend, report, config, results_dir, stored, sizeof stored) == 0)
            fprintf(stderr, "slotkit: conform: results stored in %s\n", stored);
        else
            fprintf(stderr, "slotkit: conform: warning: results not stored: %s\n", stored);
    }
    if (json == NULL) unlink(report);
    if (parsed != 0) return 2;
    printf("backend %s: %d rules passed, %d failed, %d skipped by capability, %d advisory (SHOULD) missed\n",
           backend->name, totals.passed, totals.failed, totals.skipped, totals.warned);
    if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && totals.failed == 0)) {
        cli_fail("conform: the suite ended abnormally (status 0x%x)", status);
        return 2;
    }
    return totals.failed ? 1 : 0;
}
