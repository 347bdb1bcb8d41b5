/* figures.json into the results document (results_figures.h). */
#include "results_figures.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "results.h"
#include "results_cases.h"

static const char *const classes[] = {"unknown", "same_core", "cross_core", "far", NULL};
static const char *const limit_kinds[] = {"cacheline", "futex", "memcpy", "memcpy_xcore", NULL};
static const char *const metrics[] = {"p50_ns", "bytes_per_s", NULL};
static const char *const units[] = {"ns", "B/s", NULL};
static const char *const betters[] = {"lower", "higher", NULL};

static bool is_one_of(json_object *v, const char *const *names)
{
    if (v == NULL || !json_object_is_type(v, json_type_string)) return false;
    for (size_t i = 0; names[i]; i++)
        if (strcmp(json_object_get_string(v), names[i]) == 0) return true;
    return false;
}

/* A string of 1..max bytes. */
static bool is_text(json_object *v, size_t max)
{
    return v && json_object_is_type(v, json_type_string) && json_object_get_string_len(v) >= 1 &&
           (size_t)json_object_get_string_len(v) <= max;
}

/* null, or a finite number >= 0. */
static bool is_figure(json_object *v)
{
    if (v == NULL) return true;
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)) return false;
    double d = json_object_get_double(v);
    return isfinite(d) && d >= 0;
}

static int fail(char *err, size_t err_size, const char *where, const char *what)
{
    snprintf(err, err_size, "%s: %s", where, what);
    return -1;
}

static const char *const numbers[] = {"limit", "backend", "peer", "x_limit", "x_peer", "floor", "x_floor", NULL};

static int check_round(json_object *r, const char *where, char *err, size_t err_size)
{
    if (!json_object_is_type(r, json_type_object)) return fail(err, err_size, where, "not an object");
    if (!is_one_of(results_get(r, "placement_class"), classes))
        return fail(err, err_size, where, "placement_class: expected unknown, same_core, cross_core or far");
    if (!is_figure(results_get(r, "cacheline_ns"))) return fail(err, err_size, where, "cacheline_ns: not a figure");
    for (size_t k = 0; numbers[k]; k++)
        if (!is_figure(results_get(r, numbers[k]))) {
            char at[160];
            snprintf(at, sizeof at, "%.100s.%s", where, numbers[k]);
            return fail(err, err_size, at, "null or a finite number >= 0 expected");
        }
    return 0;
}

static int check_figure(json_object *f, const char *where, char *err, size_t err_size)
{
    if (!json_object_is_type(f, json_type_object)) return fail(err, err_size, where, "not an object");
    if (!is_text(results_get(f, "name"), RESULTS_CASE_MAX_NAME))
        return fail(err, err_size, where, "name: 1 to 255 bytes");
    if (!is_one_of(results_get(f, "metric"), metrics) || !is_one_of(results_get(f, "unit"), units) ||
        !is_one_of(results_get(f, "better"), betters))
        return fail(err, err_size, where, "metric/unit/better: expected p50_ns/ns/lower or bytes_per_s/B/s/higher");
    if (!is_one_of(results_get(f, "limit_kind"), limit_kinds) || !is_one_of(results_get(f, "placement_class"), classes))
        return fail(err, err_size, where, "limit_kind or placement_class: not a known name");
    if (!is_text(results_get(f, "peer_status"), RESULTS_CASE_MAX_REASON))
        return fail(err, err_size, where, "peer_status: 1 to 1024 bytes");
    for (size_t k = 0; numbers[k]; k++)
        if (!is_figure(results_get(f, numbers[k]))) return fail(err, err_size, where, "a figure is not a number >= 0");
    json_object *rounds = results_get(f, "rounds");
    if (rounds == NULL || !json_object_is_type(rounds, json_type_array) ||
        json_object_array_length(rounds) > RESULTS_FIGURES_MAX_ROUNDS)
        return fail(err, err_size, where, "rounds: an array of at most 1000 rounds expected");
    for (size_t i = 0; i < json_object_array_length(rounds); i++) {
        char at[96];
        snprintf(at, sizeof at, "%s.rounds[%zu]", where, i);
        if (check_round(json_object_array_get_idx(rounds, i), at, err, err_size) != 0) return -1;
    }
    return 0;
}

