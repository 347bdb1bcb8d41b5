/* The escaping of untrusted document strings (harness/escape.c, issue 10). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/escape.h"

/* What an escaper writing to a stream makes of s. */
static char *streamed(void (*escape)(FILE *, const char *), const char *s)
{
    static char *buf;
    size_t size;
    free(buf);
    FILE *f = open_memstream(&buf, &size);
    escape(f, s);
    fclose(f);
    return buf;
}

static char *md_printf_result;
static const char *md_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *md_printf(const char *fmt, ...)
{
    size_t size;
    free(md_printf_result);
    FILE *f = open_memstream(&md_printf_result, &size);
    va_list ap;
    va_start(ap, fmt);
    escape_markdown_vprintf(f, fmt, ap);
    va_end(ap);
    fclose(f);
    return md_printf_result;
}

#define FFFD "\xEF\xBF\xBD"

Test(escape, html_makes_markup_text)
{
    cr_assert_str_eq(streamed(escape_html, "<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
    cr_assert_str_eq(streamed(escape_html, "\"><img src=x onerror=alert(1)>"),
                     "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    cr_assert_str_eq(streamed(escape_html, "a'b&c"), "a&#39;b&amp;c");
    cr_assert_str_eq(streamed(escape_html, "plain name_1/size:64"), "plain name_1/size:64");
}

Test(escape, one_line_of_valid_utf8_without_controls)
{
    cr_assert_str_eq(streamed(escape_html, "a\nb\tc\rd"), "a b c d");
    cr_assert_str_eq(streamed(escape_html, "\x01\x1b[31m\x7f"), FFFD FFFD "[31m" FFFD);
    cr_assert_str_eq(streamed(escape_html, "\xff\xfe"), FFFD FFFD);
    cr_assert_str_eq(streamed(escape_html, "\xc2\x9b"), FFFD, "a C1 control (CSI) is replaced");
    cr_assert_str_eq(streamed(escape_html, "\xe2\x80\xae"), FFFD, "a bidi override is replaced");
    cr_assert_str_eq(streamed(escape_html, "\xc0\xbc"), FFFD FFFD, "an overlong '<' is not a '<' and not kept");
    cr_assert_str_eq(streamed(escape_html, "\xed\xa0\x80"), FFFD FFFD FFFD, "a UTF-16 surrogate is not UTF-8");
    cr_assert_str_eq(streamed(escape_html, "\xe2\x82"), FFFD FFFD, "a truncated character");
    cr_assert_str_eq(streamed(escape_html, "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80"),
                     "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80");
}

Test(escape, markdown_text_is_literal)
{
    cr_assert_str_eq(streamed(escape_markdown, "<script>"), "&lt;script&gt;");
    cr_assert_str_eq(streamed(escape_markdown, "a|b`c`*d*_e_[f](g)#h~i\\"),
                     "a\\|b\\`c\\`\\*d\\*\\_e\\_\\[f\\](g)\\#h\\~i\\\\");
    cr_assert_str_eq(streamed(escape_markdown, "# heading"), "\\# heading");
    cr_assert_str_eq(streamed(escape_markdown, "- item"), "\\- item");
    cr_assert_str_eq(streamed(escape_markdown, "12. item"), "12\\. item");
    cr_assert_str_eq(streamed(escape_markdown, "1) item"), "1\\) item");
    cr_assert_str_eq(streamed(escape_markdown, "1)"), "1\\)");
    cr_assert_str_eq(streamed(escape_markdown, "a-b 1.5 x- 0.90% 2) 3. "), "a-b 1.5 x- 0.90% 2) 3. ",
                     "only a leading marker is escaped");
    cr_assert_str_eq(streamed(escape_markdown, "cell\n| forged |"), "cell \\| forged \\|");
}

Test(escape, markdown_code_span_cannot_be_closed)
{
    cr_assert_str_eq(streamed(escape_markdown_code, "same_l3`<b>`"), "same_l3'&lt;b&gt;'");
    cr_assert_str_eq(streamed(escape_markdown_code, "a|b\nc"), "a|b c");
}

Test(escape, markdown_printf_escapes_arguments_not_the_format)
{
    cr_assert_str_eq(md_printf("use `%s` (%d, %.1f%%, %ld, %zu, %g): *%s*", "x`y<", -3, 2.25, 7L, (size_t)9, 0.5, "#_"),
                     "use `x'y&lt;` (-3, 2.2%, 7, 9, 0.5): *\\#\\_*");
    cr_assert_str_eq(md_printf("%s and `%s` and %s", "`a`", "`b`", "`c`"), "\\`a\\` and `'b'` and \\`c\\`");
    cr_assert_str_eq(md_printf("[%5s|%-3s|%.2s]", "ab", "c", "<<<"), "[   ab|c  |&lt;&lt;]");
    cr_assert_str_eq(md_printf("%c%+.0f %x %llu %u", 'Z', 3.0, 255u, 5ULL, 4u), "Z+3 ff 5 4");
}

Test(escape, gnuplot_label_keeps_only_the_whitelist)
{
    char out[128];
    cr_assert_str_eq(escape_gnuplot_label(out, sizeof out, "q\".system(\"touch CANARY\").\""),
                     "q_.system__touch CANARY__._");
    cr_assert_str_eq(escape_gnuplot_label(out, sizeof out, "q'`touch x`@m\\n$1"), "q__touch x__m_n_1");
    cr_assert_str_eq(escape_gnuplot_label(out, sizeof out, "Figure 3. inmem: lat/size:64 +1.5-2"),
                     "Figure 3. inmem: lat/size:64 +1.5-2");
    cr_assert_str_eq(escape_gnuplot_label(out, sizeof out, "caf\xc3\xa9\t\xff"), "caf_ _");
    for (const char *p = escape_gnuplot_label(out, sizeof out, "<>&|;'\"`@$\\#{}()!*?~^%=,[]"); *p; p++)
        cr_assert_eq(*p, '_', "'%c' kept", *p);
}

Test(escape, gnuplot_datum_cannot_end_its_field)
{
    char out[128];
    cr_assert_str_eq(escape_gnuplot_datum(out, sizeof out, "a\"b\\\" c\nd\x01\xff"), "a'b/' c d??");
    cr_assert_str_eq(escape_gnuplot_datum(out, sizeof out, "<script> `x` #y caf\xc3\xa9"),
                     "<script> `x` #y caf\xc3\xa9");
}

Test(escape, terminal_output_cannot_forge_lines_or_colours)
{
    char out[64];
    cr_assert_str_eq(escape_terminal(out, sizeof out, "name\ngate: 0 regressed -> PASS"),
                     "name gate: 0 regressed -> PASS");
    cr_assert_str_eq(escape_terminal(out, sizeof out,
                                     "\x1b[2J\x1b]0;title\x07\xc2\x9b"
                                     "1m\xff"),
                     "?[2J?]0;title??1m?");
    cr_assert_str_eq(escape_terminal(out, sizeof out, "caf\xc3\xa9"), "caf\xc3\xa9");
}

Test(escape, buffers_truncate_between_characters)
{
    char out[5];
    cr_assert_str_eq(escape_terminal(out, sizeof out, "ab\xc3\xa9z"), "ab\xc3\xa9");
    cr_assert_str_eq(escape_terminal(out, 4, "ab\xc3\xa9z"), "ab", "the two-byte character does not fit whole");
    cr_assert_str_eq(escape_terminal(out, 1, "abc"), "");
    char untouched[2] = {'x', 'y'};
    escape_terminal(untouched, 0, "abc");
    cr_assert_eq(untouched[0], 'x', "size 0 writes nothing");
}
