/* Figures measured in interleaved rounds beside the limit and native iceoryx2
 * (harness/results_figures.h): imported from figures.json, checked, and gated
 * as ratios to the limit within one placement class, not as absolute times. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../harness/gate.h"
#include "../../harness/results_figures.h"
#include "helpers.h"

#define CASE "latency/threads/busy/size:64/iterations:20000/manual_time"

/* An x_limit set of n rounds around `ratio`, all in class cls (or the first
 * half in cls and the rest in cls2 at ratio2). */
static void add_ratio_set(json_object *doc, int n, double ratio, const char *cls, double ratio2, const char *cls2,
                          uint64_t seed)
{
    test_add_set(doc, CASE, "x_limit", n, ratio, 0.01, seed);
    json_object *samples = results_get(doc, "samples");
    json_object *s = json_object_array_get_idx(samples, json_object_array_length(samples) - 1);
    json_object *values = results_get(s, "values"), *classes = json_object_new_array();
    uint64_t state = seed + 99;
    for (int i = 0; i < n; i++) {
        bool second = cls2 && i >= n / 2;
        if (second)
            json_object_array_put_idx(values, (size_t)i,
                                      json_object_new_double(ratio2 * (1 + 0.01 * test_gauss(&state))));
        json_object_array_add(classes, json_object_new_string(second ? cls2 : cls));
    }
    json_object_object_add(s, "placement_classes", classes);
}

static int gate(json_object *a, json_object *b, const gate_options *o, gate_report *r)
{
    char err[1024];
    cr_assert_eq(gate_compare(a, b, o, r, err, sizeof err), 0, "%s", err);
    return gate_status(r, o);
}

static const gate_row *row_of(const gate_report *r, const char *metric)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->rows[i].name, CASE) == 0 && strcmp(r->rows[i].metric, metric) == 0) return &r->rows[i];
    return NULL;
}

Test(peer_figures, a_worse_ratio_regresses_though_the_absolute_time_improved)
{
    /* The limit fell from 130 to 100 ns (another placement of the vCPUs within
     * the same class): the backend got faster in ns but slower against it. */
    json_object *a = test_doc(), *b = test_doc();
    test_add_set(a, CASE, "real_time", 12, 1000, 0.01, 1);
    test_add_set(b, CASE, "real_time", 12, 950, 0.01, 2);
    add_ratio_set(a, 12, 7.7, "cross_core", 0, NULL, 3);
    add_ratio_set(b, 12, 9.5, "cross_core", 0, NULL, 4);
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    cr_assert_eq(gate(a, b, &o, &r), 1, "the planted regression of the ratio fails the gate");
    cr_assert_null(row_of(&r, "real_time"), "absolute times are not compared where ratios are");
    const gate_row *x = row_of(&r, "x_limit");
    cr_assert_not_null(x);
    cr_assert_eq(x->verdict, GATE_REGRESSED, "%s", x->note);
    gate_report_free(&r);
    o.absolute = true; /* the old rule would have called it an improvement */
    cr_assert_eq(gate(a, b, &o, &r), 0);
    cr_assert_eq(row_of(&r, "real_time")->verdict, GATE_IMPROVED);
    cr_assert_null(row_of(&r, "x_limit"));
    gate_report_free(&r);
    json_object_put(a);
    json_object_put(b);
}

Test(peer_figures, a_limit_that_moved_alone_is_not_a_regression)
{
    /* 40 % slower in ns because the limit moved 130 -> 182 ns: the ratio held. */
    json_object *a = test_doc(), *b = test_doc();
    test_add_set(a, CASE, "real_time", 12, 1000, 0.01, 5);
    test_add_set(b, CASE, "real_time", 12, 1400, 0.01, 6);
    add_ratio_set(a, 12, 7.7, "cross_core", 0, NULL, 7);
    add_ratio_set(b, 12, 7.7, "cross_core", 0, NULL, 8);
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    cr_assert_eq(gate(a, b, &o, &r), 0);
    cr_assert_eq(row_of(&r, "x_limit")->verdict, GATE_UNCHANGED);
    gate_report_free(&r);
    o.absolute = true;
    cr_assert_eq(gate(a, b, &o, &r), 1, "compared in ns, the same run regresses");
    gate_report_free(&r);
    json_object_put(a);
    json_object_put(b);
}

Test(peer_figures, only_rounds_of_a_class_both_runs_have_are_compared)
{
    json_object *a = test_doc(), *b = test_doc(), *c = test_doc();
    add_ratio_set(a, 12, 7.7, "cross_core", 0, NULL, 9);
    /* Half the new rounds on one core (ratio 4): compared on the cross-core half. */
    add_ratio_set(b, 24, 7.7, "cross_core", 4.0, "same_core", 10);
    add_ratio_set(c, 12, 4.0, "same_core", 0, NULL, 11);
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    cr_assert_eq(gate(a, b, &o, &r), 0);
    const gate_row *x = row_of(&r, "x_limit");
    cr_assert_eq(x->verdict, GATE_UNCHANGED, "%s", x->note);
    cr_assert_eq(x->n_new, 12, "the same-core rounds are left out");
    cr_assert(strstr(x->note, "cross_core") != NULL, "%s", x->note);
    gate_report_free(&r);
    cr_assert_eq(gate(a, c, &o, &r), 0);
    x = row_of(&r, "x_limit");
    cr_assert_eq(x->verdict, GATE_UNTESTED, "a ratio at another placement does not compare");
    cr_assert(strstr(x->note, "no placement class in common") != NULL, "%s", x->note);
    gate_report_free(&r);
    json_object_put(a);
    json_object_put(b);
    json_object_put(c);
}

