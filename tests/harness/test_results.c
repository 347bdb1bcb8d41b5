/* The results store: documents, validation against the schema, listing. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    cr_assert_gt(json_object_get_int(results_get(host, "cpu.online")), 0);
    /* The topology is slotkit-bench's to record (topology.json), not the core harness's. */
    cr_assert_str_eq(results_get_string(host, "topology", ""), "not recorded");
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
    cr_assert_eq(
        results_write_bench(HARNESS_DATA "/run-inmem-rerun", slotkit_builtin(0), NULL, root, path2, sizeof path2), 0,
        "%s", path2);
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

    /* host.topology: "not recorded" (no topology fields needed), an object (all needed), nothing else. */
    json_object_object_add(results_get(doc, "host"), "topology", json_object_new_string("not recorded"));
    cr_assert_eq(results_validate(doc, err, sizeof err), 0, "%s", err);
    json_object_object_add(results_get(doc, "host"), "topology", json_object_new_string("forged"));
    cr_assert_eq(results_validate(doc, err, sizeof err), -1);
    cr_assert_str_eq(err, "host.topology: expected an object or \"not recorded\"");
    json_object_object_add(results_get(doc, "host"), "topology", json_object_new_object());
    cr_assert_eq(results_validate(doc, err, sizeof err), -1);
    cr_assert_str_eq(err, "host.topology.packages: missing");
    json_object_object_add(results_get(doc, "host"), "topology", json_object_new_string("not recorded"));

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
        {.suite = "commit",
         .name = "r_commit_2",
         .rule = "R-COMMIT-2",
         .selected = true,
         .outcome = OUTCOME_FAILED,
         .detail = "x.c:3: boom"}};
    size_t rule_count;
    verdict_totals totals;
    conform_rule *rules = verdict_compute(tests, 2, &rule_count, &totals);
    json_object *conformance = conform_to_json(tests, 2, rules, rule_count, &totals, false);
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
    static const char *const type_names[] = {
        [json_type_int] = "integer", [json_type_string] = "string", [json_type_boolean] = "boolean",
        [json_type_array] = "array", [json_type_object] = "object", [json_type_double] = "number"};
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

/* ---- input limits (docs/results-schema.md, "Input limits") ---------------- */

static void set_all_values(json_object *doc, double v)
{
    json_object *values = results_get(json_object_array_get_idx(results_get(doc, "samples"), 0), "values");
    for (size_t k = 0; k < json_object_array_length(values); k++)
        json_object_array_put_idx(values, k, json_object_new_double(v));
}

Test(results, figures_must_be_finite_and_not_negative)
{
    char err[1024];
    json_object *doc = test_doc();
    test_add_set(doc, "latency/x", "real_time", 3, 10, 0, 1);
    cr_assert_eq(results_validate(doc, err, sizeof err), 0, "%s", err);
    const double bad[] = {NAN, INFINITY, -INFINITY, -1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        set_all_values(doc, bad[i]);
        cr_assert_eq(results_validate(doc, err, sizeof err), -1, "value %g accepted", bad[i]);
        cr_assert_not_null(strstr(err, "samples[0].values[0] (benchmark 'latency/x', metric real_time): "), "%s", err);
        cr_assert_not_null(strstr(err, "figures must be finite and >= 0"), "%s", err);
    }
    set_all_values(doc, 0);
    cr_assert_eq(results_validate(doc, err, sizeof err), 0, "zero is a figure: %s", err);
    json_object_put(doc);
}

Test(results, sample_counts_are_bounded)
{
    char err[1024];
    json_object *doc = test_doc();
    test_add_set(doc, "x", "real_time", RESULTS_MAX_VALUES + 1, 10, 0, 1);
    cr_assert_eq(results_validate(doc, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "more than 100000"), "%s", err);
    json_object_put(doc);
    doc = test_doc();
    for (int i = 0; i <= RESULTS_MAX_SETS; i++) {
        json_object *s = json_object_new_object(), *values = json_object_new_array();
        json_object_object_add(s, "name", json_object_new_string("x"));
        json_object_object_add(s, "metric", json_object_new_string("real_time"));
        json_object_object_add(s, "unit", json_object_new_string("ns"));
        json_object_object_add(s, "better", json_object_new_string("lower"));
        json_object_object_add(s, "source", json_object_new_string("gbench"));
        json_object_array_add(values, json_object_new_double(1));
        json_object_object_add(s, "values", values);
        json_object_array_add(results_get(doc, "samples"), s);
    }
    cr_assert_eq(results_validate(doc, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "10001 sample sets, more than 10000"), "%s", err);
    json_object_put(doc);
}

