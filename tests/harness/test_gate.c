/* The regression gate on synthetic result sets. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../../harness/gate.h"
#include "helpers.h"

static int gate(json_object *old_doc, json_object *new_doc, gate_options *o, gate_report *r)
{
    char err[2048];
    int rc = gate_compare(old_doc, new_doc, o, r, err, sizeof err);
    cr_assert_eq(rc, 0, "gate_compare refused: %s", err);
    return gate_status(r, o);
}

Test(gate, unchanged_run_passes)
{
    json_object *a = test_doc(), *b = test_doc();
    test_add_set(a, "latency/inmem/same_l3", "real_time", 10, 250, 0.01, 1);
    test_add_set(b, "latency/inmem/same_l3", "real_time", 10, 250, 0.01, 2);
    test_add_set(a, "ops/inmem/copy_64", "real_time", 12, 40, 0.02, 3);
    test_add_set(b, "ops/inmem/copy_64", "real_time", 12, 40, 0.02, 4);
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    cr_assert_eq(gate(a, b, &o, &r), 0);
    cr_assert_eq(r.regressed, 0);
    cr_assert_eq(r.unchanged, 2);
    gate_report_free(&r);
    json_object_put(a);
    json_object_put(b);
}

Test(gate, twenty_percent_slowdown_with_low_noise_fails)
{
    json_object *a = test_doc(), *b = test_doc();
    test_add_set(a, "latency/inmem/same_l3", "real_time", 10, 250, 0.01, 1);
    test_add_set(b, "latency/inmem/same_l3", "real_time", 10, 300, 0.01, 2);
    test_add_set(a, "ops/inmem/copy_64", "real_time", 10, 40, 0.01, 3);
    test_add_set(b, "ops/inmem/copy_64", "real_time", 10, 40, 0.01, 4);
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    cr_assert_eq(gate(a, b, &o, &r), 1);
    cr_assert_eq(r.regressed, 1);
    cr_assert_str_eq(r.rows[0].name, "latency/inmem/same_l3");
    cr_assert_eq(r.rows[0].verdict, GATE_REGRESSED);
    cr_assert(r.rows[0].p < 0.001, "p = %g", r.rows[0].p);
    cr_assert(fabs(r.rows[0].change - 0.2) < 0.02, "change = %g", r.rows[0].change);
    cr_assert_eq(r.rows[1].verdict, GATE_UNCHANGED);
    gate_report_free(&r);

    /* The same slowdown is forgiven by a per-benchmark noise floor above it. */
    char err[256];
    cr_assert_eq(gate_add_noise_rule(&o, "^latency/=25%", err, sizeof err), 0, "%s", err);
    cr_assert_eq(gate(a, b, &o, &r), 0);
    cr_assert_eq(r.rows[0].verdict, GATE_UNCHANGED);
    cr_assert(fabs(r.rows[0].floor - 0.25) < 1e-12);
    gate_report_free(&r);
    gate_options_free(&o);
    json_object_put(a);
    json_object_put(b);
}

Test(gate, speedup_is_an_improvement_not_a_failure)
{
    json_object *a = test_doc(), *b = test_doc();
    test_add_set(a, "latency/x", "real_time", 10, 300, 0.01, 5);
    test_add_set(b, "latency/x", "real_time", 10, 200, 0.01, 6);
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    cr_assert_eq(gate(a, b, &o, &r), 0);
    cr_assert_eq(r.improved, 1);
    gate_report_free(&r);
    json_object_put(a);
    json_object_put(b);
}

/* 25 % run-to-run noise and no real change: whatever the U test says, the
 * median moves less than... or it is not significant. Several seeds. */
Test(gate, noisy_run_without_real_change_passes)
{
    gate_options o;
    gate_options_default(&o);
    o.noise = 0.10; /* a noisy benchmark's floor, as a user would set it */
    for (uint64_t seed = 10; seed < 30; seed += 2) {
        json_object *a = test_doc(), *b = test_doc();
        test_add_set(a, "throughput/noisy", "real_time", 10, 1000, 0.25, seed);
        test_add_set(b, "throughput/noisy", "real_time", 10, 1000, 0.25, seed + 1);
        gate_report r;
        cr_assert_eq(gate(a, b, &o, &r), 0, "seed %llu: change %+.1f%% p %.3f", (unsigned long long)seed,
                     r.rows[0].change * 100, r.rows[0].p);
        gate_report_free(&r);
        json_object_put(a);
        json_object_put(b);
    }
}

