/*
 * Entry point of the conformance runner.
 *
 *   conformance [--backend NAME|PATH] [criterion options...]
 *   conformance [--backend NAME|PATH] --no-sandbox[=GLOB]
 *
 * Criterion re-executes this binary for every test and bypasses main there,
 * so the chosen backend is handed down in the environment (SLOTKIT_BACKEND),
 * which the per-test fixture reads. Everything except --backend goes to
 * Criterion unchanged (--filter, --tap, --xml, -j, ...).
 *
 * --list-tests prints one line per test, "suite TAB test TAB rule TAB prerequisites",
 * without loading a backend: `slotkit conform` schedules and judges from it.
 *
 * --no-sandbox runs only the multi-threaded checks (stress_checks.h; GLOB, default
 * "*", is matched against "suite/test"), in this process and without
 * Criterion, printing TAP. It exists for ThreadSanitizer: Criterion 2.4.1
 * aborts or crashes under TSan before running anything (Snaipe/Criterion#274).
 */
#include "fixture.h"
#include "prereqs.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void print_backend_usage(void)
{
    fprintf(stderr, "slotkit conformance options:\n"
                    "    --backend NAME|PATH: backend to test, a built-in name or a plug-in\n"
                    "        .so path (default: $" CONF_BACKEND_ENV " or '" CONF_DEFAULT_BACKEND "')\n"
                    "    --no-sandbox[=GLOB]: run the thread/notify stress checks matching\n"
                    "        suite/test GLOB in-process, without Criterion, as TAP (for TSan)\n\n");
}

/* Set by --no-sandbox: the glob of stress checks to run in-process. */
static const char *no_sandbox_glob;
/* Set by --list-tests. */
static bool list_tests;

/* Removes --backend X / --backend=X (exporting the value) and --no-sandbox
 * from argv. Returns the new argc, or -1 on a malformed option. */
static int take_own_options(int argc, char **argv)
{
    int out = 1;
    for (int i = 1; i < argc; i++) {
        const char *value = NULL;
        if (strcmp(argv[i], "--backend") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "conformance: --backend needs a value\n");
                return -1;
            }
            value = argv[++i];
        } else if (strncmp(argv[i], "--backend=", 10) == 0) {
            value = argv[i] + 10;
        } else if (strcmp(argv[i], "--list-tests") == 0) {
            list_tests = true;
            continue;
        } else if (strcmp(argv[i], "--no-sandbox") == 0) {
            no_sandbox_glob = "*";
            continue;
        } else if (strncmp(argv[i], "--no-sandbox=", 13) == 0) {
            no_sandbox_glob = argv[i] + 13;
            continue;
        } else {
            if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
                print_backend_usage();
            }
            argv[out++] = argv[i];
            continue;
        }
        if (value[0] == '\0') {
            fprintf(stderr, "conformance: --backend needs a non-empty value\n");
            return -1;
        }
        /* Inherited by every test process Criterion spawns. */
        if (setenv(CONF_BACKEND_ENV, value, 1) != 0) {
            perror("conformance: setenv");
            return -1;
        }
    }
    argv[out] = NULL;
    return out;
}

/* Criterion 2.4.1's runner sometimes leaks its 48-byte per-test timeout
 * record (seen with .timeout under parallel jobs, fixed upstream later);
 * under LeakSanitizer that alone would fail the whole run. Only allocations
 * made inside libcriterion are ignored, never the library's or a backend's.
 * LeakSanitizer looks this hook up by name; without sanitizers it is unused. */
__attribute__((used, visibility("default"))) const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libcriterion.so\n"; }

__attribute__((used, visibility("default"))) const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }

