/* Judging a run's verdicts against an expectation file (expect.h). */
#include <string.h>

#include "escape.h"
#include "expect.h"
#include "verdict.h"

const char *expect_outcome_name(expect_outcome outcome)
{
    static const char *const names[] = {"unlisted", "as expected", "new failure", "unexpected pass", "changed"};
    return (unsigned)outcome < sizeof names / sizeof names[0] ? names[outcome] : "?";
}

static bool is_failure(rule_verdict v) { return v == VERDICT_FAILED || v == VERDICT_BLOCKED || v == VERDICT_NOT_RUN; }

static expect_outcome classify(rule_verdict verdict, const expectation *e)
{
    if (e == NULL) return is_failure(verdict) ? EXPECT_NEW_FAILURE : EXPECT_UNLISTED;
    if (expect_matches(e, verdict)) return EXPECT_AS_EXPECTED;
    return verdict == VERDICT_PASSED ? EXPECT_UNEXPECTED_PASS : EXPECT_CHANGED;
}

static bool among(const conform_rule *rules, size_t count, const char *rule)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(rules[i].rule, rule) == 0) return true;
    return false;
}

void expect_judge(conform_rule *rules, size_t count, const expect_file *file, expect_totals *totals)
{
    *totals = (expect_totals){0};
    for (size_t i = 0; i < count; i++) {
        rules[i].expected = expect_find(file, rules[i].rule);
        rules[i].expect = classify(rules[i].verdict, rules[i].expected);
        switch (rules[i].expect) {
        case EXPECT_UNLISTED: break;
        case EXPECT_AS_EXPECTED: totals->as_expected++; break;
        case EXPECT_NEW_FAILURE: totals->new_failures++; break;
        case EXPECT_UNEXPECTED_PASS: totals->unexpected_passes++; break;
        case EXPECT_CHANGED: totals->changed++; break;
        }
    }
    for (size_t i = 0; i < file->count; i++) totals->not_checked += !among(rules, count, file->items[i].rule);
}

bool expect_unmet(const expect_totals *totals)
{
    return totals->new_failures > 0 || totals->unexpected_passes > 0 || totals->changed > 0;
}

void expect_describe(const conform_rule *r, char *out, size_t size)
{
    const expectation *e = r->expected;
    char want[32] = "";
    if (e != NULL) expect_verdict_text(e, want, sizeof want);
    switch (r->expect) {
    case EXPECT_AS_EXPECTED: snprintf(out, size, "(expected: %s)", e->reason); break;
    case EXPECT_UNEXPECTED_PASS:
        snprintf(out, size, "UNEXPECTED pass: line %d expects %s (%s); remove the line", e->line, want, e->reason);
        break;
    case EXPECT_CHANGED:
        snprintf(out, size, "CHANGED: line %d expects %s (%s), got %s", e->line, want, e->reason,
                 verdict_name(r->verdict));
        break;
    case EXPECT_NEW_FAILURE: snprintf(out, size, "NEW %s: no line expects it", verdict_name(r->verdict)); break;
    case EXPECT_UNLISTED: snprintf(out, size, "%s", ""); break;
    }
}

void expect_print_summary(const conform_rule *rules, size_t count, const expect_file *file, const expect_totals *totals,
                          FILE *out)
{
    fprintf(out,
            "expectations %s (fnv1a64 %s): %d as expected, %d new failures, %d unexpected passes, %d changed, "
            "%d not checked (rule not selected)\n",
            file->path, file->hash, totals->as_expected, totals->new_failures, totals->unexpected_passes,
            totals->changed, totals->not_checked);
    if (!expect_unmet(totals)) {
        fprintf(out, "expectations met\n");
        return;
    }
    fprintf(out, "expectations NOT met: %d unexpected verdicts:\n",
            totals->new_failures + totals->unexpected_passes + totals->changed);
    for (size_t i = 0; i < count; i++) {
        const conform_rule *r = &rules[i];
        if (r->expect == EXPECT_UNLISTED || r->expect == EXPECT_AS_EXPECTED) continue;
        char what[sizeof r->detail + 2 * EXPECT_MAX_REASON];
        expect_describe(r, what, sizeof what);
        fprintf(out, "  %-14s %s%s%s\n", r->rule, what, r->verdict == VERDICT_PASSED ? "" : " -- ",
                r->verdict == VERDICT_PASSED ? "" : r->detail);
    }
}

json_object *expect_to_json(const expect_file *file, const expect_totals *totals)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "file", json_object_new_string(file->path));
    json_object_object_add(o, "fnv1a64", json_object_new_string(file->hash));
    json_object_object_add(o, "lines", json_object_new_int((int)file->count));
    json_object_object_add(o, "outcome", json_object_new_string(expect_unmet(totals) ? "unmet" : "met"));
    json_object_object_add(o, "as_expected", json_object_new_int(totals->as_expected));
    json_object_object_add(o, "new_failures", json_object_new_int(totals->new_failures));
    json_object_object_add(o, "unexpected_passes", json_object_new_int(totals->unexpected_passes));
    json_object_object_add(o, "changed", json_object_new_int(totals->changed));
    json_object_object_add(o, "not_checked", json_object_new_int(totals->not_checked));
    return o;
}
