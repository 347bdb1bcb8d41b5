/* The tuning report (see report.h). */
#include "report.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "escape.h"
#include "fingerprint.h"
#include "results.h"
#include "stats.h"

/* ---- data ------------------------------------------------------------------ */

/* One Google Benchmark case: its median aggregate row, else its first repetition. */
typedef struct row {
    char name[200];
    char suite[32];
    char label[200]; /* the parts after the suite that are not key:value */
    bool placement;  /* a case of the placement matrix (latency/placement/...) */
    json_object *obj;
} row;

typedef struct backend_data {
    char name[64];
    json_object *bench, *conform; /* newest documents, owned */
    char bench_path[PATH_MAX], conform_path[PATH_MAX];
    row *rows;
    size_t nrows;
} backend_data;

static double counter(const row *r, const char *key)
{
    json_object *v;
    if (r == NULL || !json_object_object_get_ex(r->obj, key, &v)) return NAN;
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)) return NAN;
    return json_object_get_double(v);
}

/* "size:64" in a run_name → 64; NAN if absent. */
static double name_param(const row *r, const char *key)
{
    char pat[40];
    snprintf(pat, sizeof pat, "%s:", key);
    for (const char *p = r->name; (p = strstr(p, pat)) != NULL; p++)
        if (p == r->name || p[-1] == '/') return strtod(p + strlen(pat), NULL);
    return NAN;
}

static double param(const row *r, const char *counter_name, const char *name_key)
{
    double v = counter(r, counter_name);
    return isnan(v) ? name_param(r, name_key) : v;
}

static void parse_name(row *r)
{
    char buf[200];
    snprintf(buf, sizeof buf, "%s", r->name);
    r->suite[0] = r->label[0] = '\0';
    size_t used = 0;
    int part = 0;
    for (char *save = NULL, *tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save), part++) {
        if (part == 0) {
            snprintf(r->suite, sizeof r->suite, "%s", tok);
            continue;
        }
        /* Parameters and Google Benchmark's own suffixes are not part of the case name. */
        if (strchr(tok, ':') || strcmp(tok, "manual_time") == 0 || strcmp(tok, "real_time") == 0 ||
            strcmp(tok, "process_time") == 0)
            continue;
        used += (size_t)snprintf(r->label + used, used < sizeof r->label ? sizeof r->label - used : 0, "%s%s",
                                 used ? "/" : "", tok);
    }
    /* "latency/placement/same_l3/writer_node": the placement is the case. */
    if (strncmp(r->label, "placement/", 10) == 0) {
        memmove(r->label, r->label + 10, strlen(r->label + 10) + 1);
        r->placement = true;
    }
    if (r->label[0] == '\0') snprintf(r->label, sizeof r->label, "%s", r->suite);
}

static void load_rows(backend_data *b)
{
    json_object *benchmarks = b->bench ? results_get(b->bench, "raw.gbench.benchmarks") : NULL;
    if (benchmarks == NULL || !json_object_is_type(benchmarks, json_type_array)) return;
    size_t n = json_object_array_length(benchmarks);
    b->rows = calloc(n + 1, sizeof *b->rows);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            json_object *o = json_object_array_get_idx(benchmarks, i);
            const char *run_name = results_get_string(o, "run_name", results_get_string(o, "name", "?"));
            const char *type = results_get_string(o, "run_type", "iteration");
            bool median = strcmp(type, "aggregate") == 0 &&
                          strcmp(results_get_string(o, "aggregate_name", ""), "median") == 0;
            if (pass == 0 ? !median : strcmp(type, "iteration") != 0) continue;
            /* Cases not applicable here (or failed) carry no figures: leave them out. */
            json_object *e;
            if (json_object_object_get_ex(o, "error_occurred", &e) && json_object_get_boolean(e)) continue;
            size_t k;
            for (k = 0; k < b->nrows && strcmp(b->rows[k].name, run_name) != 0; k++) {}
            if (k < b->nrows) continue; /* the median already stands for this case */
            row *r = &b->rows[b->nrows++];
            snprintf(r->name, sizeof r->name, "%s", run_name);
            r->obj = o;
            parse_name(r);
        }
}

static bool label_starts(const row *r, const char *prefix) { return strncmp(r->label, prefix, strlen(prefix)) == 0; }

/* ---- output ------------------------------------------------------------------ */

typedef struct rep {
    FILE *html, *md;
    char *html_buf;
    size_t html_size;
    int figures, tables, failed_figures;
    char out_dir[PATH_MAX], tmp[64];
    const report_options *o;
    json_object *host; /* the newest document's host object */
} rep;

