/*
 * What a benchmark case receives, checked: a backend that loses, reorders,
 * duplicates or tears samples must not be reported as fast. The writer fills a
 * pattern derived from the sample's tag (its number in the case); each reader
 * checks the pattern, the committed size, and the order of tags and sequence
 * numbers (R-SEQ-1, R-SEQ-4, R-NEXT-2: a FIFO per reader, consecutive SNs).
 * Cost per sample: five 8-byte stores on the writer, five loads and compares
 * on the reader, whatever the payload size.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define PATTERN_WORDS 5

/* The offsets of the checked words: first, the quarters, last (8-byte words inside the span). */
/* The offsets of the checked words (first, the quarters, last); below
 * PATTERN_MIN_SPAN they would overlap, so only the first word (if it fits). */
static size_t pattern_offsets(size_t span, size_t off[PATTERN_WORDS])
{
    if (span < 8) return 0;
    off[0] = 0;
    if (span < PATTERN_MIN_SPAN) return 1;
    off[1] = (span / 4) & ~(size_t)7;
    off[2] = (span / 2) & ~(size_t)7;
    off[3] = (3 * (span / 4)) & ~(size_t)7;
    off[4] = span - 8;
    return PATTERN_WORDS;
}

void payload_fill_small(unsigned char *p, size_t span, uint64_t tag)
{
    size_t off[PATTERN_WORDS], n = pattern_offsets(span, off);
    for (size_t i = 0; i < n; i++) pattern_put(p, off[i], (int)i, tag);
}

bool payload_intact(const unsigned char *p, size_t span, uint64_t *tag)
{
    size_t off[PATTERN_WORDS], n = pattern_offsets(span, off);
    uint64_t first = 0;
    if (n > 0) memcpy(&first, p, 8);
    *tag = first ^ PATTERN_KEY(0);
    for (size_t i = 1; i < n; i++)
        if (!pattern_is(p, off[i], (int)i, *tag)) return false;
    return true;
}

void check_init(sample_check *c, const char *who, uint64_t first_tag)
{
    memset(c, 0, sizeof *c);
    snprintf(c->who, sizeof c->who, "%s", who);
    c->next_tag = first_tag;
}

static void note(sample_check *c, const char *fmt, unsigned long long a, unsigned long long b)
{
    if (c->first[0] != '\0') return;
    char what[96];
    snprintf(what, sizeof what, fmt, a, b);
    snprintf(c->first, sizeof c->first, "%s, sample %llu: %s", c->who, (unsigned long long)c->received, what);
}

/* Tags must come as next_tag, next_tag + 1, ...: a jump is a gap (lost unless
 * filled later), a step back a duplicate or a reordering. */
static bool check_tag(sample_check *c, uint64_t tag)
{
    if (tag == c->next_tag) {
        c->next_tag++;
        return true;
    }
    if (tag > c->next_tag) {
        note(c, "got #%llu where #%llu was next (skipped ahead)", tag, c->next_tag);
        c->lost += tag - c->next_tag;
        c->next_tag = tag + 1;
        return true;
    }
    if (tag + 1 == c->next_tag) {
        c->duplicated++;
        note(c, "#%llu again (duplicate; next is #%llu)", tag, c->next_tag);
        return false;
    }
    c->out_of_order++;
    if (c->lost > 0) c->lost--; /* it fills an earlier gap: late, not lost */
    note(c, "#%llu after a later one (next is #%llu)", tag, c->next_tag);
    return false;
}

void check_sample_slow(sample_check *c, const unsigned char *p, size_t span, size_t size, size_t committed,
                       const uint32_t *sn)
{
    uint64_t tag;
    c->received++;
    if (size != committed) {
        c->wrong_size++;
        note(c, "sample_size %llu, %llu committed", size, committed);
    }
    if (!payload_intact(p, span, &tag)) {
        c->torn++;
        note(c, "torn payload (first word says #%llu, next is #%llu)", tag, c->next_tag);
        c->next_tag++; /* it stands for the sample expected; its tag cannot be trusted */
        return;
    }
    bool in_order = check_tag(c, tag);
    if (sn != NULL) {
        /* Strictly increasing in serial-number order (RFC 1982, R-SEQ-4). */
        if (c->have_sn && (int32_t)(*sn - c->last_sn) <= 0 && in_order) {
            c->out_of_order++;
            note(c, "SN %llu after SN %llu", *sn, c->last_sn);
        }
        c->last_sn = *sn;
        c->have_sn = true;
    }
}

void check_finish(sample_check *c, uint64_t end_tag)
{
    if (c->next_tag >= end_tag) return;
    note(c, "#%llu..#%llu never arrived", c->next_tag, end_tag - 1);
    c->lost += end_tag - c->next_tag;
    c->next_tag = end_tag;
}

void check_merge(sample_check *into, const sample_check *from)
{
    into->received += from->received;
    into->out_of_order += from->out_of_order;
    into->duplicated += from->duplicated;
    into->lost += from->lost;
    into->torn += from->torn;
    into->wrong_size += from->wrong_size;
    if (into->first[0] == '\0') snprintf(into->first, sizeof into->first, "%s", from->first);
}

uint64_t check_violations(const sample_check *c)
{
    return c->out_of_order + c->duplicated + c->lost + c->torn + c->wrong_size;
}

bool report_invalid(gb_state *st, const sample_check *c)
{
    static const char *const names[] = {"out-of-order", "duplicated", "lost", "torn", "wrong-size"};
    static const char *const counters[] = {"invalid_out_of_order", "invalid_duplicated", "invalid_lost", "invalid_torn",
                                           "invalid_wrong_size"};
    const uint64_t counts[] = {c->out_of_order, c->duplicated, c->lost, c->torn, c->wrong_size};
    gb_counter(st, "samples_checked", (double)c->received, GB_COUNTER_DEFAULT);
    if (check_violations(c) == 0) return false;
    char msg[400];
    int len = snprintf(msg, sizeof msg, "invalid:");
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        gb_counter(st, counters[i], (double)counts[i], GB_COUNTER_DEFAULT);
        if (counts[i] && len < (int)sizeof msg)
            len += snprintf(msg + len, sizeof msg - (size_t)len, " %llu %s,", (unsigned long long)counts[i], names[i]);
    }
    if (len > 0 && len < (int)sizeof msg && msg[len - 1] == ',') msg[--len] = '\0';
    if (len < (int)sizeof msg) snprintf(msg + len, sizeof msg - (size_t)len, " (first: %s)", c->first);
    gb_skip_with_error(st, msg);
    return true;
}
