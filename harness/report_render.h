/* The report's renderers, after Google Benchmark's reporters: one interface,
 * one implementation per output (report_html.c, report_markdown.c). The
 * sections (report_sections.c, report_prose.c) walk the model once and
 * call every renderer; a renderer only decides how its output spells a
 * heading, a paragraph, a table or a figure, and escapes every string for
 * that output (escape.h): all text may come from a document. */
#ifndef SLOTKIT_HARNESS_REPORT_RENDER_H
#define SLOTKIT_HARNESS_REPORT_RENDER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "report_model.h"

typedef struct report_renderer report_renderer;
struct report_renderer {
    FILE *out;
    /* The page's head and title; its end. */
    void (*begin)(report_renderer *r, const report_model *m, const char *generated);
    void (*end)(report_renderer *r);
    void (*heading)(report_renderer *r, int level, const char *text);
    /* fmt is the report's own text (its `code spans` are Markdown); every %s
     * argument is untrusted. item: a list item of the open list. */
    void (*para)(report_renderer *r, bool item, const char *fmt, va_list ap);
    void (*list_begin)(report_renderer *r);
    void (*list_end)(report_renderer *r);
    void (*table_begin)(report_renderer *r, int number, const char *caption, int ncols, const char *const *headers);
    void (*table_row)(report_renderer *r, int ncols, const char *const *cells);
    void (*table_end)(report_renderer *r);
    void (*figure)(report_renderer *r, const report_figure *f);
};

/* The HTML page (styles and figures inline) and its Markdown twin. */
void report_html_init(report_renderer *r, FILE *out);
void report_markdown_init(report_renderer *r, FILE *out);

/* Every renderer of one report, driven together (report_sections.c). */
typedef struct report_out {
    report_renderer *r;
    size_t n;
} report_out;

void out_heading(report_out *o, int level, const char *text);
void out_para(report_out *o, bool item, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void out_list_begin(report_out *o);
void out_list_end(report_out *o);
void out_table_begin(report_out *o, int number, const char *caption, int ncols, const char *const *headers);
void out_table_row(report_out *o, int ncols, const char *const *cells);
void out_table_end(report_out *o);
void out_figure(report_out *o, const report_figure *f);

/* The page's sections, in order (report_sections.c); the recommendations (report_prose.c). */
void report_sections(report_out *o, const report_model *m);
void report_prose_recommendations(report_out *o, const report_model *m);

#endif