Test(gate, too_few_repetitions_are_untested_not_failed)
{
    json_object *a = test_doc(), *b = test_doc();
    test_add_set(a, "latency/x", "real_time", 5, 100, 0.01, 1);
    test_add_set(b, "latency/x", "real_time", 5, 150, 0.01, 2);
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    cr_assert_eq(gate(a, b, &o, &r), 0);
    cr_assert_eq(r.untested, 1);
    cr_assert_eq(r.rows[0].verdict, GATE_UNTESTED);
    gate_report_free(&r);
    json_object_put(a);
    json_object_put(b);
}

Test(gate, instruction_count_increase_fails)
{
    json_object *a = test_doc(), *b = test_doc(), *c = test_doc();
    test_add_set(a, "ops/inmem/round_trip_64", "instructions", 1, 412, 0, 1);
    test_add_set(b, "ops/inmem/round_trip_64", "instructions", 1, 420, 0, 1); /* +1.9 % */
    test_add_set(c, "ops/inmem/round_trip_64", "instructions", 1, 413, 0, 1); /* +0.24 %: within 0.5 % */
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    cr_assert_eq(gate(a, b, &o, &r), 1);
    cr_assert(r.deterministic_only);
    cr_assert_eq(r.rows[0].verdict, GATE_REGRESSED);
    cr_assert(isnan(r.rows[0].p), "no statistics for deterministic counts");
    gate_report_free(&r);
    cr_assert_eq(gate(a, c, &o, &r), 0);
    cr_assert_eq(r.rows[0].verdict, GATE_UNCHANGED);
    gate_report_free(&r);
    o.instr_tolerance = 0;
    cr_assert_eq(gate(a, c, &o, &r), 1, "zero tolerance: any increase fails");
    gate_report_free(&r);
    json_object_put(a);
    json_object_put(b);
    json_object_put(c);
}

Test(gate, different_fingerprints_are_refused_unless_forced)
{
    json_object *a = test_doc(), *b = test_doc();
    test_add_set(a, "latency/x", "real_time", 10, 100, 0.01, 1);
    test_add_set(b, "latency/x", "real_time", 10, 100, 0.01, 2);
    json_object_object_add(results_get(b, "host.fingerprint_fields"), "cpu.model",
                           json_object_new_string("AMD EPYC 9654 96-Core Processor"));
    json_object_object_add(results_get(b, "host"), "fingerprint", json_object_new_string("0123456789abcdef"));
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    char err[2048];
    cr_assert_eq(gate_compare(a, b, &o, &r, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "refusing to compare runs from different host fingerprints"), "%s", err);
    cr_assert_not_null(strstr(err, "cpu.model"), "the message names the field: %s", err);
    cr_assert_not_null(strstr(err, "--force"), "%s", err);
    gate_report_free(&r);
    o.force = true;
    cr_assert_eq(gate_compare(a, b, &o, &r, err, sizeof err), 0);
    gate_report_free(&r);
    json_object_put(a);
    json_object_put(b);
}

/* Instruction counts need the same toolchain, not the same machine. */
Test(gate, instruction_counts_compare_across_hosts_but_not_compilers)
{
    json_object *a = test_doc(), *b = test_doc();
    test_add_set(a, "ops/x", "instructions", 1, 400, 0, 1);
    test_add_set(b, "ops/x", "instructions", 1, 400, 0, 1);
    json_object_object_add(results_get(b, "host.fingerprint_fields"), "cpu.model", json_object_new_string("other"));
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    char err[2048];
    cr_assert_eq(gate_compare(a, b, &o, &r, err, sizeof err), 0, "%s", err);
    gate_report_free(&r);
    json_object_object_add(results_get(b, "build"), "cflags", json_object_new_string("-O0"));
    cr_assert_eq(gate_compare(a, b, &o, &r, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "toolchains"), "%s", err);
    cr_assert_not_null(strstr(err, "build.cflags"), "%s", err);
    gate_report_free(&r);
    json_object_put(a);
    json_object_put(b);
}

