/*
 * The prerequisite graph of the rules (docs/SPEC.md §1.4): which rules a
 * rule's tests rely on to reach their own. When a prerequisite fails,
 * `slotkit conform` reports the dependent rule BLOCKED, not FAIL, so one bug
 * is named once. The graph is kept honest at run time: a test that calls an
 * operation whose foundation rule is not among its rule's (transitive)
 * prerequisites fails with a suite error (prereqs_check).
 */
#ifndef SLOTKIT_CONFORMANCE_PREREQS_H
#define SLOTKIT_CONFORMANCE_PREREQS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The rule every other rule depends on: a valid open returns a pool. */
#define PREREQS_ROOT_RULE "R-OPEN-4"

/* Test name r_commit_3__variant -> "R-COMMIT-3"; false if not a rule test. */
bool prereqs_rule_of_test(const char *test_name, char *rule, size_t size);

/* The declared direct prerequisites of rule, space separated ("" if none). */
const char *prereqs_declared(const char *rule);

/* True when every operation in used_ops (bits of enum conf_op) has its
 * foundation rules among rule itself and its transitive prerequisites;
 * otherwise false with the first offending operation and rule in why. */
bool prereqs_check(const char *rule, uint32_t used_ops, char *why, size_t size);

/* False (with the rule in why) if the declared graph has a cycle or names a
 * rule the table does not know. */
bool prereqs_graph_valid(char *why, size_t size);

#endif