Test(peer_figures, a_case_that_became_invalid_is_still_one_regression)
{
    json_object *a = test_doc(), *b = test_doc();
    test_add_set(a, CASE, "real_time", 12, 1000, 0.01, 12);
    add_ratio_set(a, 12, 7.7, "cross_core", 0, NULL, 13);
    test_add_set(b, "ops/other", "real_time", 12, 40, 0.01, 14);
    test_add_set(a, "ops/other", "real_time", 12, 40, 0.01, 15);
    json_object *invalid = json_tokener_parse(
        "[{\"name\": \"" CASE "\", \"reason\": \"3 torn (first: writer)\", \"counts\": {\"out_of_order\": 0, "
        "\"duplicated\": 0, \"lost\": 0, \"torn\": 3, \"wrong_size\": 0}}]");
    json_object_object_add(b, "invalid", invalid);
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    cr_assert_eq(gate(a, b, &o, &r), 1);
    cr_assert_eq(r.regressed, 1, "one row for the case, not one per metric");
    cr_assert_eq(row_of(&r, "x_limit")->verdict, GATE_REGRESSED);
    cr_assert(strstr(row_of(&r, "x_limit")->note, "became invalid") != NULL);
    gate_report_free(&r);
    json_object_put(a);
    json_object_put(b);
}

/* ---- figures.json into a document ---- */

static const char figures_ok[] =
    "{\"schema\": \"slotkit-bench-figures\", \"version\": 1,"
    " \"peer\": {\"name\": \"iceoryx2\", \"version\": \"0.10.0\", \"status\": \"built\"},"
    " \"figures\": [{\"name\": \"" CASE "\", \"metric\": \"p50_ns\", \"unit\": \"ns\", \"better\": \"lower\","
    " \"limit_kind\": \"cacheline\", \"peer_status\": \"measured\", \"placement_class\": \"cross_core\","
    " \"backend\": 980, \"limit\": 130, \"peer\": 850, \"x_limit\": 7.5, \"x_peer\": 1.15, \"rounds\": ["
    "  {\"placement_class\": \"cross_core\", \"cacheline_ns\": 130, \"limit\": 130, \"backend\": 980, \"peer\": 850,"
    "   \"x_limit\": 7.54, \"x_peer\": 1.15, \"floor\": 245, \"x_floor\": 4.0},"
    "  {\"placement_class\": \"same_core\", \"cacheline_ns\": 40, \"limit\": 40, \"backend\": 170, \"peer\": null,"
    "   \"x_limit\": 4.25, \"x_peer\": null}]}]}";

static char *write_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/slotkit-figures-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

Test(peer_figures, figures_json_becomes_peer_figures_and_an_x_limit_set)
{
    char err[512];
    char *path = write_file(figures_ok);
    json_object *f = results_figures_load(path, err, sizeof err);
    unlink(path);
    cr_assert_not_null(f, "%s", err);
    json_object *doc = test_doc();
    results_figures_attach(doc, f);
    json_object_put(f);
    cr_assert_str_eq(results_get_string(doc, "peer.status", ""), "built");
    cr_assert_not_null(results_figure_find(doc, CASE));
    json_object *s = json_object_array_get_idx(results_get(doc, "samples"), 0);
    cr_assert_str_eq(results_get_string(s, "metric", ""), "x_limit");
    cr_assert_eq(json_object_array_length(results_get(s, "values")), 2, "one value per round");
    cr_assert_str_eq(json_object_get_string(json_object_array_get_idx(results_get(s, "placement_classes"), 1)),
                     "same_core");
    cr_assert_eq(results_figures_check(doc, err, sizeof err), 0, "%s", err);
    char beside[160];
    gate_ratio_beside(doc, CASE, beside, sizeof beside);
    cr_assert(strstr(beside, "backend 980 ns / iceoryx2 850 ns / limit 130 ns (cross_core)") != NULL, "%s", beside);
    json_object_put(doc);
}

