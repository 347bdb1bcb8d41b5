/* The report's figures: gnuplot draws each numbered figure of the model
 * into an SVG (kept in the model for the HTML page, and written to
 * figures/figure-N.svg for the Markdown twin). Nothing from a document is
 * interpolated into a script: document strings reach gnuplot in data files
 * (escape_gnuplot_datum), the title goes through the escape_gnuplot_label
 * whitelist, and gnuplot writes into a private temporary directory (the
 * output directory is the user's and may hold any character). */
#include "report_figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

typedef struct drawing {
    char out_dir[PATH_MAX], tmp[64];
    int failed;
} drawing;

/* The whole file at path, NUL-terminated (NULL if unreadable); *size its length. */
static char *read_whole(const char *path, size_t *size)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = len < 0 ? NULL : malloc((size_t)len + 1);
    *size = text ? fread(text, 1, (size_t)len, f) : 0;
    if (text) text[*size] = '\0';
    fclose(f);
    return text;
}

/* Runs gnuplot on `script` (terminal and output prepended); the SVG goes
 * into f->svg and figures/figure-N.svg, or f->status says why not. */
static void draw(drawing *d, report_figure *f, const char *script)
{
    int n = f->number;
    char svg_path[PATH_MAX + 32], tmp_svg[128], gp_path[128], cmd[512], label[256];
    snprintf(svg_path, sizeof svg_path, "%s/figures/figure-%d.svg", d->out_dir, n);
    snprintf(tmp_svg, sizeof tmp_svg, "%s/figure-%d.svg", d->tmp, n);
    snprintf(gp_path, sizeof gp_path, "%s/figure-%d.gp", d->tmp, n);
    FILE *gp = fopen(gp_path, "w");
    f->status = -1;
    if (gp != NULL) {
        fprintf(gp,
                "set terminal svg size 860,420 dynamic noenhanced font 'sans,11' background '#ffffff'\n"
                "set output '%s'\nset title 'Figure %d. %s' noenhanced\nset grid\nset key noenhanced\n%s\n",
                tmp_svg, n, escape_gnuplot_label(label, sizeof label, f->title), script);
        fclose(gp);
        snprintf(cmd, sizeof cmd, "gnuplot '%s' 2>'%s.err'", gp_path, gp_path);
        f->status = system(cmd);
    }
    size_t size = 0;
    char *svg = f->status == 0 ? read_whole(tmp_svg, &size) : NULL;
    FILE *copy = svg ? fopen(svg_path, "w") : NULL;
    int rc = copy ? 0 : -1;
    if (copy && fwrite(svg, 1, size, copy) != size) rc = -1;
    if (copy && fclose(copy) != 0) rc = -1;
    if (rc != 0 || strstr(svg, "<svg") == NULL) {
        free(svg);
        svg = NULL;
        d->failed++;
    }
    f->svg = svg;
}

static FILE *data_file(drawing *d, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", d->tmp, name);
    return fopen(path, "w");
}

static void draw_memcpy(drawing *d, report_limits *l)
{
    char path[256], script[1024];
    FILE *f = data_file(d, "memcpy.dat", path, sizeof path);
    for (int i = 0; f && i < l->nmemcpy; i++) fprintf(f, "%.0f %.6g\n", l->memcpy_size[i], l->memcpy_gbps[i]);
    if (f) fclose(f);
    snprintf(script, sizeof script,
             "set logscale x 2\nset xlabel 'copy size (bytes)'\nset ylabel 'GB/s'\nset yrange [0:*]\n"
             "plot '%s' using 1:2 with linespoints lw 2 title 'memcpy bandwidth (the copy limit)'",
             path);
    draw(d, &l->memcpy_figure, script);
}

