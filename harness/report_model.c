/* The tuning report's model (see report_model.h): documents in, typed rows out. */
#include "report_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_model_internal.h"
#include "stats.h"

/* ---- rows: gbench figures joined to the sample's case ------------------------ */

static double counter(json_object *o, const char *key)
{
    json_object *v;
    if (o == NULL || !json_object_object_get_ex(o, key, &v)) return NAN;
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)) return NAN;
    return json_object_get_double(v);
}

static report_kind kind_of(const char *kind)
{
    static const char *const names[] = {
        [CASE_CACHELINE] = "cacheline", [CASE_FUTEX] = "futex",          [CASE_MEMCPY] = "memcpy", [CASE_OPS] = "ops",
        [CASE_LATENCY] = "latency",     [CASE_THROUGHPUT] = "throughput"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(kind, names[i]) == 0) return (report_kind)i;
    return CASE_PROCESS; /* the validator allows no other kind */
}

/* What a reader sees of a case: its placement or peers, then wait or path. */
static void row_label(report_row *r, json_object *c)
{
    const char *peers = results_get_string(c, "peers", NULL), *wait = results_get_string(c, "wait", NULL),
               *path = results_get_string(c, "path", NULL), *kind = results_get_string(c, "kind", "");
    const char *first = r->placed ? NULL : r->kind == CASE_MEMCPY ? kind : r->kind == CASE_OPS ? path : NULL;
    const char *second = r->kind == CASE_LATENCY ? wait : r->kind == CASE_THROUGHPUT ? path : NULL;
    if (r->kind == CASE_CACHELINE || r->kind == CASE_FUTEX) first = kind, second = peers;
    char head[64];
    if (r->placed)
        snprintf(head, sizeof head, "%s/%s", r->cpus, r->memory);
    else
        snprintf(head, sizeof head, "%s", first ? first : peers ? peers : kind);
    snprintf(r->label, sizeof r->label, "%s%s%s", head, second ? "/" : "", second ? second : "");
}

static void row_case(report_row *r, json_object *c)
{
    r->kind = kind_of(results_get_string(c, "kind", ""));
    const char *peers = results_get_string(c, "peers", ""), *path = results_get_string(c, "path", "");
    r->threads = strcmp(peers, "threads") == 0;
    r->in_place = strcmp(path, "in_place") == 0;
    json_object *p = results_get(c, "placement");
    r->placed = p != NULL && json_object_is_type(p, json_type_object);
    snprintf(r->cpus, sizeof r->cpus, "%s", r->placed ? results_get_string(p, "cpus", "") : "");
    snprintf(r->memory, sizeof r->memory, "%s", r->placed ? results_get_string(p, "memory", "") : "");
    double size = (double)json_object_get_int64(results_get(c, "size"));
    r->size = size > 0 ? size : NAN;
    r->readers = (double)json_object_get_int(results_get(c, "readers"));
    r->slots = (double)json_object_get_int(results_get(c, "slots"));
    row_label(r, c);
}

static void row_counters(report_row *r, json_object *o)
{
    r->p50 = counter(o, "p50_ns"), r->p90 = counter(o, "p90_ns"), r->p99 = counter(o, "p99_ns");
    r->p999 = counter(o, "p999_ns"), r->limit_ns = counter(o, "limit_ns");
    r->cpu_writer = counter(o, "cpu_writer"), r->cpu_reader = counter(o, "cpu_reader");
    r->mem_node = counter(o, "mem_node"), r->gbps = counter(o, "GBps"), r->ns_per_copy = counter(o, "ns_per_copy");
    r->ns_per_sample = counter(o, "ns_per_sample"), r->items_per_second = counter(o, "items_per_second");
    r->backpressure = counter(o, "backpressure"), r->limit_bps = counter(o, "limit_bytes_per_second");
    r->bps = counter(o, "bytes_per_second");
    if (isnan(r->bps)) r->bps = r->items_per_second * r->size;
    r->instructions = NAN;
    r->x_limit = counter(o, "x_limit"), r->x_peer = counter(o, "x_peer"), r->rounds = counter(o, "rounds");
    r->floor = counter(o, "floor_ns"), r->x_floor = counter(o, "x_floor");
    r->placement_class = counter(o, "placement_class");
    r->peer = counter(o, r->kind == CASE_LATENCY ? "peer_p50_ns" : "peer_bytes_per_s");
}

const char *report_class_name(double c)
{
    static const char *const names[] = {"unknown", "same_core", "cross_core", "far"};
    return c >= 0 && c < 4 ? names[(int)c] : "unknown";
}

bool report_row_in_rounds(const report_row *r) { return !isnan(r->rounds) && r->rounds > 0; }

