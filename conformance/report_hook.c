/*
 * The suite's own result record, written by Criterion's runner process after
 * each test to the file named by $SLOTKIT_CONF_REPORT (see report_record.h).
 *
 * `slotkit conform` builds its verdicts from these records, never from
 * Criterion's JSON/TAP writers, which do not escape every message (a quote in
 * an assertion message once made the JSON unreadable). A record is one line:
 *
 *   R1 <TAB> STATUS <TAB> suite <TAB> test <TAB> seconds <TAB> message
 *
 * STATUS is PASSED, FAILED, SKIPPED, CRASHED or TIMEOUT; every byte of suite,
 * test and message outside printable ASCII, and backslash and TAB, is escaped
 * (\n, \t, \\, \xNN), so one record is always exactly one line.
 */
#include "report_record.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <string.h>

static const char *status_of(const struct criterion_test_stats *stats)
{
    if (stats->timed_out) return "TIMEOUT";
    if (stats->crashed || stats->signal != 0) return "CRASHED";
    switch (stats->test_status) {
    case CR_STATUS_PASSED: return stats->exit_code == 0 ? "PASSED" : "CRASHED";
    case CR_STATUS_SKIPPED: return "SKIPPED";
    default: return "FAILED";
    }
}

/* The first failed assertion (file:line message), else what Criterion knows. */
static void describe(const struct criterion_test_stats *stats, char *out, size_t size)
{
    for (const struct criterion_assert_stats *a = stats->asserts; a != NULL; a = a->next) {
        if (!a->passed) {
            const char *file = a->file ? strrchr(a->file, '/') : NULL;
            snprintf(out, size, "%s:%u: %s", file ? file + 1 : (a->file ? a->file : "?"), a->line,
                     a->message ? a->message : "");
            return;
        }
    }
    if (stats->timed_out)
        snprintf(out, size, "timed out");
    else if (stats->signal != 0)
        snprintf(out, size, "crashed with signal %d (%s)", stats->signal, strsignal(stats->signal));
    else if (stats->exit_code != 0)
        snprintf(out, size, "exited with code %d", stats->exit_code);
    else
        snprintf(out, size, "%s", stats->message ? stats->message : "");
}

ReportHook(POST_TEST)(struct criterion_test_stats *stats)
{
    char message[REPORT_MESSAGE_MAX];
    describe(stats, message, sizeof message);
    report_append(status_of(stats), stats->test->category, stats->test->name, (double)stats->elapsed_time, message);
}

/* A crashed test does not reach POST_TEST. */
ReportHook(TEST_CRASH)(struct criterion_test_stats *stats)
{
    char message[REPORT_MESSAGE_MAX];
    describe(stats, message, sizeof message);
    report_append("CRASHED", stats->test->category, stats->test->name, (double)stats->elapsed_time, message);
}