static void draw_latency(drawing *d, report_backend *b, const report_limits *l)
{
    char path[256], script[2048];
    FILE *f = data_file(d, "latency.dat", path, sizeof path);
    int n = 0;
    for (size_t k = 0; f && k < b->nrows; k++) {
        const report_row *w = &b->rows[k];
        if (w->kind != CASE_LATENCY || isnan(w->p50)) continue;
        double limit = isnan(w->limit_ns) ? l->cacheline_ns : w->limit_ns;
        char label[sizeof w->label]; /* the xtic() label: document text stays data */
        escape_gnuplot_datum(label, sizeof label, w->label);
        fprintf(f, "%d \"%s%s%.0f%s\" %.6g %.6g %.6g %.6g %.6g\n", n++, label, isnan(w->size) ? "" : " ",
                isnan(w->size) ? 0.0 : w->size, isnan(w->size) ? "" : "B", w->p50, w->p90, w->p99, w->p999, limit);
    }
    if (f) fclose(f);
    snprintf(
        script, sizeof script,
        "set logscale y\nset ylabel 'one-way latency (ns)'\nset xtics rotate by -25 noenhanced font ',9'\n"
        "set bmargin 8\nset offsets 0.3,0.3,0,0\nset key outside right top\n"
        "plot '%s' using 1:3:xtic(2) with linespoints lw 2 title 'p50', '' using 1:4 with linespoints title 'p90', "
        "'' using 1:5 with linespoints title 'p99', '' using 1:6 with linespoints title 'p99.9', "
        "'' using 1:7 with points pt 5 ps 1.5 lc rgb 'black' title 'physical limit'",
        path);
    draw(d, &b->latency, script);
}

/* One data file per series and one for its limit; the key titles are the
 * files' column headers, so document text stays data. Returns the plot
 * clauses' length. */
static size_t series_files(drawing *d, const report_series *s, int i, char *plot, size_t used, size_t size)
{
    char name[32], path[256], lpath[256], label[sizeof s->first->label];
    snprintf(name, sizeof name, "tp-%d.dat", i);
    FILE *f = data_file(d, name, path, sizeof path);
    snprintf(name, sizeof name, "tp-limit-%d.dat", i);
    FILE *lf = data_file(d, name, lpath, sizeof lpath);
    if (f == NULL || lf == NULL) {
        if (f) fclose(f);
        if (lf) fclose(lf);
        return used;
    }
    double rd = s->first->readers;
    escape_gnuplot_datum(label, sizeof label, s->first->label);
    fprintf(f, "payload \"%s, %g reader%s\"\n", label, rd, rd == 1 ? "" : "s");
    fprintf(lf, "payload \"limit (%s, %g)\"\n", label, rd);
    bool lim_here = false;
    for (int j = 0; j < s->npoints; j++) {
        fprintf(f, "%.0f %.6g\n", s->size[j], s->rate[j] / 1e6);
        if (!isnan(s->limit[j])) fprintf(lf, "%.0f %.6g\n", s->size[j], s->limit[j] / 1e6), lim_here = true;
    }
    fclose(f);
    fclose(lf);
    used += (size_t)snprintf(plot + used, used < size ? size - used : 0,
                             "%s'%s' using 1:2 with linespoints lw 2 lc %d title columnheader(2)", i ? ", " : "", path,
                             i + 1);
    if (lim_here)
        used += (size_t)snprintf(plot + used, used < size ? size - used : 0,
                                 ", '%s' using 1:2 with lines dt 2 lw 1 lc %d title columnheader(2)", lpath, i + 1);
    return used;
}

static void draw_throughput(drawing *d, report_backend *b)
{
    char plot[8192] = "plot ", script[9000];
    size_t used = strlen(plot);
    for (int i = 0; i < b->nseries; i++) used = series_files(d, &b->series[i], i, plot, used, sizeof plot);
    snprintf(script, sizeof script,
             "set logscale xy\nset xlabel 'payload (bytes)'\nset ylabel 'MB/s'\n"
             "set key outside right top font ',9'\nset rmargin 30\n%s",
             plot);
    draw(d, &b->throughput, script);
}

int report_figures_draw(report_model *m, const char *out_dir, char *err, size_t err_size)
{
    drawing d = {.failed = 0};
    snprintf(d.out_dir, sizeof d.out_dir, "%s", out_dir);
    snprintf(d.tmp, sizeof d.tmp, "/tmp/slotkit-report-XXXXXX");
    if (mkdtemp(d.tmp) == NULL) {
        snprintf(err, err_size, "cannot create a temporary directory for gnuplot");
        return -1;
    }
    if (m->limits.memcpy_figure.number) draw_memcpy(&d, &m->limits);
    for (size_t i = 0; i < m->nbackends; i++) {
        report_backend *b = &m->backends[i];
        if (b->latency.number) draw_latency(&d, b, &m->limits);
        if (b->throughput.number) draw_throughput(&d, b);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d.tmp);
    if (system(cmd) != 0) fprintf(stderr, "slotkit: report: could not remove %s\n", d.tmp);
    return d.failed;
}
