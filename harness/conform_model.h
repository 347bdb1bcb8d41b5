/*
 * What `slotkit conform` knows about one run: the tests (from the suite's
 * --list-tests), their outcomes (from the suite's own result records or from
 * the supervisor), and the per-rule verdicts derived from both.
 */
#ifndef SLOTKIT_HARNESS_CONFORM_MODEL_H
#define SLOTKIT_HARNESS_CONFORM_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "report_record.h"

typedef enum test_outcome {
    OUTCOME_NOT_RUN, /* selected, but the run's budget ended first */
    OUTCOME_PASSED,
    OUTCOME_SKIPPED,
    OUTCOME_FAILED,
    OUTCOME_CRASHED,
    OUTCOME_TIMEOUT,
} test_outcome;

typedef struct conform_test {
    char suite[128];
    char name[256];
    char rule[48];
    char prereqs[512]; /* the rule's declared prerequisites, space separated */
    bool selected;     /* matched --filter */
    test_outcome outcome;
    double seconds;
    char detail[sizeof(((report_record *)0)->message) + 128]; /* printable ASCII only */
} conform_test;

typedef enum rule_verdict {
    VERDICT_SKIPPED,
    VERDICT_PASSED,
    VERDICT_WARNED,  /* a SHOULD rule missed: reported, not a failure */
    VERDICT_BLOCKED, /* failed, but a prerequisite rule failed first */
    VERDICT_NOT_RUN,
    VERDICT_FAILED,
} rule_verdict;

/* How a rule's verdict compares with the --expect file (harness/expect.h). */
typedef enum expect_outcome {
    EXPECT_UNLISTED,        /* no line, and a verdict that needs none (or no --expect) */
    EXPECT_AS_EXPECTED,     /* the verdict its line names */
    EXPECT_NEW_FAILURE,     /* FAIL, BLOCKED or NOT-RUN without a line */
    EXPECT_UNEXPECTED_PASS, /* a line expects a failure; the rule passed */
    EXPECT_CHANGED,         /* a line expects one verdict; the rule got another, not pass */
} expect_outcome;

struct expectation;

typedef struct conform_rule {
    char rule[48];
    rule_verdict verdict;
    const struct expectation *expected; /* its line in the --expect file, or NULL */
    expect_outcome expect;
    bool root_failure; /* FAILED with every prerequisite passing */
    int tests;
    char prereqs[512];
    char detail[sizeof(((conform_test *)0)->detail) + 64];
} conform_rule;

typedef struct verdict_totals {
    int passed, failed, blocked, not_run, skipped, warned;
} verdict_totals;

typedef struct expect_totals {
    int as_expected, new_failures, unexpected_passes, changed;
    int not_checked; /* lines naming a rule that --filter left out */
} expect_totals;

const char *outcome_name(test_outcome outcome);
const char *verdict_name(rule_verdict verdict);
bool test_is_should(const conform_test *test);

#endif
