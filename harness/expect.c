/* Reading an expectation file (expect.h): the format of docs/expectations.md. */
#include "expect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "verdict.h"

typedef struct parse_state {
    expect_file *out;
    size_t capacity;
    int line;
    char *err;
    size_t err_size;
} parse_state;

static int fail_at(parse_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_at(parse_state *s, const char *fmt, ...)
{
    int n = snprintf(s->err, s->err_size, "line %d: ", s->line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < s->err_size) vsnprintf(s->err + n, s->err_size - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* Only printable ASCII, tab and newline: nothing in the file can reach a
 * terminal, TAP or XML report as a control sequence. */
static int check_bytes(parse_state *s, const char *text, size_t size)
{
    int column = 1;
    s->line = 1;
    for (size_t i = 0; i < size; i++, column++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            s->line++;
            column = 0;
        } else if (c == '\r') {
            return fail_at(s, "column %d: carriage return (save the file with LF line ends)", column);
        } else if (c >= 0x80) {
            return fail_at(s, "column %d: non-ASCII byte 0x%02x (the file is printable ASCII)", column, c);
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return fail_at(s, "column %d: control byte 0x%02x", column, c);
        }
    }
    return 0;
}

static bool blank(char c) { return c == ' ' || c == '\t'; }

/* The next blank-separated token of line[*at..end): its start and length. */
static size_t take_token(const char *line, size_t end, size_t *at, const char **token)
{
    while (*at < end && blank(line[*at])) (*at)++;
    *token = line + *at;
    size_t start = *at;
    while (*at < end && !blank(line[*at])) (*at)++;
    return *at - start;
}

static bool rule_syntax(const char *token, size_t len)
{
    if (len < 3 || len >= sizeof(((expectation *)0)->rule) || strncmp(token, "R-", 2) != 0) return false;
    for (size_t i = 2; i < len; i++)
        if (!((token[i] >= 'A' && token[i] <= 'Z') || (token[i] >= '0' && token[i] <= '9') || token[i] == '-'))
            return false;
    return true;
}

/* FAIL, BLOCKED and warn may be expected; the others say why not. */
static int parse_verdict(parse_state *s, const char *token, size_t len, rule_verdict *out)
{
    static const rule_verdict expectable[] = {VERDICT_FAILED, VERDICT_BLOCKED, VERDICT_WARNED};
    for (size_t i = 0; i < sizeof expectable / sizeof expectable[0]; i++) {
        const char *name = verdict_name(expectable[i]);
        if (strlen(name) == len && strncmp(token, name, len) == 0) {
            *out = expectable[i];
            return 0;
        }
    }
    if (len == 4 && strncmp(token, "pass", 4) == 0)
        return fail_at(s, "'pass' is the default: leave the rule out of the file");
    if (len == 7 && strncmp(token, "skipped", 7) == 0)
        return fail_at(s, "'skipped' follows from the backend's capabilities and cannot be expected");
    if (len == 7 && strncmp(token, "NOT-RUN", 7) == 0)
        return fail_at(s, "'NOT-RUN' is the run's budget, not the backend's verdict, and cannot be expected");
    return fail_at(s, "unknown verdict '%.*s' (FAIL, BLOCKED or warn, exactly so)", len > 32 ? 32 : (int)len, token);
}

/* "VERDICT" or "VERDICT|OTHER": the second may also be pass, for a rule whose verdict varies between
 * runs (a race the backend loses only sometimes); the reason must say so. */
static int parse_verdicts(parse_state *s, const char *token, size_t len, expectation *e)
{
    const char *bar = memchr(token, '|', len);
    if (parse_verdict(s, token, bar ? (size_t)(bar - token) : len, &e->verdict) != 0) return -1;
    if (bar == NULL) return 0;
    const char *other = bar + 1;
    size_t other_len = len - (size_t)(other - token);
    e->has_also = true;
    if (other_len == 4 && strncmp(other, "pass", 4) == 0)
        e->also = VERDICT_PASSED;
    else if (parse_verdict(s, other, other_len, &e->also) != 0)
        return -1;
    if (e->also == e->verdict) return fail_at(s, "%s: the same verdict twice", e->rule);
    return 0;
}

const char *expect_verdict_text(const expectation *e, char *out, size_t size)
{
    snprintf(out, size, "%s%s%s", verdict_name(e->verdict), e->has_also ? "|" : "",
             e->has_also ? verdict_name(e->also) : "");
    return out;
}

bool expect_matches(const expectation *e, rule_verdict verdict)
{
    return verdict == e->verdict || (e->has_also && verdict == e->also);
}

static int add_entry(parse_state *s, const expectation *e)
{
    const expectation *earlier = expect_find(s->out, e->rule);
    if (earlier != NULL) return fail_at(s, "%s is already expected on line %d", e->rule, earlier->line);
    if (s->out->count == s->capacity) {
        s->capacity = s->capacity ? s->capacity * 2 : 16;
        expectation *grown = realloc(s->out->items, s->capacity * sizeof *grown);
        if (grown == NULL) return fail_at(s, "out of memory");
        s->out->items = grown;
    }
    s->out->items[s->out->count++] = *e;
    return 0;
}

/* One line that is neither the version line, a comment nor blank. */
static int parse_entry(parse_state *s, const char *line, size_t len)
{
    expectation e = {.line = s->line};
    size_t at = 0;
    const char *token;
    size_t n = take_token(line, len, &at, &token);
    if (!rule_syntax(token, n)) return fail_at(s, "'%.*s' is not a rule ID (R-GROUP-N)", n > 48 ? 48 : (int)n, token);
    memcpy(e.rule, token, n);
    const char *verdict;
    size_t vn = take_token(line, len, &at, &verdict);
    if (vn == 0) return fail_at(s, "%s has no verdict (RULE VERDICT REASON)", e.rule);
    if (parse_verdicts(s, verdict, vn, &e) != 0) return -1;
    while (at < len && blank(line[at])) at++;
    size_t end = len;
    while (end > at && blank(line[end - 1])) end--;
    if (end == at) return fail_at(s, "%s %.*s has no reason (one line after the verdict)", e.rule, (int)vn, verdict);
    if (end - at > EXPECT_MAX_REASON)
        return fail_at(s, "the reason is %zu characters, more than %d", end - at, EXPECT_MAX_REASON);
    memcpy(e.reason, line + at, end - at);
    return add_entry(s, &e);
}

static int parse_version(parse_state *s, const char *line, size_t len)
{
    char want[32];
    int want_len = snprintf(want, sizeof want, "%s %d", EXPECT_HEADER, EXPECT_VERSION);
    if (len == (size_t)want_len && memcmp(line, want, len) == 0) return 0;
    size_t prefix = strlen(EXPECT_HEADER " ");
    if (len > prefix && memcmp(line, EXPECT_HEADER " ", prefix) == 0)
        return fail_at(s, "version '%.*s' is not known: this slotkit reads version %d",
                       (int)(len - prefix > 16 ? 16 : len - prefix), line + prefix, EXPECT_VERSION);
    return fail_at(s, "the first line must be '%s' (the format's version)", want);
}

static int parse_line(parse_state *s, const char *line, size_t len)
{
    if (len > EXPECT_MAX_LINE) return fail_at(s, "%zu bytes, more than the limit of %d", len, EXPECT_MAX_LINE);
    if (s->line == 1) return parse_version(s, line, len);
    size_t at = 0;
    while (at < len && blank(line[at])) at++;
    if (at == len || line[at] == '#') return 0;
    return parse_entry(s, line, len);
}

static void hash_bytes(const char *text, size_t size, char out[17])
{
    unsigned long long h = 1469598103934665603ull; /* FNV-1a 64, as fingerprint_hash */
    for (size_t i = 0; i < size; i++) h = (h ^ (unsigned char)text[i]) * 1099511628211ull;
    snprintf(out, 17, "%016llx", h);
}

int expect_parse(const char *text, size_t size, expect_file *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    parse_state s = {.out = out, .err = err, .err_size = err_size, .line = 1};
    if (size > EXPECT_MAX_FILE_BYTES) {
        snprintf(err, err_size, "the file is %zu bytes, more than the limit of %d", size, EXPECT_MAX_FILE_BYTES);
        return -1;
    }
    if (size == 0) return fail_at(&s, "the file is empty; it starts with '%s %d'", EXPECT_HEADER, EXPECT_VERSION);
    if (check_bytes(&s, text, size) != 0) return -1;
    s.line = 1;
    for (size_t start = 0; start < size; s.line++) {
        const char *nl = memchr(text + start, '\n', size - start);
        size_t len = nl ? (size_t)(nl - (text + start)) : size - start;
        if (parse_line(&s, text + start, len) != 0) {
            expect_free(out);
            return -1;
        }
        start += len + 1;
    }
    hash_bytes(text, size, out->hash);
    return 0;
}

/* Up to size bytes of fd: fewer only at its end. */
static ssize_t read_all(int fd, char *buf, size_t size)
{
    size_t got = 0;
    for (ssize_t n; got < size; got += (size_t)n) {
        n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            n = 0;
        else if (n < 0)
            return -1;
        else if (n == 0)
            break;
    }
    return (ssize_t)got;
}

int expect_load(const char *path, expect_file *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    /* O_NONBLOCK: a FIFO is refused by fstat, not waited on. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, err_size, "cannot read: %s", strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    char *text = NULL;
    ssize_t got = -1;
    if (!S_ISREG(st.st_mode))
        snprintf(err, err_size, "not a regular file");
    else if (st.st_size > EXPECT_MAX_FILE_BYTES)
        snprintf(err, err_size, "the file is %lld bytes, more than the limit of %d", (long long)st.st_size,
                 EXPECT_MAX_FILE_BYTES);
    else if ((text = malloc(EXPECT_MAX_FILE_BYTES + 1)) == NULL)
        snprintf(err, err_size, "out of memory");
    else /* one byte more than the limit: a file that grew is refused by the parser */
        got = read_all(fd, text, EXPECT_MAX_FILE_BYTES + 1);
    close(fd);
    int rc = -1;
    if (got < 0 && text != NULL)
        snprintf(err, err_size, "cannot read: %s", strerror(errno));
    else if (got >= 0)
        rc = expect_parse(text, (size_t)got, out, err, err_size);
    free(text);
    if (rc == 0) escape_terminal(out->path, sizeof out->path, path); /* it is printed and stored */
    return rc;
}

int expect_check_rules(const expect_file *file, const conform_test *tests, size_t count, char *err, size_t err_size)
{
    for (size_t i = 0; i < file->count; i++) {
        bool known = false;
        for (size_t t = 0; t < count && !known; t++) known = strcmp(tests[t].rule, file->items[i].rule) == 0;
        if (!known) {
            snprintf(err, err_size, "line %d: unknown rule %s (not in this suite's --list-tests)", file->items[i].line,
                     file->items[i].rule);
            return -1;
        }
    }
    return 0;
}

const expectation *expect_find(const expect_file *file, const char *rule)
{
    for (size_t i = 0; file != NULL && i < file->count; i++)
        if (strcmp(file->items[i].rule, rule) == 0) return &file->items[i];
    return NULL;
}

void expect_free(expect_file *file)
{
    free(file->items);
    file->items = NULL;
    file->count = 0;
}