/* The case of each gbench sample set, by its exact name. */
static json_object *case_of(json_object *doc, const char *name)
{
    json_object *samples = results_get(doc, "samples");
    for (size_t i = 0; samples && i < json_object_array_length(samples); i++) {
        json_object *s = json_object_array_get_idx(samples, i);
        if (strcmp(results_get_string(s, "source", ""), "callgrind") != 0 &&
            strcmp(results_get_string(s, "name", ""), name) == 0)
            return results_get(s, "case");
    }
    return NULL;
}

static bool is_median_row(json_object *o)
{
    return strcmp(results_get_string(o, "run_type", "iteration"), "aggregate") == 0 &&
           strcmp(results_get_string(o, "aggregate_name", ""), "median") == 0;
}

/* One row per case: its median aggregate, else its first repetition. Cases
 * not applicable here (or failed) carry no figures and are left out. */
static void load_rows(report_backend *b)
{
    json_object *benchmarks = b->bench ? results_get(b->bench, "raw.gbench.benchmarks") : NULL;
    if (benchmarks == NULL || !json_object_is_type(benchmarks, json_type_array)) return;
    size_t n = json_object_array_length(benchmarks);
    b->rows = calloc(n + 1, sizeof *b->rows);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            json_object *o = json_object_array_get_idx(benchmarks, i), *e;
            const char *run_name = results_get_string(o, "run_name", results_get_string(o, "name", "?"));
            const char *type = results_get_string(o, "run_type", "iteration");
            if (pass == 0 ? !is_median_row(o) : strcmp(type, "iteration") != 0) continue;
            if (json_object_object_get_ex(o, "error_occurred", &e) && json_object_get_boolean(e)) continue;
            size_t k;
            for (k = 0; k < b->nrows && strcmp(b->rows[k].name, run_name) != 0; k++) {}
            json_object *c = k < b->nrows ? NULL : case_of(b->bench, run_name);
            if (c == NULL) continue; /* already stands for its case, or has no samples */
            report_row *r = &b->rows[b->nrows++];
            snprintf(r->name, sizeof r->name, "%s", run_name);
            row_case(r, c);
            row_counters(r, o);
        }
}

/* Instruction counts (callgrind) join the ops row of the same case. */
static void load_instructions(report_backend *b)
{
    json_object *samples = b->bench ? results_get(b->bench, "samples") : NULL;
    for (size_t i = 0; samples && i < json_object_array_length(samples); i++) {
        json_object *s = json_object_array_get_idx(samples, i);
        if (strcmp(results_get_string(s, "metric", ""), "instructions") != 0) continue;
        b->has_ops = true;
        report_row probe = {0};
        row_case(&probe, results_get(s, "case"));
        for (size_t k = 0; k < b->nrows; k++) {
            report_row *r = &b->rows[k];
            if (r->kind == CASE_OPS && probe.kind == CASE_OPS && r->in_place == probe.in_place &&
                (r->size == probe.size || (isnan(r->size) && isnan(probe.size))))
                r->instructions = json_object_get_double(json_object_array_get_idx(results_get(s, "values"), 0));
        }
    }
}

/* ---- statistics ------------------------------------------------------------------ */

double report_copy_limit(const report_limits *l, double size)
{
    if (l->nmemcpy == 0) return NAN;
    int best = 0;
    for (int i = 1; i < l->nmemcpy; i++)
        if (fabs(log(l->memcpy_size[i] / size)) < fabs(log(l->memcpy_size[best] / size))) best = i;
    return l->memcpy_gbps[best];
}

static bool same_series(const report_row *a, const report_row *b)
{
    return strcmp(a->label, b->label) == 0 && a->readers == b->readers;
}

static void sort_points(report_series *s)
{
    for (int x = 0; x < s->npoints; x++)
        for (int y = x + 1; y < s->npoints; y++)
            if (s->size[y] < s->size[x]) {
                double t;
                t = s->size[x], s->size[x] = s->size[y], s->size[y] = t;
                t = s->rate[x], s->rate[x] = s->rate[y], s->rate[y] = t;
                t = s->limit[x], s->limit[x] = s->limit[y], s->limit[y] = t;
            }
}

/* Best rate per payload size over the slot counts measured. */
static void fill_series(const report_backend *b, const report_limits *l, report_series *s)
{
    for (size_t k = 0; k < b->nrows; k++) {
        const report_row *w = &b->rows[k];
        if (w->kind != CASE_THROUGHPUT || !same_series(s->first, w) || isnan(w->size) || isnan(w->bps)) continue;
        double limit = isnan(w->limit_bps) ? report_copy_limit(l, w->size) * 1e9 : w->limit_bps;
        int j;
        for (j = 0; j < s->npoints && s->size[j] != w->size; j++) {}
        if (j == s->npoints && j < REPORT_MAX_POINTS)
            s->size[j] = w->size, s->rate[j] = w->bps, s->limit[j] = limit, s->npoints++;
        else if (j < s->npoints && w->bps > s->rate[j])
            s->rate[j] = w->bps;
    }
    sort_points(s);
}

