/* The tuning report: from the stored results of one host, an HTML page
 * (self-contained: figures are inline SVG drawn by gnuplot) and a Markdown
 * twin (figures as SVG files beside it). Sections: the machine, the physical
 * limits, per backend latency by placement and throughput by payload and
 * reader count (the limit drawn on every plot), the conformance verdicts,
 * and recommendations derived from the data, each citing its figure or
 * table; missing data is reported as missing, never filled in. */
#ifndef SLOTKIT_HARNESS_REPORT_H
#define SLOTKIT_HARNESS_REPORT_H

#include <stddef.h>

typedef struct report_options {
    const char *root;       /* results store (NULL: results_root default) */
    const char *host;       /* host id (NULL: this machine's) */
    const char *out_dir;    /* where report.html, report.md, figures/ go */
    double cross_threshold; /* cross-node/CCX latency increase worth a warning (0.3 = 30 %) */
    double cv_threshold;    /* run-to-run variation worth governor advice (0.05 = 5 %) */
} report_options;

/* Writes the report. Returns the number of figures (>= 0) and the HTML path,
 * or -1 with a one-line reason in err. */
int report_write(const report_options *o, char *html_path, size_t path_size, char *err, size_t err_size);

#endif
