/* Per-rule verdicts from per-test outcomes and the prerequisite graph. */
#ifndef SLOTKIT_HARNESS_VERDICT_H
#define SLOTKIT_HARNESS_VERDICT_H

#include <stdio.h>

#include "conform_model.h"

/* Folds the selected tests into one row per rule, ordered root failures
 * first, then blocked, not run, warned, passed, skipped. A FAILED rule whose
 * transitive prerequisites include a FAILED rule becomes BLOCKED, naming the
 * root failures. Returns the rows (free()) and their number in *count. */
conform_rule *verdict_compute(const conform_test *tests, size_t test_count, size_t *count, verdict_totals *totals);

/* The table `slotkit conform` prints: RULE VERDICT TESTS DETAIL. */
void verdict_print_table(const conform_rule *rules, size_t count, FILE *out);

#endif
