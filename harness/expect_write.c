/* Writing an expectation file from a run (`slotkit conform --write-expect`):
 * the first draft of a backend's file, which its author then gives reasons. */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "expect.h"
#include "verdict.h"

/* At most max characters of s, each outside printable ASCII as '?', so that
 * what is written is always a file expect_parse accepts. */
static void put_ascii(FILE *f, const char *s, size_t max)
{
    size_t end = strnlen(s, max);
    while (end > 0 && s[end - 1] == ' ') end--;
    for (size_t i = 0; i < end; i++) fputc(s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?', f);
}

static void write_line(FILE *f, const conform_rule *r)
{
    static const char fail_prefix[] = "TODO say why: ", blocked_prefix[] = "blocked ";
    bool blocked = r->verdict == VERDICT_BLOCKED;
    fprintf(f, "%-14s %-8s %s", r->rule, verdict_name(r->verdict), blocked ? blocked_prefix : fail_prefix);
    size_t room = EXPECT_MAX_REASON - (blocked ? sizeof blocked_prefix : sizeof fail_prefix) + 1;
    put_ascii(f, r->detail[0] ? r->detail : "(no detail)", room);
    fputc('\n', f);
}

int expect_write(const char *path, const conform_rule *rules, size_t count, const char *backend)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) return cli_fail("conform: cannot write %s: %s", path, strerror(errno));
    fprintf(f, "%s %d\n# The verdicts of backend '", EXPECT_HEADER, EXPECT_VERSION);
    put_ascii(f, backend, 64);
    fputs("' as slotkit conform --write-expect found them.\n"
          "# Give every FAIL a reason a reviewer can check (docs/expectations.md).\n",
          f);
    int not_run = 0;
    for (size_t i = 0; i < count; i++) {
        if (rules[i].verdict == VERDICT_FAILED || rules[i].verdict == VERDICT_BLOCKED) write_line(f, &rules[i]);
        not_run += rules[i].verdict == VERDICT_NOT_RUN;
    }
    if (not_run > 0)
        fprintf(stderr, "slotkit: conform: warning: %d rules NOT-RUN are not in %s: run again with a larger --budget\n",
                not_run, path);
    return fclose(f) == 0 ? 0 : cli_fail("conform: cannot write %s: %s", path, strerror(errno));
}
