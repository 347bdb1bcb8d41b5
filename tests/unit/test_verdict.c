/* Per-rule verdicts from per-test outcomes, the prerequisite graph and the
 * suite's result records (harness/verdict.c, conformance/report_record.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../conformance/report_record.h"
#include "../../harness/verdict.h"

static conform_test make_test(const char *name, const char *rule, const char *prereqs, test_outcome outcome,
                              const char *detail)
{
    conform_test t = {.selected = true, .outcome = outcome};
    snprintf(t.suite, sizeof t.suite, "s");
    snprintf(t.name, sizeof t.name, "%s", name);
    snprintf(t.rule, sizeof t.rule, "%s", rule);
    snprintf(t.prereqs, sizeof t.prereqs, "%s", prereqs);
    snprintf(t.detail, sizeof t.detail, "%s", detail);
    return t;
}

static char *table_of(const conform_test *tests, size_t count, verdict_totals *totals)
{
    size_t rule_count;
    conform_rule *rules = verdict_compute(tests, count, &rule_count, totals);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    verdict_print_table(rules, rule_count, out);
    fclose(out);
    free(rules);
    return text;
}

Test(verdict, outcomes_fold_into_rules_worst_first)
{
    conform_test tests[] = {
        make_test("r_commit_1", "R-COMMIT-1", "", OUTCOME_PASSED, ""),
        make_test("r_commit_2__a", "R-COMMIT-2", "", OUTCOME_PASSED, ""),
        make_test("r_commit_2__b", "R-COMMIT-2", "", OUTCOME_FAILED, "x.c:3: boom"),
        make_test("r_next_1", "R-NEXT-1", "", OUTCOME_SKIPPED, "requires capability NEXT_UNREAD"),
        make_test("r_next_2", "R-NEXT-2", "", OUTCOME_TIMEOUT, "timed out"),
        make_test("r_arg_2__should", "R-ARG-2", "", OUTCOME_FAILED, "a.c:9: nope"),
    };
    verdict_totals totals;
    char *text = table_of(tests, 6, &totals);
    cr_assert_eq(totals.passed, 1);
    cr_assert_eq(totals.failed, 2);
    cr_assert_eq(totals.skipped, 1);
    cr_assert_eq(totals.warned, 1, "a failed SHOULD test warns, it does not fail the rule");
    cr_assert_not_null(strstr(text, "R-ARG-2        warn     1      s::r_arg_2__should FAILED: a.c:9: nope"), "%s",
                       text);
    cr_assert_not_null(strstr(text, "R-COMMIT-2     FAIL     2      s::r_commit_2__b FAILED: x.c:3: boom"), "%s", text);
    cr_assert_not_null(strstr(text, "R-NEXT-2       FAIL     1      (timeout) s::r_next_2"), "%s", text);
    cr_assert_not_null(strstr(text, "R-NEXT-1       skipped  1      requires capability NEXT_UNREAD"), "%s", text);
    cr_assert_lt(strstr(text, "R-COMMIT-2"), strstr(text, "R-COMMIT-1"), "failures are listed first:\n%s", text);
    free(text);
}

Test(verdict, a_failed_prerequisite_blocks_its_dependents_transitively)
{
    conform_test tests[] = {
        make_test("r_reserve_2", "R-RESERVE-2", "", OUTCOME_FAILED, "root cause"),
        make_test("r_commit_1", "R-COMMIT-1", "R-RESERVE-2", OUTCOME_FAILED, "symptom"),
        make_test("r_seq_1", "R-SEQ-1", "R-COMMIT-1", OUTCOME_CRASHED, "symptom"),
        make_test("r_geom_2", "R-GEOM-2", "", OUTCOME_PASSED, ""),
        make_test("r_read_1", "R-READ-1", "R-GEOM-2", OUTCOME_FAILED, "independent"),
        make_test("r_read_2", "R-READ-2", "R-RESERVE-2", OUTCOME_PASSED, ""),
    };
    verdict_totals totals;
    char *text = table_of(tests, 6, &totals);
    cr_assert_eq(totals.failed, 2, "%s", text);
    cr_assert_eq(totals.blocked, 2, "%s", text);
    cr_assert_eq(totals.passed, 2, "a passing dependent stays passed:\n%s", text);
    cr_assert_not_null(strstr(text, "R-COMMIT-1     BLOCKED  1      by R-RESERVE-2"), "%s", text);
    cr_assert_not_null(strstr(text, "R-SEQ-1        BLOCKED  1      by R-RESERVE-2"), "%s", text);
    cr_assert_not_null(strstr(text, "R-READ-1       FAIL"), "%s", text);
    free(text);
}

Test(verdict, not_run_tests_are_reported)
{
    conform_test tests[] = {make_test("r_commit_1", "R-COMMIT-1", "", OUTCOME_NOT_RUN, "")};
    verdict_totals totals;
    char *text = table_of(tests, 1, &totals);
    cr_assert_eq(totals.not_run, 1);
    cr_assert_not_null(strstr(text, "NOT-RUN"), "%s", text);
    free(text);
}

Test(records, hostile_messages_escape_to_one_printable_line)
{
    const char hostile[] = "quote \" back\\slash\nnew\tline \xff\xfe end";
    char escaped[256];
    report_escape(hostile, escaped, sizeof escaped);
    cr_assert_str_eq(escaped, "quote \" back\\\\slash\\nnew\\tline \\xff\\xfe end");
    char line[512];
    snprintf(line, sizeof line, "R1\tFAILED\tcommit\tr_commit_1\t0.5\t%s", escaped);
    report_record rec;
    cr_assert(report_parse(line, &rec));
    cr_assert_str_eq(rec.status, "FAILED");
    cr_assert_str_eq(rec.message, escaped);
    for (const char *c = rec.message; *c; c++) cr_assert(*c >= 0x20 && *c < 0x7f);
}

Test(records, malformed_records_are_refused)
{
    report_record rec;
    cr_assert_not(report_parse("R2\tPASSED\ts\tt\t0\t", &rec), "unknown version");
    cr_assert_not(report_parse("R1\tWHATEVER\ts\tt\t0\t", &rec), "unknown status");
    cr_assert_not(report_parse("R1\tPASSED\ts\tt", &rec), "missing fields");
    cr_assert_not(report_parse("R1\tPASSED\ts\xff\tt\t0\tm", &rec), "raw non-ASCII byte");
    char long_line[4096];
    memset(long_line, 'a', sizeof long_line);
    memcpy(long_line, "R1\tPASSED\t", 10);
    long_line[sizeof long_line - 1] = '\0';
    cr_assert_not(report_parse(long_line, &rec), "a field longer than its buffer");
}

Test(records, the_truncated_escape_stays_whole)
{
    char out[6];
    report_escape("ab\xff", out, sizeof out);
    cr_assert_str_eq(out, "ab", "a \\xNN escape is never cut in half");
}