static void backend_series(report_backend *b, const report_limits *l)
{
    for (size_t k = 0; k < b->nrows; k++) {
        const report_row *w = &b->rows[k];
        if (w->kind != CASE_THROUGHPUT || isnan(w->bps)) continue;
        int i;
        for (i = 0; i < b->nseries && !same_series(b->series[i].first, w); i++) {}
        if (i == b->nseries && i < REPORT_MAX_SERIES) b->series[b->nseries++].first = w;
    }
    for (int i = 0; i < b->nseries; i++) {
        fill_series(b, l, &b->series[i]);
        for (int j = 0; j < b->series[i].npoints; j++) b->throughput_limit |= !isnan(b->series[i].limit[j]);
    }
    for (size_t k = 0; k < b->nrows; k++) {
        const report_row *w = &b->rows[k];
        if (w->kind == CASE_LATENCY && !isnan(w->p50)) {
            b->has_latency = true;
            b->latency_limit |= !isnan(w->limit_ns) || !isnan(l->cacheline_ns);
        }
        b->has_slots |= w->kind == CASE_THROUGHPUT && w->slots > 0 && !isnan(w->backpressure);
        if (report_row_in_rounds(w)) b->peer_table = -1; /* numbered in page order later */
        b->has_ops |= w->kind == CASE_OPS;
    }
}

/* Median coefficient of variation of the wall-clock repetitions. */
static void backend_variation(report_backend *b)
{
    json_object *samples = b->bench ? results_get(b->bench, "samples") : NULL;
    size_t n = samples ? json_object_array_length(samples) : 0, m = 0;
    double *cvs = calloc(n + 1, sizeof *cvs);
    b->worst_cv = NAN;
    for (size_t i = 0; i < n; i++) {
        json_object *s = json_object_array_get_idx(samples, i), *v = results_get(s, "values");
        if (strcmp(results_get_string(s, "metric", ""), "real_time") != 0 || json_object_array_length(v) < 3) continue;
        size_t k = json_object_array_length(v);
        double *x = malloc(k * sizeof *x);
        for (size_t j = 0; j < k; j++) x[j] = json_object_get_double(json_object_array_get_idx(v, j));
        cvs[m] = stats_cv(x, k);
        if (isnan(b->worst_cv) || cvs[m] > b->worst_cv) {
            b->worst_cv = cvs[m];
            snprintf(b->worst, sizeof b->worst, "%s", results_get_string(s, "name", "?"));
        }
        m++;
        free(x);
    }
    b->cv = stats_median(cvs, m);
    free(cvs);
}

/* ---- limits ------------------------------------------------------------------------- */

static void load_limits(report_model *m)
{
    report_limits *l = &m->limits;
    l->cacheline_ns = NAN;
    for (size_t i = 0; i < m->nbackends; i++)
        for (size_t k = 0; k < m->backends[i].nrows; k++) {
            const char *when = results_get_string(m->backends[i].bench, "created_utc", "");
            report_kind kind = m->backends[i].rows[k].kind;
            if ((kind == CASE_CACHELINE || kind == CASE_FUTEX || kind == CASE_MEMCPY) &&
                (l->source == NULL || strcmp(when, l->when) > 0))
                l->source = &m->backends[i], l->when = when;
        }
    for (size_t k = 0; l->source && k < l->source->nrows; k++) {
        const report_row *w = &l->source->rows[k];
        if (w->kind == CASE_MEMCPY && !isnan(w->size) && !isnan(w->gbps) && l->nmemcpy < 32) {
            l->memcpy_size[l->nmemcpy] = w->size;
            l->memcpy_gbps[l->nmemcpy++] = w->gbps;
        }
        if (w->kind == CASE_CACHELINE && w->threads && !isnan(w->p50)) l->cacheline_ns = w->p50;
        if (w->kind == CASE_CACHELINE && isnan(l->cacheline_ns)) l->cacheline_ns = w->p50;
    }
}

void report_model_rows(report_backend *b)
{
    json_object *invalid = b->bench ? results_get(b->bench, "invalid") : NULL;
    b->invalid = invalid && json_object_array_length(invalid) > 0 ? invalid : NULL;
    load_rows(b);
    load_instructions(b);
    json_object *peer = b->bench ? results_get(b->bench, "peer.status") : NULL;
    b->peer_status = peer && json_object_is_type(peer, json_type_string) ? json_object_get_string(peer) : NULL;
    backend_variation(b);
}

void report_model_limits(report_model *m) { load_limits(m); }

void report_model_backend(report_backend *b, const report_limits *l) { backend_series(b, l); }
