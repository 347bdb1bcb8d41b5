/*
 * Expected verdicts (`slotkit conform --expect FILE`, docs/expectations.md):
 * a third-party backend's CI pins today's known failures in a file, one
 * line a rule, and the run fails on anything new and on anything fixed.
 *
 *     # slotkit-expect 1
 *     R-HASH-1  FAIL  reports the hash of the wrong pool (upstream issue 7)
 *
 * The file is untrusted input: bounded, printable ASCII, exact tokens, every
 * rule one the suite has, each at most once. A bad file is refused whole,
 * naming the line and the problem, before any test runs.
 */
#ifndef SLOTKIT_HARNESS_EXPECT_H
#define SLOTKIT_HARNESS_EXPECT_H

#include <json-c/json.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "conform_model.h"

#define EXPECT_VERSION 1
#define EXPECT_HEADER "# slotkit-expect"
#define EXPECT_MAX_FILE_BYTES (64 * 1024)
#define EXPECT_MAX_LINE 512   /* bytes, without the newline */
#define EXPECT_MAX_REASON 200 /* characters */

typedef struct expectation {
    char rule[48];
    rule_verdict verdict; /* FAIL, BLOCKED or warn */
    bool has_also;        /* "VERDICT|OTHER": a rule whose verdict varies between runs */
    rule_verdict also;    /* the other verdict accepted (pass allowed here) */
    char reason[EXPECT_MAX_REASON + 1];
    int line;
} expectation;

typedef struct expect_file {
    char path[PATH_MAX];
    char hash[17]; /* FNV-1a 64 of the file's bytes, hex: which version was used */
    expectation *items;
    size_t count;
} expect_file;

/* Parses the text of an expectation file (size bytes, NULs included).
 * Returns 0, or -1 with "line N: problem" in err. */
int expect_parse(const char *text, size_t size, expect_file *out, char *err, size_t err_size);

/* Reads and parses path: a regular file of at most EXPECT_MAX_FILE_BYTES.
 * Returns 0, or -1 with the problem in err. */
int expect_load(const char *path, expect_file *out, char *err, size_t err_size);

/* Every line's rule must be one of the suite's tests' rules. Returns 0, or
 * -1 with "line N: unknown rule ..." in err. */
int expect_check_rules(const expect_file *file, const conform_test *tests, size_t count, char *err, size_t err_size);

const expectation *expect_find(const expect_file *file, const char *rule);
/* "FAIL", or "BLOCKED|pass" for a line that accepts two verdicts. */
const char *expect_verdict_text(const expectation *e, char *out, size_t size);
/* The verdict of a run matches the line. */
bool expect_matches(const expectation *e, rule_verdict verdict);
void expect_free(expect_file *file);

/* ---- judging a run (expect_judge.c) ---- */

/* Sets each rule's expected and expect fields and counts the outcomes;
 * lines naming a rule not among the rules (not selected) are not_checked. */
void expect_judge(conform_rule *rules, size_t count, const expect_file *file, expect_totals *totals);

/* True when the run exits 1 for the file: a new failure, an unexpected pass
 * or a changed verdict. */
bool expect_unmet(const expect_totals *totals);

/* "as expected", "new failure", ... (the JSON and the summary's words). */
const char *expect_outcome_name(expect_outcome outcome);

/* What a rule's outcome means, in one line: "expected FAIL (line 3): ...". */
void expect_describe(const conform_rule *rule, char *out, size_t size);

/* The summary line and the list of unexpected verdicts, after the table. */
void expect_print_summary(const conform_rule *rules, size_t count, const expect_file *file, const expect_totals *totals,
                          FILE *out);

/* {"file", "fnv1a64", "lines", "outcome": "met"|"unmet", and the totals}. */
json_object *expect_to_json(const expect_file *file, const expect_totals *totals);

/* ---- writing one (expect_write.c) ---- */

/* Writes a version-1 file expecting every FAIL and BLOCKED rule of a run,
 * the rule's detail as a draft reason. Returns 0, or 2 with a message. */
int expect_write(const char *path, const conform_rule *rules, size_t count, const char *backend);

#endif
