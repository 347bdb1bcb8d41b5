/* `slotkit report`: the tuning report of one host. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fingerprint.h"
#include "gate.h"
#include "report.h"
#include "results.h"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: slotkit report [--host ID] [--out DIR] [--results DIR] [--cross-threshold PCT]\n\n"
            "Writes the tuning report of one host from its stored results: DIR/report.html (self-\n"
            "contained, figures inline as SVG) and DIR/report.md (figures in DIR/figures/). It shows\n"
            "the machine, the physical limits, per backend latency by placement and throughput by\n"
            "payload and reader count (the limit drawn on each plot), the conformance verdicts, and\n"
            "recommendations that cite the figure or table they come from. Needs gnuplot.\n\n"
            "  --host ID              the host (default: this machine, %s)\n"
            "  --out DIR              output directory (default results/<host-id>/report)\n"
            "  --results DIR          the store (default $SLOTKIT_RESULTS_DIR or ./results)\n"
            "  --cross-threshold PCT  cross-node/CCX latency increase worth a warning (default 30%%)\n"
            "  --cv-threshold PCT     run-to-run variation worth governor advice (default 5%%)\n",
            fingerprint_host_id());
}

int cmd_report(int argc, char **argv)
{
    static const struct option options[] = {{"host", required_argument, NULL, 'H'},
                                            {"out", required_argument, NULL, 'o'},
                                            {"results", required_argument, NULL, 'R'},
                                            {"cross-threshold", required_argument, NULL, 'c'},
                                            {"cv-threshold", required_argument, NULL, 'v'},
                                            {"help", no_argument, NULL, 'h'},
                                            {0, 0, 0, 0}};
    report_options o = {.cross_threshold = 0.30, .cv_threshold = 0.05};
    for (int opt; (opt = getopt_long(argc, argv, "h", options, NULL)) != -1;) {
        switch (opt) {
        case 'H': o.host = optarg; break;
        case 'o': o.out_dir = optarg; break;
        case 'R': o.root = optarg; break;
        case 'c':
            if ((o.cross_threshold = gate_parse_percent(optarg)) < 0)
                return cli_fail("report: --cross-threshold '%s' is not a percentage", optarg);
            break;
        case 'v':
            if ((o.cv_threshold = gate_parse_percent(optarg)) < 0)
                return cli_fail("report: --cv-threshold '%s' is not a percentage", optarg);
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) return cli_fail("report: unexpected argument '%s' (see --help)", argv[optind]);
    /* The host id names a directory (the default --out), so it must be one path component. */
    if (o.host && !results_plain_name(o.host))
        return cli_fail("report: --host wants a host id ([A-Za-z0-9._-], 1 to %d characters, not . or ..)",
                        RESULTS_MAX_NAME);
    char why[PATH_MAX + 128];
    if (results_check_store(o.root, why, sizeof why) != 0) return cli_fail("report: %s", why);
    char out_dir[PATH_MAX];
    if (o.out_dir == NULL) {
        snprintf(out_dir, sizeof out_dir, "%s/%s/report", results_root(o.root),
                 o.host ? o.host : fingerprint_host_id());
        o.out_dir = out_dir;
    }
    char html[PATH_MAX + 16], err[1024];
    int figures = report_write(&o, html, sizeof html, err, sizeof err);
    if (figures < 0) return cli_fail("report: %s", err);
    printf("%s\n", html);
    fprintf(stderr, "slotkit: report: %d figure(s); Markdown twin beside it (report.md)\n", figures);
    return 0;
}
