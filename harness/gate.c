/* The regression gate (see gate.h). */
#include "gate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "escape.h"
#include "emulation.h"
#include "fingerprint.h"
#include "results.h"
#include "results_invalid.h"
#include "stats.h"

void gate_options_default(gate_options *o)
{
    memset(o, 0, sizeof *o);
    o->alpha = 0.05;
    o->noise = 0.05;
    o->instr_tolerance = 0.005;
    o->min_reps = 9;
    o->metric = "real_time";
}

double gate_parse_percent(const char *text)
{
    /* Digits and a point only: strtod would also take "nan", "inf", hex and
     * leading blanks, and a NaN floor makes every comparison false (a 3x
     * regression "within nan% noise"). */
    size_t digits = strspn(text, "0123456789.");
    if (digits == 0) return -1;
    const char *rest = text + digits;
    if (*rest == '%') rest++;
    if (*rest != '\0') return -1;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end != text + digits || errno || !isfinite(v) || v < 0 || v >= 1000) return -1;
    return v / 100;
}

int gate_add_noise_rule(gate_options *o, const char *spec, char *err, size_t err_size)
{
    const char *eq = strrchr(spec, '=');
    if (eq == NULL || eq == spec) {
        snprintf(err, err_size, "--noise-for wants REGEX=PCT, got '%s'", spec);
        return -1;
    }
    if (o->rule_count == GATE_MAX_NOISE_RULES) {
        snprintf(err, err_size, "at most %d --noise-for rules", GATE_MAX_NOISE_RULES);
        return -1;
    }
    gate_noise_rule *r = &o->rules[o->rule_count];
    if ((size_t)(eq - spec) >= sizeof r->pattern) {
        snprintf(err, err_size, "--noise-for: the regular expression is longer than %zu characters",
                 sizeof r->pattern - 1);
        return -1;
    }
    snprintf(r->pattern, sizeof r->pattern, "%.*s", (int)(eq - spec), spec);
    r->noise = gate_parse_percent(eq + 1);
    if (r->noise < 0) {
        snprintf(err, err_size, "--noise-for '%s': '%s' is not a percentage", spec, eq + 1);
        return -1;
    }
    int rc = regcomp(&r->re, r->pattern, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char why[128];
        regerror(rc, &r->re, why, sizeof why);
        snprintf(err, err_size, "--noise-for '%s': bad regular expression: %s", spec, why);
        return -1;
    }
    o->rule_count++;
    return 0;
}

void gate_options_free(gate_options *o)
{
    for (int i = 0; i < o->rule_count; i++) regfree(&o->rules[i].re);
    o->rule_count = 0;
}

static double noise_for(const gate_options *o, const char *name)
{
    double noise = o->noise;
    for (int i = 0; i < o->rule_count; i++)
        if (regexec(&o->rules[i].re, name, 0, NULL, 0) == 0) noise = o->rules[i].noise;
    return noise;
}

static double *values_of(json_object *set, size_t *n)
{
    json_object *v = results_get(set, "values");
    *n = v ? json_object_array_length(v) : 0;
    double *out = malloc((*n ? *n : 1) * sizeof *out);
    for (size_t i = 0; i < *n; i++) out[i] = json_object_get_double(json_object_array_get_idx(v, i));
    return out;
}

/* A figure the gate can judge is a finite number >= 0: NaN compares false
 * both ways (an all-NaN run reads "unchanged"), infinity has no median
 * change, and a negative time reads as a speedup. Returns 0, or -1 naming
 * the benchmark and the value. */
