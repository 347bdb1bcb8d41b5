/* `slotkit gate`: compare a new results document with a baseline. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "escape.h"
#include "gate.h"
#include "results.h"

#define GATE_MAX_ROUNDS 1000

static void usage(FILE *to)
{
    fprintf(to, "usage: slotkit gate --baseline OLD.json NEW.json [options]\n"
                "       slotkit gate --auto NEW.json [options]\n"
                "       slotkit gate --ab A_SLOTKIT B_SLOTKIT [--rounds N] [options] [-- BENCH-ARGS...]\n\n"
                "Decides per benchmark: improved, unchanged or REGRESSED; exits 1 on any regression.\n"
                "Wall-clock samples (Google Benchmark repetitions, hyperfine runs) regress only when\n"
                "the two-sided Mann-Whitney U test is significant (p < alpha, as compare.py; needs\n"
                "--min-reps repetitions on each side) AND the median changes beyond the noise floor.\n"
                "Instruction counts (callgrind) are deterministic: any increase beyond --tolerance\n"
                "regresses. Documents from different host fingerprints (wall clock) or different\n"
                "compilers/flags (instruction counts) are refused unless --force.\n\n"
                "  --baseline FILE     the document to compare against\n"
                "  --auto              baseline: the newest earlier document in the store with the\n"
                "                      same host fingerprint, kind and backend\n"
                "  --ab A B            interleaved A/B: runs 'A bench --out DIR BENCH-ARGS' and the same\n"
                "                      with B, alternating ABBA, one sample per round and benchmark\n"
                "  --rounds N          A/B rounds (default 10, at most 1000)\n"
                "  --alpha P           significance level (default 0.05)\n"
                "  --noise PCT         noise floor for wall-clock medians (default 5%%)\n"
                "  --noise-for RE=PCT  noise floor for benchmarks matching the extended regex RE\n"
                "                      (repeatable; the last match wins)\n"
                "  --tolerance PCT     instruction-count tolerance (default 0.5%%)\n"
                "  --min-reps N        repetitions needed on each side (default 9, 2 to 100000)\n"
                "  --metric M          Google Benchmark metric: real_time (default) or cpu_time\n"
                "  --require-all       a benchmark missing from the new run fails the gate\n"
                "  --absolute          compare absolute times where the runs also have ratios to the\n"
                "                      limit (default: the ratio, x_limit, of rounds of one placement class)\n"
                "  --force             compare documents from different fingerprints anyway\n"
                "  --results DIR       the store (default $SLOTKIT_RESULTS_DIR or ./results)\n\n"
                "Documents are read only from regular files of at most 64 MiB; a NaN, infinite or\n"
                "negative figure is an error (docs/results-schema.md, \"Input limits\").\n\n"
                "Exit status: 0 no regression, 1 regression, 2 usage or setup error (incl. refusal).\n");
}

/* The options that tune the comparison: each checked in full (range, no NaN,
 * no wrap-around). Returns 0, or 2 after saying why. */
static int set_option(int opt, const char *arg, gate_options *o, int *rounds)
{
    long number;
    char err[512];
    switch (opt) {
    case 'r':
        if (cli_parse_long(arg, 1, GATE_MAX_ROUNDS, &number) != 0)
            return cli_fail("gate: --rounds wants a number from 1 to %d, got '%s'", GATE_MAX_ROUNDS, arg);
        *rounds = (int)number;
        return 0;
    case 'a':
        if (cli_parse_double(arg, 0, 1, &o->alpha) != 0 || o->alpha <= 0 || o->alpha >= 1)
            return cli_fail("gate: --alpha wants 0 < P < 1, got '%s'", arg);
        return 0;
    case 'n':
        if ((o->noise = gate_parse_percent(arg)) < 0)
            return cli_fail("gate: --noise wants a percentage from 0 to 999, got '%s'", arg);
        return 0;
    case 'N': return gate_add_noise_rule(o, arg, err, sizeof err) != 0 ? cli_fail("gate: %s", err) : 0;
    case 't':
        if ((o->instr_tolerance = gate_parse_percent(arg)) < 0)
            return cli_fail("gate: --tolerance wants a percentage from 0 to 999, got '%s'", arg);
        return 0;
    case 'm':
        if (cli_parse_long(arg, 2, RESULTS_MAX_VALUES, &number) != 0)
            return cli_fail("gate: --min-reps wants a number from 2 to %d, got '%s'", RESULTS_MAX_VALUES, arg);
        o->min_reps = (size_t)number;
        return 0;
    case 'M':
        if (strcmp(arg, "real_time") != 0 && strcmp(arg, "cpu_time") != 0)
            return cli_fail("gate: --metric wants real_time or cpu_time, got '%s'", arg);
        o->metric = arg;
        return 0;
    case 'q': o->require_all = true; return 0;
    case 'X': o->absolute = true; return 0;
    case 'f': o->force = true; return 0;
    default: return 2;
    }
}

/* "gate: baseline PATH (commit C, TIME)": the commit and time are the document's, escaped for the terminal. */
static void print_document(const char *role, const char *path, json_object *doc)
{
    char shown_path[PATH_MAX], commit[13], created[64];
    escape_terminal(commit, sizeof commit, results_get_string(doc, "build.git_commit", "?"));
    escape_terminal(created, sizeof created, results_get_string(doc, "created_utc", "?"));
    printf("gate: %s %s (commit %s, %s)\n", role, escape_terminal(shown_path, sizeof shown_path, path), commit,
           created);
}

