/* The report model: rows, statistics and recommendations from the
 * structured case fields of the documents, never from benchmark names. */
#include <criterion/criterion.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/report_model.h"
#include "../../harness/results.h"

#ifndef HARNESS_DATA
#define HARNESS_DATA "tests/harness/data"
#endif

static char root[64];

static void make_root(void)
{
    snprintf(root, sizeof root, "/tmp/slotkit-model-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
}

static void remove_root(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(report_model, .init = make_root, .fini = remove_root);

static const report_options options = {.cross_threshold = 0.30, .cv_threshold = 0.05};

/* Imports the synthetic inmem run into <root>/<store>; returns its host id. */
static const char *import(const char *store, char *path, size_t size)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", root, store);
    cr_assert_eq(results_write_bench(HARNESS_DATA "/run-inmem", NULL, NULL, dir, path, size), 0, "%s", path);
    char err[512];
    json_object *doc = results_load(path, err, sizeof err);
    cr_assert_not_null(doc, "%s", err);
    static char host[RESULTS_MAX_NAME + 1];
    snprintf(host, sizeof host, "%s", results_get_string(doc, "host.id", ""));
    json_object_put(doc);
    return host;
}

static void load(report_model *m, const char *store, const char *host)
{
    char dir[PATH_MAX], err[512];
    snprintf(dir, sizeof dir, "%s/%s", root, store);
    report_options o = options;
    o.root = dir, o.host = host;
    static report_options kept[4];
    static int used;
    kept[used % 4] = o; /* the model keeps a pointer to its options */
    cr_assert_eq(report_model_load(m, &kept[used++ % 4], err, sizeof err), 0, "%s", err);
}

static const report_row *row_named(const report_backend *b, const char *label, double readers, double size)
{
    for (size_t k = 0; k < b->nrows; k++)
        if (strcmp(b->rows[k].label, label) == 0 && b->rows[k].readers == readers &&
            (b->rows[k].size == size || (isnan(size) && isnan(b->rows[k].size))))
            return &b->rows[k];
    return NULL;
}

Test(report_model, rows_and_advice_come_from_the_case_fields)
{
    char path[PATH_MAX];
    const char *host = import("store", path, sizeof path);
    report_model m;
    load(&m, "store", host);
    cr_assert_eq(m.nbackends, 1);
    const report_backend *b = &m.backends[0];
    cr_assert_not_null(m.limits.source);
    cr_assert_eq(m.limits.nmemcpy, 3);
    cr_assert_float_eq(m.limits.cacheline_ns, 90.0, 1e-9, "the threads cache-line p50 is the limit");
    const report_row *smt = row_named(b, "smt_siblings/writer_node/busy", 1, 64);
    cr_assert_not_null(smt, "latency label from placement and wait");
    cr_assert(smt->placed && strcmp(smt->cpus, "smt_siblings") == 0);
    cr_assert_not_null(row_named(b, "threads/copy", 4, 16384), "throughput label from peers and path");
    cr_assert_eq(b->nseries, 3, "one series per label and reader count");
    const report_row *copy = row_named(b, "copy", 0, 64);
    cr_assert_not_null(copy);
    cr_assert_float_eq(copy->instructions, 412.0, 1e-9, "callgrind joins the ops row of the same case");
    cr_assert(b->latency.number > 0 && b->throughput.number > 0 && b->slots_table > 0 && b->ops_table > 0);
    int placement = 0, cross = 0, slots = 0;
    for (size_t i = 0; i < m.nadvice; i++) {
        const report_advice *a = &m.advice[i];
        if (a->kind == ADVICE_PLACEMENT) {
            cr_assert_eq(a->a, smt, "the fastest placement");
            placement++;
        }
        if (a->kind == ADVICE_CROSS) {
            cr_assert_str_eq(a->b->cpus, "same_l3");
            cr_assert(a->flag, "+118%% is above the 30%% threshold");
            cross++;
        }
        if (a->kind == ADVICE_SLOTS) {
            cr_assert_float_eq(a->value, 64, 1e-9);
            slots++;
        }
    }
    cr_assert_eq(placement + cross + slots, 3);
    report_model_free(&m);
}

/* Every name in the document replaced by an opaque one: the model (and so
 * the report) must not change, because nothing is read from names. */
static void rename_all(json_object *node, json_object *names)
{
    if (json_object_is_type(node, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(node); i++)
            rename_all(json_object_array_get_idx(node, i), names);
        return;
    }
    if (!json_object_is_type(node, json_type_object)) return;
    static const char *const keys[] = {"name", "run_name"};
    for (size_t k = 0; k < 2; k++) {
        json_object *v;
        if (!json_object_object_get_ex(node, keys[k], &v) || !json_object_is_type(v, json_type_string)) continue;
        json_object *mapped;
        if (!json_object_object_get_ex(names, json_object_get_string(v), &mapped)) {
            char opaque[32];
            snprintf(opaque, sizeof opaque, "case-%d", json_object_object_length(names));
            mapped = json_object_new_string(opaque);
            json_object_object_add(names, json_object_get_string(v), mapped);
        }
        json_object_object_add(node, keys[k], json_object_get(mapped));
    }
    json_object_object_foreach(node, key, child)
    {
        (void)key;
        rename_all(child, names);
    }
}

Test(report_model, names_do_not_matter)
{
    char path[PATH_MAX], renamed[PATH_MAX + 16], err[512];
    const char *host = import("store", path, sizeof path);
    json_object *doc = results_load(path, err, sizeof err), *names = json_object_new_object();
    cr_assert_not_null(doc, "%s", err);
    json_object_object_del(results_get(doc, "raw"), "cases"); /* as it came; not read by the report */
    rename_all(results_get(doc, "samples"), names);
    rename_all(results_get(doc, "raw"), names);
    json_object_object_add(results_get(doc, "backend"), "name", json_object_new_string("inmem"));
    snprintf(renamed, sizeof renamed, "%s/renamed", root);
    cr_assert_eq(results_store(doc, renamed, err, sizeof err), 0, "%s", err);
    json_object_put(doc);
    json_object_put(names);
    report_model a, b;
    load(&a, "store", host);
    load(&b, "renamed", host);
    cr_assert_eq(a.nadvice, b.nadvice);
    for (size_t i = 0; i < a.nadvice; i++) {
        cr_assert_eq(a.advice[i].kind, b.advice[i].kind, "advice %zu", i);
        cr_assert(a.advice[i].value == b.advice[i].value || (isnan(a.advice[i].value) && isnan(b.advice[i].value)));
        cr_assert_eq(a.advice[i].extra, b.advice[i].extra);
        if (a.advice[i].a) cr_assert_str_eq(a.advice[i].a->label, b.advice[i].a->label);
    }
    cr_assert_eq(a.figures, b.figures);
    cr_assert_eq(a.backends[0].nseries, b.backends[0].nseries);
    cr_assert_eq(strncmp(b.backends[0].rows[0].name, "case-", 5), 0, "the names did change: %s",
                 b.backends[0].rows[0].name);
    report_model_free(&a);
    report_model_free(&b);
}
