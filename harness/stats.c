/* Order statistics and the Mann-Whitney U test (see stats.h). */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double stats_quantile(const double *values, size_t n, double q)
{
    if (n == 0) return NAN;
    double *v = malloc(n * sizeof *v);
    if (v == NULL) return NAN;
    memcpy(v, values, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_double);
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos), hi = lo + 1 < n ? lo + 1 : lo;
    double r = v[lo] + (v[hi] - v[lo]) * (pos - (double)lo);
    free(v);
    return r;
}

double stats_median(const double *values, size_t n) { return stats_quantile(values, n, 0.5); }

double stats_mean(const double *values, size_t n)
{
    if (n == 0) return NAN;
    double s = 0;
    for (size_t i = 0; i < n; i++) s += values[i];
    return s / (double)n;
}

double stats_cv(const double *values, size_t n)
{
    if (n < 2) return 0;
    double m = stats_mean(values, n), ss = 0;
    for (size_t i = 0; i < n; i++) ss += (values[i] - m) * (values[i] - m);
    return m != 0 ? sqrt(ss / (double)(n - 1)) / fabs(m) : 0;
}

/* P(U >= u) under H0 for sizes n1, n2, from the exact null distribution:
 * c(u; m, n) = c(u - n; m - 1, n) + c(u; m, n - 1), counted in doubles
 * (exact well beyond the sizes this is used for), kept one m-layer at a time. */
static double exact_sf(double u, size_t n1, size_t n2)
{
    if (n2 > n1) { /* the distribution is symmetric in the sizes; this order keeps the table small */
        size_t t = n1;
        n1 = n2;
        n2 = t;
    }
    size_t umax = n1 * n2, width = umax + 1;
    double *prev = calloc((n2 + 1) * width, sizeof *prev), *cur = calloc((n2 + 1) * width, sizeof *cur);
    if (prev == NULL || cur == NULL) {
        free(prev);
        free(cur);
        return NAN;
    }
    /* m = 0: one arrangement with U = 0 for every n. */
    for (size_t n = 0; n <= n2; n++) prev[n * width] = 1;
    for (size_t m = 1; m <= n1; m++) {
        memset(cur, 0, (n2 + 1) * width * sizeof *cur);
        cur[0] = 1; /* n = 0 */
        for (size_t n = 1; n <= n2; n++)
            for (size_t k = 0; k <= m * n; k++)
                cur[n * width + k] = (k >= n ? prev[n * width + k - n] : 0) + cur[(n - 1) * width + k];
        double *t = prev;
        prev = cur;
        cur = t;
    }
    double total = 0, tail = 0;
    for (size_t k = 0; k <= umax; k++) {
        double c = prev[n2 * width + k];
        total += c;
        if ((double)k >= u - 1e-9) tail += c;
    }
    free(prev);
    free(cur);
    return tail / total;
}

double stats_mwu_exact_p(double u_max, size_t n1, size_t n2)
{
    double p = 2 * exact_sf(u_max, n1, n2);
    return p > 1 ? 1 : p;
}

typedef struct ranked {
    double value;
    int group;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    return cmp_double(&((const ranked *)a)->value, &((const ranked *)b)->value);
}

int stats_mann_whitney(const double *x, size_t n1, const double *y, size_t n2, mwu_result *out)
{
    if (n1 == 0 || n2 == 0) return -1;
    /* NaN has no rank: qsort's order, and so the statistic, would be arbitrary. */
    for (size_t i = 0; i < n1; i++)
        if (isnan(x[i])) return -1;
    for (size_t i = 0; i < n2; i++)
        if (isnan(y[i])) return -1;
    size_t n = n1 + n2;
    ranked *all = malloc(n * sizeof *all);
    if (all == NULL) return -1;
    for (size_t i = 0; i < n1; i++) all[i] = (ranked){x[i], 0};
    for (size_t i = 0; i < n2; i++) all[n1 + i] = (ranked){y[i], 1};
    qsort(all, n, sizeof *all, cmp_ranked);
    /* Average ranks over ties; tie_term accumulates sum(t^3 - t) for the variance. */
    double r1 = 0, tie_term = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && all[j + 1].value == all[i].value) j++;
        double t = (double)(j - i + 1), rank = ((double)i + (double)j) / 2 + 1;
        for (size_t k = i; k <= j; k++)
            if (all[k].group == 0) r1 += rank;
        tie_term += t * t * t - t;
        i = j + 1;
    }
    free(all);
    double dn1 = (double)n1, dn2 = (double)n2;
    out->u1 = r1 - dn1 * (dn1 + 1) / 2;
    out->u2 = dn1 * dn2 - out->u1;
    out->ties = tie_term > 0;
    double u = out->u1 > out->u2 ? out->u1 : out->u2;
    /* The exact table costs ~(n1 n2)^2 steps: past STATS_EXACT_MAX_CELLS (e.g.
     * 8 against 10^6 values, which a document can hold) the normal
     * approximation is as good and finishes. */
    out->exact = (n1 <= 8 || n2 <= 8) && !out->ties && n1 * n2 <= STATS_EXACT_MAX_CELLS;
    if (out->exact) {
        out->p = stats_mwu_exact_p(u, n1, n2);
        return 0;
    }
    out->p = stats_mwu_asymptotic_p(u, n1, n2, tie_term);
    return 0;
}

double stats_mwu_asymptotic_p(double u_max, size_t n1, size_t n2, double tie_term)
{
    double dn1 = (double)n1, dn2 = (double)n2, dn = dn1 + dn2;
    double mu = dn1 * dn2 / 2;
    double s = sqrt(dn1 * dn2 / 12 * ((dn + 1) - tie_term / (dn * (dn - 1))));
    if (s == 0) return 1;              /* every value equal: no evidence of any difference */
    double z = (u_max - mu - 0.5) / s; /* continuity correction, as scipy */
    double p = erfc(z / sqrt(2.0));    /* 2 * normal survival at z */
    return p > 1 ? 1 : p;
}
