/* Folding Criterion's per-test results into per-rule verdicts. */
#include "verdict.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Ordered by precedence: a rule shows its worst test. WARNED is a failed
 * test of a SHOULD rule (name suffix __should): reported, not a failure. */
#define CRITERION_FILTERED "The test was skipped."

enum rule_state { RULE_SKIPPED, RULE_PASSED, RULE_WARNED, RULE_FAILED };

typedef struct rule_result {
    char rule[48];
    enum rule_state state;
    int tests;
    char detail[200]; /* failing test and message, or skip reason */
} rule_result;

int verdict_rule_of_test(const char *test_name, char *rule, size_t rule_size)
{
    if (strncmp(test_name, "r_", 2) != 0) return -1;
    size_t n = 0;
    for (const char *c = test_name; *c && !(c[0] == '_' && c[1] == '_'); c++) {
        if (n + 1 >= rule_size) return -1;
        rule[n++] = *c == '_' ? '-' : (char)toupper((unsigned char)*c);
    }
    rule[n] = '\0';
    return n > 2 ? 0 : -1;
}

/* Orders R-GROUP-N by group name, then by number. */
static int compare_rules(const void *a, const void *b)
{
    const char *ra = ((const rule_result *)a)->rule, *rb = ((const rule_result *)b)->rule;
    const char *da = strrchr(ra, '-'), *db = strrchr(rb, '-');
    size_t la = (size_t)(da - ra), lb = (size_t)(db - rb);
    int group = strncmp(ra, rb, la < lb ? la : lb);
    if (group == 0) group = (int)la - (int)lb;
    if (group != 0) return group;
    return atoi(da + 1) - atoi(db + 1);
}

static const char *first_message(json_object *test)
{
    json_object *messages, *first;
    if (json_object_object_get_ex(test, "messages", &messages) && json_object_is_type(messages, json_type_array) &&
        json_object_array_length(messages) > 0 && (first = json_object_array_get_idx(messages, 0)) != NULL)
        return json_object_get_string(first);
    return "";
}

static rule_result *find_or_add(rule_result **rules, size_t *count, size_t *cap, const char *rule)
{
    for (size_t i = 0; i < *count; i++)
        if (strcmp((*rules)[i].rule, rule) == 0) return &(*rules)[i];
    if (*count == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *rules = realloc(*rules, *cap * sizeof **rules);
    }
    rule_result *r = &(*rules)[(*count)++];
    memset(r, 0, sizeof *r);
    snprintf(r->rule, sizeof r->rule, "%s", rule);
    return r;
}

static void add_test(rule_result *r, const char *suite, const char *test, const char *status, const char *message)
{
    r->tests++;
    if (strcmp(status, "PASSED") == 0) {
        if (r->state == RULE_SKIPPED) r->state = RULE_PASSED;
    } else if (strcmp(status, "SKIPPED") == 0) {
        if (r->state == RULE_SKIPPED && r->detail[0] == '\0') snprintf(r->detail, sizeof r->detail, "%s", message);
    } else {
        /* FAILED, ERRORED (timeout, crash): the first, worst failure is the one shown. */
        enum rule_state failure = strstr(test, "__should") != NULL ? RULE_WARNED : RULE_FAILED;
        if (r->state < failure) {
            r->state = failure;
            snprintf(r->detail, sizeof r->detail, "%s::%s %s: %s", suite, test, status, message);
        }
    }
}

int verdict_print(const char *report_path, FILE *out, verdict_totals *totals)
{
    json_object *root = json_object_from_file(report_path);
    json_object *suites;
    if (root == NULL || !json_object_object_get_ex(root, "test_suites", &suites) ||
        !json_object_is_type(suites, json_type_array)) {
        cli_fail("conform: the suite wrote no readable report at %s", report_path);
        if (root) json_object_put(root);
        return -1;
    }
    rule_result *rules = NULL;
    size_t count = 0, cap = 0;
    for (size_t s = 0; s < json_object_array_length(suites); s++) {
        json_object *suite = json_object_array_get_idx(suites, s), *name, *tests;
        if (!json_object_object_get_ex(suite, "name", &name) || !json_object_object_get_ex(suite, "tests", &tests))
            continue;
        for (size_t t = 0; t < json_object_array_length(tests); t++) {
            json_object *test = json_object_array_get_idx(tests, t), *tname, *tstatus;
            char rule[48];
            if (!json_object_object_get_ex(test, "name", &tname) ||
                !json_object_object_get_ex(test, "status", &tstatus) ||
                verdict_rule_of_test(json_object_get_string(tname), rule, sizeof rule) != 0)
                continue;
            const char *status = json_object_get_string(tstatus), *message = first_message(test);
            /* Criterion reports tests left out by --filter as skipped with this stock text;
             * they were not run, so they say nothing about their rule. */
            if (strcmp(status, "SKIPPED") == 0 && (message[0] == '\0' || strcmp(message, CRITERION_FILTERED) == 0))
                continue;
            add_test(find_or_add(&rules, &count, &cap, rule), json_object_get_string(name),
                     json_object_get_string(tname), status, message);
        }
    }
    qsort(rules, count, sizeof *rules, compare_rules);
    *totals = (verdict_totals){0};
    static const char *const labels[] = {"skipped", "pass", "warn", "FAIL"};
    fprintf(out, "\n%-14s %-8s %-6s %s\n", "RULE", "VERDICT", "TESTS", "DETAIL");
    for (size_t i = 0; i < count; i++) {
        rule_result *r = &rules[i];
        fprintf(out, "%-14s %-8s %-6d %s\n", r->rule, labels[r->state], r->tests,
                r->state == RULE_PASSED ? "" : r->detail);
        if (r->state == RULE_PASSED) totals->passed++;
        else if (r->state == RULE_WARNED) totals->warned++;
        else if (r->state == RULE_FAILED) totals->failed++;
        else totals->skipped++;
    }
    free(rules);
    json_object_put(root);
    return 0;
}
