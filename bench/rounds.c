/* Interleaved rounds of limit, backend and peer (rounds.h). */
#include "rounds.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native_peer.h"

placement_class placement_class_of(double ns)
{
    if (!(ns > 0)) return CLASS_UNKNOWN;
    return ns < SAME_CORE_BELOW_NS ? CLASS_SAME_CORE : ns < FAR_FROM_NS ? CLASS_CROSS_CORE : CLASS_FAR;
}

const char *placement_class_name(placement_class c)
{
    static const char *const names[] = {"unknown", "same_core", "cross_core", "far"};
    return c < CLASS_COUNT ? names[c] : "unknown";
}

/* What bounds case c, and in which unit its figures are. */
static limit_kind kind_of(const bench_case *c)
{
    if (c->kind == K_LATENCY) return c->event ? LIMIT_FUTEX : LIMIT_CACHELINE;
    if (c->in_place) return LIMIT_CACHELINE;
    return c->size >= XCORE_MIN_SIZE ? LIMIT_XCORE : LIMIT_MEMCPY;
}

static const char *kind_name(limit_kind k)
{
    static const char *const names[] = {"cacheline", "futex", "memcpy", "memcpy_xcore"};
    return names[k];
}

round_figures rounds_limits(const bench_case *c)
{
    round_figures r = {.peer = NAN, .backend = NAN, .floor = NAN};
    r.cacheline_ns = limit_pingpong_now(false, c->process);
    r.cls = placement_class_of(r.cacheline_ns);
    double size = (double)c->size, ns;
    switch (kind_of(c)) {
    case LIMIT_CACHELINE: ns = r.cacheline_ns; break;
    case LIMIT_FUTEX: ns = limit_pingpong_now(true, c->process); break;
    case LIMIT_MEMCPY: ns = limit_memcpy_now(c->size); break;
    default: ns = limit_xcore_now(c->size); break;
    }
    /* Latency in ns one-way; throughput in bytes/s (one handoff or one copy per sample). */
    r.limit = c->kind == K_LATENCY ? ns : ns > 0 ? size * 1e9 / ns : NAN;
    if (c->kind == K_LATENCY && !c->event) {
        double floor_ns = limit_slot_floor_now(c->size, c->process);
        r.floor = floor_ns > 0 ? floor_ns : NAN;
    }
    return r;
}

int rounds_for(int64_t total, int64_t batch)
{
    int64_t n = total / (batch > 0 ? batch : 1);
    int want = G.rounds > 0 ? G.rounds : 1;
    return n < 1 ? 1 : n < want ? (int)n : want;
}

int64_t rounds_share(int64_t total, int64_t batch, int n, int k)
{
    int64_t each = total / n / batch * batch;
    return k < n - 1 ? each : total - each * (n - 1);
}

/* ---- the table of this run's rounds ---- */

typedef struct case_rounds {
    const bench_case *c;
    char peer_note[200];
    int n, since; /* rounds so far; the first of the current repetition */
    round_figures r[MAX_ROUNDS];
} case_rounds;

#define MAX_ENTRIES 512
static case_rounds table[MAX_ENTRIES];
static size_t entries;

static case_rounds *entry(const bench_case *c)
{
    for (size_t i = 0; i < entries; i++)
        if (table[i].c == c) return &table[i];
    if (entries == MAX_ENTRIES) return NULL;
    table[entries].c = c;
    return &table[entries++];
}

void rounds_add(const bench_case *c, const round_figures *r)
{
    case_rounds *e = entry(c);
    if (e && e->n < MAX_ROUNDS) e->r[e->n++] = *r;
}

void rounds_peer_note(const bench_case *c, const char *note)
{
    case_rounds *e = entry(c);
    if (e && (e->peer_note[0] == '\0' || strcmp(note, "measured") != 0))
        snprintf(e->peer_note, sizeof e->peer_note, "%s", note);
}

