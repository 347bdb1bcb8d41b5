/* Escaping for untrusted strings (see escape.h). */
#include "escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

typedef enum { CHAR_TEXT, CHAR_SPACE, CHAR_BAD } char_class;

/* Length (1..4) of the valid UTF-8 character at s, with its code point;
 * 0 if s does not start one (truncated, overlong, surrogate, > U+10FFFF). */
static size_t utf8_char(const unsigned char *s, uint32_t *cp)
{
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len = s[0] < 0x80             ? 1
                 : (s[0] & 0xE0) == 0xC0 ? 2
                 : (s[0] & 0xF0) == 0xE0 ? 3
                 : (s[0] & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (len == 0) return 0;
    uint32_t c = len == 1 ? s[0] : s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0; /* also stops at the terminating NUL */
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min[len] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) return 0;
    *cp = c;
    return len;
}

/* Classifies the character at *s, sets *len to its length in bytes. */
static char_class next_char(const char *s, size_t *len)
{
    uint32_t c;
    *len = utf8_char((const unsigned char *)s, &c);
    if (*len == 0) {
        *len = 1;
        return CHAR_BAD;
    }
    if (c == '\t' || c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029) return CHAR_SPACE;
    bool control = c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
                   (c >= 0x2066 && c <= 0x2069);
    return control ? CHAR_BAD : CHAR_TEXT;
}

static const char *html_entity(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

typedef enum { MODE_HTML, MODE_MARKDOWN, MODE_MARKDOWN_CODE } stream_mode;

/* True if the character at s of the string at start needs a backslash in Markdown. */
static bool markdown_special(const char *start, const char *s)
{
    if (strchr("\\`*_[]|#~", *s) != NULL) return true;
    if (s == start) return *s == '-' || *s == '+' || *s == '=';
    if (*s != '.' && *s != ')') return false;
    const char *d = start;
    while (d < s && *d >= '0' && *d <= '9') d++;
    /* "1. " or "12)" at the start would open an ordered list; "0.90" would not */
    return d == s && (s[1] == '\0' || s[1] == ' ' || s[1] == '\t');
}

static void escape_stream(FILE *out, const char *s, stream_mode mode)
{
    for (const char *p = s; *p;) {
        size_t len;
        char_class cls = next_char(p, &len);
        const char *entity = cls == CHAR_TEXT && len == 1 ? html_entity(*p) : NULL;
        if (cls == CHAR_BAD)
            fputs(REPLACEMENT, out);
        else if (cls == CHAR_SPACE)
            fputc(' ', out);
        else if (entity)
            fputs(entity, out);
        else if (mode == MODE_MARKDOWN && len == 1 && markdown_special(s, p))
            fprintf(out, "\\%c", *p);
        else if (mode == MODE_MARKDOWN_CODE && *p == '`')
            fputc('\'', out);
        else
            fwrite(p, 1, len, out);
        p += len;
    }
}

void escape_html(FILE *out, const char *s) { escape_stream(out, s, MODE_HTML); }
void escape_markdown(FILE *out, const char *s) { escape_stream(out, s, MODE_MARKDOWN); }
void escape_markdown_code(FILE *out, const char *s) { escape_stream(out, s, MODE_MARKDOWN_CODE); }

/* Writes one conversion (spec: "%...X", its length) of a number or character from ap. */
static void write_number(FILE *out, const char *spec, size_t len, va_list *ap)
{
    char fmt[32];
    snprintf(fmt, sizeof fmt, "%.*s", (int)(len < sizeof fmt ? len : sizeof fmt - 1), spec);
    char conv = spec[len - 1];
    bool l = strstr(fmt, "l") != NULL, ll = strstr(fmt, "ll") != NULL, z = strchr(fmt, 'z') != NULL;
    bool j = strchr(fmt, 'j') != NULL, t = strchr(fmt, 't') != NULL;
    bool big = strchr(fmt, 'L') != NULL;
    if (strchr("fFgGeEaA", conv)) {
        if (big)
            fprintf(out, fmt, va_arg(*ap, long double));
        else
            fprintf(out, fmt, va_arg(*ap, double));
    } else if (strchr("di", conv)) {
        if (ll)
            fprintf(out, fmt, va_arg(*ap, long long));
        else if (l)
            fprintf(out, fmt, va_arg(*ap, long));
        else if (j)
            fprintf(out, fmt, va_arg(*ap, intmax_t));
        else if (z || t)
            fprintf(out, fmt, va_arg(*ap, ptrdiff_t));
        else
            fprintf(out, fmt, va_arg(*ap, int));
    } else if (strchr("uxXo", conv)) {
        if (ll)
            fprintf(out, fmt, va_arg(*ap, unsigned long long));
        else if (l)
            fprintf(out, fmt, va_arg(*ap, unsigned long));
        else if (j)
            fprintf(out, fmt, va_arg(*ap, uintmax_t));
        else if (z || t)
            fprintf(out, fmt, va_arg(*ap, size_t));
        else
            fprintf(out, fmt, va_arg(*ap, unsigned));
    } else if (conv == 'c') {
        fprintf(out, fmt, va_arg(*ap, int));
    } else {
        fputc('?', out); /* %p, %n, '*' widths: not used by any caller */
    }
}

void escape_markdown_vprintf(FILE *out, const char *fmt, va_list ap)
{
    va_list args;
    va_copy(args, ap);
    bool in_code = false; /* inside a code span the format opened */
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            if (*p == '`') in_code = !in_code;
            fputc(*p, out);
            continue;
        }
        size_t len = 1 + strspn(p + 1, "-+ #0123456789.hlLjzt");
        if (p[len] == '\0') break;
        len++;
        if (p[len - 1] == '%') {
            fputc('%', out);
        } else if (p[len - 1] == 's') {
            const char *s = va_arg(args, const char *);
            char fmt_s[32], *text = NULL;
            snprintf(fmt_s, sizeof fmt_s, "%.*s", (int)(len < sizeof fmt_s ? len : sizeof fmt_s - 1), p);
            if (len == 2 || asprintf(&text, fmt_s, s ? s : "(null)") < 0) text = NULL; /* width/precision */
            (in_code ? escape_markdown_code : escape_markdown)(out, text ? text : s ? s : "(null)");
            free(text);
        } else {
            write_number(out, p, len, &args);
        }
        p += len - 1;
    }
    va_end(args);
}

