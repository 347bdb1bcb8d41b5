/* Folding per-test outcomes into per-rule verdicts (verdict.h). */
#include "verdict.h"

#include <stdlib.h>
#include <string.h>

#include "expect.h"

const char *outcome_name(test_outcome outcome)
{
    static const char *const names[] = {"NOT-RUN", "PASSED", "SKIPPED", "FAILED", "CRASHED", "TIMEOUT"};
    return (unsigned)outcome < sizeof names / sizeof names[0] ? names[outcome] : "?";
}

const char *verdict_name(rule_verdict verdict)
{
    static const char *const names[] = {"skipped", "pass", "warn", "BLOCKED", "NOT-RUN", "FAIL"};
    return (unsigned)verdict < sizeof names / sizeof names[0] ? names[verdict] : "?";
}

bool test_is_should(const conform_test *test) { return strstr(test->name, "__should") != NULL; }

static conform_rule *find_rule(conform_rule *rules, size_t count, const char *rule)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(rules[i].rule, rule) == 0) return &rules[i];
    return NULL;
}

/* The verdict one test gives its rule, and the detail that explains it. */
static rule_verdict test_verdict(const conform_test *t)
{
    switch (t->outcome) {
    case OUTCOME_PASSED: return VERDICT_PASSED;
    case OUTCOME_SKIPPED: return VERDICT_SKIPPED;
    case OUTCOME_NOT_RUN: return VERDICT_NOT_RUN;
    default: return test_is_should(t) ? VERDICT_WARNED : VERDICT_FAILED;
    }
}

static void add_test(conform_rule *r, const conform_test *t)
{
    rule_verdict v = test_verdict(t);
    r->tests++;
    if (v == VERDICT_SKIPPED) {
        if (r->detail[0] == '\0') snprintf(r->detail, sizeof r->detail, "%s", t->detail);
        return;
    }
    if (v <= r->verdict) return; /* the first, worst test explains the rule */
    r->verdict = v;
    if (v == VERDICT_PASSED)
        r->detail[0] = '\0';
    else if (t->outcome == OUTCOME_TIMEOUT)
        snprintf(r->detail, sizeof r->detail, "(timeout) %s::%s: %s", t->suite, t->name, t->detail);
    else if (v == VERDICT_NOT_RUN)
        snprintf(r->detail, sizeof r->detail, "%s::%s not run: the run's budget was spent", t->suite, t->name);
    else
        snprintf(r->detail, sizeof r->detail, "%s::%s %s: %s", t->suite, t->name, outcome_name(t->outcome), t->detail);
}

/* Next space-separated token of *cursor; false at the end. */
static bool next_token(const char **cursor, char *tok, size_t size)
{
    const char *c = *cursor;
    while (*c == ' ') c++;
    size_t n = 0;
    for (; *c != '\0' && *c != ' '; c++)
        if (n + 1 < size) tok[n++] = *c;
    tok[n] = '\0';
    *cursor = c;
    return n > 0;
}

/* Marks (in seen) every rule reachable from r's prerequisites. */
static void reach(conform_rule *rules, size_t count, const conform_rule *r, bool *seen)
{
    char tok[48];
    for (const char *c = r->prereqs; next_token(&c, tok, sizeof tok);) {
        conform_rule *dep = find_rule(rules, count, tok);
        if (dep == NULL || seen[dep - rules]) continue;
        seen[dep - rules] = true;
        reach(rules, count, dep, seen);
    }
}