static int check_figures(json_object *set, const char *side, char *err, size_t err_size)
{
    const char *name = results_get_string(set, "name", "?"), *metric = results_get_string(set, "metric", "?");
    json_object *values = results_get(set, "values");
    size_t n = values && json_object_is_type(values, json_type_array) ? json_object_array_length(values) : 0;
    if (n == 0) {
        snprintf(err, err_size, "benchmark '%s' (%s): the %s run has no values", name, metric, side);
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        json_object *x = json_object_array_get_idx(values, k);
        if (!json_object_is_type(x, json_type_double) && !json_object_is_type(x, json_type_int)) {
            snprintf(err, err_size, "benchmark '%s' (%s): values[%zu] of the %s run is not a number", name, metric, k,
                     side);
            return -1;
        }
        double v = json_object_get_double(x);
        if (!isfinite(v) || v < 0) {
            snprintf(err, err_size,
                     "benchmark '%s' (%s): values[%zu] of the %s run is %g; figures must be finite and >= 0", name,
                     metric, k, side, v);
            return -1;
        }
    }
    return 0;
}

static bool compared_metric(const gate_options *o, const char *metric)
{
    return strcmp(metric, o->metric) == 0 || strcmp(metric, "wall_time") == 0 || strcmp(metric, "instructions") == 0 ||
           (strcmp(metric, "x_limit") == 0 && !o->absolute);
}

static gate_row *add_row(gate_report *r, const char *name, const char *metric)
{
    r->rows = realloc(r->rows, (r->count + 1) * sizeof *r->rows);
    gate_row *row = &r->rows[r->count++];
    memset(row, 0, sizeof *row);
    snprintf(row->name, sizeof row->name, "%s", name);
    snprintf(row->metric, sizeof row->metric, "%s", metric);
    row->p = NAN;
    row->old_median = row->new_median = row->change = NAN;
    return row;
}

static void decide(gate_row *row, json_object *old_set, json_object *new_set, const gate_options *o)
{
    size_t n1, n2;
    double *a, *b;
    char ratio_note[sizeof row->note] = "";
    if (strcmp(row->metric, "x_limit") != 0) {
        a = values_of(old_set, &n1);
        b = values_of(new_set, &n2);
    } else if (gate_ratio_values(old_set, new_set, &a, &n1, &b, &n2, ratio_note, sizeof ratio_note) != 0) {
        row->verdict = GATE_UNTESTED; /* rounds of different placements: their ratios do not compare */
        snprintf(row->note, sizeof row->note, "%s", ratio_note);
        return;
    }
    row->n_old = n1;
    row->n_new = n2;
    row->old_median = stats_median(a, n1);
    row->new_median = stats_median(b, n2);
    bool higher_better = strcmp(results_get_string(new_set, "better", "lower"), "higher") == 0;
    double rel = row->old_median != 0 ? (row->new_median - row->old_median) / fabs(row->old_median) : 0;
    row->change = higher_better ? -rel : rel;
    if (strcmp(row->metric, "instructions") == 0) {
        /* Deterministic: the counts repeat exactly, so the tolerance only absorbs
         * environment-dependent paths (libc, loader); any real increase counts. */
        row->floor = o->instr_tolerance;
        row->verdict = row->change > row->floor    ? GATE_REGRESSED
                       : row->change < -row->floor ? GATE_IMPROVED
                                                   : GATE_UNCHANGED;
        if (row->verdict == GATE_REGRESSED)
            snprintf(row->note, sizeof row->note, "> %.2f%% tolerance", row->floor * 100);
    } else {
        row->floor = noise_for(o, row->name);
        mwu_result u;
        if (n1 < o->min_reps || n2 < o->min_reps) {
            row->verdict = GATE_UNTESTED;
            snprintf(row->note, sizeof row->note, "needs %zu+ repetitions each (has %zu/%zu)", o->min_reps, n1, n2);
        } else if (stats_mann_whitney(a, n1, b, n2, &u) != 0 || isnan(u.p)) {
            row->verdict = GATE_UNTESTED; /* never "unchanged" by default */
            snprintf(row->note, sizeof row->note, "the U test could not be computed");
        } else {
            row->p = u.p;
            if (u.p >= o->alpha) {
                row->verdict = GATE_UNCHANGED;
                if (fabs(row->change) > row->floor) snprintf(row->note, sizeof row->note, "not significant");
            } else if (row->change > row->floor) {
                row->verdict = GATE_REGRESSED;
                snprintf(row->note, sizeof row->note, "p < %g, > %.1f%% noise", o->alpha, row->floor * 100);
            } else if (row->change < -row->floor) {
                row->verdict = GATE_IMPROVED;
            } else {
                row->verdict = GATE_UNCHANGED;
                snprintf(row->note, sizeof row->note, "significant, within %.1f%% noise", row->floor * 100);
            }
        }
    }
    if (row->note[0] == '\0' && ratio_note[0]) snprintf(row->note, sizeof row->note, "%s", ratio_note);
    free(a);
    free(b);
}