void escape_markdown_printf(FILE *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    escape_markdown_vprintf(out, fmt, ap);
    va_end(ap);
}

typedef enum { MODE_DATUM, MODE_LABEL, MODE_TERMINAL } line_mode;

static bool label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(" ._:/+-", c) != NULL;
}

/* What a buffer escaper writes for the character at p: its own bytes, or one replacement byte. */
static const char *line_char(const char *p, size_t *len, char_class cls, line_mode mode)
{
    static const char space = ' ', bad = '?', under = '_', apos = '\'', slash = '/';
    const char *one = NULL;
    if (mode == MODE_LABEL && (cls != CHAR_TEXT || *len > 1 || !label_char(*p)))
        one = cls == CHAR_SPACE ? &space : &under;
    else if (cls == CHAR_SPACE)
        one = &space;
    else if (cls == CHAR_BAD)
        one = &bad;
    else if (mode == MODE_DATUM && (*p == '"' || *p == '\\'))
        one = *p == '"' ? &apos : &slash;
    if (one == NULL) return p;
    *len = 1;
    return one;
}

/* Copies s to out one character at a time, never splitting one. */
static char *escape_line(char *out, size_t size, const char *s, line_mode mode)
{
    size_t used = 0;
    if (size == 0) return out;
    for (const char *p = s; *p;) {
        size_t len, n;
        char_class cls = next_char(p, &len);
        n = len;
        const char *bytes = line_char(p, &n, cls, mode);
        if (used + n >= size) break;
        memcpy(out + used, bytes, n);
        used += n;
        p += len;
    }
    out[used] = '\0';
    return out;
}

char *escape_gnuplot_datum(char *out, size_t size, const char *s) { return escape_line(out, size, s, MODE_DATUM); }
char *escape_gnuplot_label(char *out, size_t size, const char *s) { return escape_line(out, size, s, MODE_LABEL); }
char *escape_terminal(char *out, size_t size, const char *s) { return escape_line(out, size, s, MODE_TERMINAL); }
