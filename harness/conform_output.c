/* TAP, JUnit XML and JSON reports of a conformance run (conform_output.h). */
#include "conform_output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

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

/* TAP: a blocked or advisory failure is "not ok ... # TODO", which consumers
 * do not count as a failure; details never contain a newline (escaped). */
int conform_write_tap(const char *path, const conform_test *tests, size_t count, const conform_rule *rules,
                      size_t rule_count)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) return cli_fail("conform: cannot write %s: %s", path, strerror(errno));
    size_t selected = 0, n = 0;
    for (size_t i = 0; i < count; i++) selected += tests[i].selected;
    fprintf(f, "TAP version 13\n1..%zu\n", selected);
    for (size_t i = 0; i < count; i++) {
        const conform_test *t = &tests[i];
        if (!t->selected) continue;
        const conform_rule *r = rule_of(rules, rule_count, t->rule);
        fprintf(f, "%s %zu - %s::%s (%s)", failed(t) ? "not ok" : "ok", ++n, t->suite, t->name, t->rule);
        if (t->outcome == OUTCOME_SKIPPED)
            fprintf(f, " # SKIP %s", t->detail);
        else if (failed(t) && r && r->verdict == VERDICT_BLOCKED)
            fprintf(f, " # TODO blocked %s", r->detail);
        else if (failed(t) && test_is_should(t))
            fprintf(f, " # TODO advisory (SHOULD) rule");
        fputc('\n', f);
        if (failed(t)) fprintf(f, "  # %s: %s\n", outcome_name(t->outcome), t->detail);
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
    if (t->outcome == OUTCOME_SKIPPED || (failed(t) && r && r->verdict == VERDICT_BLOCKED)) {
        fputs("      <skipped message=\"", f);
        xml_text(f, t->outcome == OUTCOME_SKIPPED ? t->detail : r->detail);
        fputs("\"/>\n", f);
    } else if (failed(t)) {
        fprintf(f, "      <failure type=\"%s\" message=\"", outcome_name(t->outcome));
        xml_text(f, t->detail);
        fputs("\"/>\n", f);
    }
    fputs("    </testcase>\n", f);
}

int conform_write_junit(const char *path, const char *backend, const conform_test *tests, size_t count,
                        const conform_rule *rules, size_t rule_count)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) return cli_fail("conform: cannot write %s: %s", path, strerror(errno));
    size_t selected = 0, failures = 0;
    for (size_t i = 0; i < count; i++) {
        selected += tests[i].selected;
        failures += tests[i].selected && failed(&tests[i]);
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"slotkit conformance of ", f);
    xml_text(f, backend);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\">\n  <testsuite name=\"conformance\" tests=\"%zu\">\n", selected,
            failures, selected);
    for (size_t i = 0; i < count; i++)
        if (tests[i].selected) junit_case(f, &tests[i], rule_of(rules, rule_count, tests[i].rule));
    fputs("  </testsuite>\n</testsuites>\n", f);
    return fclose(f) == 0 ? 0 : cli_fail("conform: cannot write %s: %s", path, strerror(errno));
}

json_object *conform_to_json(const conform_test *tests, size_t count, const conform_rule *rules, size_t rule_count,
                             const verdict_totals *totals)
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