static void html(rep *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void html(rep *r, const char *fmt, ...)
{
    va_list a;
    va_start(a, fmt);
    vfprintf(r->html, fmt, a);
    va_end(a);
}

static void md(rep *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void md(rep *r, const char *fmt, ...)
{
    va_list a;
    va_start(a, fmt);
    vfprintf(r->md, fmt, a);
    va_end(a);
}

static void heading(rep *r, int level, const char *text)
{
    html(r, "<h%d>", level);
    escape_html(r->html, text);
    html(r, "</h%d>\n", level);
    md(r, "\n%.*s ", level, "######");
    escape_markdown(r->md, text);
    md(r, "\n\n");
}

/* A paragraph (or list item with item = true) in both outputs. The format
 * is the report's own text (its `code spans` are Markdown); every %s
 * argument may come from a document and is escaped for each output. */
static void para(rep *r, bool item, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void para(rep *r, bool item, const char *fmt, ...)
{
    char text[2048];
    va_list a, for_md;
    va_start(a, fmt);
    va_copy(for_md, a);
    vsnprintf(text, sizeof text, fmt, a);
    va_end(a);
    html(r, item ? "<li>" : "<p>");
    escape_html(r->html, text);
    html(r, item ? "</li>\n" : "</p>\n");
    md(r, item ? "- " : "");
    escape_markdown_vprintf(r->md, fmt, for_md);
    va_end(for_md);
    md(r, item ? "\n" : "\n\n");
}

static int table_begin(rep *r, const char *caption, int ncols, const char *const *headers)
{
    int n = ++r->tables;
    html(r, "<table id=\"table-%d\"><caption>Table %d. ", n, n);
    escape_html(r->html, caption);
    html(r, "</caption>\n<tr>");
    md(r, "**Table %d.** ", n);
    escape_markdown(r->md, caption);
    md(r, "\n\n|");
    for (int i = 0; i < ncols; i++) {
        html(r, "<th>");
        escape_html(r->html, headers[i]);
        html(r, "</th>");
        md(r, " ");
        escape_markdown(r->md, headers[i]);
        md(r, " |");
    }
    html(r, "</tr>\n");
    md(r, "\n|");
    for (int i = 0; i < ncols; i++) md(r, "---|");
    md(r, "\n");
    return n;
}

static void table_row(rep *r, int ncols, const char *const *cells)
{
    html(r, "<tr>");
    md(r, "|");
    for (int i = 0; i < ncols; i++) {
        html(r, "<td>");
        escape_html(r->html, cells[i]);
        html(r, "</td>");
        md(r, " ");
        escape_markdown(r->md, cells[i]);
        md(r, " |");
    }
    html(r, "</tr>\n");
    md(r, "\n");
}

static void table_end(rep *r)
{
    html(r, "</table>\n");
    md(r, "\n");
}

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

/* Runs gnuplot on `script` (terminal and output are prepended), inlines the
 * SVG into the HTML with ids made unique per figure, links it from the
 * Markdown. Returns the figure number, or -1 (the page says why).
 * Nothing from a document is interpolated into the script: callers pass
 * document strings to gnuplot in data files (escape_gnuplot_datum), the
 * title goes through the escape_gnuplot_label whitelist, and gnuplot writes
 * into the private temporary directory (the output directory is the user's
 * and may hold any character); the SVG is copied out from there. */
static int figure(rep *r, const char *title, const char *script, const char *caption)
{
    int n = ++r->figures;
    char svg_path[PATH_MAX + 32], tmp_svg[128], gp_path[128], cmd[512], label[256];
    snprintf(svg_path, sizeof svg_path, "%s/figures/figure-%d.svg", r->out_dir, n);
    snprintf(tmp_svg, sizeof tmp_svg, "%s/figure-%d.svg", r->tmp, n);
    snprintf(gp_path, sizeof gp_path, "%s/figure-%d.gp", r->tmp, n);
    FILE *gp = fopen(gp_path, "w");
    if (gp == NULL) return -1;
    fprintf(gp,
            "set terminal svg size 860,420 dynamic noenhanced font 'sans,11' background '#ffffff'\n"
            "set output '%s'\nset title 'Figure %d. %s' noenhanced\nset grid\nset key noenhanced\n%s\n",
            tmp_svg, n, escape_gnuplot_label(label, sizeof label, title), script);
    fclose(gp);
    snprintf(cmd, sizeof cmd, "gnuplot '%s' 2>'%s.err'", gp_path, gp_path);
    int rc = system(cmd);
    size_t size = 0;
    char *svg = rc == 0 ? read_whole(tmp_svg, &size) : NULL;
    FILE *copy = svg ? fopen(svg_path, "w") : NULL;
    if (copy) {
        if (fwrite(svg, 1, size, copy) != size) rc = -1;
        if (fclose(copy) != 0) rc = -1;
    }
    if (copy == NULL || rc != 0) free(svg), svg = NULL;
    char *start = svg ? strstr(svg, "<svg") : NULL;
    html(r, "<figure id=\"figure-%d\" class=\"plot\">\n", n);
    if (start == NULL) {
        r->failed_figures++;
        html(r, "<p class=\"broken\">Figure %d could not be drawn (gnuplot exit status %d; is gnuplot installed?)</p>\n",
             n, rc);
        md(r, "*Figure %d could not be drawn (gnuplot exit status %d).*\n\n", n, rc);
        free(svg);
        return -1;
    }
    /* Several inline SVGs share one id space: prefix gnuplot's ids per figure. */
    for (char *p = start; *p; p++) {
        static const char *const marks[] = {"id='", "id=\"", "href='#", "href=\"#", "url(#"};
        for (size_t m = 0; m < 5; m++) {
            size_t len = strlen(marks[m]);
            if (strncmp(p, marks[m], len) == 0) {
                fwrite(p, 1, len, r->html);
                html(r, "f%d_", n);
                p += len - 1;
                goto next;
            }
        }
        fputc(*p, r->html);
    next:;
    }
    html(r, "<figcaption>Figure %d. ", n);
    escape_html(r->html, caption);
    html(r, "</figcaption>\n</figure>\n");
    md(r, "![Figure %d. ", n);
    escape_markdown(r->md, title);
    md(r, "](figures/figure-%d.svg)\n\n*Figure %d.* ", n, n);
    escape_markdown(r->md, caption);
    md(r, "\n\n");
    free(svg);
    return n;
}

static FILE *data_file(rep *r, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", r->tmp, name);
    return fopen(path, "w");
}

static void fmt_ns(double v, char *out, size_t size)
{
    if (isnan(v))
        snprintf(out, size, "-");
    else if (v >= 1e6)
        snprintf(out, size, "%.2f ms", v / 1e6);
    else if (v >= 1e3)
        snprintf(out, size, "%.2f us", v / 1e3);
    else
        snprintf(out, size, "%.1f ns", v);
}

/* ---- sections ------------------------------------------------------------------ */

static const char *hs(rep *r, const char *path) { return results_get_string(r->host, path, "?"); }
static long hi(rep *r, const char *path)
{
    json_object *o = results_get(r->host, path);
    return o ? json_object_get_int64(o) : -1;
}

static int section_machine(rep *r)
{
    heading(r, 2, "1. The machine");
    static const char *const head[] = {"property", "value"};
    int t = table_begin(r, "Host description (from the newest results document's fingerprint).", 2, head);
    char buf[512];
    const char *cells[2];
#define ROW(k, ...)                                   \
    do {                                              \
        snprintf(buf, sizeof buf, __VA_ARGS__);       \
        cells[0] = k;                                 \
        cells[1] = buf;                               \
        table_row(r, 2, cells);                       \
    } while (0)
    ROW("host id / fingerprint", "%s / %s", hs(r, "id"), hs(r, "fingerprint"));
    ROW("CPU", "%s (%s, microcode %s)%s", hs(r, "cpu.model"), hs(r, "cpu.arch"), hs(r, "cpu.microcode"),
        json_object_get_boolean(results_get(r->host, "cpu.virtualized")) ? ", virtual machine" : "");
    ROW("topology", "%ld package(s), %ld core(s), %ld logical CPU(s), %ld thread(s) per core, SMT %s",
        hi(r, "topology.packages"), hi(r, "topology.cores"), hi(r, "topology.pus"), hi(r, "topology.threads_per_core"),
        json_object_get_boolean(results_get(r->host, "power.smt_active")) ? "active" : "off");
    json_object *caches = results_get(r->host, "topology.caches");
    for (size_t i = 0; caches && i < json_object_array_length(caches); i++) {
        json_object *c = json_object_array_get_idx(caches, i);
        char key[64];
        snprintf(key, sizeof key, "L%ld %s cache", (long)json_object_get_int(results_get(c, "level")),
                 results_get_string(c, "type", ""));
        /* One row per distinct cache kind: the first instance stands for the rest. */
        bool dup = false;
        for (size_t k = 0; k < i; k++) {
            json_object *p = json_object_array_get_idx(caches, k);
            if (json_object_get_int(results_get(p, "level")) == json_object_get_int(results_get(c, "level")) &&
                strcmp(results_get_string(p, "type", ""), results_get_string(c, "type", "")) == 0)
                dup = true;
        }
        if (!dup)
            ROW(key, "%ld KiB, shared by CPUs %s", (long)json_object_get_int64(results_get(c, "size_kib")),
                results_get_string(c, "shared_cpus", "?"));
    }
    json_object *numa = results_get(r->host, "memory.numa");
    for (size_t i = 0; numa && i < json_object_array_length(numa); i++) {
        json_object *n = json_object_array_get_idx(numa, i);
        char key[48];
        snprintf(key, sizeof key, "NUMA node %d", json_object_get_int(results_get(n, "node")));
        ROW(key, "CPUs %s, %.1f GiB, distances %s", results_get_string(n, "cpus", "?"),
            (double)json_object_get_int64(results_get(n, "mem_total_kib")) / (1024.0 * 1024.0),
            json_object_to_json_string(results_get(n, "distances")));
    }
    ROW("kernel", "%s", hs(r, "kernel.release"));
    ROW("frequency", "governor %s, driver %s, boost %s", hs(r, "power.governor"), hs(r, "power.driver"),
        hs(r, "power.boost"));
    ROW("memory", "%.1f GiB, THP %s (defrag %s), %ld reserved huge pages of %ld KiB, /dev/shm %.1f GiB",
        (double)hi(r, "memory.total_kib") / (1024.0 * 1024.0), hs(r, "memory.thp_enabled"),
        hs(r, "memory.thp_defrag"), hi(r, "memory.hugepages_total"), hi(r, "memory.hugepage_size_kib"),
        (double)hi(r, "memory.dev_shm_kib") / (1024.0 * 1024.0));
#undef ROW
    table_end(r);
    static const char *const cpu_head[] = {"CPU", "package", "core", "NUMA node", "L3 (CCX) id", "SMT siblings"};
    table_begin(r, "Logical CPUs: which share a core, an L3 (CCX) and a NUMA node.", 6, cpu_head);
    json_object *cpus = results_get(r->host, "topology.cpus");
    for (size_t i = 0; cpus && i < json_object_array_length(cpus); i++) {
        json_object *c = json_object_array_get_idx(cpus, i);
        char v[5][32];
        const char *keys[] = {"cpu", "package", "core", "node", "l3"};
        for (int k = 0; k < 5; k++) snprintf(v[k], sizeof v[k], "%ld", (long)json_object_get_int64(results_get(c, keys[k])));
        const char *cells6[] = {v[0], v[1], v[2], v[3], v[4], results_get_string(c, "smt_siblings", "?")};
        table_row(r, 6, cells6);
    }
    table_end(r);
    return t;
}

/* Limits come from the newest bench document that measured them (they do not depend on the backend). */
typedef struct limits {
    int figure, table;
    double cacheline_ns; /* threads, one-way p50 */
    double memcpy_size[32], memcpy_gbps[32];
    int nmemcpy;
} limits;

static void section_limits(rep *r, backend_data *b, size_t nb, limits *L)
{
    heading(r, 2, "2. Physical limits");
    memset(L, 0, sizeof *L);
    L->figure = L->table = -1;
    L->cacheline_ns = NAN;
    backend_data *src = NULL;
    const char *when = "";
    for (size_t i = 0; i < nb; i++)
        for (size_t k = 0; k < b[i].nrows; k++)
            if (strcmp(b[i].rows[k].suite, "limits") == 0 &&
                (src == NULL || strcmp(results_get_string(b[i].bench, "created_utc", ""), when) > 0)) {
                src = &b[i];
                when = results_get_string(b[i].bench, "created_utc", "");
            }
    if (src == NULL) {
        para(r, false,
             "No physical-limit measurements are stored for this host (run `slotkit bench --suite limits`); "
             "the plots below draw the limits each benchmark recorded itself, where it did.");
        return;
    }
    para(r, false, "Measured by the %s run of %s (%s): what the hardware allows before any backend is involved.",
         src->name, when, src->bench_path);
    static const char *const head[] = {"limit", "case", "value"};
    L->table = table_begin(r, "Physical limits: cache-line transfer and futex wake (one-way, median of p50s), memcpy.",
                           3, head);
    char path[256];
    FILE *f = data_file(r, "memcpy.dat", path, sizeof path);
    for (size_t k = 0; k < src->nrows; k++) {
        row *w = &src->rows[k];
        if (strcmp(w->suite, "limits") != 0) continue;
        char value[64];
        const char *kind = label_starts(w, "memcpy") ? "memcpy bandwidth" : label_starts(w, "cacheline") ? "cache-line transfer" : label_starts(w, "futex") ? "futex wake" : w->label;
        if (label_starts(w, "memcpy")) {
            double size = param(w, "payload_bytes", "size"), gbps = counter(w, "GBps");
            snprintf(value, sizeof value, "%.2f GB/s (%.1f ns per copy)", gbps, counter(w, "ns_per_copy"));
            if (!isnan(size) && !isnan(gbps) && L->nmemcpy < 32) {
                L->memcpy_size[L->nmemcpy] = size;
                L->memcpy_gbps[L->nmemcpy++] = gbps;
                if (f) fprintf(f, "%.0f %.6g\n", size, gbps);
            }
        } else {
            double p50 = counter(w, "p50_ns");
            fmt_ns(p50, value, sizeof value);
            if (label_starts(w, "cacheline") && strstr(w->label, "thread") && !isnan(p50)) L->cacheline_ns = p50;
            if (label_starts(w, "cacheline") && isnan(L->cacheline_ns)) L->cacheline_ns = p50;
        }
        const char *cells[] = {kind, w->name, value};
        table_row(r, 3, cells);
    }
    table_end(r);
    if (f) fclose(f);
    if (L->nmemcpy > 0) {
        char script[1024];
        snprintf(script, sizeof script,
                 "set logscale x 2\nset xlabel 'copy size (bytes)'\nset ylabel 'GB/s'\nset yrange [0:*]\n"
                 "plot '%s' using 1:2 with linespoints lw 2 title 'memcpy bandwidth (the copy limit)'",
                 path);
        L->figure = figure(r, "memcpy bandwidth by size: the limit for copying backends", script,
                           "memcpy bandwidth on this host by copy size; this curve is the limit drawn on the "
                           "throughput plots.");
    }
}

/* Interpolated copy limit (GB/s) at a size, from the measured memcpy sizes; NAN if none. */
static double copy_limit(const limits *L, double size)
{
    if (L->nmemcpy == 0) return NAN;
    int best = 0;
    for (int i = 1; i < L->nmemcpy; i++)
        if (fabs(log(L->memcpy_size[i] / size)) < fabs(log(L->memcpy_size[best] / size))) best = i;
    return L->memcpy_gbps[best];
}

typedef struct backend_figs {
    int latency, throughput, slots_table, conform_table;
} backend_figs;

static void section_latency(rep *r, backend_data *b, const limits *L, backend_figs *F)
{
    char path[256];
    FILE *f = NULL;
    int n = 0;
    bool have_limit = false;
    for (size_t k = 0; k < b->nrows; k++) {
        row *w = &b->rows[k];
        if (strcmp(w->suite, "latency") != 0 || isnan(counter(w, "p50_ns"))) continue;
        if (f == NULL) f = data_file(r, "latency.dat", path, sizeof path);
        if (f == NULL) return;
        double limit = counter(w, "limit_ns");
        if (isnan(limit) && !isnan(L->cacheline_ns)) limit = L->cacheline_ns;
        have_limit |= !isnan(limit);
        double size = param(w, "payload_bytes", "size");
        char label[sizeof w->label]; /* the xtic() label: document text stays data */
        escape_gnuplot_datum(label, sizeof label, w->label);
        fprintf(f, "%d \"%s%s%.0f%s\" %.6g %.6g %.6g %.6g %.6g\n", n++, label, isnan(size) ? "" : " ",
                isnan(size) ? 0.0 : size, isnan(size) ? "" : "B", counter(w, "p50_ns"), counter(w, "p90_ns"),
                counter(w, "p99_ns"), counter(w, "p999_ns"), limit);
    }
    if (f == NULL) {
        para(r, false, "Latency: no latency measurements stored for backend %s (run `slotkit bench --suite latency`).",
             b->name);
        return;
    }
    fclose(f);
    char script[2048], title[160], caption[512];
    snprintf(script, sizeof script,
             "set logscale y\nset ylabel 'one-way latency (ns)'\nset xtics rotate by -25 noenhanced font ',9'\n"
             "set bmargin 8\nset offsets 0.3,0.3,0,0\nset key outside right top\n"
             "plot '%s' using 1:3:xtic(2) with linespoints lw 2 title 'p50', '' using 1:4 with linespoints title 'p90', "
             "'' using 1:5 with linespoints title 'p99', '' using 1:6 with linespoints title 'p99.9', "
             "'' using 1:7 with points pt 5 ps 1.5 lc rgb 'black' title 'physical limit'",
             path);
    snprintf(title, sizeof title, "%s: one-way latency percentiles by placement", b->name);
    snprintf(caption, sizeof caption,
             "Backend %s, one-way latency (round trip / 2) percentiles for each writer/reader CPU placement and "
             "memory placement; black squares: the physical limit recorded for that placement%s.",
             b->name, have_limit ? "" : " (none recorded: no limit could be drawn)");
    F->latency = figure(r, title, script, caption);
}

/* Rows of one throughput series: same case label and reader count. */
static bool same_series(const row *a, const row *b)
{
    double ra = param(a, "readers", "readers"), rb = param(b, "readers", "readers");
    return strcmp(a->label, b->label) == 0 && (ra == rb || (isnan(ra) && isnan(rb)));
}

static double row_bps(const row *w)
{
    double bps = counter(w, "bytes_per_second");
    return isnan(bps) ? counter(w, "items_per_second") * param(w, "payload_bytes", "size") : bps;
}

static void section_throughput(rep *r, backend_data *b, const limits *L, backend_figs *F)
{
    const row *series[24];
    int ns = 0;
    for (size_t k = 0; k < b->nrows; k++) {
        row *w = &b->rows[k];
        if (strcmp(w->suite, "throughput") != 0 || isnan(row_bps(w))) continue;
        int i;
        for (i = 0; i < ns && !same_series(series[i], w); i++) {}
        if (i == ns && ns < 24) series[ns++] = w;
    }
    if (ns == 0) {
        para(r, false,
             "Throughput: no throughput measurements stored for backend %s (run `slotkit bench --suite throughput`).",
             b->name);
        return;
    }
    char plot[8192] = "plot ";
    size_t used = strlen(plot);
    bool have_limit = false;
    for (int i = 0; i < ns; i++) {
        char name[32], path[256], lpath[256];
        snprintf(name, sizeof name, "tp-%d.dat", i);
        FILE *f = data_file(r, name, path, sizeof path);
        snprintf(name, sizeof name, "tp-limit-%d.dat", i);
        FILE *lf = data_file(r, name, lpath, sizeof lpath);
        if (f == NULL || lf == NULL) {
            if (f) fclose(f);
            if (lf) fclose(lf);
            continue;
        }
        /* Best rate per payload size over the slot counts measured. */
        double sizes[64], rates[64], lims[64];
        int m = 0;
        for (size_t k = 0; k < b->nrows; k++) {
            row *w = &b->rows[k];
            double size = param(w, "payload_bytes", "size"), bps = row_bps(w);
            if (strcmp(w->suite, "throughput") != 0 || !same_series(series[i], w) || isnan(size) || isnan(bps)) continue;
            double limit = counter(w, "limit_bytes_per_second");
            if (isnan(limit)) limit = copy_limit(L, size) * 1e9;
            int j;
            for (j = 0; j < m && sizes[j] != size; j++) {}
            if (j == m && m < 64) sizes[m] = size, rates[m] = bps, lims[m++] = limit;
            else if (j < m && bps > rates[j]) rates[j] = bps;
        }
        /* Sizes in increasing order for the lines. */
        for (int x = 0; x < m; x++)
            for (int y = x + 1; y < m; y++)
                if (sizes[y] < sizes[x]) {
                    double t;
                    t = sizes[x], sizes[x] = sizes[y], sizes[y] = t;
                    t = rates[x], rates[x] = rates[y], rates[y] = t;
                    t = lims[x], lims[x] = lims[y], lims[y] = t;
                }
        /* The key titles are the files' column headers: document text stays data. */
        double rd = param(series[i], "readers", "readers");
        char label[sizeof series[i]->label];
        escape_gnuplot_datum(label, sizeof label, series[i]->label);
        fprintf(f, "payload \"%s, %g reader%s\"\n", label, isnan(rd) ? 1 : rd, rd == 1 || isnan(rd) ? "" : "s");
        fprintf(lf, "payload \"limit (%s, %g)\"\n", label, isnan(rd) ? 1 : rd);
        bool lim_here = false;
        for (int j = 0; j < m; j++) {
            fprintf(f, "%.0f %.6g\n", sizes[j], rates[j] / 1e6);
            if (!isnan(lims[j])) fprintf(lf, "%.0f %.6g\n", sizes[j], lims[j] / 1e6), lim_here = true;
        }
        fclose(f);
        fclose(lf);
        used += (size_t)snprintf(plot + used, used < sizeof plot ? sizeof plot - used : 0,
                                 "%s'%s' using 1:2 with linespoints lw 2 lc %d title columnheader(2)", i ? ", " : "",
                                 path, i + 1);
        if (lim_here) {
            have_limit = true;
            used += (size_t)snprintf(plot + used, used < sizeof plot ? sizeof plot - used : 0,
                                     ", '%s' using 1:2 with lines dt 2 lw 1 lc %d title columnheader(2)", lpath, i + 1);
        }
    }
    char script[9000], title[160], caption[600];
    snprintf(script, sizeof script,
             "set logscale xy\nset xlabel 'payload (bytes)'\nset ylabel 'MB/s'\n"
             "set key outside right top font ',9'\nset rmargin 30\n%s", plot);
    snprintf(title, sizeof title, "%s: throughput by payload size and reader count", b->name);
    snprintf(caption, sizeof caption,
             "Backend %s, bytes per second by payload size, one solid line per case and reader count (best over the "
             "slot counts measured); the dashed line of the same colour is that case's limit (the benchmark's own "
             "limit_bytes_per_second, else the memcpy bandwidth)%s.",
             b->name, have_limit ? "" : " — no limit recorded, none drawn");
    F->throughput = figure(r, title, script, caption);
}

static void section_slots(rep *r, backend_data *b, backend_figs *F)
{
    bool any = false;
    for (size_t k = 0; k < b->nrows && !any; k++)
        any = strcmp(b->rows[k].suite, "throughput") == 0 && !isnan(counter(&b->rows[k], "slots")) &&
              !isnan(counter(&b->rows[k], "backpressure"));
    if (!any) return;
    static const char *const head[] = {"readers", "payload", "slots", "MB/s", "back-pressure"};
    char caption[160];
    snprintf(caption, sizeof caption, "%s: the slot-count sweep (back-pressure = share of loans that found no free slot).",
             b->name);
    F->slots_table = table_begin(r, caption, 5, head);
    for (size_t k = 0; k < b->nrows; k++) {
        row *w = &b->rows[k];
        if (strcmp(w->suite, "throughput") != 0 || isnan(counter(w, "slots"))) continue;
        char v[5][32];
        double size = param(w, "payload_bytes", "size"), bps = counter(w, "bytes_per_second");
        if (isnan(bps)) bps = counter(w, "items_per_second") * size;
        snprintf(v[0], 32, "%g", param(w, "readers", "readers"));
        snprintf(v[1], 32, "%g B", size);
        snprintf(v[2], 32, "%g", counter(w, "slots"));
        snprintf(v[3], 32, "%.1f", bps / 1e6);
        snprintf(v[4], 32, "%.1f%%", counter(w, "backpressure") * 100);
        const char *cells[] = {v[0], v[1], v[2], v[3], v[4]};
        table_row(r, 5, cells);
    }
    table_end(r);
}

static void section_ops(rep *r, backend_data *b)
{
    bool any = false;
    for (size_t k = 0; k < b->nrows; k++) any |= strcmp(b->rows[k].suite, "ops") == 0;
    json_object *samples = b->bench ? results_get(b->bench, "samples") : NULL;
    for (size_t i = 0; samples && i < json_object_array_length(samples); i++)
        any |= strcmp(results_get_string(json_object_array_get_idx(samples, i), "metric", ""), "instructions") == 0;
    if (!any) return;
    static const char *const head[] = {"operation path", "time per sample", "limit", "instructions per op (callgrind)"};
    char caption[160];
    snprintf(caption, sizeof caption, "%s: single-thread operation paths (reserve, commit, read, mark read).", b->name);
    table_begin(r, caption, 4, head);
    for (size_t k = 0; k < b->nrows; k++) {
        row *w = &b->rows[k];
        if (strcmp(w->suite, "ops") != 0) continue;
        char t[32], l[32], in[32] = "-";
        fmt_ns(counter(w, "ns_per_sample"), t, sizeof t);
        fmt_ns(counter(w, "limit_ns"), l, sizeof l);
        for (size_t i = 0; samples && i < json_object_array_length(samples); i++) {
            json_object *s = json_object_array_get_idx(samples, i);
            if (strcmp(results_get_string(s, "metric", ""), "instructions") == 0 &&
                strcmp(results_get_string(s, "name", ""), w->name) == 0)
                snprintf(in, sizeof in, "%.1f", json_object_get_double(json_object_array_get_idx(results_get(s, "values"), 0)));
        }
        const char *cells[] = {w->name, t, l, in};
        table_row(r, 4, cells);
    }
    table_end(r);
}

static void section_conform(rep *r, backend_data *b, backend_figs *F)
{
    if (b->conform == NULL) {
        para(r, false, "Conformance: no conformance run stored for backend %s (run `slotkit conform --backend %s`).",
             b->name, b->name);
        return;
    }
    para(r, false, "Conformance (%s, %s): %s — %d rules passed, %d failed, %d skipped by capability, %d advisory missed.",
         results_get_string(b->conform, "created_utc", "?"), b->conform_path,
         strcmp(results_get_string(b->conform, "conformance.verdict", ""), "pass") == 0 ? "PASS" : "FAIL",
         json_object_get_int(results_get(b->conform, "conformance.passed")),
         json_object_get_int(results_get(b->conform, "conformance.failed")),
         json_object_get_int(results_get(b->conform, "conformance.skipped")),
         json_object_get_int(results_get(b->conform, "conformance.warned")));
    static const char *const head[] = {"rule", "verdict", "tests", "detail"};
    char caption[160];
    snprintf(caption, sizeof caption, "%s: conformance rules that did not simply pass (all others passed).", b->name);
    F->conform_table = table_begin(r, caption, 4, head);
    json_object *rules = results_get(b->conform, "conformance.rules");
    int shown = 0;
    for (size_t i = 0; rules && i < json_object_array_length(rules); i++) {
        json_object *x = json_object_array_get_idx(rules, i);
        if (strcmp(results_get_string(x, "verdict", ""), "pass") == 0) continue;
        char tests[16];
        snprintf(tests, sizeof tests, "%d", json_object_get_int(results_get(x, "tests")));
        const char *cells[] = {results_get_string(x, "rule", "?"), results_get_string(x, "verdict", "?"), tests,
                               results_get_string(x, "detail", "")};
        table_row(r, 4, cells);
        shown++;
    }
    if (shown == 0) {
        const char *cells[] = {"(none)", "pass", "-", "every rule passed"};
        table_row(r, 4, cells);
    }
    table_end(r);
}

/* Median coefficient of variation of the wall-clock repetitions. */
static double median_cv(json_object *doc, char *worst, size_t worst_size, double *worst_cv)
{
    json_object *samples = doc ? results_get(doc, "samples") : NULL;
    size_t n = samples ? json_object_array_length(samples) : 0, m = 0;
    double *cvs = calloc(n + 1, sizeof *cvs);
    *worst_cv = NAN;
    for (size_t i = 0; i < n; i++) {
        json_object *s = json_object_array_get_idx(samples, i), *v = results_get(s, "values");
        if (strcmp(results_get_string(s, "metric", ""), "real_time") != 0 || json_object_array_length(v) < 3) continue;
        size_t k = json_object_array_length(v);
        double *x = malloc(k * sizeof *x);
        for (size_t j = 0; j < k; j++) x[j] = json_object_get_double(json_object_array_get_idx(v, j));
        cvs[m] = stats_cv(x, k);
        if (isnan(*worst_cv) || cvs[m] > *worst_cv) {
            *worst_cv = cvs[m];
            snprintf(worst, worst_size, "%s", results_get_string(s, "name", "?"));
        }
        m++;
        free(x);
    }
    double med = stats_median(cvs, m);
    free(cvs);
    return med;
}

/* ---- recommendations ------------------------------------------------------------ */

static const row *find_label(const backend_data *b, const char *prefix, bool lowest)
{
    const row *best = NULL;
    bool matrix = false; /* placement-matrix rows, when present, are the ones to choose among */
    for (size_t k = 0; k < b->nrows; k++) matrix |= b->rows[k].placement && !isnan(counter(&b->rows[k], "p50_ns"));
    for (size_t k = 0; k < b->nrows; k++) {
        const row *w = &b->rows[k];
        if (strcmp(w->suite, "latency") != 0 || !label_starts(w, prefix) || isnan(counter(w, "p50_ns"))) continue;
        if (matrix && !w->placement) continue;
        if (best == NULL || (lowest ? counter(w, "p50_ns") < counter(best, "p50_ns") : counter(w, "p50_ns") > counter(best, "p50_ns")))
            best = w;
    }
    return best;
}

static void recommend(rep *r, backend_data *b, size_t nb, backend_figs *F, const limits *L, int cv_table,
                      double *cvs)
{
    heading(r, 2, "Recommendations");
    html(r, "<ul class=\"recommendations\">\n");
    double thr = r->o->cross_threshold;
    for (size_t i = 0; i < nb; i++) {
        backend_data *d = &b[i];
        /* CPU pair and memory placement. */
        const row *best = find_label(d, "", true), *worst = find_label(d, "", false);
        if (best && best == worst && F[i].latency > 0) {
            para(r, true, "%s — placement: `%s` is the only CPU/memory placement this machine offers (Figure %d, Table 2): p50 %.0f ns one-way; nothing to choose.",
                 d->name, best->label, F[i].latency, counter(best, "p50_ns"));
        } else if (best && F[i].latency > 0) {
            char pair[128] = "";
            if (!isnan(counter(best, "cpu_writer")))
                snprintf(pair, sizeof pair, " (writer CPU %g, reader CPU %g, memory on node %g)", counter(best, "cpu_writer"),
                         counter(best, "cpu_reader"), counter(best, "mem_node"));
            para(r, true, "%s — placement: use `%s`%s: p50 %.0f ns one-way, against %.0f ns for `%s`, the slowest (Figure %d).",
                 d->name, best->label, pair, counter(best, "p50_ns"), counter(worst, "p50_ns"), worst->label, F[i].latency);
        } else {
            para(r, true, "%s — placement: no latency data, so no CPU pair or memory placement can be recommended.", d->name);
        }
        /* Cross-node and cross-CCX cost. */
        const row *base = find_label(d, "same_l3", true);
        static const char *const far[][2] = {{"same_numa", "cross-CCX (same node, different L3)"},
                                             {"cross_l3", "cross-CCX"},
                                             {"cross_numa", "cross-node"},
                                             {"cross_package", "cross-socket"}};
        bool compared = false;
        for (size_t f = 0; base && f < sizeof far / sizeof far[0]; f++) {
            const row *x = find_label(d, far[f][0], true);
            if (x == NULL) continue;
            compared = true;
            double extra = counter(x, "p50_ns") / counter(base, "p50_ns") - 1;
            para(r, true,
                 "%s — %s placement `%s` costs %+.0f%% over `%s` (p50 %.0f vs %.0f ns, Figure %d): %s the %.0f%% threshold%s.",
                 d->name, far[f][1], x->label, extra * 100, base->label, counter(x, "p50_ns"), counter(base, "p50_ns"),
                 F[i].latency, extra > thr ? "above" : "within", thr * 100,
                 extra > thr ? "; keep the writer and its readers on one L3 / NUMA node" : "; placement across it is acceptable");
        }
        const row *wn = find_label(d, "cross_numa/writer_node", true), *rn = find_label(d, "cross_numa/reader_node", true);
        if (wn && rn)
            para(r, true, "%s — memory placement across nodes: %s (p50 %.0f ns on the reader's node vs %.0f ns on the writer's, Figure %d).",
                 d->name, counter(rn, "p50_ns") < counter(wn, "p50_ns") ? "put the pool on the reader's node" : "put the pool on the writer's node",
                 counter(rn, "p50_ns"), counter(wn, "p50_ns"), F[i].latency);
        if (!compared)
            para(r, true,
                 "%s — cross-node / cross-CCX cost: not measured (this host has %ld NUMA node(s) and its CPUs share %s, Table 1; "
                 "%s), so nothing can be said about it here.",
                 d->name, hi(r, "topology.numa_nodes"), hi(r, "topology.numa_nodes") <= 1 ? "one node" : "several nodes",
                 base ? "no cross placement in the stored latency runs" : "no same-L3 baseline in the stored latency runs");
        /* SMT. */
        const row *smt = find_label(d, "smt_siblings", true);
        if (smt && base && F[i].latency > 0) {
            double gain = 1 - counter(smt, "p50_ns") / counter(base, "p50_ns");
            para(r, true,
                 "%s — SMT: sibling hyperthreads are %.0f%% %s than separate cores sharing an L3 (p50 %.0f vs %.0f ns, Figure %d)%s.",
                 d->name, fabs(gain) * 100, gain > 0 ? "faster" : "slower", counter(smt, "p50_ns"), counter(base, "p50_ns"),
                 F[i].latency,
                 gain > 0.1 ? "; pair writer and reader on siblings only when that core is dedicated to them" : "; no reason to prefer siblings");
        }
        /* Slot count. */
        if (F[i].slots_table > 0) {
            double need = 0, need_r = 0, need_size = 0;
            bool unsatisfied = false;
            for (size_t k = 0; k < d->nrows; k++) {
                const row *w = &d->rows[k];
                if (strcmp(w->suite, "throughput") != 0 || isnan(counter(w, "slots"))) continue;
                double rd = param(w, "readers", "readers"), size = param(w, "payload_bytes", "size"), max = 0, smallest = NAN;
                for (size_t j = 0; j < d->nrows; j++) {
                    const row *x = &d->rows[j];
                    if (strcmp(x->suite, "throughput") == 0 && same_series(x, w) &&
                        param(x, "payload_bytes", "size") == size && counter(x, "items_per_second") > max)
                        max = counter(x, "items_per_second");
                }
                for (size_t j = 0; j < d->nrows; j++) {
                    const row *x = &d->rows[j];
                    if (strcmp(x->suite, "throughput") == 0 && same_series(x, w) &&
                        param(x, "payload_bytes", "size") == size && counter(x, "backpressure") <= 0.001 &&
                        counter(x, "items_per_second") >= 0.95 * max && (isnan(smallest) || counter(x, "slots") < smallest))
                        smallest = counter(x, "slots");
                }
                if (isnan(smallest)) unsatisfied = true;
                else if (smallest > need) need = smallest, need_r = rd, need_size = size;
            }
            if (need > 0)
                para(r, true,
                     "%s — slots: %g slots sustained the measured rate without back-pressure (at most 0.1%% of loans "
                     "waiting) in every configuration that reached it (the most demanding: %g reader(s), %g-byte payloads; Table %d, Figure %d)%s.",
                     d->name, need, need_r, need_size, F[i].slots_table, F[i].throughput,
                     unsatisfied ? "; some configurations showed back-pressure at every slot count measured — measure more slots" : "");
        } else {
            para(r, true, "%s — slots: no slot-count sweep with back-pressure counts is stored, so no smallest slot count can be derived.",
                 d->name);
        }
        /* Huge pages: large payloads far below the copy limit. */
        /* Copying cases only: a zero-copy reader does not move the payload. */
        double big = 0, big_rate = NAN, lim = NAN;
        for (size_t k = 0; k < d->nrows; k++) {
            const row *w = &d->rows[k];
            if (strcmp(w->suite, "throughput") != 0 || strstr(w->label, "zero_copy") || strstr(w->label, "in_place")) continue;
            double size = param(w, "payload_bytes", "size"), bps = row_bps(w);
            if (isnan(size) || isnan(bps)) continue;
            if (size > big || (size == big && bps > big_rate)) {
                big = size, big_rate = bps;
                lim = counter(w, "limit_bytes_per_second");
                if (isnan(lim)) lim = copy_limit(L, size) * 1e9;
            }
        }
        if (big > 0 && !isnan(lim) && F[i].throughput > 0) {
            double share = big_rate / lim;
            bool no_huge = hi(r, "memory.hugepages_total") == 0 && strcmp(hs(r, "memory.thp_enabled"), "always") != 0;
            para(r, true, "%s — huge pages: at %g-byte payloads one reader receives %.0f%% of the copy limit (Figure %d, Figure %d); %s",
                 d->name, big, share * 100, F[i].throughput, L->figure,
                 share < 0.5 && no_huge ? "far below it with no huge pages in use (THP not 'always', none reserved): try a hugepage-backed pool; this report has no measurement showing the gain."
                                        : "huge pages are not indicated by the data.");
        }
    }
    /* Governor / boost: only when repetitions vary. */
    const char *gov = hs(r, "power.governor");
    for (size_t i = 0; i < nb; i++) {
        if (isnan(cvs[i])) {
            para(r, true, "%s — variation: no benchmark with 3 or more repetitions is stored (Table %d), so whether the "
                 "governor ('%s'), boost or SMT add noise cannot be judged from this data.", b[i].name, cv_table, gov);
            continue;
        }
        if (cvs[i] > r->o->cv_threshold)
            para(r, true,
                 "%s — variation: repetitions vary by %.1f%% (median CV, Table %d), above %.0f%%; %s",
                 b[i].name, cvs[i] * 100, cv_table, r->o->cv_threshold * 100,
                 strcmp(gov, "performance") == 0 ? "the governor is already 'performance': quiet the machine, disable boost and pin (Google Benchmark's reducing_variance)."
                 : strcmp(gov, "none") == 0 ? "there is no cpufreq control here (virtual machine?): expect noise, gate on instruction counts, measure wall clock on dedicated hardware."
                                            : "set the 'performance' governor and disable boost before trusting wall-clock comparisons.");
        else
            para(r, true, "%s — variation: repetitions vary by %.1f%% (median CV, Table %d), below %.0f%%: the frequency governor ('%s') does not show in the data.",
                 b[i].name, cvs[i] * 100, cv_table, r->o->cv_threshold * 100, gov);
    }
    html(r, "</ul>\n");
    md(r, "\n");
}

/* ---- assembly ---------------------------------------------------------------------- */

static int mkdir_p(const char *dir)
{
    char buf[PATH_MAX + 32];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static backend_data *find_backend(backend_data **b, size_t *nb, const char *name)
{
    for (size_t i = 0; i < *nb; i++)
        if (strcmp((*b)[i].name, name) == 0) return &(*b)[i];
    *b = realloc(*b, (*nb + 1) * sizeof **b);
    backend_data *d = &(*b)[(*nb)++];
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    return d;
}

int report_write(const report_options *o, char *html_path, size_t path_size, char *err, size_t err_size)
{
    const char *host = o->host ? o->host : fingerprint_host_id();
    char **paths = results_list(o->root, host);
    backend_data *b = NULL;
    size_t nb = 0;
    json_object *newest = NULL;
    for (char **p = paths; *p; p++) {
        char why[512];
        json_object *doc = results_load(*p, why, sizeof why);
        if (doc == NULL) continue; /* `slotkit results` shows why */
        backend_data *d = find_backend(&b, &nb, results_get_string(doc, "backend.name", "unknown"));
        bool conform = strcmp(results_get_string(doc, "kind", ""), "conform") == 0;
        /* Paths are in time order: the last one of each kind wins. A filtered
         * conformance run is partial, so it never replaces a full one. */
        if (conform && results_get(doc, "config.filter") != NULL && d->conform != NULL) {
            json_object_put(doc);
            continue;
        }
        json_object **slot = conform ? &d->conform : &d->bench;
        json_object_put(*slot);
        *slot = doc;
        snprintf(conform ? d->conform_path : d->bench_path, PATH_MAX, "%s", *p);
        newest = doc;
    }
    results_list_free(paths);
    if (nb == 0) {
        snprintf(err, err_size, "no results for host %s under %s/ (run `make run`, or see `slotkit results`)", host,
                 results_root(o->root));
        free(b);
        return -1;
    }
    rep r = {.o = o, .host = results_get(newest, "host")};
    snprintf(r.out_dir, sizeof r.out_dir, "%s", o->out_dir);
    char figdir[PATH_MAX + 16];
    snprintf(figdir, sizeof figdir, "%s/figures", r.out_dir);
    snprintf(r.tmp, sizeof r.tmp, "/tmp/slotkit-report-XXXXXX");
    char md_path[PATH_MAX + 16];
    snprintf(html_path, path_size, "%s/report.html", r.out_dir);
    snprintf(md_path, sizeof md_path, "%s/report.md", r.out_dir);
    if (mkdir_p(figdir) != 0 || mkdtemp(r.tmp) == NULL) {
        snprintf(err, err_size, "cannot create %s: %s", figdir, strerror(errno));
        for (size_t i = 0; i < nb; i++) json_object_put(b[i].bench), json_object_put(b[i].conform);
        free(b);
        return -1;
    }
    r.md = fopen(md_path, "w");
    r.html = open_memstream(&r.html_buf, &r.html_size);
    if (r.md == NULL || r.html == NULL) {
        snprintf(err, err_size, "cannot write %s: %s", md_path, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < nb; i++) load_rows(&b[i]);

    char now[32];
    time_t t = time(NULL);
    strftime(now, sizeof now, "%Y-%m-%d %H:%M:%SZ", gmtime(&t));
    escape_markdown_printf(r.md, "# slotkit tuning report — %s\n\nGenerated %s from %zu backend(s)' newest results in `%s/%s/`.\n",
                           host, now, nb, results_root(o->root), host);
    html(&r, "<h1>slotkit tuning report — ");
    escape_html(r.html, host);
    html(&r, "</h1>\n<p class=\"meta\">Generated %s from the newest results of %zu backend(s) in <code>", now, nb);
    escape_html(r.html, results_root(o->root));
    html(&r, "/");
    escape_html(r.html, host);
    html(&r, "/</code>.</p>\n");

    section_machine(&r);
    limits L;
    section_limits(&r, b, nb, &L);
    backend_figs *F = calloc(nb, sizeof *F);
    double *cvs = calloc(nb, sizeof *cvs);
    int section = 3;
    for (size_t i = 0; i < nb; i++) {
        char title[160];
        snprintf(title, sizeof title, "%d. Backend %s", section++, b[i].name);
        heading(&r, 2, title);
        json_object *doc = b[i].bench ? b[i].bench : b[i].conform;
        char caps[256] = "";
        json_object *c = results_get(doc, "backend.capabilities");
        for (size_t k = 0; c && k < json_object_array_length(c); k++)
            snprintf(caps + strlen(caps), sizeof caps - strlen(caps), "%s%s", k ? ", " : "",
                     json_object_get_string(json_object_array_get_idx(c, k)));
        para(&r, false, "Version %s, capabilities: %s. Benchmarks: %s.", results_get_string(doc, "backend.version", "?"),
             caps[0] ? caps : "none", b[i].bench ? b[i].bench_path : "none stored");
        section_latency(&r, &b[i], &L, &F[i]);
        section_throughput(&r, &b[i], &L, &F[i]);
        section_slots(&r, &b[i], &F[i]);
        section_ops(&r, &b[i]);
        section_conform(&r, &b[i], &F[i]);
    }
    /* Run-to-run variation per backend: the evidence for governor advice. */
    heading(&r, 2, "Run-to-run variation");
    static const char *const vhead[] = {"backend", "median CV of repetitions", "most variable benchmark"};
    int cv_table = table_begin(&r, "Coefficient of variation of the wall-clock repetitions of each benchmark.", 3, vhead);
    for (size_t i = 0; i < nb; i++) {
        char worst[200] = "-", a[32] = "-", w[260] = "-";
        double worst_cv;
        cvs[i] = median_cv(b[i].bench, worst, sizeof worst, &worst_cv);
        if (!isnan(cvs[i])) {
            snprintf(a, sizeof a, "%.2f%%", cvs[i] * 100);
            snprintf(w, sizeof w, "%s (%.2f%%)", worst, worst_cv * 100);
        } else {
            snprintf(a, sizeof a, "no repetitions stored");
        }
        const char *cells[] = {b[i].name, a, w};
        table_row(&r, 3, cells);
    }
    table_end(&r);
    recommend(&r, b, nb, F, &L, cv_table, cvs);
    fclose(r.md);
    fclose(r.html);

    /* The page: styles inline, figures inline, nothing fetched. */
    FILE *out = fopen(html_path, "w");
    if (out == NULL) {
        snprintf(err, err_size, "cannot write %s: %s", html_path, strerror(errno));
        free(r.html_buf);
        return -1;
    }
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"slotkit-figures\" content=\"%d\">\n<title>slotkit tuning report — ",
            r.figures - r.failed_figures);
    escape_html(out, host);
    fprintf(out,
            "</title>\n<style>\nbody{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}\n"
            "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;text-align:left;"
            "font-size:90%%}caption{text-align:left;font-weight:bold;padding:4px 0}\n"
            "figure{margin:1.5em 0}figure svg{width:100%%;height:auto;border:1px solid #ddd}"
            "figcaption{font-size:90%%;color:#444}\n.broken{color:#b00;font-weight:bold}.meta{color:#666}\n"
            "</style>\n</head>\n<body>\n");
    fwrite(r.html_buf, 1, r.html_size, out);
    fprintf(out, "</body>\n</html>\n");
    fclose(out);
    free(r.html_buf);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", r.tmp);
    if (system(cmd) != 0) fprintf(stderr, "slotkit: report: could not remove %s\n", r.tmp);
    for (size_t i = 0; i < nb; i++) {
        json_object_put(b[i].bench);
        json_object_put(b[i].conform);
        free(b[i].rows);
    }
    free(b);
    free(F);
    free(cvs);
    if (r.failed_figures > 0) {
        snprintf(err, err_size, "%d figure(s) could not be drawn (is gnuplot installed?)", r.failed_figures);
        return -1;
    }
    return r.figures;
}
