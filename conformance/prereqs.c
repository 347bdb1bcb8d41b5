/* The prerequisite graph and its run-time check (prereqs.h, SPEC §1.4). */
#include "prereqs.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "op_recorder.h"
#include "prereqs_table.h"

#define MAX_RULES 256

bool prereqs_rule_of_test(const char *test_name, char *rule, size_t size)
{
    if (strncmp(test_name, "r_", 2) != 0) return false;
    size_t n = 0;
    for (const char *c = test_name; *c && !(c[0] == '_' && c[1] == '_'); c++) {
        if (n + 1 >= size) return false;
        rule[n++] = *c == '_' ? '-' : (char)toupper((unsigned char)*c);
    }
    rule[n] = '\0';
    return n > 2;
}

static const rule_prereqs *find_rule(const char *rule)
{
    for (size_t i = 0; i < prereqs_table_size; i++)
        if (strcmp(prereqs_table[i].rule, rule) == 0) return &prereqs_table[i];
    return NULL;
}

const char *prereqs_declared(const char *rule)
{
    const rule_prereqs *entry = find_rule(rule);
    return entry ? entry->prereqs : "";
}

/* Next space-separated token of *cursor into tok; false at the end. */
static bool next_token(const char **cursor, char *tok, size_t size)
{
    const char *c = *cursor;
    while (*c == ' ') c++;
    size_t n = 0;
    while (*c != '\0' && *c != ' ') {
        if (n + 1 < size) tok[n++] = *c;
        c++;
    }
    tok[n] = '\0';
    *cursor = c;
    return n > 0;
}

static bool listed(const char *const *set, size_t count, const char *rule)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(set[i], rule) == 0) return true;
    return false;
}

/* Adds rule's prerequisites, transitively, to set (names point into the table). */
static void collect(const char *rule, const char **set, size_t *count)
{
    const rule_prereqs *entry = find_rule(rule);
    if (entry == NULL) return;
    char tok[48];
    for (const char *c = entry->prereqs; next_token(&c, tok, sizeof tok);) {
        const rule_prereqs *dep = find_rule(tok);
        if (dep == NULL || listed(set, *count, dep->rule) || *count == MAX_RULES) continue;
        set[(*count)++] = dep->rule;
        collect(dep->rule, set, count);
    }
}

bool prereqs_check(const char *rule, uint32_t used_ops, char *why, size_t size)
{
    const char *set[MAX_RULES];
    size_t count = 0;
    set[count++] = PREREQS_ROOT_RULE; /* every rule rests on a pool that opens */
    collect(rule, set, &count);
    for (unsigned op = 0; op < CONF_OP_COUNT; op++) {
        if ((used_ops & (1u << op)) == 0) continue;
        char tok[48];
        for (const char *c = prereqs_foundation[op]; next_token(&c, tok, sizeof tok);) {
            if (strcmp(tok, rule) == 0 || listed(set, count, tok)) continue;
            snprintf(why, size,
                     "suite error: a test of %s calls %s, whose rule %s is not among %s's "
                     "prerequisites (conformance/prereqs_table.h)",
                     rule, op_recorder_name((enum conf_op)op), tok, rule);
            return false;
        }
    }
    return true;
}

/* Depth-first search for a cycle through rule; path holds the current chain. */
static bool acyclic_from(const char *rule, const char **path, size_t depth, char *why, size_t size)
{
    if (listed(path, depth, rule)) {
        snprintf(why, size, "prerequisite cycle through %s", rule);
        return false;
    }
    if (depth == MAX_RULES) return true;
    path[depth] = rule;
    const rule_prereqs *entry = find_rule(rule);
    char tok[48];
    for (const char *c = entry ? entry->prereqs : ""; next_token(&c, tok, sizeof tok);) {
        if (find_rule(tok) == NULL) {
            snprintf(why, size, "%s names unknown prerequisite %s", rule, tok);
            return false;
        }
        if (!acyclic_from(find_rule(tok)->rule, path, depth + 1, why, size)) return false;
    }
    return true;
}

bool prereqs_graph_valid(char *why, size_t size)
{
    const char *path[MAX_RULES + 1];
    for (size_t i = 0; i < prereqs_table_size; i++)
        if (!acyclic_from(prereqs_table[i].rule, path, 0, why, size)) return false;
    for (unsigned op = 0; op < CONF_OP_COUNT; op++) {
        char tok[48];
        for (const char *c = prereqs_foundation[op]; next_token(&c, tok, sizeof tok);)
            if (find_rule(tok) == NULL) {
                snprintf(why, size, "foundation of %s names unknown rule %s", op_recorder_name((enum conf_op)op), tok);
                return false;
            }
    }
    return true;
}
