/* The gate on ratios to the limit (gate.h, "ratios to the limit"). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "results.h"
#include "results_figures.h"

bool gate_ratio_replaces(json_object *old_doc, json_object *new_doc, const char *name, const char *metric,
                         const gate_options *o)
{
    if (o->absolute || strcmp(metric, o->metric) != 0) return false;
    if (results_find_set(old_doc, name, "x_limit") == NULL)
        return results_find_set(new_doc, name, "x_limit") && !results_find_set(old_doc, name, metric);
    return results_find_set(new_doc, name, "x_limit") != NULL || results_find_set(new_doc, name, metric) == NULL;
}

/* The class of value k, or NULL when the set gives none (or a malformed list). */
static const char *class_at(json_object *set, size_t k, size_t n)
{
    json_object *cls = results_get(set, "placement_classes");
    if (cls == NULL || !json_object_is_type(cls, json_type_array) || json_object_array_length(cls) != n) return NULL;
    json_object *c = json_object_array_get_idx(cls, k);
    return c && json_object_is_type(c, json_type_string) ? json_object_get_string(c) : NULL;
}

static size_t count_class(json_object *set, const char *cls)
{
    json_object *values = results_get(set, "values");
    size_t n = values ? json_object_array_length(values) : 0, count = 0;
    for (size_t k = 0; k < n; k++) {
        const char *c = class_at(set, k, n);
        if (c && strcmp(c, cls) == 0) count++;
    }
    return count;
}

/* The values of set in class cls (every value when cls is NULL). */
static double *values_in(json_object *set, const char *cls, size_t *n_out)
{
    json_object *values = results_get(set, "values");
    size_t n = values ? json_object_array_length(values) : 0, m = 0;
    double *out = malloc((n ? n : 1) * sizeof *out);
    for (size_t k = 0; k < n; k++) {
        const char *c = class_at(set, k, n);
        if (cls == NULL || (c && strcmp(c, cls) == 0))
            out[m++] = json_object_get_double(json_object_array_get_idx(values, k));
    }
    *n_out = m;
    return out;
}

int gate_ratio_values(json_object *old_set, json_object *new_set, double **a, size_t *n1, double **b, size_t *n2,
                      char *note, size_t note_size)
{
    static const char *const classes[] = {"same_core", "cross_core", "far", "unknown"};
    size_t n_old = json_object_array_length(results_get(old_set, "values"));
    size_t n_new = json_object_array_length(results_get(new_set, "values"));
    bool classed = class_at(old_set, 0, n_old) && class_at(new_set, 0, n_new);
    const char *best = NULL;
    size_t best_n = 0;
    for (size_t i = 0; classed && i < sizeof classes / sizeof classes[0]; i++) {
        size_t co = count_class(old_set, classes[i]), cn = count_class(new_set, classes[i]);
        size_t common = co < cn ? co : cn;
        if (common > best_n) best = classes[i], best_n = common;
    }
    if (classed && best == NULL) {
        snprintf(note, note_size, "no placement class in common (old %s, new %s)", class_at(old_set, 0, n_old),
                 class_at(new_set, 0, n_new));
        *a = *b = NULL;
        *n1 = *n2 = 0;
        return -1;
    }
    *a = values_in(old_set, best, n1);
    *b = values_in(new_set, best, n2);
    if (best) snprintf(note, note_size, "ratio to the limit, %s rounds", best);
    return 0;
}

void gate_ratio_beside(json_object *doc, const char *name, char *out, size_t size)
{
    json_object *f = results_figure_find(doc, name);
    out[0] = '\0';
    if (f == NULL) return;
    bool latency = strcmp(results_get_string(f, "metric", ""), "p50_ns") == 0;
    json_object *b = results_get(f, "backend"), *p = results_get(f, "peer"), *l = results_get(f, "limit");
    double scale = latency ? 1 : 1e-9;
    const char *unit = latency ? " ns" : " GB/s";
    char peer[64];
    if (p)
        snprintf(peer, sizeof peer, "%.4g%s", json_object_get_double(p) * scale, unit);
    else
        snprintf(peer, sizeof peer, "%s",
                 strcmp(results_get_string(doc, "peer.status", "not built"), "built") == 0 ? "not measured"
                                                                                           : "not built");
    snprintf(out, size, "backend %.4g%s / iceoryx2 %s / limit %.4g%s (%s)", b ? json_object_get_double(b) * scale : NAN,
             unit, peer, l ? json_object_get_double(l) * scale : NAN, unit,
             results_get_string(f, "placement_class", "unknown"));
}
