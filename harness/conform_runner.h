/*
 * The supervisor of a conformance run. Every test runs as its own process
 * group (the suite binary filtered to that one test), with its output drained
 * and capped, a hard per-test deadline, and a budget for the whole run. This
 * process is a child subreaper, so whatever a test forks, even a daemon that
 * left its session, comes back here and is killed when its test ends.
 * Nothing a backend does can hang, wedge or silence the run.
 */
#ifndef SLOTKIT_HARNESS_CONFORM_RUNNER_H
#define SLOTKIT_HARNESS_CONFORM_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

#include "conform_model.h"

typedef struct runner_options {
    const char *suite_path; /* slotkit-conformance */
    int jobs;               /* tests at once, >= 1 */
    double test_timeout_s;  /* per test, hard */
    double budget_s;        /* whole run */
    bool verbose;           /* print each test's outcome and captured output */
    const char *memcheck;   /* NULL, or the valgrind executable to run every test under */
    const char *work_dir;   /* set by runner_run: its private temporary directory */
} runner_options;

/* Fills the tests from `suite --list-tests`; returns the number, or -1 with a
 * message printed. *tests is malloc'd. */
long runner_list_tests(const char *suite_path, conform_test **tests);

/* Runs child(arg) in a forked process group with its stdout into buf (at most
 * size-1 bytes, NUL-terminated) and a time limit, killing all it started at
 * the end. Returns its exit status, or -1 if it did not exit in time or died. */
int runner_capture(void (*child)(void *), void *arg, double limit_s, char *buf, size_t size);

/* Runs every selected test; fills outcome, seconds and detail. Returns 0, or
 * -1 on a setup error (message printed). */
int runner_run(conform_test *tests, size_t count, const runner_options *options);

#endif
