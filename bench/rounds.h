/*
 * Interleaved rounds: a case that compares a backend with its limit and with
 * the native iceoryx2 peer measures them in alternating rounds in one run
 * (limit, backend, peer, limit, backend, peer, ...), not one after the other,
 * so a host that moves the two vCPUs between rounds moves all three figures
 * alike. Each round's cache-line one-way time says which placement class the
 * pair was in during that round (same core, cross core, far); a ratio is
 * read within one class (docs/benchmarks.md, "Reading a ratio when the limit
 * is bimodal"). The rounds of every case go to figures.json
 * (schema slotkit-bench-figures v1) and their medians to the case's counters.
 */
#ifndef SLOTKIT_BENCH_ROUNDS_H
#define SLOTKIT_BENCH_ROUNDS_H

#include <json-c/json.h>

#include "bench.h"

#define MAX_ROUNDS 64
#define DEFAULT_ROUNDS 6
#define QUICK_ROUNDS 2

/* Bands of the cache-line one-way limit (ns): below SAME_CORE_BELOW_NS the two
 * CPUs share a core (SMT siblings, on this VM ~40 ns); from FAR_FROM_NS on
 * they are on different packages or a vCPU was preempted. */
#define SAME_CORE_BELOW_NS 75.0
#define FAR_FROM_NS 400.0

typedef enum placement_class {
    CLASS_UNKNOWN,
    CLASS_SAME_CORE,
    CLASS_CROSS_CORE,
    CLASS_FAR,
    CLASS_COUNT
} placement_class;

placement_class placement_class_of(double cacheline_one_way_ns);
const char *placement_class_name(placement_class c);

/* What bounds a case (latency: busy-poll the cache line, event the futex;
 * throughput: zero-copy the cache line, copies below XCORE_MIN_SIZE the
 * local memcpy, from there on the cross-core copy). */
typedef enum limit_kind { LIMIT_CACHELINE, LIMIT_FUTEX, LIMIT_MEMCPY, LIMIT_XCORE } limit_kind;

/* One round: the limit, the backend and the peer, measured one after the other. */
typedef struct round_figures {
    double cacheline_ns; /* the class's evidence (also the limit of busy-poll cases) */
    placement_class cls;
    double limit;   /* the case's limit: ns one-way (latency) or bytes/s (throughput) */
    double backend; /* p50 one-way ns, or bytes/s */
    double peer;    /* the same figure of native iceoryx2; NAN: not measured */
    double floor;   /* busy-poll latency: the slot floor (slot_floor.c), ns one-way; else NAN */
} round_figures;

/* Measures the round's limits of case c now, on the run's pair (this thread on CPU A). */
round_figures rounds_limits(const bench_case *c);

/* How many of `total` iterations round k of n gets, in whole batches: the
 * earlier rounds an equal share, the last the rest. */
int64_t rounds_share(int64_t total, int64_t batch, int n, int k);
/* How many rounds a case of `total` iterations gets (at most G.rounds, one batch each at least). */
int rounds_for(int64_t total, int64_t batch);

/* A repetition of case c starts: its counters cover the rounds added from now. */
void rounds_begin(const bench_case *c);
/* Adds a round of case c (repetitions of a case add to the same entry). */
void rounds_add(const bench_case *c, const round_figures *r);
/* The peer's state for case c: "measured", "not built", or why not. */
void rounds_peer_note(const bench_case *c, const char *note);
/* The case's medians over its rounds as counters: limit_ns or limit_bytes_per_s,
 * x_limit, x_peer, the peer's figure, floor_ns and x_floor (busy-poll latency),
 * rounds and placement classes. */
void rounds_counters(gb_state *st, const bench_case *c);
/* The case reported no figure (invalid, failed): its rounds are dropped. */
void rounds_drop(const bench_case *c);

/* figures.json: every case's rounds; NULL when out of memory. */
json_object *rounds_json(void);

#endif
