/* Order statistics and Mann-Whitney U against known values. */
#include <criterion/criterion.h>
#include <math.h>

#include "../../harness/stats.h"

#define NEAR(a, b, eps) cr_assert(fabs((a) - (b)) < (eps), "%s = %.12g, expected %.12g", #a, (double)(a), (double)(b))

Test(stats, median_and_quantiles)
{
    double v[] = {5, 1, 4, 2, 3};
    NEAR(stats_median(v, 5), 3, 1e-12);
    NEAR(stats_quantile(v, 5, 0), 1, 1e-12);
    NEAR(stats_quantile(v, 5, 1), 5, 1e-12);
    NEAR(stats_quantile(v, 5, 0.25), 2, 1e-12);
    double w[] = {4, 1, 3, 2};
    NEAR(stats_median(w, 4), 2.5, 1e-12);
    cr_assert(isnan(stats_median(w, 0)));
}

/* scipy.stats.mannwhitneyu documentation example (males vs females):
 * U1 = 17, exact two-sided p = 0.1111111111111111 (= 14/126),
 * method="asymptotic" p = 0.11134688653314041. */
Test(stats, mann_whitney_scipy_example)
{
    double males[] = {19, 22, 16, 29, 24}, females[] = {20, 11, 17, 12};
    mwu_result r;
    cr_assert_eq(stats_mann_whitney(males, 5, females, 4, &r), 0);
    NEAR(r.u1, 17, 1e-12);
    NEAR(r.u2, 3, 1e-12);
    cr_assert(r.exact, "small samples without ties use the exact distribution, as scipy's 'auto'");
    NEAR(r.p, 0.1111111111111111, 1e-12);
    NEAR(stats_mwu_asymptotic_p(17, 5, 4, 0), 0.11134688653314041, 1e-12);
}

/* Exact tails counted by hand: sizes 3 and 3 have C(6,3) = 20 arrangements;
 * U = 9 (complete separation) occurs once, so two-sided p = 2/20. */
Test(stats, mann_whitney_exact_small)
{
    double a[] = {1, 2, 3}, b[] = {4, 5, 6};
    mwu_result r;
    stats_mann_whitney(a, 3, b, 3, &r);
    NEAR(r.u1, 0, 1e-12);
    NEAR(r.p, 0.1, 1e-12);
    /* U >= 8 for (3,3): counts of U=8 and U=9 are 1 and 1 → 2 * 2/20 */
    NEAR(stats_mwu_exact_p(8, 3, 3), 0.2, 1e-12);
    NEAR(stats_mwu_exact_p(4.5, 3, 3), 1.0, 1e-12);
}

/* Nine repetitions each, complete separation: the normal approximation
 * (what compare.py uses at >= 9 repetitions): mu = 40.5,
 * sigma = sqrt(81 * 19 / 12), z = (81 - 40.5 - 0.5) / sigma,
 * p = erfc(z / sqrt 2) = 0.000412... */
Test(stats, mann_whitney_asymptotic_nine_each)
{
    double a[9], b[9];
    for (int i = 0; i < 9; i++) a[i] = 100 + i, b[i] = 200 + i;
    mwu_result r;
    stats_mann_whitney(a, 9, b, 9, &r);
    cr_assert(!r.exact);
    double z = 40.0 / sqrt(81.0 * 19.0 / 12.0);
    NEAR(r.p, erfc(z / sqrt(2.0)), 1e-15);
    NEAR(r.p, 0.000412, 5e-6);
}

/* Ties: ranks are averaged and the variance shrinks by sum(t^3 - t).
 * x = {1,2,2,3}, y = {2,3,4,5,5,6,7,8,9}: ranks give R1 = 1 + 3 + 3 + 5.5 = 12.5,
 * U1 = 12.5 - 10 = 2.5, U2 = 33.5; ties: three 2s (24), two 3s (6), two 5s (6) → 36. */
Test(stats, mann_whitney_ties)
{
    double x[] = {1, 2, 2, 3}, y[] = {2, 3, 4, 5, 5, 6, 7, 8, 9};
    mwu_result r;
    stats_mann_whitney(x, 4, y, 9, &r);
    cr_assert(r.ties);
    cr_assert(!r.exact, "ties force the normal approximation, as scipy's 'auto'");
    NEAR(r.u1, 2.5, 1e-12);
    NEAR(r.p, stats_mwu_asymptotic_p(33.5, 4, 9, 36), 1e-15);
    double s = sqrt(4.0 * 9 / 12 * (14 - 36.0 / (13 * 12)));
    NEAR(r.p, erfc((33.5 - 18 - 0.5) / s / sqrt(2.0)), 1e-15);
}

Test(stats, identical_samples_are_not_different)
{
    double a[10], b[10];
    for (int i = 0; i < 10; i++) a[i] = b[i] = 42;
    mwu_result r;
    stats_mann_whitney(a, 10, b, 10, &r);
    NEAR(r.p, 1, 1e-12);
    cr_assert_eq(stats_mann_whitney(a, 0, b, 10, &r), -1);
}

/* NaN has no rank (qsort's order, and so U, would be arbitrary): no test. */
Test(stats, nan_samples_are_not_tested)
{
    double a[10], b[10];
    for (int i = 0; i < 10; i++) a[i] = 100 + i, b[i] = 200 + i;
    mwu_result r;
    b[3] = NAN;
    cr_assert_eq(stats_mann_whitney(a, 10, b, 10, &r), -1);
    b[3] = 203;
    a[0] = NAN;
    cr_assert_eq(stats_mann_whitney(a, 10, b, 10, &r), -1);
}

/* A document may hold 8 values against 20000: the exact table would cost
 * ~(n1 n2)^2 steps and gigabytes; past the bound the normal approximation
 * answers at once. Within it, the sizes may come in either order. */
Test(stats, exact_distribution_is_bounded, .timeout = 20)
{
    enum { BIG = 20000 };
    static double big[BIG];
    double small[8];
    for (int i = 0; i < BIG; i++) big[i] = 1000 + i;
    for (int i = 0; i < 8; i++) small[i] = 100 + i;
    mwu_result r;
    cr_assert_eq(stats_mann_whitney(small, 8, big, BIG, &r), 0);
    cr_assert(!r.exact, "8 x %d is past STATS_EXACT_MAX_CELLS", BIG);
    cr_assert(r.p >= 0 && r.p < 1e-3, "complete separation: p = %g", r.p);
    for (double u = 8; u <= 15; u++) NEAR(stats_mwu_exact_p(u, 3, 5), stats_mwu_exact_p(u, 5, 3), 1e-15);
    cr_assert_eq(stats_mann_whitney(small, 8, big, STATS_EXACT_MAX_CELLS / 8, &r), 0);
    cr_assert(r.exact, "at the bound the exact distribution still applies");
}