/* In the baseline, not among the new run's samples: missing, or a regression
 * when the new run reports the case invalid (samples lost, reordered or torn:
 * results_invalid.h). An invalid case has no figure, so it is never compared. */
static void mark_missing(gate_row *row, json_object *new_doc)
{
    json_object *invalid = results_invalid_find(new_doc, row->name);
    if (invalid == NULL) {
        row->verdict = GATE_MISSING;
        snprintf(row->note, sizeof row->note, "not in the new run");
        return;
    }
    char what[sizeof row->note - 8];
    results_invalid_describe(invalid, what, sizeof what);
    row->verdict = GATE_REGRESSED;
    snprintf(row->note, sizeof row->note, "became %s", what);
}

int gate_compare(json_object *old_doc, json_object *new_doc, const gate_options *o, gate_report *r, char *err,
                 size_t err_size)
{
    memset(r, 0, sizeof *r);
    json_object *old_samples = results_get(old_doc, "samples"), *new_samples = results_get(new_doc, "samples");
    bool any_time = false, any_instr = false;
    double log_sum = 0;
    int log_n = 0;
    for (size_t i = 0; i < json_object_array_length(old_samples); i++) {
        json_object *s = json_object_array_get_idx(old_samples, i);
        const char *name = results_get_string(s, "name", ""), *metric = results_get_string(s, "metric", "");
        if (!compared_metric(o, metric) || gate_ratio_replaces(old_doc, new_doc, name, metric, o)) continue;
        json_object *n = results_find_set(new_doc, name, metric);
        gate_row *row = add_row(r, name, metric);
        if (strcmp(metric, "x_limit") == 0) gate_ratio_beside(new_doc, name, row->beside, sizeof row->beside);
        if (n == NULL) {
            mark_missing(row, new_doc);
            continue;
        }
        if (check_figures(s, "baseline", err, err_size) != 0 || check_figures(n, "new", err, err_size) != 0) {
            gate_report_free(r);
            return -1;
        }
        decide(row, s, n, o);
        if (strcmp(metric, "instructions") == 0)
            any_instr = true;
        else
            any_time = true;
        if (row->old_median > 0 && row->new_median > 0) {
            log_sum += log(row->new_median / row->old_median);
            log_n++;
        }
    }
    for (size_t i = 0; i < json_object_array_length(new_samples); i++) {
        json_object *s = json_object_array_get_idx(new_samples, i);
        const char *name = results_get_string(s, "name", ""), *metric = results_get_string(s, "metric", "");
        if (!compared_metric(o, metric) || results_find_set(old_doc, name, metric) != NULL ||
            gate_ratio_replaces(old_doc, new_doc, name, metric, o))
            continue;
        gate_row *row = add_row(r, name, metric);
        row->verdict = GATE_NEW;
        snprintf(row->note, sizeof row->note, "%s",
                 results_invalid_find(old_doc, name) ? "invalid in the baseline" : "not in the baseline");
    }
    if (!any_time && !any_instr) {
        snprintf(err, err_size, "the two documents have no benchmark in common (metric %s, wall_time, instructions)",
                 o->metric);
        gate_report_free(r);
        return -1;
    }
    r->deterministic_only = !any_time;
    /* Testbeds: wall-clock numbers compare only on the same machine setup;
     * instruction counts only with the same compiler and flags. */
    char why[2048];
    /* Not even --force: an emulated machine's timings are not performance. */
    if (emulation_comparable(old_doc, new_doc, why, sizeof why) != 0) {
        snprintf(err, err_size, "refusing to compare: %s", why);
        gate_report_free(r);
        return -1;
    }
    int diffs = fingerprint_diff(old_doc, new_doc, !any_time, why, sizeof why);
    if (diffs > 0 && !o->force) {
        snprintf(err, err_size, "refusing to compare runs from different %s (%s); use --force to compare anyway",
                 any_time ? "host fingerprints" : "toolchains", why);
        gate_report_free(r);
        return -1;
    }
    for (size_t i = 0; i < r->count; i++) switch (r->rows[i].verdict) {
        case GATE_UNCHANGED: r->unchanged++; break;
        case GATE_IMPROVED: r->improved++; break;
        case GATE_REGRESSED: r->regressed++; break;
        case GATE_UNTESTED: r->untested++; break;
        case GATE_MISSING: r->missing++; break;
        case GATE_NEW: r->added++; break;
        }
    r->geomean_ratio = log_n ? exp(log_sum / log_n) : NAN;
    return 0;
}

