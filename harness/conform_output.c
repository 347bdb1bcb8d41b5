/* TAP, JUnit XML and JSON reports of a conformance run (conform_output.h). */
#include "conform_output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "expect.h"

static const conform_rule *rule_of(const conform_rule *rules, size_t count, const char *rule)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(rules[i].rule, rule) == 0) return &rules[i];
    return NULL;
}

static bool failed(const conform_test *t)
{
    return t->outcome == OUTCOME_FAILED || t->outcome == OUTCOME_CRASHED || t->outcome == OUTCOME_TIMEOUT ||
           t->outcome == OUTCOME_NOT_RUN;
}

/* How a test is reported: a failure that is expected (--expect), blocked by
 * another rule's failure, or advisory is not counted as a failure, unless
 * --expect found its rule's verdict new or changed. */
typedef enum shown_as { SHOWN_PASS, SHOWN_SKIP, SHOWN_TODO, SHOWN_ADVISORY, SHOWN_FAIL } shown_as;

static shown_as shown(const conform_test *t, const conform_rule *r, char *why, size_t size)
{
    why[0] = '\0';
    if (t->outcome == OUTCOME_SKIPPED) {
        snprintf(why, size, "%s", t->detail);
        return SHOWN_SKIP;
    }
    if (!failed(t)) return SHOWN_PASS;
    if (r && r->expect == EXPECT_AS_EXPECTED) {
        snprintf(why, size, "expected failure: %s", r->expected->reason);
        return SHOWN_TODO;
    }
    if (r && (r->expect == EXPECT_NEW_FAILURE || r->expect == EXPECT_CHANGED)) return SHOWN_FAIL;
    if (r && r->verdict == VERDICT_BLOCKED) {
        snprintf(why, size, "blocked %s", r->detail);
        return SHOWN_TODO;
    }
    if (test_is_should(t)) {
        snprintf(why, size, "advisory (SHOULD) rule");
        return SHOWN_ADVISORY;
    }
    return SHOWN_FAIL;
}

/* A rule --expect judged wrong without a failing test to show it. */
static bool expectation_point(const conform_rule *r)
{
    return r->expect == EXPECT_UNEXPECTED_PASS || r->expect == EXPECT_CHANGED;
}

static size_t expectation_points(const conform_rule *rules, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) n += expectation_point(&rules[i]);
    return n;
}

/* TAP: a "not ok ... # TODO" is not counted as a failure by consumers;
 * details never contain a newline (escaped). */
int conform_write_tap(const char *path, const conform_test *tests, size_t count, const conform_rule *rules,
                      size_t rule_count)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) return cli_fail("conform: cannot write %s: %s", path, strerror(errno));
    size_t selected = 0, n = 0;
    for (size_t i = 0; i < count; i++) selected += tests[i].selected;
    fprintf(f, "TAP version 13\n1..%zu\n", selected + expectation_points(rules, rule_count));
    for (size_t i = 0; i < count; i++) {
        const conform_test *t = &tests[i];
        if (!t->selected) continue;
        char why[sizeof rules->detail + EXPECT_MAX_REASON + 32];
        shown_as as = shown(t, rule_of(rules, rule_count, t->rule), why, sizeof why);
        fprintf(f, "%s %zu - %s::%s (%s)", failed(t) ? "not ok" : "ok", ++n, t->suite, t->name, t->rule);
        if (as == SHOWN_SKIP) fprintf(f, " # SKIP %s", why);
        if (as == SHOWN_TODO || as == SHOWN_ADVISORY) fprintf(f, " # TODO %s", why);
        fputc('\n', f);
        if (failed(t)) fprintf(f, "  # %s: %s\n", outcome_name(t->outcome), t->detail);
    }
    for (size_t i = 0; i < rule_count; i++) {
        if (!expectation_point(&rules[i])) continue;
        char what[sizeof rules->detail + 2 * EXPECT_MAX_REASON];
        expect_describe(&rules[i], what, sizeof what);
        fprintf(f, "not ok %zu - expectation %s: %s\n", ++n, rules[i].rule, what);
    }
    return fclose(f) == 0 ? 0 : cli_fail("conform: cannot write %s: %s", path, strerror(errno));
}

/* XML text: the five entities; details are printable ASCII already. */
static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default: fputc((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?', f);
        }
    }
}

static void junit_case(FILE *f, const conform_test *t, const conform_rule *r)
{
    fputs("    <testcase classname=\"", f);
    xml_text(f, t->suite);
    fputs("\" name=\"", f);
    xml_text(f, t->name);
    fprintf(f, "\" time=\"%.3f\">\n      <properties><property name=\"rule\" value=\"", t->seconds);
    xml_text(f, t->rule);
    fputs("\"/></properties>\n", f);
    char why[sizeof r->detail + EXPECT_MAX_REASON + 32];
    shown_as as = shown(t, r, why, sizeof why);
    if (as == SHOWN_SKIP || as == SHOWN_TODO) {
        fputs("      <skipped message=\"", f);
        xml_text(f, why);
        fputs("\"/>\n", f);
    } else if (as == SHOWN_FAIL || as == SHOWN_ADVISORY) {
        fprintf(f, "      <failure type=\"%s\" message=\"", outcome_name(t->outcome));
        xml_text(f, t->detail);
        fputs("\"/>\n", f);
    }
    fputs("    </testcase>\n", f);
}

