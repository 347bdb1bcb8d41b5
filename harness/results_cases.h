/* Benchmark cases as structured fields (docs/results-schema.md, "Cases").
 * slotkit-bench describes every case it registers in cases.json beside
 * gbench.json; the results document stores that description with each
 * sample set as "case", so readers (the report, the gate) select and group
 * samples by kind, placement, size and readers instead of by their names.
 * cases.json is input from anywhere: every field is checked (type, enum,
 * length) before anything is taken from it. */
#ifndef SLOTKIT_HARNESS_RESULTS_CASES_H
#define SLOTKIT_HARNESS_RESULTS_CASES_H

#include <json-c/json.h>
#include <stddef.h>

#define RESULTS_CASES_SCHEMA "slotkit-bench-cases"
#define RESULTS_CASES_VERSION 1
#define RESULTS_CASE_MAX_NAME 255    /* a case name (a gbench run_name), in bytes */
#define RESULTS_CASE_MAX_REASON 1024 /* a not_applicable reason, in bytes */

/* Reads and checks <run_dir>/cases.json. Returns an object mapping each
 * case name to its case object (the document's form: no name, no
 * not_applicable), or NULL with the reason in err. */
json_object *results_cases_load(const char *path, char *err, size_t err_size);

/* Checks one case object as a document stores it (samples[i].case). */
int results_case_check(json_object *c, const char *where, char *err, size_t err_size);

/* The case of a callgrind.json entry: its cases.json case when one has its
 * name, else the copy path at the entry's payload_bytes (0 if not given). */
json_object *results_case_callgrind(json_object *cases, json_object *entry, const char *name);

/* The case of a hyperfine sample: a whole process (suite "whole", kind "process"). */
json_object *results_case_process(void);

/* Attaches each sample set its case: gbench sets by exact run_name from
 * cases (every one must have a case), others as given by the builders above.
 * Returns 0, or -1 with the first sample without a case. */
int results_cases_attach(json_object *samples, json_object *cases, json_object *callgrind, char *err, size_t err_size);

#endif
