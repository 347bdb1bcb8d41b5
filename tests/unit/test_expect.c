/* Expectation files (harness/expect.c) and judging verdicts against them
 * (harness/expect_judge.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/expect.h"
#include "../../harness/verdict.h"

static int parse(const char *text, expect_file *out, char *err, size_t err_size)
{
    return expect_parse(text, strlen(text), out, err, err_size);
}

Test(expect, a_good_file_parses_line_by_line)
{
    const char text[] = "# slotkit-expect 1\n"
                        "# a comment\n"
                        "\n"
                        "R-HASH-1\tFAIL\treports the wrong pool's hash  \n"
                        "   # an indented comment\n"
                        "R-COMMIT-1  BLOCKED  by R-HASH-1\n"
                        "R-NOTIFY-7 warn polls instead of blocking"; /* no final newline */
    expect_file f;
    char err[256] = "";
    cr_assert_eq(parse(text, &f, err, sizeof err), 0, "%s", err);
    cr_assert_eq(f.count, 3);
    cr_assert_str_eq(f.items[0].rule, "R-HASH-1");
    cr_assert_eq(f.items[0].verdict, VERDICT_FAILED);
    cr_assert_str_eq(f.items[0].reason, "reports the wrong pool's hash", "trailing blanks are not the reason's");
    cr_assert_eq(f.items[0].line, 4);
    cr_assert_eq(f.items[1].verdict, VERDICT_BLOCKED);
    cr_assert_eq(f.items[1].line, 6);
    cr_assert_eq(f.items[2].verdict, VERDICT_WARNED);
    cr_assert_str_eq(f.items[2].reason, "polls instead of blocking");
    cr_assert_eq(strlen(f.hash), 16);
    cr_assert_eq(expect_find(&f, "R-COMMIT-1"), &f.items[1]);
    cr_assert_null(expect_find(&f, "R-COMMIT-2"));
    expect_free(&f);
}

Test(expect, the_hash_changes_with_any_byte)
{
    expect_file a, b;
    char err[256];
    cr_assert_eq(parse("# slotkit-expect 1\nR-SEQ-1 FAIL x\n", &a, err, sizeof err), 0, "%s", err);
    cr_assert_eq(parse("# slotkit-expect 1\nR-SEQ-1 FAIL y\n", &b, err, sizeof err), 0, "%s", err);
    cr_assert_str_neq(a.hash, b.hash);
    expect_free(&a);
    expect_free(&b);
}

typedef struct bad_file {
    const char *text;
    size_t size; /* 0: strlen */
    const char *message;
} bad_file;

