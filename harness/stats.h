/* Small statistics for the regression gate: order statistics and the
 * two-sided Mann-Whitney U test, computed the way Google Benchmark's
 * compare.py (scipy.stats.mannwhitneyu, method "auto") computes them, so a
 * verdict here agrees with compare.py on the same samples. */
#ifndef SLOTKIT_HARNESS_STATS_H
#define SLOTKIT_HARNESS_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Linear-interpolated quantile (q in [0,1]) of n values (copied, not reordered). NAN if n == 0. */
double stats_quantile(const double *values, size_t n, double q);
double stats_median(const double *values, size_t n);
double stats_mean(const double *values, size_t n);
/* Coefficient of variation (sample stddev / mean); 0 for n < 2. */
double stats_cv(const double *values, size_t n);

typedef struct mwu_result {
    double u1;  /* U statistic of the first sample */
    double u2;  /* n1*n2 - u1 */
    double p;   /* two-sided p-value */
    bool exact; /* exact distribution (small samples, no ties) or normal approximation */
    bool ties;  /* tied values across the pooled samples */
} mwu_result;

/* Two-sided Mann-Whitney U. scipy's "auto": exact when either sample has at
 * most 8 values and nothing is tied (and n1 * n2 <= STATS_EXACT_MAX_CELLS,
 * which bounds the work), else the normal approximation with tie correction
 * and continuity correction. Returns -1 if a sample is empty or holds a NaN. */
#define STATS_EXACT_MAX_CELLS 4096
int stats_mann_whitney(const double *x, size_t n1, const double *y, size_t n2, mwu_result *out);

/* The two methods on their own (u_max = max(U1, U2); tie_term = sum of
 * t^3 - t over groups of t tied values), for tests and callers that know better. */
double stats_mwu_exact_p(double u_max, size_t n1, size_t n2);
double stats_mwu_asymptotic_p(double u_max, size_t n1, size_t n2, double tie_term);

#endif