/* Runs the stress checks in this process; TAP on stdout; exit 1 on any failure. */
static int run_without_sandbox(const slotkit_backend *backend, const char *glob)
{
    size_t selected = 0;
    for (size_t i = 0; i < stress_case_count; i++) {
        char full[128];
        snprintf(full, sizeof full, "%s/%s", stress_cases[i].suite, stress_cases[i].test);
        selected += fnmatch(glob, full, 0) == 0;
    }
    printf("TAP version 13\n1..%zu\n", selected);
    size_t number = 0, failures = 0, skipped = 0;
    for (size_t i = 0; i < stress_case_count; i++) {
        const stress_case *sc = &stress_cases[i];
        char full[128];
        snprintf(full, sizeof full, "%s/%s", sc->suite, sc->test);
        if (fnmatch(glob, full, 0) != 0) {
            continue;
        }
        number++;
        uint32_t missing = sc->required_caps & ~backend->capabilities;
        if (missing != 0) {
            printf("ok %zu - %s::%s # SKIP requires capability %s\n", number, sc->suite, sc->test,
                   cap_name(missing & -missing));
            skipped++;
            continue;
        }
        char pool_name[160];
        snprintf(pool_name, sizeof pool_name, "skc-%ld-direct-%s-%s", (long)getpid(), sc->suite, sc->test);
        fflush(stdout);
        stress_result res = sc->run(backend, pool_name);
        printf("%s %zu - %s::%s\n", res.ok ? "ok" : "not ok", number, sc->suite, sc->test);
        if (res.info[0] != '\0') {
            printf("  # %s\n", res.info);
        }
        if (!res.ok) {
            printf("  # %s\n", res.message);
            failures++;
        }
        fflush(stdout);
    }
    /* Criterion's closing line, so scripts that tally Criterion runs tally this one too. */
    printf("[====] Synthesis: Tested: %zu | Passing: %zu | Failing: %zu | Crashing: 0 \n", number - skipped,
           number - skipped - failures, failures);
    return failures == 0 ? 0 : 1;
}

/* Criterion registers each test as a pointer in the ELF section cr_tst. */
extern struct criterion_test *__start_cr_tst[] __attribute__((weak));
extern struct criterion_test *__stop_cr_tst[] __attribute__((weak));

/* --list-tests: every rule test with its rule and declared prerequisites. */
static int print_test_list(void)
{
    char why[256];
    if (!prereqs_graph_valid(why, sizeof why)) {
        fprintf(stderr, "conformance: invalid prerequisite graph: %s\n", why);
        return 2;
    }
    size_t listed = 0;
    for (struct criterion_test **t = __start_cr_tst; t != NULL && t < __stop_cr_tst; t++) {
        char rule[48];
        if (*t == NULL || !prereqs_rule_of_test((*t)->name, rule, sizeof rule)) continue;
        printf("%s\t%s\t%s\t%s\n", (*t)->category, (*t)->name, rule, prereqs_declared(rule));
        listed++;
    }
    if (listed == 0) {
        fprintf(stderr, "conformance: no tests found in section cr_tst\n");
        return 2;
    }
    return fflush(stdout) == 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
    argc = take_own_options(argc, argv);
    if (argc < 0) {
        print_backend_usage();
        return 2;
    }
    if (list_tests) return print_test_list();

    /* Fail fast, once, rather than once per test, when the backend does not load. */
    const char *spec = conf_backend_spec();
    const slotkit_backend *backend = NULL;
    slotkit_error err;
    memset(&err, 0, sizeof err);
    slotkit_status st = slotkit_backend_load(spec, &backend, &err);
    if (st != SLOTKIT_OK || backend == NULL) {
        fprintf(stderr, "conformance: cannot load backend '%s': %s (%s)\n", spec, status_name(st), err.message);
        return 2;
    }
    fprintf(stderr, "conformance: backend '%s' (name %s, version %s, capabilities 0x%02x)\n", spec,
            backend->name ? backend->name : "?", backend->version ? backend->version : "?",
            (unsigned)backend->capabilities);

    if (no_sandbox_glob != NULL) {
        return run_without_sandbox(backend, no_sandbox_glob);
    }

    struct criterion_test_set *tests = criterion_initialize();
    int rc = 0;
    if (criterion_handle_args(argc, argv, true)) {
        rc = !criterion_run_all_tests(tests);
    }
    criterion_finalize(tests);
    return rc;
}
