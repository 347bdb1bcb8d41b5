/* Benchmark cases in results documents: cases.json is hostile input, every
 * gbench sample is joined to its case by exact name, documents carry them. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/results_cases.h"
#include "helpers.h"

#ifndef HARNESS_DATA
#define HARNESS_DATA "tests/harness/data"
#endif

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/slotkit-cases-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cp '%s/run-inmem/gbench.json' '%s/'", HARNESS_DATA, dir);
    cr_assert_eq(system(cmd), 0);
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(cases, .init = make_dir, .fini = remove_dir);

static json_object *good_cases(void)
{
    json_object *c = json_object_from_file(HARNESS_DATA "/run-inmem/cases.json");
    cr_assert_not_null(c);
    return c;
}

static json_object *first_case(json_object *cases) { return json_object_array_get_idx(results_get(cases, "cases"), 0); }

/* Writes cases as <dir>/cases.json and expects the import to fail with `want` in the reason. */
static void expect_refused(json_object *cases, const char *want)
{
    char path[PATH_MAX], err[1024];
    snprintf(path, sizeof path, "%s/cases.json", dir);
    cr_assert_eq(json_object_to_file(path, cases), 0);
    json_object_put(cases);
    json_object *doc = results_bench_doc(dir, NULL, NULL, err, sizeof err);
    cr_assert_null(doc, "accepted; wanted '%s'", want);
    cr_assert_not_null(strstr(err, want), "'%s' lacks '%s'", err, want);
}

Test(cases, samples_carry_their_case)
{
    char err[512];
    json_object *doc = results_bench_doc(HARNESS_DATA "/run-inmem", NULL, NULL, err, sizeof err);
    cr_assert_not_null(doc, "%s", err);
    json_object *samples = results_get(doc, "samples");
    int checked = 0;
    for (size_t i = 0; i < json_object_array_length(samples); i++) {
        json_object *s = json_object_array_get_idx(samples, i);
        const char *name = results_get_string(s, "name", "");
        if (strcmp(name, "latency/cross_numa/reader_node/busy/size:64") == 0 &&
            strcmp(results_get_string(s, "metric", ""), "real_time") == 0) {
            cr_assert_str_eq(results_get_string(s, "case.kind", ""), "latency");
            cr_assert_str_eq(results_get_string(s, "case.placement.cpus", ""), "cross_numa");
            cr_assert_str_eq(results_get_string(s, "case.placement.memory", ""), "reader_node");
            cr_assert_eq(json_object_get_int(results_get(s, "case.size")), 64);
            checked++;
        } else if (strcmp(name, "hyperfine/startup/attach") == 0) {
            cr_assert_str_eq(results_get_string(s, "case.kind", ""), "process");
            checked++;
        } else if (strcmp(results_get_string(s, "metric", ""), "instructions") == 0 &&
                   strcmp(name, "ops/in_place/size:64") == 0) {
            cr_assert_str_eq(results_get_string(s, "case.path", ""), "in_place", "callgrind joins cases.json by name");
            checked++;
        }
    }
    cr_assert_eq(checked, 3);
    cr_assert_not_null(results_get(doc, "raw.cases"), "cases.json is embedded as raw input");
    cr_assert_eq(results_validate(doc, err, sizeof err), 0, "%s", err);
    /* A stored case is checked like cases.json: the validator refuses a bad one. */
    json_object *c = results_get(json_object_array_get_idx(samples, 0), "case");
    json_object_object_add(c, "kind", json_object_new_string("warp"));
    cr_assert_eq(results_validate(doc, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "samples[0].case.kind: expected"), "%s", err);
    json_object_object_del(json_object_array_get_idx(samples, 0), "case");
    cr_assert_eq(results_validate(doc, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "samples[0].case: missing"), "%s", err);
    json_object_put(doc);
}

Test(cases, gbench_without_cases_json_is_refused)
{
    char err[512];
    cr_assert_null(results_bench_doc(dir, NULL, NULL, err, sizeof err));
    cr_assert_not_null(strstr(err, "is not described in cases.json (there is no cases.json"), "%s", err);
}

Test(cases, wrong_types_are_refused)
{
    json_object *c = good_cases();
    json_object_object_add(first_case(c), "size", json_object_new_string("64"));
    expect_refused(c, "cases[0].size: expected an integer");
    c = good_cases();
    json_object_object_add(first_case(c), "readers", json_object_new_int(-1));
    expect_refused(c, "cases[0].readers: expected an integer from 0 to 4096");
    c = good_cases();
    json_object_object_add(first_case(c), "placement", json_object_new_array());
    expect_refused(c, "cases[0].placement: expected null or an object");
    c = good_cases();
    json_object_object_add(c, "cases", json_object_new_object());
    expect_refused(c, "cases: missing or not an array");
    c = good_cases();
    json_object_array_put_idx(results_get(c, "cases"), 0, json_object_new_int(7));
    expect_refused(c, "cases[0].name: expected a string");
    c = good_cases();
    json_object_object_add(c, "version", json_object_new_int(2));
    expect_refused(c, "version: this slotkit reads version 1");
}

Test(cases, unknown_enums_are_refused)
{
    json_object *c = good_cases();
    json_object_object_add(first_case(c), "kind", json_object_new_string("warp"));
    expect_refused(c, "cases[0].kind: expected \"cacheline\"");
    c = good_cases();
    json_object_object_add(first_case(c), "peers", json_object_new_string("<script>"));
    expect_refused(c, "cases[0].peers: expected null or \"threads\", \"processes\"");
    c = good_cases();
    json_object *latency = json_object_array_get_idx(results_get(c, "cases"), 4);
    json_object_object_add(results_get(latency, "placement"), "cpus", json_object_new_string("moon"));
    expect_refused(c, "cases[4].placement.cpus: expected \"smt_siblings\"");
    c = good_cases();
    json_object_object_add(first_case(c), "suite", json_object_new_string("ops"));
    expect_refused(c, "cases[0]: kind \"cacheline\" belongs to suite \"limits\", not \"ops\"");
    c = good_cases();
    json_object_object_add(first_case(c), "kind", json_object_new_string("process"));
    expect_refused(c, "cases[0].kind: expected"); /* the hyperfine kind is the document's, not cases.json's */
}

Test(cases, duplicate_and_missing_cases_are_refused)
{
    json_object *c = good_cases(), *list = results_get(c, "cases");
    json_object_array_add(list, json_object_get(json_object_array_get_idx(list, 2)));
    expect_refused(c, "a second case of the same name");
    c = good_cases();
    json_object_array_del_idx(results_get(c, "cases"), 0, 1);
    expect_refused(c, "gbench.json's case 'limits/cacheline/threads' is not described in cases.json");
}

Test(cases, huge_strings_are_refused)
{
    char *big = malloc(1 << 20);
    memset(big, 'a', (1 << 20) - 1);
    big[(1 << 20) - 1] = '\0';
    json_object *c = good_cases();
    json_object_object_add(first_case(c), "name", json_object_new_string(big));
    expect_refused(c, "cases[0].name: expected a string of 1 to 255 bytes");
    c = good_cases();
    json_object_object_add(first_case(c), "not_applicable", json_object_new_string(big));
    expect_refused(c, "cases[0].not_applicable: expected a string of at most 1024 bytes");
    c = good_cases();
    json_object_object_add(first_case(c), "kind", json_object_new_string(big));
    expect_refused(c, "cases[0].kind: expected");
    free(big);
}