Test(expect, bad_files_are_refused_naming_line_and_problem)
{
    static const bad_file bad[] = {
        {"", 0, "line 1: the file is empty"},
        {"R-SEQ-1 FAIL x\n", 0, "line 1: the first line must be '# slotkit-expect 1'"},
        {"# slotkit-expect 2\n", 0, "line 1: version '2' is not known"},
        {"# slotkit-expect 1 \n", 0, "line 1: version '1 ' is not known"},
        {"# slotkit-expect 1\nR-SEQ-1 fail x\n", 0, "line 2: unknown verdict 'fail'"},
        {"# slotkit-expect 1\nR-SEQ-1 XFAIL x\n", 0, "line 2: unknown verdict 'XFAIL'"},
        {"# slotkit-expect 1\nR-SEQ-1 pass x\n", 0, "line 2: 'pass' is the default"},
        {"# slotkit-expect 1\nR-SEQ-1 skipped x\n", 0, "line 2: 'skipped' follows from the backend's capabilities"},
        {"# slotkit-expect 1\nR-SEQ-1 NOT-RUN x\n", 0, "line 2: 'NOT-RUN' is the run's budget"},
        {"# slotkit-expect 1\nseq-1 FAIL x\n", 0, "line 2: 'seq-1' is not a rule ID"},
        {"# slotkit-expect 1\nR-seq-1 FAIL x\n", 0, "line 2: 'R-seq-1' is not a rule ID"},
        {"# slotkit-expect 1\nR-SEQ-1\n", 0, "line 2: R-SEQ-1 has no verdict"},
        {"# slotkit-expect 1\nR-SEQ-1 FAIL   \n", 0, "line 2: R-SEQ-1 FAIL has no reason"},
        {"# slotkit-expect 1\n\nR-SEQ-1 FAIL a\nR-SEQ-1 BLOCKED b\n", 0,
         "line 4: R-SEQ-1 is already expected on line 3"},
        {"# slotkit-expect 1\r\nR-SEQ-1 FAIL x\n", 0, "line 1: column 19: carriage return"},
        {"# slotkit-expect 1\nR-SEQ-1 FAIL \x1b[2Jx\n", 0, "line 2: column 14: control byte 0x1b"},
        {"# slotkit-expect 1\nR-SEQ-1 FAIL caf\xc3\xa9\n", 0, "line 2: column 17: non-ASCII byte 0xc3"},
        {"# slotkit-expect 1\nR-SEQ-1 FAIL a\0b\n", 34, "line 2: column 15: control byte 0x00"},
        {"\x7f\x45\x4c\x46\x02\x01\x01", 0, "line 1: column 1: control byte 0x7f"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_file f;
        char err[256] = "";
        size_t size = bad[i].size ? bad[i].size : strlen(bad[i].text);
        cr_assert_eq(expect_parse(bad[i].text, size, &f, err, sizeof err), -1, "case %zu accepted", i);
        cr_assert_not_null(strstr(err, bad[i].message), "case %zu: '%s', wanted '%s'", i, err, bad[i].message);
        cr_assert_null(f.items, "case %zu: nothing is kept of a refused file", i);
    }
}

Test(expect, sizes_are_bounded)
{
    expect_file f;
    char err[256] = "";
    char *text = malloc(EXPECT_MAX_FILE_BYTES + 2);
    memset(text, '#', EXPECT_MAX_FILE_BYTES + 1);
    cr_assert_eq(expect_parse(text, EXPECT_MAX_FILE_BYTES + 1, &f, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "more than the limit of 65536"), "%s", err);

    int n = snprintf(text, EXPECT_MAX_FILE_BYTES, "# slotkit-expect 1\n# ");
    memset(text + n, 'x', EXPECT_MAX_LINE);
    text[n + EXPECT_MAX_LINE - 2] = '\0'; /* "# " and 510 x: a line of exactly the limit is fine */
    cr_assert_eq(parse(text, &f, err, sizeof err), 0, "%s", err);
    text[n + EXPECT_MAX_LINE - 2] = 'x';
    text[n + EXPECT_MAX_LINE - 1] = '\0';
    cr_assert_eq(parse(text, &f, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "line 2: 513 bytes, more than the limit of 512"), "%s", err);

    n = snprintf(text, EXPECT_MAX_FILE_BYTES, "# slotkit-expect 1\nR-SEQ-1 FAIL ");
    memset(text + n, 'r', EXPECT_MAX_REASON + 1);
    text[n + EXPECT_MAX_REASON + 1] = '\0';
    cr_assert_eq(parse(text, &f, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "line 2: the reason is 201 characters, more than 200"), "%s", err);
    text[n + EXPECT_MAX_REASON] = '\0';
    cr_assert_eq(parse(text, &f, err, sizeof err), 0, "a reason of exactly the limit is fine: %s", err);
    expect_free(&f);
    free(text);
}

Test(expect, a_file_that_is_not_regular_or_missing_is_refused)
{
    expect_file f;
    char err[256] = "";
    cr_assert_eq(expect_load("/dev/zero", &f, err, sizeof err), -1);
    cr_assert_str_eq(err, "not a regular file");
    cr_assert_eq(expect_load("/nonexistent/x.expect", &f, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "cannot read"), "%s", err);
}

static conform_test listed(const char *rule)
{
    conform_test t = {.selected = true};
    snprintf(t.rule, sizeof t.rule, "%s", rule);
    return t;
}

Test(expect, every_rule_must_be_the_suites)
{
    conform_test tests[] = {listed("R-SEQ-1"), listed("R-HASH-1")};
    expect_file f;
    char err[256] = "";
    cr_assert_eq(parse("# slotkit-expect 1\nR-HASH-1 FAIL a\nR-SEQ-99 FAIL b\n", &f, err, sizeof err), 0, "%s", err);
    cr_assert_eq(expect_check_rules(&f, tests, 2, err, sizeof err), -1);
    cr_assert_str_eq(err, "line 3: unknown rule R-SEQ-99 (not in this suite's --list-tests)");
    expect_free(&f);
    cr_assert_eq(parse("# slotkit-expect 1\nR-HASH-1 FAIL a\n", &f, err, sizeof err), 0, "%s", err);
    cr_assert_eq(expect_check_rules(&f, tests, 2, err, sizeof err), 0);
    expect_free(&f);
}

static conform_rule rule(const char *name, rule_verdict verdict)
{
    conform_rule r = {.verdict = verdict, .tests = 1};
    snprintf(r.rule, sizeof r.rule, "%s", name);
    snprintf(r.detail, sizeof r.detail, "detail of %s", name);
    return r;
}

Test(expect, each_verdict_is_judged_against_its_line)
{
    const char text[] = "# slotkit-expect 1\n"
                        "R-A-1 FAIL known bug\n"       /* FAIL: as expected */
                        "R-A-2 FAIL fixed bug\n"       /* pass: unexpected pass */
                        "R-A-3 BLOCKED by R-A-1\n"     /* FAIL: changed */
                        "R-A-4 warn polls\n"           /* warn: as expected */
                        "R-A-5 FAIL capability gone\n" /* skipped: changed */
                        "R-Z-1 FAIL filtered out\n";   /* not among the rules: not checked */
    expect_file f;
    char err[256] = "";
    cr_assert_eq(parse(text, &f, err, sizeof err), 0, "%s", err);
    conform_rule rules[] = {rule("R-A-1", VERDICT_FAILED),  rule("R-A-2", VERDICT_PASSED),
                            rule("R-A-3", VERDICT_FAILED),  rule("R-A-4", VERDICT_WARNED),
                            rule("R-A-5", VERDICT_SKIPPED), rule("R-B-1", VERDICT_FAILED),
                            rule("R-B-2", VERDICT_BLOCKED), rule("R-B-3", VERDICT_NOT_RUN),
                            rule("R-B-4", VERDICT_WARNED),  rule("R-B-5", VERDICT_PASSED)};
    static const expect_outcome want[] = {
        EXPECT_AS_EXPECTED, EXPECT_UNEXPECTED_PASS, EXPECT_CHANGED,     EXPECT_AS_EXPECTED, EXPECT_CHANGED,
        EXPECT_NEW_FAILURE, EXPECT_NEW_FAILURE,     EXPECT_NEW_FAILURE, EXPECT_UNLISTED,    EXPECT_UNLISTED};
    expect_totals totals;
    expect_judge(rules, 10, &f, &totals);
    for (size_t i = 0; i < 10; i++)
        cr_assert_eq(rules[i].expect, want[i], "%s: %s, wanted %s", rules[i].rule, expect_outcome_name(rules[i].expect),
                     expect_outcome_name(want[i]));
    cr_assert_eq(totals.as_expected, 2);
    cr_assert_eq(totals.unexpected_passes, 1);
    cr_assert_eq(totals.changed, 2);
    cr_assert_eq(totals.new_failures, 3);
    cr_assert_eq(totals.not_checked, 1);
    cr_assert(expect_unmet(&totals));
    expect_free(&f);
}

Test(expect, only_expected_verdicts_meet_the_file)
{
    expect_file f;
    char err[256] = "";
    cr_assert_eq(parse("# slotkit-expect 1\nR-A-1 FAIL known bug\n", &f, err, sizeof err), 0, "%s", err);
    conform_rule rules[] = {rule("R-A-1", VERDICT_FAILED), rule("R-A-2", VERDICT_PASSED),
                            rule("R-A-3", VERDICT_SKIPPED), rule("R-A-4", VERDICT_WARNED)};
    expect_totals totals;
    expect_judge(rules, 4, &f, &totals);
    cr_assert_not(expect_unmet(&totals), "pass, skipped and warn need no line");
    cr_assert_eq(totals.as_expected, 1);
    expect_free(&f);
}

Test(expect, the_table_and_summary_show_expectations)
{
    expect_file f;
    char err[256] = "";
    cr_assert_eq(parse("# slotkit-expect 1\nR-A-1 FAIL known bug\nR-A-2 FAIL fixed bug\n", &f, err, sizeof err), 0);
    snprintf(f.path, sizeof f.path, "x.expect");
    conform_rule rules[] = {rule("R-A-1", VERDICT_FAILED), rule("R-A-2", VERDICT_PASSED),
                            rule("R-B-1", VERDICT_FAILED)};
    expect_totals totals;
    expect_judge(rules, 3, &f, &totals);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    verdict_print_table(rules, 3, out);
    expect_print_summary(rules, 3, &f, &totals, out);
    fclose(out);
    cr_assert_not_null(strstr(text, "R-A-1          FAIL     1      (expected: known bug) detail of R-A-1"), "%s",
                       text);
    cr_assert_not_null(strstr(text, "R-A-2          pass     1      UNEXPECTED pass: line 3 expects FAIL (fixed bug)"),
                       "%s", text);
    cr_assert_not_null(strstr(text, "1 as expected, 1 new failures, 1 unexpected passes, 0 changed"), "%s", text);
    cr_assert_not_null(strstr(text, "expectations NOT met: 2 unexpected verdicts:\n"
                                    "  R-A-2          UNEXPECTED pass"),
                       "%s", text);
    cr_assert_not_null(strstr(text, "  R-B-1          NEW FAIL: no line expects it -- detail of R-B-1"), "%s", text);
    free(text);
    expect_free(&f);
}

Test(expect, a_line_may_accept_two_verdicts_for_a_rule_that_varies)
{
    const char text[] = "# slotkit-expect 1\n"
                        "R-NOTIFY-4 BLOCKED|pass a race the backend loses only sometimes\n"
                        "R-NOTIFY-5 FAIL|BLOCKED either way\n";
    expect_file f;
    char err[256] = "", shown[32];
    cr_assert_eq(parse(text, &f, err, sizeof err), 0, "%s", err);
    cr_assert(expect_matches(&f.items[0], VERDICT_BLOCKED));
    cr_assert(expect_matches(&f.items[0], VERDICT_PASSED));
    cr_assert_not(expect_matches(&f.items[0], VERDICT_FAILED));
    cr_assert_str_eq(expect_verdict_text(&f.items[0], shown, sizeof shown), "BLOCKED|pass");
    cr_assert(expect_matches(&f.items[1], VERDICT_FAILED));
    cr_assert_not(expect_matches(&f.items[1], VERDICT_PASSED));
    expect_free(&f);
    static const char *const bad[] = {
        "# slotkit-expect 1\nR-NOTIFY-4 FAIL|FAIL twice\n",      /* the same verdict twice */
        "# slotkit-expect 1\nR-NOTIFY-4 pass|FAIL pass first\n", /* pass only as the other one */
        "# slotkit-expect 1\nR-NOTIFY-4 FAIL|maybe unknown\n",   /* unknown second verdict */
        "# slotkit-expect 1\nR-NOTIFY-4 FAIL| empty second\n",   /* nothing after the bar */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(parse(bad[i], &f, err, sizeof err), -1, "case %zu accepted", i);
}