Test(gate, missing_benchmark_fails_only_with_require_all)
{
    json_object *a = test_doc(), *b = test_doc();
    test_add_set(a, "ops/x", "instructions", 1, 400, 0, 1);
    test_add_set(a, "ops/y", "instructions", 1, 400, 0, 1);
    test_add_set(b, "ops/x", "instructions", 1, 400, 0, 1);
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    cr_assert_eq(gate(a, b, &o, &r), 0);
    cr_assert_eq(r.missing, 1);
    gate_report_free(&r);
    o.require_all = true;
    cr_assert_eq(gate(a, b, &o, &r), 1);
    gate_report_free(&r);
    json_object_put(a);
    json_object_put(b);
}

/* NaN compares false both ways (an all-NaN run read "unchanged"), infinity
 * has no relative change, a negative time read as a speedup: each is an
 * error that names the benchmark, never a verdict. */
Test(gate, figures_it_cannot_judge_are_errors)
{
    const double bad[] = {NAN, INFINITY, -250};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_object *a = test_doc(), *b = test_doc();
        test_add_set(a, "latency/x", "real_time", 10, 250, 0.01, 1);
        test_add_set(b, "latency/x", "real_time", 10, 250, 0.01, 2);
        json_object *values = results_get(json_object_array_get_idx(results_get(b, "samples"), 0), "values");
        for (size_t k = 0; k < json_object_array_length(values); k++)
            json_object_array_put_idx(values, k, json_object_new_double(bad[i]));
        if (isnan(bad[i]))
            json_object_object_add(json_object_array_get_idx(results_get(a, "samples"), 0), "values",
                                   json_object_get(values)); /* all-NaN on both sides */
        gate_options o;
        gate_options_default(&o);
        gate_report r;
        char err[2048] = "";
        cr_assert_eq(gate_compare(a, b, &o, &r, err, sizeof err), -1, "value %g was judged", bad[i]);
        cr_assert_not_null(strstr(err, "benchmark 'latency/x' (real_time): values[0]"), "%s", err);
        cr_assert_not_null(strstr(err, "figures must be finite and >= 0"), "%s", err);
        json_object_put(a);
        json_object_put(b);
    }
}

Test(gate, percent_parsing)
{
    cr_assert(fabs(gate_parse_percent("5%") - 0.05) < 1e-12);
    cr_assert(fabs(gate_parse_percent("0.5") - 0.005) < 1e-12);
    cr_assert(fabs(gate_parse_percent("0") - 0) < 1e-12);
    cr_assert_lt(gate_parse_percent("five"), 0);
    cr_assert_lt(gate_parse_percent("-1%"), 0);
    /* strtod takes all of these; none is a percentage (a NaN floor passed a 3x regression). */
    static const char *const refused[] = {"nan", "NaN%", "inf", "1e2", "0x10",  " 5",
                                          "",    ".",    "%",   "5%%", "1.2.3", "1000"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        cr_assert(gate_parse_percent(refused[i]) < 0, "'%s' parsed as %g", refused[i], gate_parse_percent(refused[i]));
    gate_options o;
    gate_options_default(&o);
    char err[256];
    cr_assert_eq(gate_add_noise_rule(&o, "nonsense", err, sizeof err), -1);
    cr_assert_eq(gate_add_noise_rule(&o, "([=5%", err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "bad regular expression"), "%s", err);
    cr_assert_eq(gate_add_noise_rule(&o, ".*=nan", err, sizeof err), -1);
    char long_rule[300];
    memset(long_rule, 'a', 200);
    snprintf(long_rule + 200, sizeof long_rule - 200, "=5%%");
    cr_assert_eq(gate_add_noise_rule(&o, long_rule, err, sizeof err), -1, "a 200-character regex is not cut to 127");
    cr_assert_eq(o.rule_count, 0);
    gate_options_free(&o);
}