/* The store directory is named after host.id: a document must not pick it. */
Test(results, host_id_must_be_a_plain_name)
{
    char err[PATH_MAX + 256], store[PATH_MAX], escape[PATH_MAX];
    snprintf(store, sizeof store, "%s/store", root);
    snprintf(escape, sizeof escape, "%s/escape", root);
    json_object *doc = test_doc();
    test_add_set(doc, "x", "real_time", 3, 10, 0, 1);
    json_object_object_add(results_get(doc, "host"), "id", json_object_new_string("../escape"));
    cr_assert_eq(results_validate(doc, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "host.id: not a plain name"), "%s", err);
    cr_assert_eq(results_store(doc, store, err, sizeof err), -1, "stored at %s", err);
    cr_assert_neq(access(escape, F_OK), 0, "results_store wrote outside the store");
    json_object_put(doc);

    static const char *const refused[] = {"", ".", "..", "../x", "a/b", "a b", "x\n"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        cr_assert(!results_plain_name(refused[i]), "'%s' accepted", refused[i]);
    cr_assert(results_plain_name(fingerprint_host_id()), "%s", fingerprint_host_id());
    cr_assert(results_plain_name("...") && results_plain_name("host-1.example_2"));
    char long_name[RESULTS_MAX_NAME + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    cr_assert(!results_plain_name(long_name), "%zu characters accepted", strlen(long_name));
    long_name[RESULTS_MAX_NAME] = '\0';
    cr_assert(results_plain_name(long_name));
    char **paths = results_list(root, "..");
    cr_assert_null(paths[0]);
    results_list_free(paths);
}

Test(results, a_missing_store_is_reported)
{
    char err[PATH_MAX + 256], file[PATH_MAX];
    cr_assert_eq(results_check_store(root, err, sizeof err), 0, "%s", err);
    cr_assert_eq(results_check_store("/nonexistent/store", err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "no results store at /nonexistent/store"), "%s", err);
    snprintf(file, sizeof file, "%s/file", root);
    FILE *f = fopen(file, "w");
    cr_assert_not_null(f);
    fclose(f);
    cr_assert_eq(results_check_store(file, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "is not a directory"), "%s", err);
}

/* Whatever sits at a path is judged after open (O_NOFOLLOW | O_NONBLOCK) and
 * before parsing: a FIFO would block, /dev/zero never ends. The timeout
 * turns the old blocking into a failure rather than a hang. */
Test(results, only_bounded_regular_files_are_read, .timeout = 30)
{
    char err[PATH_MAX + 256], path[PATH_MAX], good[PATH_MAX];
    cr_assert_eq(results_write_bench(HARNESS_DATA "/run-inmem", slotkit_builtin(0), NULL, root, good, sizeof good), 0,
                 "%s", good);
    json_object *doc = results_load(good, err, sizeof err);
    cr_assert_not_null(doc, "%s", err);
    json_object_put(doc);

    cr_assert_null(results_load("/dev/zero", err, sizeof err));
    cr_assert_not_null(strstr(err, "cannot read /dev/zero: not a regular file"), "%s", err);
    cr_assert_null(results_load(root, err, sizeof err));
    cr_assert_not_null(strstr(err, "not a regular file"), "%s", err);

    snprintf(path, sizeof path, "%s/fifo.json", root);
    cr_assert_eq(mkfifo(path, 0600), 0);
    cr_assert_null(results_load(path, err, sizeof err));
    cr_assert_not_null(strstr(err, "not a regular file"), "%s", err);

    snprintf(path, sizeof path, "%s/link.json", root);
    cr_assert_eq(symlink(good, path), 0);
    cr_assert_null(results_load(path, err, sizeof err));
    cr_assert_not_null(strstr(err, "a symbolic link"), "%s", err);

    snprintf(path, sizeof path, "%s/huge.json", root);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, RESULTS_MAX_FILE_BYTES + 1), 0); /* sparse: no disk used */
    close(fd);
    cr_assert_null(results_load(path, err, sizeof err));
    cr_assert_not_null(strstr(err, "over the 64 MiB limit"), "%s", err);

    snprintf(path, sizeof path, "%s/trailing.json", root);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("{} {}", f);
    fclose(f);
    cr_assert_null(results_load(path, err, sizeof err));
    cr_assert_not_null(strstr(err, "is not valid JSON"), "%s", err);
}

/* A run directory is read the same way: a FIFO named gbench.json is refused. */
Test(results, a_run_directory_with_a_fifo_is_refused, .timeout = 30)
{
    char err[PATH_MAX + 256], path[PATH_MAX];
    snprintf(path, sizeof path, "%s/gbench.json", root);
    cr_assert_eq(mkfifo(path, 0600), 0);
    cr_assert_null(results_bench_doc(root, NULL, NULL, err, sizeof err));
    cr_assert_not_null(strstr(err, "gbench.json: not a regular file"), "%s", err);
}