static int check_peer(json_object *p, char *err, size_t err_size)
{
    static const char *const states[] = {"built", "not built", NULL};
    json_object *v = results_get(p, "version");
    if (p == NULL || !json_object_is_type(p, json_type_object) || !is_text(results_get(p, "name"), 64) ||
        !is_one_of(results_get(p, "status"), states) || (v != NULL && !is_text(v, 64)))
        return fail(err, err_size, "peer", "expected {name, version (string or null), status (built, not built)}");
    return 0;
}

/* The figures array and the peer of a file or a document. */
static int check_parts(json_object *peer, json_object *list, char *err, size_t err_size)
{
    if (check_peer(peer, err, err_size) != 0) return -1;
    if (list == NULL || !json_object_is_type(list, json_type_array) ||
        json_object_array_length(list) > RESULTS_MAX_SETS)
        return fail(err, err_size, "figures", "an array of at most 10000 figures expected");
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        char at[48];
        snprintf(at, sizeof at, "figures[%zu]", i);
        if (check_figure(json_object_array_get_idx(list, i), at, err, err_size) != 0) return -1;
    }
    return 0;
}

json_object *results_figures_load(const char *path, char *err, size_t err_size)
{
    char why[512];
    json_object *doc = results_read_json(path, why, sizeof why);
    if (doc == NULL) {
        snprintf(err, err_size, "%s", why);
        return NULL;
    }
    json_object *version = results_get(doc, "version");
    if (strcmp(results_get_string(doc, "schema", ""), RESULTS_FIGURES_SCHEMA) != 0 || version == NULL ||
        json_object_get_int(version) != RESULTS_FIGURES_VERSION) {
        snprintf(err, err_size, "%s: not %s version %d", path, RESULTS_FIGURES_SCHEMA, RESULTS_FIGURES_VERSION);
    } else if (check_parts(results_get(doc, "peer"), results_get(doc, "figures"), why, sizeof why) != 0) {
        snprintf(err, err_size, "%s is not a valid figures file: %s", path, why);
    } else {
        return doc;
    }
    json_object_put(doc);
    return NULL;
}

int results_figures_check(json_object *doc, char *err, size_t err_size)
{
    json_object *peer = results_get(doc, "peer"), *list = results_get(doc, "figures");
    if (peer == NULL && list == NULL) return 0;
    return check_parts(peer, list, err, err_size);
}

json_object *results_figure_find(json_object *doc, const char *name)
{
    json_object *list = results_get(doc, "figures");
    for (size_t i = 0; list && json_object_is_type(list, json_type_array) && i < json_object_array_length(list); i++) {
        json_object *f = json_object_array_get_idx(list, i);
        if (strcmp(results_get_string(f, "name", ""), name) == 0) return f;
    }
    return NULL;
}

/* One value per round that has a ratio to its limit, its class beside it. */
static json_object *x_limit_set(json_object *f)
{
    json_object *values = json_object_new_array(), *cls = json_object_new_array(), *rounds = results_get(f, "rounds");
    for (size_t i = 0; i < json_object_array_length(rounds); i++) {
        json_object *r = json_object_array_get_idx(rounds, i), *x = results_get(r, "x_limit");
        if (x == NULL) continue;
        json_object_array_add(values, json_object_new_double(json_object_get_double(x)));
        json_object_array_add(cls, json_object_get(results_get(r, "placement_class")));
    }
    if (json_object_array_length(values) == 0) {
        json_object_put(values);
        json_object_put(cls);
        return NULL;
    }
    json_object *s = json_object_new_object();
    json_object_object_add(s, "name", json_object_get(results_get(f, "name")));
    json_object_object_add(s, "metric", json_object_new_string("x_limit"));
    json_object_object_add(s, "unit", json_object_new_string("ratio"));
    json_object_object_add(s, "better", json_object_get(results_get(f, "better")));
    json_object_object_add(s, "source", json_object_new_string("slotkit-bench"));
    json_object_object_add(s, "values", values);
    json_object_object_add(s, "placement_classes", cls);
    return s;
}

void results_figures_attach(json_object *doc, json_object *figures)
{
    json_object *list = results_get(figures, "figures"), *samples = results_get(doc, "samples");
    json_object_object_add(doc, "peer", json_object_get(results_get(figures, "peer")));
    json_object_object_add(doc, "figures", json_object_get(list));
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *s = x_limit_set(json_object_array_get_idx(list, i));
        if (s) json_object_array_add(samples, s);
    }
}
