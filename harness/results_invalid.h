/* Benchmark cases a backend made invalid (docs/results-schema.md, "Invalid
 * cases"): slotkit-bench checks what every case receives and a case whose
 * samples came lost, out of order, duplicated, torn or of the wrong size
 * reports "invalid: ..." instead of a time. Such a case is no sample: the
 * document keeps it in `invalid`, with the violations counted per kind, so
 * the report can show it in place of a figure and the gate can call a case
 * that became invalid a regression, never compare it as a speed. */
#ifndef SLOTKIT_HARNESS_RESULTS_INVALID_H
#define SLOTKIT_HARNESS_RESULTS_INVALID_H

#include <json-c/json.h>
#include <stddef.h>

/* The `invalid` entries of a Google Benchmark JSON (error messages starting
 * "invalid:"), one per run_name; NULL when there is none. */
json_object *results_invalid_from_gbench(json_object *gbench);

/* Checks a document's `invalid` array, if it has one. */
int results_invalid_check(json_object *doc, char *err, size_t err_size);

/* The document's entry for benchmark name, or NULL. */
json_object *results_invalid_find(json_object *doc, const char *name);

/* "invalid (233 torn)", "invalid (3 out-of-order, 1 lost)": the entry in place of a figure. */
void results_invalid_describe(json_object *entry, char *out, size_t size);

#endif
