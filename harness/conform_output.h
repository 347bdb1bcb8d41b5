/* The reports `slotkit conform` writes besides its table: TAP, JUnit XML and
 * JSON, built from the run's model (never from Criterion's writers). Every
 * string is escaped for its format. */
#ifndef SLOTKIT_HARNESS_CONFORM_OUTPUT_H
#define SLOTKIT_HARNESS_CONFORM_OUTPUT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "conform_model.h"

/* Each returns 0, or -1 with a message printed. */
int conform_write_tap(const char *path, const conform_test *tests, size_t count, const conform_rule *rules,
                      size_t rule_count);
int conform_write_junit(const char *path, const char *backend, const conform_test *tests, size_t count,
                        const conform_rule *rules, size_t rule_count);
/* {"tests": [...], "rules": [...], "totals": {...}}; with_expectations adds
 * to each rule "expected" ({verdict, reason, line} or null) and "expectation"
 * (the --expect outcome: "as expected", "new failure", ...). */
json_object *conform_to_json(const conform_test *tests, size_t count, const conform_rule *rules, size_t rule_count,
                             const verdict_totals *totals, bool with_expectations);

#endif