/* A failed rule with a failed prerequisite is blocked by the root failures among them. */
static void apply_blocking(conform_rule *rules, size_t count)
{
    bool *seen = calloc(count ? count : 1, sizeof *seen);
    for (size_t i = 0; i < count; i++) {
        if (rules[i].verdict != VERDICT_FAILED) continue;
        memset(seen, 0, count * sizeof *seen);
        reach(rules, count, &rules[i], seen);
        seen[i] = false;
        rules[i].root_failure = true;
        for (size_t j = 0; j < count; j++)
            if (seen[j] && rules[j].verdict == VERDICT_FAILED) rules[i].root_failure = false;
    }
    for (size_t i = 0; i < count; i++) {
        if (rules[i].verdict != VERDICT_FAILED || rules[i].root_failure) continue;
        memset(seen, 0, count * sizeof *seen);
        reach(rules, count, &rules[i], seen);
        char by[sizeof rules[i].detail] = "by";
        for (size_t j = 0; j < count; j++)
            if (seen[j] && rules[j].root_failure && strlen(by) + strlen(rules[j].rule) + 2 < sizeof by)
                strcat(strcat(by, " "), rules[j].rule);
        rules[i].verdict = VERDICT_BLOCKED;
        snprintf(rules[i].detail, sizeof rules[i].detail, "%s", by);
    }
    free(seen);
}

/* Display order: verdict group (worst first), then group name and number. */
static int display_rank(const conform_rule *r)
{
    static const int rank[] = {[VERDICT_FAILED] = 0, [VERDICT_BLOCKED] = 1, [VERDICT_NOT_RUN] = 2,
                               [VERDICT_WARNED] = 3, [VERDICT_PASSED] = 4,  [VERDICT_SKIPPED] = 5};
    return rank[r->verdict];
}

static int compare_rules(const void *a, const void *b)
{
    const conform_rule *x = a, *y = b;
    if (display_rank(x) != display_rank(y)) return display_rank(x) - display_rank(y);
    const char *dx = strrchr(x->rule, '-'), *dy = strrchr(y->rule, '-');
    size_t lx = (size_t)(dx - x->rule), ly = (size_t)(dy - y->rule);
    int group = strncmp(x->rule, y->rule, lx < ly ? lx : ly);
    if (group == 0) group = (int)lx - (int)ly;
    return group != 0 ? group : atoi(dx + 1) - atoi(dy + 1);
}

conform_rule *verdict_compute(const conform_test *tests, size_t test_count, size_t *count, verdict_totals *totals)
{
    conform_rule *rules = calloc(test_count ? test_count : 1, sizeof *rules);
    size_t n = 0;
    for (size_t i = 0; i < test_count; i++) {
        if (!tests[i].selected) continue;
        conform_rule *r = find_rule(rules, n, tests[i].rule);
        if (r == NULL) {
            r = &rules[n++];
            snprintf(r->rule, sizeof r->rule, "%s", tests[i].rule);
            snprintf(r->prereqs, sizeof r->prereqs, "%s", tests[i].prereqs);
            r->verdict = VERDICT_SKIPPED;
        }
        add_test(r, &tests[i]);
    }
    apply_blocking(rules, n);
    qsort(rules, n, sizeof *rules, compare_rules);
    *totals = (verdict_totals){0};
    for (size_t i = 0; i < n; i++) {
        switch (rules[i].verdict) {
        case VERDICT_PASSED: totals->passed++; break;
        case VERDICT_FAILED: totals->failed++; break;
        case VERDICT_BLOCKED: totals->blocked++; break;
        case VERDICT_NOT_RUN: totals->not_run++; break;
        case VERDICT_WARNED: totals->warned++; break;
        case VERDICT_SKIPPED: totals->skipped++; break;
        }
    }
    *count = n;
    return rules;
}

void verdict_print_table(const conform_rule *rules, size_t count, FILE *out)
{
    fprintf(out, "\n%-14s %-8s %-6s %s\n", "RULE", "VERDICT", "TESTS", "DETAIL");
    for (size_t i = 0; i < count; i++) {
        char expected[sizeof rules[i].detail + 2 * EXPECT_MAX_REASON];
        expect_describe(&rules[i], expected, sizeof expected);
        const char *detail = rules[i].verdict == VERDICT_PASSED ? "" : rules[i].detail;
        fprintf(out, "%-14s %-8s %-6d %s%s%s\n", rules[i].rule, verdict_name(rules[i].verdict), rules[i].tests,
                expected, expected[0] && detail[0] ? " " : "", detail);
    }
}