void rounds_drop(const bench_case *c)
{
    case_rounds *e = entry(c);
    if (e) e->n = e->since; /* this repetition's rounds: no figure, no rounds */
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef enum { F_LIMIT, F_BACKEND, F_PEER, F_X_LIMIT, F_X_PEER, F_FLOOR, F_X_FLOOR } round_field;

static double field(const round_figures *r, round_field f)
{
    switch (f) {
    case F_LIMIT: return r->limit;
    case F_BACKEND: return r->backend;
    case F_PEER: return r->peer;
    case F_X_LIMIT: return r->limit > 0 ? r->backend / r->limit : NAN;
    case F_FLOOR: return r->floor;
    case F_X_FLOOR: return r->floor > 0 ? r->backend / r->floor : NAN;
    default: return r->peer > 0 ? r->backend / r->peer : NAN;
    }
}

/* The median of a field over rounds [from, e->n) that have it; NAN when none does. */
static double median(const case_rounds *e, int from, round_field f)
{
    double v[MAX_ROUNDS];
    int n = 0;
    for (int i = from; i < e->n; i++)
        if (isfinite(field(&e->r[i], f))) v[n++] = field(&e->r[i], f);
    if (n == 0) return NAN;
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The class most rounds were in (the first such on a tie). */
static placement_class majority(const case_rounds *e, int from, int counts[CLASS_COUNT])
{
    memset(counts, 0, CLASS_COUNT * sizeof counts[0]);
    for (int i = from; i < e->n; i++) counts[e->r[i].cls]++;
    placement_class best = CLASS_UNKNOWN;
    for (int k = 1; k < CLASS_COUNT; k++)
        if (counts[k] > counts[best]) best = (placement_class)k;
    return best;
}

void rounds_begin(const bench_case *c)
{
    case_rounds *e = entry(c);
    if (e) e->since = e->n;
}

void rounds_counters(gb_state *st, const bench_case *c)
{
    const case_rounds *e = entry(c);
    if (e == NULL || e->n == e->since) return;
    bool latency = c->kind == K_LATENCY;
    int from = e->since;
    double limit = median(e, from, F_LIMIT), peer = median(e, from, F_PEER);
    gb_counter(st, latency ? "limit_ns" : "limit_bytes_per_s", limit, GB_COUNTER_DEFAULT);
    if (!latency) {
        gb_counter(st, "limit_bytes_per_second", limit, GB_COUNTER_DEFAULT);
        gb_counter(st, "limit_samples_per_s", limit / (double)c->size, GB_COUNTER_DEFAULT);
    }
    gb_counter(st, "x_limit", median(e, from, F_X_LIMIT), GB_COUNTER_DEFAULT);
    if (isfinite(peer)) {
        gb_counter(st, latency ? "peer_p50_ns" : "peer_bytes_per_s", peer, GB_COUNTER_DEFAULT);
        gb_counter(st, "x_peer", median(e, from, F_X_PEER), GB_COUNTER_DEFAULT);
    }
    double floor_ns = median(e, from, F_FLOOR);
    if (isfinite(floor_ns)) {
        gb_counter(st, "floor_ns", floor_ns, GB_COUNTER_DEFAULT);
        gb_counter(st, "x_floor", median(e, from, F_X_FLOOR), GB_COUNTER_DEFAULT);
    }
    int counts[CLASS_COUNT];
    gb_counter(st, "placement_class", majority(e, from, counts), GB_COUNTER_DEFAULT);
    gb_counter(st, "rounds", e->n - from, GB_COUNTER_DEFAULT);
    gb_counter(st, "rounds_same_core", counts[CLASS_SAME_CORE], GB_COUNTER_DEFAULT);
    gb_counter(st, "rounds_cross_core", counts[CLASS_CROSS_CORE], GB_COUNTER_DEFAULT);
    gb_counter(st, "rounds_far", counts[CLASS_FAR], GB_COUNTER_DEFAULT);
}

/* ---- figures.json ---- */

static json_object *number_or_null(double v) { return isfinite(v) ? json_object_new_double(v) : NULL; }

static json_object *round_json(const round_figures *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "placement_class", json_object_new_string(placement_class_name(r->cls)));
    json_object_object_add(o, "cacheline_ns", number_or_null(r->cacheline_ns));
    json_object_object_add(o, "limit", number_or_null(r->limit));
    json_object_object_add(o, "backend", number_or_null(r->backend));
    json_object_object_add(o, "peer", number_or_null(r->peer));
    json_object_object_add(o, "x_limit", number_or_null(field(r, F_X_LIMIT)));
    json_object_object_add(o, "x_peer", number_or_null(field(r, F_X_PEER)));
    json_object_object_add(o, "floor", number_or_null(r->floor));
    json_object_object_add(o, "x_floor", number_or_null(field(r, F_X_FLOOR)));
    return o;
}

static json_object *case_rounds_json(const case_rounds *e)
{
    char run_name[256];
    case_run_name(e->c, run_name, sizeof run_name);
    bool latency = e->c->kind == K_LATENCY;
    int counts[CLASS_COUNT];
    json_object *o = json_object_new_object(), *list = json_object_new_array();
    json_object_object_add(o, "name", json_object_new_string(run_name));
    json_object_object_add(o, "metric", json_object_new_string(latency ? "p50_ns" : "bytes_per_s"));
    json_object_object_add(o, "unit", json_object_new_string(latency ? "ns" : "B/s"));
    json_object_object_add(o, "better", json_object_new_string(latency ? "lower" : "higher"));
    json_object_object_add(o, "limit_kind", json_object_new_string(kind_name(kind_of(e->c))));
    json_object_object_add(o, "peer_status", json_object_new_string(e->peer_note[0] ? e->peer_note : "measured"));
    json_object_object_add(o, "placement_class", json_object_new_string(placement_class_name(majority(e, 0, counts))));
    json_object_object_add(o, "backend", number_or_null(median(e, 0, F_BACKEND)));
    json_object_object_add(o, "limit", number_or_null(median(e, 0, F_LIMIT)));
    json_object_object_add(o, "peer", number_or_null(median(e, 0, F_PEER)));
    json_object_object_add(o, "x_limit", number_or_null(median(e, 0, F_X_LIMIT)));
    json_object_object_add(o, "x_peer", number_or_null(median(e, 0, F_X_PEER)));
    json_object_object_add(o, "floor", number_or_null(median(e, 0, F_FLOOR)));
    json_object_object_add(o, "x_floor", number_or_null(median(e, 0, F_X_FLOOR)));
    for (int i = 0; i < e->n; i++) json_object_array_add(list, round_json(&e->r[i]));
    json_object_object_add(o, "rounds", list);
    return o;
}

json_object *rounds_json(void)
{
    json_object *doc = json_object_new_object(), *peer = json_object_new_object(), *list = json_object_new_array();
    const char *why = NULL;
    bool built = native_peer_available(&why);
    json_object_object_add(doc, "schema", json_object_new_string("slotkit-bench-figures"));
    json_object_object_add(doc, "version", json_object_new_int(1));
    json_object_object_add(peer, "name", json_object_new_string("iceoryx2"));
    json_object_object_add(peer, "version", built ? json_object_new_string("0.10.0") : NULL);
    json_object_object_add(peer, "status", json_object_new_string(built ? "built" : "not built"));
    json_object_object_add(doc, "peer", peer);
    json_object_object_add(doc, "class_bands_ns", json_object_new_string("same_core < 75 <= cross_core < 400 <= far"));
    for (size_t i = 0; i < entries; i++)
        if (table[i].n > 0) json_object_array_add(list, case_rounds_json(&table[i]));
    json_object_object_add(doc, "figures", list);
    return doc;
}