static void format_value(double v, const char *metric, char *out, size_t size)
{
    if (isnan(v))
        snprintf(out, size, "-");
    else if (strcmp(metric, "instructions") == 0)
        snprintf(out, size, "%.1f", v);
    else if (strcmp(metric, "x_limit") == 0)
        snprintf(out, size, "%.3fx", v);
    else if (v >= 1e9)
        snprintf(out, size, "%.3f s", v / 1e9);
    else if (v >= 1e6)
        snprintf(out, size, "%.3f ms", v / 1e6);
    else if (v >= 1e3)
        snprintf(out, size, "%.3f us", v / 1e3);
    else
        snprintf(out, size, "%.2f ns", v);
}

void gate_print(const gate_report *r, const gate_options *o, FILE *out)
{
    static const char *const labels[] = {"unchanged", "improved", "REGRESSED", "untested", "missing", "new"};
    fprintf(out, "%-48s %-12s %12s %12s %8s %8s %7s  %s\n", "BENCHMARK", "METRIC", "OLD(median)", "NEW(median)",
            "CHANGE", "P", "N", "VERDICT");
    for (size_t i = 0; i < r->count; i++) {
        const gate_row *row = &r->rows[i];
        char a[32], b[32], change[16], p[16], n[24];
        format_value(row->old_median, row->metric, a, sizeof a);
        format_value(row->new_median, row->metric, b, sizeof b);
        if (isnan(row->change))
            snprintf(change, sizeof change, "-");
        else
            snprintf(change, sizeof change, "%+.2f%%", row->change * 100);
        if (isnan(row->p))
            snprintf(p, sizeof p, "-");
        else
            snprintf(p, sizeof p, "%.4f", row->p);
        snprintf(n, sizeof n, "%zu/%zu", row->n_old, row->n_new);
        char name[sizeof row->name], metric[sizeof row->metric]; /* from the documents */
        fprintf(out, "%-48s %-12s %12s %12s %8s %8s %7s  %s%s%s%s\n", escape_terminal(name, sizeof name, row->name),
                escape_terminal(metric, sizeof metric, row->metric), a, b, change, p, n, labels[row->verdict],
                row->note[0] ? " (" : "", row->note, row->note[0] ? ")" : "");
        char beside[sizeof row->beside];
        if (row->beside[0]) fprintf(out, "%-48s   new: %s\n", "", escape_terminal(beside, sizeof beside, row->beside));
    }
    if (!isnan(r->geomean_ratio))
        fprintf(out, "%-48s %-12s %12s %12s %+7.2f%%\n", "OVERALL_GEOMEAN", "", "", "", (r->geomean_ratio - 1) * 100);
    fprintf(out, "gate: %d regressed, %d improved, %d unchanged, %d untested, %d missing, %d new (%s) -> %s\n",
            r->regressed, r->improved, r->unchanged, r->untested, r->missing, r->added,
            r->deterministic_only ? "instruction counts" : "wall clock", gate_status(r, o) ? "FAIL" : "PASS");
}

int gate_status(const gate_report *r, const gate_options *o)
{
    return r->regressed > 0 || (o->require_all && r->missing > 0) ? 1 : 0;
}

