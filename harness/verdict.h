/* Per-rule verdicts from a Criterion JSON report. */
#ifndef SLOTKIT_HARNESS_VERDICT_H
#define SLOTKIT_HARNESS_VERDICT_H

#include <stdio.h>

typedef struct verdict_totals {
    int passed, failed, skipped, warned; /* warned: SHOULD rules a backend misses */
} verdict_totals;

/* Test name r_commit_3__variant → rule "R-COMMIT-3". Returns 0, or -1 if the
 * name does not follow the convention. */
int verdict_rule_of_test(const char *test_name, char *rule, size_t rule_size);

/* Reads the report, prints one line per rule (pass / FAIL / skipped with the
 * reason) and fills *totals. Returns 0, or -1 with a message if the report is
 * missing or malformed. */
int verdict_print(const char *report_path, FILE *out, verdict_totals *totals);

#endif
