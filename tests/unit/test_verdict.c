/* Folding Criterion's JSON into per-rule verdicts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../harness/verdict.h"

Test(verdict, test_names_map_to_rule_ids)
{
    char rule[48];
    cr_assert_eq(verdict_rule_of_test("r_commit_3", rule, sizeof rule), 0);
    cr_assert_str_eq(rule, "R-COMMIT-3");
    cr_assert_eq(verdict_rule_of_test("r_seq_4__across_wrap", rule, sizeof rule), 0);
    cr_assert_str_eq(rule, "R-SEQ-4");
    cr_assert_eq(verdict_rule_of_test("helper_test", rule, sizeof rule), -1);
}

static const char *write_report(const char *json)
{
    static char path[] = "/tmp/slotkit-verdict-XXXXXX";
    strcpy(path, "/tmp/slotkit-verdict-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    return path;
}

Test(verdict, a_failing_test_fails_its_rule_and_skips_stay_skipped)
{
    const char *path = write_report(
        "{\"test_suites\":[{\"name\":\"commit\",\"tests\":["
        "{\"name\":\"r_commit_1\",\"status\":\"PASSED\"},"
        "{\"name\":\"r_commit_2__a\",\"status\":\"PASSED\"},"
        "{\"name\":\"r_commit_2__b\",\"status\":\"FAILED\",\"messages\":[\"x.c:3: boom\"]},"
        "{\"name\":\"r_next_1\",\"status\":\"SKIPPED\",\"messages\":[\"requires capability NEXT_UNREAD\"]},"
        "{\"name\":\"r_next_2\",\"status\":\"ERRORED\",\"messages\":[\"The test timed out.\"]},"
        "{\"name\":\"r_arg_2__should\",\"status\":\"FAILED\",\"messages\":[\"a.c:9: nope\"]}]}]}");
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    verdict_totals totals;
    cr_assert_eq(verdict_print(path, out, &totals), 0);
    fclose(out);
    unlink(path);
    cr_assert_eq(totals.passed, 1);
    cr_assert_eq(totals.failed, 2);
    cr_assert_eq(totals.skipped, 1);
    cr_assert_eq(totals.warned, 1, "a failed SHOULD test warns, it does not fail the rule");
    cr_assert_not_null(strstr(text, "R-ARG-2        warn     1      commit::r_arg_2__should FAILED: a.c:9: nope"), "%s", text);
    cr_assert_not_null(strstr(text, "R-COMMIT-2     FAIL     2      commit::r_commit_2__b FAILED: x.c:3: boom"), "%s", text);
    cr_assert_not_null(strstr(text, "R-NEXT-1       skipped  1      requires capability NEXT_UNREAD"), "%s", text);
    free(text);
}

Test(verdict, a_missing_report_is_an_error)
{
    verdict_totals totals;
    cr_assert_eq(verdict_print("/nonexistent/report.json", stderr, &totals), -1);
}
