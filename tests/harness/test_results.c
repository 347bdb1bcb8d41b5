/* The results store: documents, validation against the schema, listing. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../harness/fingerprint.h"
#include "../../harness/conform_output.h"
#include "../../harness/verdict.h"
#include "helpers.h"

#ifndef HARNESS_DATA
#define HARNESS_DATA "tests/harness/data"
#endif
#ifndef HARNESS_DOCS
#define HARNESS_DOCS "docs"
#endif

static char root[64];

static void make_root(void)
{
    snprintf(root, sizeof root, "/tmp/slotkit-results-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
}

static void remove_root(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(results, .init = make_root, .fini = remove_root);

Test(results, fingerprint_describes_this_host)
{
    json_object *host = fingerprint_host();
    cr_assert_not_null(results_get(host, "cpu.model"));
    cr_assert_gt(json_object_get_int(results_get(host, "topology.pus")), 0);
    cr_assert_eq(strlen(results_get_string(host, "fingerprint", "")), 16);
    json_object *again = fingerprint_host();
    cr_assert_str_eq(results_get_string(host, "fingerprint", ""), results_get_string(again, "fingerprint", ""),
                     "the fingerprint is stable from one call to the next");
    cr_assert_str_eq(results_get_string(host, "id", ""), fingerprint_host_id());
    json_object_put(host);
    json_object_put(again);
}

Test(results, bench_document_embeds_inputs_and_extracts_repetitions)
{
    char err[512];
    json_object *doc = results_bench_doc(HARNESS_DATA "/run-inmem", slotkit_builtin(0), NULL, err, sizeof err);
    cr_assert_not_null(doc, "%s", err);
    cr_assert_eq(results_validate(doc, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(results_get_string(doc, "kind", ""), "bench");
    cr_assert_str_eq(results_get_string(doc, "backend.name", ""), "inmem");
    cr_assert_not_null(results_get(doc, "raw.gbench.context"), "Google Benchmark JSON embedded as it came");
    cr_assert_not_null(results_get(doc, "raw.hyperfine.startup.results"));
    cr_assert_not_null(results_get(doc, "raw.callgrind.benchmarks"));
    cr_assert_str_eq(results_get_string(doc, "config.suite", ""), "all", "meta.json is the configuration");
    /* Repetitions become samples: 10 per benchmark, aggregates excluded. */
    json_object *samples = results_get(doc, "samples");
    int found = 0;
    for (size_t i = 0; i < json_object_array_length(samples); i++) {
        json_object *s = json_object_array_get_idx(samples, i);
        const char *name = results_get_string(s, "name", ""), *metric = results_get_string(s, "metric", "");
        size_t n = json_object_array_length(results_get(s, "values"));
        if (strcmp(name, "latency/same_l3/writer_node/busy/size:64") == 0 && strcmp(metric, "real_time") == 0) {
            cr_assert_eq(n, 10);
            found++;
        }
        if (strcmp(name, "hyperfine/startup/attach") == 0) {
            cr_assert_eq(n, 10);
            cr_assert_gt(json_object_get_double(json_object_array_get_idx(results_get(s, "values"), 0)), 1e6,
                         "seconds converted to ns");
            found++;
        }
        if (strcmp(name, "ops/copy/size:64") == 0 && strcmp(metric, "instructions") == 0) {
            cr_assert_eq(n, 1);
            found++;
        }
    }
    cr_assert_eq(found, 3);
    json_object_put(doc);
}

Test(results, store_names_sort_by_time_and_list_finds_them)
{
    char path1[PATH_MAX], path2[PATH_MAX];
    cr_assert_eq(results_write_bench(HARNESS_DATA "/run-inmem", slotkit_builtin(0), NULL, root, path1, sizeof path1), 0,
                 "%s", path1);
    cr_assert_eq(results_write_bench(HARNESS_DATA "/run-inmem-rerun", slotkit_builtin(0), NULL, root, path2,
                                     sizeof path2),
                 0, "%s", path2);
    char prefix[PATH_MAX];
    snprintf(prefix, sizeof prefix, "%s/%s/", root, fingerprint_host_id());
    cr_assert_eq(strncmp(path1, prefix, strlen(prefix)), 0, "%s", path1);
    const char *base = path1 + strlen(prefix);
    /* yyyymmddThhmmssZ-bench-inmem.json */
    cr_assert_eq(strlen(base), strlen("20251126T051200Z-bench-inmem.json"), "%s", base);
    cr_assert_eq(base[8], 'T');
    cr_assert_str_eq(base + 15, "Z-bench-inmem.json");
    cr_assert_lt(strcmp(path1, path2), 0, "a later run sorts later: %s %s", path1, path2);

    char **paths = results_list(root, NULL);
    cr_assert_str_eq(paths[0], path1);
    cr_assert_str_eq(paths[1], path2);
    cr_assert_null(paths[2]);
    results_list_free(paths);
    paths = results_list(root, "no-such-host");
    cr_assert_null(paths[0]);
    results_list_free(paths);

    /* --auto: the newest earlier document of the same fingerprint, kind and backend. */
    char err[512], found[PATH_MAX];
    json_object *doc2 = results_load(path2, err, sizeof err);
    cr_assert_not_null(doc2, "%s", err);
    json_object *base_doc = results_find_baseline(root, doc2, path2, found, sizeof found);
    cr_assert_not_null(base_doc);
    cr_assert_str_eq(found, path1);
    json_object_put(base_doc);
    json_object_put(doc2);
}

