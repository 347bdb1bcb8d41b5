/* The results store: one self-describing JSON document per `slotkit bench`
 * or `slotkit conform` run, under results/<host-id>/, named
 * <UTC yyyymmddThhmmssZ>-<kind>-<backend>.json so one host's runs sort by
 * time. The schema is docs/results-schema.md; results_validate() checks it. */
#ifndef SLOTKIT_HARNESS_RESULTS_H
#define SLOTKIT_HARNESS_RESULTS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "slotkit/slotkit.h"

#define RESULTS_SCHEMA "slotkit-results"
#define RESULTS_SCHEMA_VERSION 2

/* Input limits (docs/results-schema.md, "Input limits"): a file the harness
 * reads is a regular file of at most RESULTS_MAX_FILE_BYTES; a document holds
 * at most RESULTS_MAX_SETS sample sets of at most RESULTS_MAX_VALUES values;
 * a host id is a plain name of at most RESULTS_MAX_NAME characters. */
#define RESULTS_MAX_FILE_BYTES (64L << 20)
#define RESULTS_MAX_SETS 10000
#define RESULTS_MAX_VALUES 100000
#define RESULTS_MAX_NAME 128

/* A name that can be one path component: [A-Za-z0-9._-], 1..RESULTS_MAX_NAME
 * characters, not "." or "..". Host ids must be; anything taken from a
 * document or the command line to build a path is checked with this. */
bool results_plain_name(const char *name);

/* File-name-safe copy of any name (other characters become '_'; "unknown" if empty). */
void results_safe_name(const char *in, char *out, size_t size);

/* 0 if root (as results_root) is an existing directory, else -1 with reason. */
int results_check_store(const char *root, char *err, size_t err_size);

/* Reads one JSON file: opened without following a symbolic link or blocking
 * (O_NOFOLLOW | O_NONBLOCK), refused unless fstat says it is a regular file
 * of at most RESULTS_MAX_FILE_BYTES, and parsed only then (a FIFO or
 * /dev/zero would otherwise be read forever). NULL with reason in err. */
json_object *results_read_json(const char *path, char *err, size_t err_size);

/* The store's root: override if given, else $SLOTKIT_RESULTS_DIR, else "results". */
const char *results_root(const char *override);

/* A new document: schema, kind ("bench" or "conform"), created_utc, host,
 * build, backend (name/version/capabilities; backend may be NULL, then
 * backend_name is used with version "unknown"), empty config, samples, raw. */
json_object *results_new(const char *kind, const slotkit_backend *backend, const char *backend_name);

/* Validates and writes doc to <root>/<host.id>/<stamp>-<kind>-<backend>.json
 * (never overwriting: a _2, _3 ... suffix within one second). Returns 0 and
 * the path, or -1 with a one-line reason in path_out. */
int results_store(json_object *doc, const char *root, char *path_out, size_t path_size);

/*
 * For `slotkit bench`: builds the document from a run directory holding
 * gbench.json (Google Benchmark --benchmark_format=json), hyperfine-*.json
 * (hyperfine --export-json), callgrind.json (instruction counts, see the
 * schema), meta.json (the run's parameters), cases.json (slotkit-bench's
 * structured description of each gbench case; required beside gbench.json)
 * and topology.json, each optional but at least one of gbench/hyperfine/
 * callgrind required. Everything is embedded as it came under "raw";
 * repetitions become "samples", each with its "case" (results_cases.h).
 * config (may be NULL;
 * ownership taken) is stored as "config", else meta.json's content.
 * root: as results_root(). Returns 0 and the stored path, or -1 with the
 * reason in path_out.
 */
int results_write_bench(const char *run_dir, const slotkit_backend *backend, json_object *config, const char *root,
                        char *path_out, size_t path_size);

/* Builds (without storing) the bench document; NULL with reason in err. */
json_object *results_bench_doc(const char *run_dir, const slotkit_backend *backend, json_object *config, char *err,
                               size_t err_size);

/* For `slotkit conform`: the run's rules, tests and totals (conform_to_json;
 * ownership passes), as the document's "conformance" member. */
int results_write_conform(const slotkit_backend *backend, json_object *conformance, json_object *config,
                          const char *root, char *path_out, size_t path_size);

/* Reads and validates a document; NULL with a one-line reason in err. */
json_object *results_load(const char *path, char *err, size_t err_size);

/* Checks required fields and types for the document's schema_version.
 * Returns 0, or -1 with the first problem ("host.cpu.model: missing"). */
int results_validate(json_object *doc, char *err, size_t err_size);

/* The validator's field table, which docs/results-schema.md lists too. */
typedef struct results_field {
    const char *path; /* dotted, e.g. "host.cpu.model" */
    json_type type;
    const char *kinds; /* "all", "bench", "conform", "recorded" (where host.topology is an object) or
                          "emulation" (where host.emulation is present) */
} results_field;
const results_field *results_schema_fields(size_t *count);

/* Every stored document under root (optionally one host), sorted by host
 * then file name (= time). Fills a NULL-terminated array of malloc'd paths. */
char **results_list(const char *root, const char *host_id);
void results_list_free(char **paths);

/* The newest document under root stored before `doc` with the same host
 * fingerprint, kind and backend; NULL if none. *path_out gets its path. */
json_object *results_find_baseline(const char *root, json_object *doc, const char *doc_path, char *path_out,
                                   size_t path_size);

/* Dotted-path lookup ("host.cpu.model"); NULL if absent. */
json_object *results_get(json_object *doc, const char *path);
const char *results_get_string(json_object *doc, const char *path, const char *fallback);
/* The document's sample set of this benchmark name and metric, or NULL. */
json_object *results_find_set(json_object *doc, const char *name, const char *metric);

/* Nanoseconds per unit of Google Benchmark's time_unit ("ns", "us", "ms", "s"); 0 if unknown. */
double results_unit_ns(const char *time_unit);

#endif