/* The two documents to compare and the names they are shown by. */
typedef struct gate_inputs {
    json_object *old_doc, *new_doc;
    char old_path[PATH_MAX], new_path[PATH_MAX];
} gate_inputs;

/* --ab A B [-- BENCH-ARGS]: both documents come from interleaved runs. Returns 0, or 2 after saying why. */
static int ab_documents(const char *ab_a, int rounds, int argc, char **argv, gate_options *o, gate_inputs *in)
{
    char err[4096];
    if (optind >= argc) return cli_fail("gate: --ab wants two slotkit executables: --ab A B");
    const char *ab_b = argv[optind++];
    /* getopt stops at "--"; what follows it is passed to each bench run. */
    if (gate_run_ab(ab_a, ab_b, rounds, argv + optind, &in->old_doc, &in->new_doc, err, sizeof err) != 0)
        return cli_fail("gate: %s", err);
    o->force = true; /* one job on one machine: the same testbed by construction */
    snprintf(in->old_path, sizeof in->old_path, "A=%s", ab_a);
    snprintf(in->new_path, sizeof in->new_path, "B=%s", ab_b);
    return 0;
}

/* NEW.json with --baseline OLD.json, or with the newest earlier document in the store (--auto). */
static int file_documents(const char *baseline, const char *root, int argc, char **argv, gate_inputs *in)
{
    char err[4096];
    if (optind + 1 != argc)
        return cli_fail(optind >= argc ? "gate: which new document? (see --help)"
                                       : "gate: unexpected argument '%s' (see --help)",
                        argv[optind + 1 < argc ? optind + 1 : optind]);
    snprintf(in->new_path, sizeof in->new_path, "%s", argv[optind]);
    if ((in->new_doc = results_load(in->new_path, err, sizeof err)) == NULL) return cli_fail("gate: %s", err);
    if (baseline) {
        snprintf(in->old_path, sizeof in->old_path, "%s", baseline);
        if ((in->old_doc = results_load(in->old_path, err, sizeof err)) == NULL) return cli_fail("gate: %s", err);
        return 0;
    }
    in->old_doc = results_find_baseline(root, in->new_doc, in->new_path, in->old_path, sizeof in->old_path);
    if (in->old_doc == NULL)
        return cli_fail("gate: no earlier %s document for backend '%s' with host fingerprint %s under %s/",
                        results_get_string(in->new_doc, "kind", "?"),
                        results_get_string(in->new_doc, "backend.name", "?"),
                        results_get_string(in->new_doc, "host.fingerprint", "?"), results_root(root));
    return 0;
}

/* Compares, prints the table and returns the exit status. */
static int compare_and_print(const gate_inputs *in, const gate_options *o)
{
    char err[4096];
    print_document("baseline", in->old_path, in->old_doc);
    print_document("new     ", in->new_path, in->new_doc);
    gate_report report;
    if (gate_compare(in->old_doc, in->new_doc, o, &report, err, sizeof err) != 0) return cli_fail("gate: %s", err);
    gate_print(&report, o, stdout);
    if (report.untested > 0)
        fprintf(stderr, "slotkit: gate: warning: %d benchmark(s) have fewer than %zu repetitions; results unreliable\n",
                report.untested, o->min_reps);
    int status = gate_status(&report, o);
    gate_report_free(&report);
    return status;
}

int cmd_gate(int argc, char **argv)
{
    static const struct option options[] = {{"baseline", required_argument, NULL, 'b'},
                                            {"auto", no_argument, NULL, 'A'},
                                            {"ab", required_argument, NULL, 'x'},
                                            {"rounds", required_argument, NULL, 'r'},
                                            {"alpha", required_argument, NULL, 'a'},
                                            {"noise", required_argument, NULL, 'n'},
                                            {"noise-for", required_argument, NULL, 'N'},
                                            {"tolerance", required_argument, NULL, 't'},
                                            {"min-reps", required_argument, NULL, 'm'},
                                            {"metric", required_argument, NULL, 'M'},
                                            {"require-all", no_argument, NULL, 'q'},
                                            {"absolute", no_argument, NULL, 'X'},
                                            {"force", no_argument, NULL, 'f'},
                                            {"results", required_argument, NULL, 'R'},
                                            {"help", no_argument, NULL, 'h'},
                                            {0, 0, 0, 0}};
    gate_options o;
    gate_options_default(&o);
    const char *baseline = NULL, *ab_a = NULL, *root = NULL;
    bool auto_baseline = false;
    int rounds = 10, status = 2;
    for (int opt; (opt = getopt_long(argc, argv, "b:h", options, NULL)) != -1;) {
        switch (opt) {
        case 'b': baseline = optarg; break;
        case 'A': auto_baseline = true; break;
        case 'x': ab_a = optarg; break;
        case 'R': root = optarg; break;
        case 'h':
            usage(stdout);
            gate_options_free(&o);
            return 0;
        case '?':
            usage(stderr);
            gate_options_free(&o);
            return 2;
        default:
            if (set_option(opt, optarg, &o, &rounds) != 0) {
                gate_options_free(&o);
                return 2;
            }
        }
    }
    gate_inputs in = {0};
    if ((baseline != NULL) + auto_baseline + (ab_a != NULL) != 1)
        cli_fail("gate: give exactly one of --baseline FILE, --auto or --ab A B (see --help)");
    else if ((ab_a ? ab_documents(ab_a, rounds, argc, argv, &o, &in)
                   : file_documents(baseline, root, argc, argv, &in)) == 0)
        status = compare_and_print(&in, &o);
    json_object_put(in.old_doc);
    json_object_put(in.new_doc);
    gate_options_free(&o);
    return status;
}