Test(results, validator_rejects_broken_documents)
{
    char err[512];
    json_object *doc = test_doc();
    test_add_set(doc, "x", "real_time", 3, 10, 0, 1);
    cr_assert_eq(results_validate(doc, err, sizeof err), 0, "%s", err);

    json_object_object_del(results_get(doc, "host.cpu"), "model");
    cr_assert_eq(results_validate(doc, err, sizeof err), -1);
    cr_assert_str_eq(err, "host.cpu.model: missing");
    json_object_object_add(results_get(doc, "host.cpu"), "model", json_object_new_int(3));
    cr_assert_eq(results_validate(doc, err, sizeof err), -1);
    cr_assert_str_eq(err, "host.cpu.model: expected string, found integer");
    json_object_object_add(results_get(doc, "host.cpu"), "model", json_object_new_string("x"));

    json_object_object_add(doc, "schema_version", json_object_new_int(99));
    cr_assert_eq(results_validate(doc, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "schema_version"), "%s", err);
    json_object_object_add(doc, "schema_version", json_object_new_int(RESULTS_SCHEMA_VERSION));

    json_object_object_add(doc, "created_utc", json_object_new_string("yesterday"));
    cr_assert_eq(results_validate(doc, err, sizeof err), -1);
    json_object_object_add(doc, "created_utc", json_object_new_string("2025-11-26T05:12:00Z"));

    json_object_object_add(json_object_array_get_idx(results_get(doc, "samples"), 0), "better",
                           json_object_new_string("sideways"));
    cr_assert_eq(results_validate(doc, err, sizeof err), -1);
    cr_assert_str_eq(err, "samples[0].better: expected \"lower\" or \"higher\"");
    json_object_put(doc);

    doc = results_new("conform", NULL, "inmem");
    cr_assert_eq(results_validate(doc, err, sizeof err), -1, "a conform document needs its verdict");
    cr_assert_not_null(strstr(err, "conformance."), "%s", err);
    json_object_put(doc);
}

Test(results, a_run_directory_without_results_is_refused)
{
    char err[512];
    cr_assert_null(results_bench_doc(root, NULL, NULL, err, sizeof err));
    cr_assert_not_null(strstr(err, "holds no gbench.json"), "%s", err);
    cr_assert_null(results_bench_doc("/nonexistent/run", NULL, NULL, err, sizeof err));
    cr_assert_not_null(strstr(err, "cannot open run directory"), "%s", err);
}

Test(results, conform_document_records_rule_verdicts)
{
    char path[PATH_MAX], err[512];
    conform_test tests[2] = {
        {.suite = "commit", .name = "r_commit_1", .rule = "R-COMMIT-1", .selected = true, .outcome = OUTCOME_PASSED},
        {.suite = "commit", .name = "r_commit_2", .rule = "R-COMMIT-2", .selected = true, .outcome = OUTCOME_FAILED,
         .detail = "x.c:3: boom"}};
    size_t rule_count;
    verdict_totals totals;
    conform_rule *rules = verdict_compute(tests, 2, &rule_count, &totals);
    json_object *conformance = conform_to_json(tests, 2, rules, rule_count, &totals);
    free(rules);
    cr_assert_eq(results_write_conform(slotkit_builtin(0), conformance, NULL, root, path, sizeof path), 0, "%s", path);
    json_object *doc = results_load(path, err, sizeof err);
    cr_assert_not_null(doc, "%s", err);
    cr_assert_str_eq(results_get_string(doc, "conformance.verdict", ""), "fail");
    cr_assert_eq(json_object_get_int(results_get(doc, "conformance.failed")), 1);
    json_object *rule = json_object_array_get_idx(results_get(doc, "conformance.rules"), 0);
    cr_assert_str_eq(results_get_string(rule, "rule", ""), "R-COMMIT-2", "failures come first");
    cr_assert_str_eq(results_get_string(rule, "verdict", ""), "FAIL");
    cr_assert_not_null(strstr(results_get_string(rule, "detail", ""), "boom"));
    cr_assert_not_null(results_get(doc, "conformance.tests"));
    json_object_put(doc);
}

/* docs/results-schema.md's field table and the validator's are the same list. */
Test(results, schema_document_matches_the_validator)
{
    FILE *f = fopen(HARNESS_DOCS "/results-schema.md", "r");
    cr_assert_not_null(f, "docs/results-schema.md is missing");
    size_t count;
    const results_field *fields = results_schema_fields(&count);
    int *seen = calloc(count, sizeof *seen);
    char line[1024];
    int documented = 0;
    static const char *const type_names[] = {[json_type_int] = "integer", [json_type_string] = "string",
                                             [json_type_boolean] = "boolean", [json_type_array] = "array",
                                             [json_type_object] = "object", [json_type_double] = "number"};
    while (fgets(line, sizeof line, f)) {
        char path[128], type[32], kinds[32];
        /* | `host.cpu.model` | string | all | ... */
        if (sscanf(line, "| `%127[^`]` | %31s | %31s |", path, type, kinds) != 3) continue;
        documented++;
        size_t i;
        for (i = 0; i < count && strcmp(fields[i].path, path) != 0; i++) {}
        cr_expect_lt(i, count, "documented field %s is not checked by the validator", path);
        if (i == count) continue;
        seen[i] = 1;
        cr_expect_str_eq(type, type_names[fields[i].type], "%s: documented %s, validated %s", path, type,
                         type_names[fields[i].type]);
        cr_expect_str_eq(kinds, fields[i].kinds, "%s: kinds", path);
    }
    fclose(f);
    for (size_t i = 0; i < count; i++) cr_expect(seen[i], "validated field %s is not documented", fields[i].path);
    cr_assert_gt(documented, 0);
    free(seen);
}