void gate_report_free(gate_report *r)
{
    free(r->rows);
    memset(r, 0, sizeof *r);
}

/* ---- interleaved A/B ----------------------------------------------------- */

static int run_bench(const char *bin, const char *out_dir, const char *store, char **args, char *err, size_t err_size)
{
    int argc = 0;
    while (args && args[argc]) argc++;
    char **argv = calloc((size_t)argc + 5, sizeof *argv);
    argv[0] = (char *)bin;
    argv[1] = "bench";
    argv[2] = "--out";
    argv[3] = (char *)out_dir;
    for (int i = 0; i < argc; i++) argv[4 + i] = args[i];
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        /* The runs are this gate's raw material, not results to keep. */
        setenv("SLOTKIT_RESULTS_DIR", store, 1);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 1);
        execv(bin, argv);
        fprintf(stderr, "slotkit: gate: cannot run %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    free(argv);
    int status = 0;
    while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    if (child < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, err_size, "%s bench --out %s failed (status 0x%x)", bin, out_dir, status);
        return -1;
    }
    return 0;
}

/* Adds one value per sample set of run (its median) to acc's sets. */
static void accumulate(json_object *acc, json_object *run)
{
    json_object *acc_samples = results_get(acc, "samples"), *samples = results_get(run, "samples");
    for (size_t i = 0; i < json_object_array_length(samples); i++) {
        json_object *s = json_object_array_get_idx(samples, i);
        size_t n;
        double *v = values_of(s, &n);
        double m = stats_median(v, n);
        free(v);
        json_object *target =
            results_find_set(acc, results_get_string(s, "name", ""), results_get_string(s, "metric", ""));
        if (target == NULL) {
            target = json_object_new_object();
            json_object_object_foreach(s, k, val)
            { /* one median per run: a run's rounds and their classes are not kept */
                if (strcmp(k, "values") != 0 && strcmp(k, "placement_classes") != 0)
                    json_object_object_add(target, k, json_object_get(val));
            }
            json_object_object_add(target, "values", json_object_new_array());
            json_object_array_add(acc_samples, target);
        }
        json_object_array_add(results_get(target, "values"), json_object_new_double(m));
    }
}

int gate_run_ab(const char *a_bin, const char *b_bin, int rounds, char **bench_args, json_object **doc_a,
                json_object **doc_b, char *err, size_t err_size)
{
    char tmp[] = "/tmp/slotkit-ab-XXXXXX";
    if (mkdtemp(tmp) == NULL) {
        snprintf(err, err_size, "cannot create a temporary directory: %s", strerror(errno));
        return -1;
    }
    *doc_a = results_new("bench", NULL, "ab");
    *doc_b = results_new("bench", NULL, "ab");
    const char *bins[2] = {a_bin, b_bin};
    json_object *docs[2] = {*doc_a, *doc_b};
    int rc = 0;
    for (int round = 0; round < rounds && rc == 0; round++)
        for (int k = 0; k < 2 && rc == 0; k++) {
            int which = (round % 2 == 0) ? k : 1 - k; /* AB BA AB ... */
            char dir[PATH_MAX], store[PATH_MAX];
            snprintf(dir, sizeof dir, "%s/%c%d", tmp, "AB"[which], round);
            snprintf(store, sizeof store, "%s/store", tmp);
            fprintf(stderr, "gate: round %d/%d: %c (%s)\n", round + 1, rounds, "AB"[which], bins[which]);
            if (run_bench(bins[which], dir, store, bench_args, err, err_size) != 0) {
                rc = -1;
                break;
            }
            json_object *run = results_bench_doc(dir, NULL, NULL, err, err_size);
            if (run == NULL) {
                rc = -1;
                break;
            }
            accumulate(docs[which], run);
            json_object_put(run);
        }
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) fprintf(stderr, "slotkit: gate: could not remove %s\n", tmp);
    if (rc != 0) {
        json_object_put(*doc_a);
        json_object_put(*doc_b);
        *doc_a = *doc_b = NULL;
    }
    return rc;
}
