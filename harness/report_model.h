/* The tuning report's model: one host's newest results documents read into
 * typed structs, with every statistic and every recommendation computed
 * here. The renderers (report_html.c, report_markdown.c) and the figures
 * (report_figures.c) only walk it. Benchmark cases are selected and grouped
 * by the structured fields each sample carries (docs/results-schema.md,
 * "Cases"), never by their names. Strings taken from a document stay
 * untrusted: whatever writes them escapes them (escape.h). */
#ifndef SLOTKIT_HARNESS_REPORT_MODEL_H
#define SLOTKIT_HARNESS_REPORT_MODEL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "report.h"
#include "results.h"

typedef enum {
    CASE_CACHELINE,
    CASE_FUTEX,
    CASE_MEMCPY,
    CASE_OPS,
    CASE_LATENCY,
    CASE_THROUGHPUT,
    CASE_PROCESS, /* a whole process (hyperfine): never a row */
} report_kind;

/* One benchmark case with figures: its gbench median row, else its first
 * repetition; the case fields come from the document's samples[].case. */
typedef struct report_row {
    char name[256];  /* run_name: shown, never parsed */
    char label[128]; /* shown: built from the case fields (placement, peers, wait, path) */
    report_kind kind;
    bool threads, in_place, placed;
    char cpus[16], memory[16]; /* placement, when placed */
    double size;               /* payload bytes; NAN where the case has none */
    double readers, slots;
    /* Counters (NAN where the row has none). */
    double p50, p90, p99, p999, limit_ns, cpu_writer, cpu_reader, mem_node;
    double gbps, ns_per_copy, ns_per_sample, bps, items_per_second, backpressure, limit_bps;
    double instructions; /* callgrind, per operation, of the same ops case */
    /* Cases measured in interleaved rounds (results_figures.h): the ratio to
     * the limit, native iceoryx2's figure (p50 ns or bytes/s) and the ratio to
     * it, the placement class most rounds were in (0 unknown, 1 same core,
     * 2 cross core, 3 far) and the round count; NAN where absent. */
    double x_limit, peer, x_peer, placement_class, rounds;
    double floor, x_floor; /* busy-poll latency: the slot floor of its rounds (bench/slot_floor.c) */
} report_row;

/* One line of a throughput plot: one case label and reader count, the best
 * rate per payload size over the slot counts measured, sizes increasing. */
#define REPORT_MAX_SERIES 24
#define REPORT_MAX_POINTS 64
typedef struct report_series {
    const report_row *first; /* its label and reader count */
    int npoints;
    double size[REPORT_MAX_POINTS], rate[REPORT_MAX_POINTS], limit[REPORT_MAX_POINTS];
} report_series;

/* A figure: numbered in page order; drawn by report_figures.c. */
typedef struct report_figure {
    int number; /* 0: no figure (no data) */
    char title[160], caption[640];
    char *svg;  /* the drawn SVG (malloc'd), NULL if it could not be drawn */
    int status; /* gnuplot's exit status when svg is NULL */
} report_figure;

typedef struct report_rule {
    const char *rule, *verdict, *detail;
    int tests;
} report_rule;

typedef struct report_conformance {
    bool present;
    const char *created, *verdict_text; /* verdict_text: "PASS" or "FAIL" */
    char path[PATH_MAX];
    int passed, failed, skipped, warned;
    report_rule *rules; /* those that did not simply pass */
    size_t nrules;
    int table;
} report_conformance;

typedef struct report_backend {
    char name[64];
    json_object *bench, *conform; /* newest documents, owned */
    char bench_path[PATH_MAX];
    const char *version;
    char caps[256];
    report_row *rows;
    size_t nrows;
    bool has_latency, has_slots, has_ops;
    bool latency_limit, throughput_limit; /* a limit could be drawn */
    report_series series[REPORT_MAX_SERIES];
    int nseries;
    report_figure latency, throughput;
    int slots_table, ops_table;
    /* Cases the backend made invalid (lost, reordered or torn samples): the
     * bench document's `invalid` entries, shown in place of a figure, never plotted. */
    json_object *invalid; /* borrowed from bench; NULL: none */
    int invalid_table;
    report_conformance conformance;
    const char *peer_status; /* the document's peer.status ("built", "not built"); NULL: not recorded */
    int peer_table;          /* rows measured in rounds: backend / native iceoryx2 / limit */
    double cv, worst_cv;     /* median / largest CV of wall-clock repetitions; NAN: none */
    char worst[200];
} report_backend;

