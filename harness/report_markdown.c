/* The report's Markdown twin: figures are the SVG files beside it. Every
 * string goes through escape_markdown (escape_markdown_vprintf for prose). */
#include <stdio.h>

#include "escape.h"
#include "report_render.h"

static void md_begin(report_renderer *r, const report_model *m, const char *generated)
{
    escape_markdown_printf(
        r->out, "# slotkit tuning report — %s\n\nGenerated %s from %zu backend(s)' newest results in `%s/%s/`.\n",
        m->host_id, generated, m->nbackends, m->root, m->host_id);
}

static void md_end(report_renderer *r) { (void)r; }

static void md_heading(report_renderer *r, int level, const char *text)
{
    fprintf(r->out, "\n%.*s ", level, "######");
    escape_markdown(r->out, text);
    fputs("\n\n", r->out);
}

static void md_para(report_renderer *r, bool item, const char *fmt, va_list ap)
{
    fputs(item ? "- " : "", r->out);
    escape_markdown_vprintf(r->out, fmt, ap);
    fputs(item ? "\n" : "\n\n", r->out);
}

static void md_list_begin(report_renderer *r) { (void)r; }
static void md_list_end(report_renderer *r) { fputs("\n", r->out); }

static void md_table_begin(report_renderer *r, int number, const char *caption, int ncols, const char *const *headers)
{
    fprintf(r->out, "**Table %d.** ", number);
    escape_markdown(r->out, caption);
    fputs("\n\n|", r->out);
    for (int i = 0; i < ncols; i++) {
        fputs(" ", r->out);
        escape_markdown(r->out, headers[i]);
        fputs(" |", r->out);
    }
    fputs("\n|", r->out);
    for (int i = 0; i < ncols; i++) fputs("---|", r->out);
    fputs("\n", r->out);
}

static void md_table_row(report_renderer *r, int ncols, const char *const *cells)
{
    fputs("|", r->out);
    for (int i = 0; i < ncols; i++) {
        fputs(" ", r->out);
        escape_markdown(r->out, cells[i]);
        fputs(" |", r->out);
    }
    fputs("\n", r->out);
}

static void md_table_end(report_renderer *r) { fputs("\n", r->out); }

static void md_figure(report_renderer *r, const report_figure *f)
{
    if (f->svg == NULL) {
        fprintf(r->out, "*Figure %d could not be drawn (gnuplot exit status %d).*\n\n", f->number, f->status);
        return;
    }
    fprintf(r->out, "![Figure %d. ", f->number);
    escape_markdown(r->out, f->title);
    fprintf(r->out, "](figures/figure-%d.svg)\n\n*Figure %d.* ", f->number, f->number);
    escape_markdown(r->out, f->caption);
    fputs("\n\n", r->out);
}

void report_markdown_init(report_renderer *r, FILE *out)
{
    *r = (report_renderer){.out = out,
                           .begin = md_begin,
                           .end = md_end,
                           .heading = md_heading,
                           .para = md_para,
                           .list_begin = md_list_begin,
                           .list_end = md_list_end,
                           .table_begin = md_table_begin,
                           .table_row = md_table_row,
                           .table_end = md_table_end,
                           .figure = md_figure};
}
