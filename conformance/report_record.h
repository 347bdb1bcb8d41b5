/*
 * The one-line test result record shared by the suite (writer, report_hook.c)
 * and `slotkit conform` (reader). See report_hook.c for the format.
 */
#ifndef SLOTKIT_CONFORMANCE_REPORT_RECORD_H
#define SLOTKIT_CONFORMANCE_REPORT_RECORD_H

#include <stdbool.h>
#include <stddef.h>

/* Environment variable naming the file the records are appended to. */
#define REPORT_RECORD_ENV "SLOTKIT_CONF_REPORT"
/* Longest message kept (before escaping). */
#define REPORT_MESSAGE_MAX 400

typedef struct report_record {
    char status[16]; /* PASSED FAILED SKIPPED CRASHED TIMEOUT */
    char suite[128];
    char test[256];
    double seconds;
    char message[REPORT_MESSAGE_MAX * 4 + 1]; /* still escaped: printable ASCII only */
} report_record;

/* Copies text into out (size > 0), escaping every byte outside printable
 * ASCII, '\\' and TAB as \n, \t, \\ or \xNN; truncates at a whole escape. */
void report_escape(const char *text, char *out, size_t size);

/* Appends one record to the file named by $SLOTKIT_CONF_REPORT (nothing when
 * unset), in a single write so records of parallel processes never mix. */
void report_append(const char *status, const char *suite, const char *test, double seconds, const char *message);

/* Parses one record line (without its newline). False when the line is not a
 * well-formed record: unknown version or status, a field too long, a byte
 * outside printable ASCII. Nothing from the line is trusted beyond that. */
bool report_parse(const char *line, report_record *out);

#endif
