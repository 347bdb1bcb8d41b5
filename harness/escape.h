/* Escaping for every language a results-document string is written into.
 * A results document is untrusted input (it travels: device runs,
 * baselines, a colleague's host), so no string taken from one reaches
 * HTML, Markdown, gnuplot or a terminal except through these.
 *
 * All of them read the input as UTF-8. A byte that does not start a valid
 * UTF-8 character, and every control character (C0, DEL, C1, the bidi
 * overrides), is replaced (U+FFFD in HTML and Markdown, '?' elsewhere);
 * tab, newline, carriage return and U+2028/U+2029 become a space: every
 * field is written as one line. */
#ifndef SLOTKIT_HARNESS_ESCAPE_H
#define SLOTKIT_HARNESS_ESCAPE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* HTML text or a quoted attribute value: & < > " ' become entities. */
void escape_html(FILE *out, const char *s);

/* Markdown inline text (paragraph, heading, table cell, image alt text):
 * & < > " ' become entities (no raw HTML); \ ` * _ [ ] | # ~ are
 * backslash-escaped; so are a leading - + = and the . or ) of a leading
 * "1. " or "1)", so the string may open a line without making a list. */
void escape_markdown(FILE *out, const char *s);

/* Text inside a Markdown code span that the caller opened with one
 * backtick. Renderers show a span's content literally, so no backslashes:
 * a backtick (it would close the span) becomes ', and & < > " ' are still
 * entities so that the file never holds raw markup. */
void escape_markdown_code(FILE *out, const char *s);

/* printf to Markdown: the format is the caller's own (trusted) Markdown,
 * every %s argument is untrusted and goes through escape_markdown, or
 * escape_markdown_code where the format has a code span open. The other
 * conversions (numbers, %c, %%) are written as printf writes them. */
void escape_markdown_vprintf(FILE *out, const char *fmt, va_list ap);
void escape_markdown_printf(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A text field of a gnuplot data file, for the caller to put between double
 * quotes. gnuplot reads data as data, never as commands, but " would end the
 * field and \ escapes: " becomes ' and \ becomes /. Returns out. */
char *escape_gnuplot_datum(char *out, size_t size, const char *s);

/* Text that has to be interpolated into a gnuplot script (a title), for the
 * caller to put between single quotes: only [A-Za-z0-9 ._:/+-] is kept, each
 * other character becomes _, so it holds no quote, no backtick (command
 * substitution), no @ (macro) and no backslash. Returns out. */
char *escape_gnuplot_label(char *out, size_t size, const char *s);

/* A field printed to a terminal: nothing in it can move the cursor, change
 * colours or start a line of its own. Returns out. */
char *escape_terminal(char *out, size_t size, const char *s);

#endif
