/* The regression gate: per benchmark improved / unchanged / regressed.
 *
 * Wall-clock samples (Google Benchmark repetitions, hyperfine runs): a
 * regression needs BOTH a significant two-sided Mann-Whitney U test (p <
 * alpha, >= min_reps repetitions on each side, as compare.py) AND a median
 * change beyond the benchmark's noise floor (Criterion.rs and asv use the
 * same two-part rule; either alone gives false alarms or misses).
 * Instruction counts (callgrind) are deterministic: any change beyond a small
 * tolerance counts, no statistics needed.
 * Where a case was measured in rounds beside its limit (results_figures.h),
 * the gate compares its ratio to the limit ("x_limit", one value per round)
 * instead of its absolute time, and only rounds of a placement class both runs
 * have (gate_ratio.c): a host that moves the vCPUs moves time and limit alike. */
#ifndef SLOTKIT_HARNESS_GATE_H
#define SLOTKIT_HARNESS_GATE_H

#include <json-c/json.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>

#define GATE_MAX_NOISE_RULES 32

typedef struct gate_noise_rule {
    regex_t re;
    double noise; /* relative, 0.05 = 5 % */
    char pattern[128];
} gate_noise_rule;

typedef struct gate_options {
    double alpha;           /* significance level, default 0.05 */
    double noise;           /* default noise floor (relative), 0.05 */
    double instr_tolerance; /* instruction-count tolerance (relative), 0.005 */
    size_t min_reps;        /* repetitions needed on each side for the U test, 9 */
    const char *metric;     /* Google Benchmark metric: "real_time" or "cpu_time" */
    bool force;             /* compare different fingerprints anyway */
    bool require_all;       /* a benchmark missing from the new run fails the gate */
    bool absolute;          /* compare absolute times even where ratios to the limit exist */
    gate_noise_rule rules[GATE_MAX_NOISE_RULES];
    int rule_count;
} gate_options;

void gate_options_default(gate_options *o);
/* Adds "REGEX=PCT" (last matching rule wins). Returns 0 or -1 with reason. */
int gate_add_noise_rule(gate_options *o, const char *spec, char *err, size_t err_size);
void gate_options_free(gate_options *o);
/* "5%", "5" or "0.5%" → 0.05 / 0.05 / 0.005; negative on error. */
double gate_parse_percent(const char *text);

typedef enum gate_verdict {
    GATE_UNCHANGED,
    GATE_IMPROVED,
    GATE_REGRESSED,
    GATE_UNTESTED, /* too few repetitions for the U test */
    GATE_MISSING,  /* in the baseline, not in the new run */
    GATE_NEW,      /* in the new run only */
} gate_verdict;

typedef struct gate_row {
    char name[256];
    char metric[32];
    gate_verdict verdict;
    double old_median, new_median;
    double change; /* (new - old) / old, sign flipped for higher-is-better: > 0 is worse */
    double p;      /* NAN for instruction counts */
    double floor;  /* the noise floor or tolerance applied */
    size_t n_old, n_new;
    char note[96];
    char beside[160]; /* x_limit rows: the new run's backend / native iceoryx2 / limit */
} gate_row;

typedef struct gate_report {
    gate_row *rows;
    size_t count;
    int regressed, improved, unchanged, untested, missing, added;
    double geomean_ratio; /* geometric mean of new/old medians over compared rows */
    bool deterministic_only;
} gate_report;

/* Compares every sample set of the two documents. Returns 0, or -1 with a
 * one-line reason (different fingerprints without force, nothing in common). */
int gate_compare(json_object *old_doc, json_object *new_doc, const gate_options *o, gate_report *r, char *err,
                 size_t err_size);
void gate_print(const gate_report *r, const gate_options *o, FILE *out);
/* 0 pass, 1 regression (or missing benchmark with require_all). */
int gate_status(const gate_report *r, const gate_options *o);
void gate_report_free(gate_report *r);

/* ---- ratios to the limit (gate_ratio.c) ---- */

/* True when the row (name, metric) is not compared because its ratio to the
 * limit is: metric is the timed one, and the baseline has an x_limit set for
 * the name that the new run has too (or the new run lost the case). */
bool gate_ratio_replaces(json_object *old_doc, json_object *new_doc, const char *name, const char *metric,
                         const gate_options *o);
/* The values of an x_limit set pair, kept to the placement class both runs
 * have most rounds of; *a and *b malloc'd. Returns 0, or -1 with the note
 * (no class in common). Sets without classes keep every value. */
int gate_ratio_values(json_object *old_set, json_object *new_set, double **a, size_t *n1, double **b, size_t *n2,
                      char *note, size_t note_size);
/* "983 ns / iceoryx2 851 ns / limit 131 ns (cross_core)" from doc's figure of name; "" if none. */
void gate_ratio_beside(json_object *doc, const char *name, char *out, size_t size);

/* Interleaved A/B: runs `A bench --out DIR ARGS...` and the same with B for
 * `rounds` rounds in ABBA order (cancels linear drift), one sample per
 * benchmark per round (the median of that run's repetitions). Fills two
 * in-memory documents. Returns 0 or -1 with reason. */
int gate_run_ab(const char *a_bin, const char *b_bin, int rounds, char **bench_args, json_object **doc_a,
                json_object **doc_b, char *err, size_t err_size);

#endif