/* The physical limits: from the newest bench document that measured them. */
typedef struct report_limits {
    const report_backend *source; /* NULL: none stored */
    const char *when;
    int table;
    report_figure memcpy_figure;
    double cacheline_ns; /* threads, one-way p50 */
    double memcpy_size[32], memcpy_gbps[32];
    int nmemcpy;
} report_limits;

typedef struct report_cache {
    long level, size_kib;
    const char *type, *shared_cpus;
} report_cache;

typedef struct report_numa {
    int node;
    const char *cpus;
    double mem_gib;
    char *distances; /* JSON text, malloc'd */
} report_numa;

typedef struct report_cpu {
    long cpu, package, core, node, l3;
    const char *smt_siblings;
} report_cpu;

/* The machine: the newest document's host object. */
typedef struct report_machine {
    json_object *host;
    report_cache *caches; /* one per distinct level and type */
    size_t ncaches;
    report_numa *numa;
    size_t nnuma;
    report_cpu *cpus;
    size_t ncpus;
    int table, cpu_table;
} report_machine;

/* Recommendations, as data: report_prose.c words them. */
typedef enum {
    ADVICE_PLACEMENT_ONLY, /* one placement: nothing to choose */
    ADVICE_PLACEMENT,      /* best vs worst */
    ADVICE_PLACEMENT_NONE, /* no latency data */
    ADVICE_CROSS,          /* a far placement against same_l3 */
    ADVICE_MEMORY_NODE,    /* across nodes: reader's vs writer's node */
    ADVICE_CROSS_UNMEASURED,
    ADVICE_SMT,
    ADVICE_SLOTS,
    ADVICE_SLOTS_NONE,
    ADVICE_HUGE_PAGES,
    ADVICE_VARIATION_NONE,
    ADVICE_VARIATION,
} report_advice_kind;

typedef struct report_advice {
    report_advice_kind kind;
    const report_backend *backend;
    const report_row *a, *b; /* the rows compared (best/worst, far/base, reader/writer node, smt/base) */
    const char *what;        /* ADVICE_CROSS: "cross-node" ...; ADVICE_CROSS_UNMEASURED: the missing part */
    double value, extra;     /* the figure the advice rests on */
    double readers, size;    /* ADVICE_SLOTS: the most demanding configuration; HUGE_PAGES: size */
    bool flag;               /* above threshold / unsatisfied / no huge pages in use */
} report_advice;

typedef struct report_model {
    const report_options *options;
    char host_id[RESULTS_MAX_NAME + 1];
    const char *root;
    report_machine machine;
    report_limits limits;
    report_backend *backends;
    size_t nbackends;
    int variation_table;
    int peer_table; /* every backend's busy-poll 64 B latency beside native iceoryx2 */
    report_advice *advice;
    size_t nadvice;
    int figures; /* how many are numbered */
} report_model;

/* Loads the newest documents of o->host under o->root and computes the
 * model. 0, or -1 with the reason (no documents) in err. */
int report_model_load(report_model *m, const report_options *o, char *err, size_t err_size);
void report_model_free(report_model *m);

/* Recommendations into m->advice (report_recommend.c). */
void report_recommend(report_model *m);

/* "same_core", "cross_core", "far" or "unknown" for a row's placement_class. */
const char *report_class_name(double placement_class);
/* A row measured in rounds beside its limit (and the peer, where it could be). */
bool report_row_in_rounds(const report_row *r);

/* The copy limit (GB/s) at a payload size, from the nearest memcpy size; NAN if none. */
double report_copy_limit(const report_limits *l, double size);

/* Host fields of the newest document ("?" / -1 if absent). */
const char *report_host_string(const report_model *m, const char *path);
long report_host_int(const report_model *m, const char *path);

#endif