/* One failing case per rule --expect judged wrong: CI pages list it. */
static void junit_expectations(FILE *f, const conform_rule *rules, size_t count)
{
    size_t points = expectation_points(rules, count);
    if (points == 0) return;
    fprintf(f, "  <testsuite name=\"expectations\" tests=\"%zu\" failures=\"%zu\">\n", points, points);
    for (size_t i = 0; i < count; i++) {
        if (!expectation_point(&rules[i])) continue;
        char what[sizeof rules->detail + 2 * EXPECT_MAX_REASON];
        expect_describe(&rules[i], what, sizeof what);
        fputs("    <testcase classname=\"expectations\" name=\"", f);
        xml_text(f, rules[i].rule);
        fprintf(f, "\" time=\"0\">\n      <failure type=\"%s\" message=\"", expect_outcome_name(rules[i].expect));
        xml_text(f, what);
        fputs("\"/>\n    </testcase>\n", f);
    }
    fputs("  </testsuite>\n", f);
}

int conform_write_junit(const char *path, const char *backend, const conform_test *tests, size_t count,
                        const conform_rule *rules, size_t rule_count)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) return cli_fail("conform: cannot write %s: %s", path, strerror(errno));
    size_t selected = 0, failures = 0, points = expectation_points(rules, rule_count);
    for (size_t i = 0; i < count; i++) {
        char why[sizeof rules->detail + EXPECT_MAX_REASON + 32];
        selected += tests[i].selected;
        shown_as as = tests[i].selected ? shown(&tests[i], rule_of(rules, rule_count, tests[i].rule), why, sizeof why)
                                        : SHOWN_PASS;
        failures += as == SHOWN_FAIL || as == SHOWN_ADVISORY;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"slotkit conformance of ", f);
    xml_text(f, backend);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\">\n  <testsuite name=\"conformance\" tests=\"%zu\">\n",
            selected + points, failures + points, selected);
    for (size_t i = 0; i < count; i++)
        if (tests[i].selected) junit_case(f, &tests[i], rule_of(rules, rule_count, tests[i].rule));
    fputs("  </testsuite>\n", f);
    junit_expectations(f, rules, rule_count);
    fputs("</testsuites>\n", f);
    return fclose(f) == 0 ? 0 : cli_fail("conform: cannot write %s: %s", path, strerror(errno));
}

/* A rule's expected verdict and reason (null: no line), and the outcome. */
static void add_expectation(json_object *o, const conform_rule *r)
{
    json_object *e = NULL;
    if (r->expected != NULL) {
        e = json_object_new_object();
        char want[32];
        json_object_object_add(e, "verdict",
                               json_object_new_string(expect_verdict_text(r->expected, want, sizeof want)));
        json_object_object_add(e, "reason", json_object_new_string(r->expected->reason));
        json_object_object_add(e, "line", json_object_new_int(r->expected->line));
    }
    json_object_object_add(o, "expected", e);
    json_object_object_add(o, "expectation", json_object_new_string(expect_outcome_name(r->expect)));
}

json_object *conform_to_json(const conform_test *tests, size_t count, const conform_rule *rules, size_t rule_count,
                             const verdict_totals *totals, bool with_expectations)
{
    json_object *root = json_object_new_object(), *jt = json_object_new_array(), *jr = json_object_new_array();
    for (size_t i = 0; i < count; i++) {
        if (!tests[i].selected) continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "suite", json_object_new_string(tests[i].suite));
        json_object_object_add(o, "test", json_object_new_string(tests[i].name));
        json_object_object_add(o, "rule", json_object_new_string(tests[i].rule));
        json_object_object_add(o, "outcome", json_object_new_string(outcome_name(tests[i].outcome)));
        json_object_object_add(o, "seconds", json_object_new_double(tests[i].seconds));
        json_object_object_add(o, "detail", json_object_new_string(tests[i].detail));
        json_object_array_add(jt, o);
    }
    for (size_t i = 0; i < rule_count; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "rule", json_object_new_string(rules[i].rule));
        json_object_object_add(o, "verdict", json_object_new_string(verdict_name(rules[i].verdict)));
        json_object_object_add(o, "tests", json_object_new_int(rules[i].tests));
        json_object_object_add(o, "prerequisites", json_object_new_string(rules[i].prereqs));
        json_object_object_add(o, "detail", json_object_new_string(rules[i].detail));
        if (with_expectations) add_expectation(o, &rules[i]);
        json_object_array_add(jr, o);
    }
    json_object *jtot = json_object_new_object();
    json_object_object_add(jtot, "passed", json_object_new_int(totals->passed));
    json_object_object_add(jtot, "failed", json_object_new_int(totals->failed));
    json_object_object_add(jtot, "blocked", json_object_new_int(totals->blocked));
    json_object_object_add(jtot, "not_run", json_object_new_int(totals->not_run));
    json_object_object_add(jtot, "skipped", json_object_new_int(totals->skipped));
    json_object_object_add(jtot, "warned", json_object_new_int(totals->warned));
    json_object_object_add(root, "tests", jt);
    json_object_object_add(root, "rules", jr);
    json_object_object_add(root, "totals", jtot);
    return root;
}