Test(peer_figures, a_malformed_figures_file_is_refused)
{
    static const char *const breaks[][2] = {
        {"\"placement_class\": \"same_core\"", "\"placement_class\": \"<b>\""},
        {"\"x_limit\": 4.25", "\"x_limit\": -1"},
        {"\"status\": \"built\"", "\"status\": \"maybe\""},
        {"\"metric\": \"p50_ns\"", "\"metric\": \"real_time\""},
        {"\"floor\": 245", "\"floor\": \"fast\""},
        {"\"x_floor\": 4.0", "\"x_floor\": -4"},
    };
    for (size_t i = 0; i < sizeof breaks / sizeof breaks[0]; i++) {
        char text[sizeof figures_ok + 64], err[512];
        const char *at = strstr(figures_ok, breaks[i][0]);
        cr_assert_not_null(at);
        snprintf(text, sizeof text, "%.*s%s%s", (int)(at - figures_ok), figures_ok, breaks[i][1],
                 at + strlen(breaks[i][0]));
        char *path = write_file(text);
        json_object *f = results_figures_load(path, err, sizeof err);
        unlink(path);
        cr_assert_null(f, "break %zu accepted", i);
        cr_assert(strstr(err, "not a valid figures file") != NULL, "%s", err);
    }
}

/* ---- the report ---- */

#include <limits.h>
#include <sys/stat.h>

#include "../../harness/report.h"

/* A run directory of one latency case measured in rounds; without_peer: the
 * peer was not built (no peer counters, figures.json says so). */
static void write_run(const char *dir, const char *backend, double p50, bool without_peer)
{
    char path[PATH_MAX], text[4096];
    cr_assert_eq(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/gbench.json", dir);
    snprintf(text, sizeof text,
             "{\"context\": {}, \"benchmarks\": [{\"name\": \"" CASE "\", \"run_name\": \"" CASE "\","
             " \"run_type\": \"iteration\", \"real_time\": %g, \"cpu_time\": %g, \"time_unit\": \"ns\","
             " \"p50_ns\": %g, \"limit_ns\": 130, \"x_limit\": %g, \"rounds\": 2, \"placement_class\": 2%s%s}]}",
             p50, p50, p50, p50 / 130, without_peer ? "" : ", \"peer_p50_ns\": 850, \"x_peer\": 1.15",
             without_peer ? "" : ", \"floor_ns\": 245, \"x_floor\": 4");
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/cases.json", dir);
    f = fopen(path, "w");
    fputs("{\"schema\": \"slotkit-bench-cases\", \"version\": 1, \"cases\": [{\"name\": \"" CASE "\","
          " \"suite\": \"latency\", \"kind\": \"latency\", \"peers\": \"threads\", \"wait\": \"busy\", \"path\": null,"
          " \"size\": 64, \"readers\": 1, \"slots\": 4, \"placement\": null}]}",
          f);
    fclose(f);
    snprintf(path, sizeof path, "%s/meta.json", dir);
    f = fopen(path, "w");
    fprintf(f, "{\"backend\": \"%s\"}", backend);
    fclose(f);
    snprintf(path, sizeof path, "%s/figures.json", dir);
    f = fopen(path, "w");
    fputs(without_peer ? "{\"schema\": \"slotkit-bench-figures\", \"version\": 1, \"peer\": {\"name\": \"iceoryx2\","
                         " \"version\": null, \"status\": \"not built\"}, \"figures\": []}"
                       : figures_ok,
          f);
    fclose(f);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

Test(peer_figures, the_report_shows_backend_peer_and_limit_side_by_side)
{
    char root[] = "/tmp/slotkit-peer-report-XXXXXX", dir[PATH_MAX], store[PATH_MAX], path[PATH_MAX], err[512];
    cr_assert_not_null(mkdtemp(root));
    snprintf(store, sizeof store, "%s/store", root);
    cr_assert_eq(mkdir(store, 0700), 0);
    snprintf(dir, sizeof dir, "%s/posix", root);
    write_run(dir, "posix", 980, false);
    cr_assert_eq(results_write_bench(dir, NULL, NULL, store, path, sizeof path), 0, "%s", path);
    snprintf(dir, sizeof dir, "%s/iox", root);
    write_run(dir, "iceoryx2", 2600, true);
    cr_assert_eq(results_write_bench(dir, NULL, NULL, store, path, sizeof path), 0, "%s", path);
    snprintf(dir, sizeof dir, "%s/out", root);
    report_options o = {.root = store, .out_dir = dir, .cross_threshold = 0.3, .cv_threshold = 0.05};
    cr_assert_geq(report_write(&o, path, sizeof path, err, sizeof err), 0, "%s", err);
    snprintf(path, sizeof path, "%s/out/report.md", root);
    const char *md = slurp(path);
    cr_assert(strstr(md, "## Beside native iceoryx2") != NULL);
    cr_assert(strstr(md, "| backend / peers | backend | native iceoryx2 | limit | slot floor | placement class | "
                         "x limit | x floor | x iceoryx2 |") != NULL);
    cr_assert(strstr(md, "| posix (threads) | 980.0 ns | 850.0 ns | 130.0 ns | 245.0 ns | cross\\_core | 7.54x | "
                         "4.00x | 1.15x |") != NULL,
              "posix's row beside native iceoryx2, the limit and the slot floor");
    cr_assert(strstr(md, "| iceoryx2 (threads) | 2.60 us | not built | 130.0 ns | \\- | cross\\_core | 20.00x | "
                         "\\- | \\- |") != NULL,
              "without the peer its column says not built; without a floor it says -");
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}
