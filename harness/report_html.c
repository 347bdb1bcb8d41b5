/* The report as one self-contained HTML page: styles inline, figures as
 * inline SVG, nothing fetched. Every string goes through escape_html. */
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "report_render.h"

static void html_begin(report_renderer *r, const report_model *m, const char *generated)
{
    int drawn = 0;
    if (m->limits.memcpy_figure.svg) drawn++;
    for (size_t i = 0; i < m->nbackends; i++)
        drawn += (m->backends[i].latency.svg != NULL) + (m->backends[i].throughput.svg != NULL);
    fprintf(r->out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"slotkit-figures\" content=\"%d\">\n<title>slotkit tuning report — ",
            drawn);
    escape_html(r->out, m->host_id);
    fprintf(
        r->out,
        "</title>\n<style>\nbody{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}\n"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;text-align:left;"
        "font-size:90%%}caption{text-align:left;font-weight:bold;padding:4px 0}\n"
        "figure{margin:1.5em 0}figure svg{width:100%%;height:auto;border:1px solid #ddd}"
        "figcaption{font-size:90%%;color:#444}\n.broken{color:#b00;font-weight:bold}.meta{color:#666}\n"
        "</style>\n</head>\n<body>\n<h1>slotkit tuning report — ");
    escape_html(r->out, m->host_id);
    fprintf(r->out, "</h1>\n<p class=\"meta\">Generated %s from the newest results of %zu backend(s) in <code>",
            generated, m->nbackends);
    escape_html(r->out, m->root);
    fputs("/", r->out);
    escape_html(r->out, m->host_id);
    fputs("/</code>.</p>\n", r->out);
}

static void html_end(report_renderer *r) { fputs("</body>\n</html>\n", r->out); }

static void html_heading(report_renderer *r, int level, const char *text)
{
    fprintf(r->out, "<h%d>", level);
    escape_html(r->out, text);
    fprintf(r->out, "</h%d>\n", level);
}

static void html_para(report_renderer *r, bool item, const char *fmt, va_list ap)
{
    char text[2048];
    vsnprintf(text, sizeof text, fmt, ap);
    fputs(item ? "<li>" : "<p>", r->out);
    escape_html(r->out, text);
    fputs(item ? "</li>\n" : "</p>\n", r->out);
}

static void html_list_begin(report_renderer *r) { fputs("<ul class=\"recommendations\">\n", r->out); }
static void html_list_end(report_renderer *r) { fputs("</ul>\n", r->out); }

static void html_table_begin(report_renderer *r, int number, const char *caption, int ncols, const char *const *headers)
{
    fprintf(r->out, "<table id=\"table-%d\"><caption>Table %d. ", number, number);
    escape_html(r->out, caption);
    fputs("</caption>\n<tr>", r->out);
    for (int i = 0; i < ncols; i++) {
        fputs("<th>", r->out);
        escape_html(r->out, headers[i]);
        fputs("</th>", r->out);
    }
    fputs("</tr>\n", r->out);
}

static void html_table_row(report_renderer *r, int ncols, const char *const *cells)
{
    fputs("<tr>", r->out);
    for (int i = 0; i < ncols; i++) {
        fputs("<td>", r->out);
        escape_html(r->out, cells[i]);
        fputs("</td>", r->out);
    }
    fputs("</tr>\n", r->out);
}

static void html_table_end(report_renderer *r) { fputs("</table>\n", r->out); }

/* Several inline SVGs share one id space: gnuplot's ids get a per-figure prefix. */
static void inline_svg(FILE *out, const char *svg, int n)
{
    static const char *const marks[] = {"id='", "id=\"", "href='#", "href=\"#", "url(#"};
    for (const char *p = svg; *p; p++) {
        size_t m;
        for (m = 0; m < sizeof marks / sizeof marks[0] && strncmp(p, marks[m], strlen(marks[m])) != 0; m++) {}
        if (m == sizeof marks / sizeof marks[0]) {
            fputc(*p, out);
            continue;
        }
        fwrite(p, 1, strlen(marks[m]), out);
        fprintf(out, "f%d_", n);
        p += strlen(marks[m]) - 1;
    }
}

static void html_figure(report_renderer *r, const report_figure *f)
{
    fprintf(r->out, "<figure id=\"figure-%d\" class=\"plot\">\n", f->number);
    const char *start = f->svg ? strstr(f->svg, "<svg") : NULL;
    if (start == NULL) {
        fprintf(
            r->out,
            "<p class=\"broken\">Figure %d could not be drawn (gnuplot exit status %d; is gnuplot installed?)</p>\n",
            f->number, f->status);
        fputs("</figure>\n", r->out);
        return;
    }
    inline_svg(r->out, start, f->number);
    fprintf(r->out, "<figcaption>Figure %d. ", f->number);
    escape_html(r->out, f->caption);
    fputs("</figcaption>\n</figure>\n", r->out);
}

void report_html_init(report_renderer *r, FILE *out)
{
    *r = (report_renderer){.out = out,
                           .begin = html_begin,
                           .end = html_end,
                           .heading = html_heading,
                           .para = html_para,
                           .list_begin = html_list_begin,
                           .list_end = html_list_end,
                           .table_begin = html_table_begin,
                           .table_row = html_table_row,
                           .table_end = html_table_end,
                           .figure = html_figure};
}
