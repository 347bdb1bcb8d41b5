/* Escaping and parsing of the suite's result records (report_record.h). */
#include "report_record.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void report_escape(const char *text, char *out, size_t size)
{
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)(text ? text : ""); *c != '\0'; c++) {
        char piece[5];
        if (*c == '\\')
            snprintf(piece, sizeof piece, "\\\\");
        else if (*c == '\n')
            snprintf(piece, sizeof piece, "\\n");
        else if (*c == '\t')
            snprintf(piece, sizeof piece, "\\t");
        else if (*c < 0x20 || *c > 0x7e)
            snprintf(piece, sizeof piece, "\\x%02x", *c);
        else
            piece[0] = (char)*c, piece[1] = '\0';
        size_t len = strlen(piece);
        if (n + len + 1 > size) break;
        memcpy(out + n, piece, len);
        n += len;
    }
    out[n] = '\0';
}

/* Copies field [start, end) into out; false if too long or not printable ASCII. */
static bool take_field(const char *start, const char *end, char *out, size_t size)
{
    size_t len = (size_t)(end - start);
    if (len >= size) return false;
    for (const char *c = start; c < end; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e) return false;
    memcpy(out, start, len);
    out[len] = '\0';
    return true;
}

static bool known_status(const char *status)
{
    static const char *const known[] = {"PASSED", "FAILED", "SKIPPED", "CRASHED", "TIMEOUT"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(status, known[i]) == 0) return true;
    return false;
}

bool report_parse(const char *line, report_record *out)
{
    const char *field[6];
    const char *end[6];
    const char *c = line;
    for (int i = 0; i < 6; i++) {
        field[i] = c;
        const char *tab = i < 5 ? strchr(c, '\t') : NULL;
        end[i] = tab ? tab : c + strlen(c);
        if (i < 5 && tab == NULL) return false;
        c = end[i] + 1;
    }
    char version[4], seconds[32];
    if (!take_field(field[0], end[0], version, sizeof version) || strcmp(version, "R1") != 0) return false;
    if (!take_field(field[1], end[1], out->status, sizeof out->status) || !known_status(out->status)) return false;
    if (!take_field(field[2], end[2], out->suite, sizeof out->suite)) return false;
    if (!take_field(field[3], end[3], out->test, sizeof out->test)) return false;
    if (!take_field(field[4], end[4], seconds, sizeof seconds)) return false;
    if (!take_field(field[5], end[5], out->message, sizeof out->message)) return false;
    char *rest;
    out->seconds = strtod(seconds, &rest);
    if (*rest != '\0' || !(out->seconds >= 0 && out->seconds < 1e6)) out->seconds = 0;
    return true;
}

void report_append(const char *status, const char *suite, const char *test, double seconds, const char *message)
{
    const char *path = getenv(REPORT_RECORD_ENV);
    if (path == NULL || path[0] == '\0') return;
    char esc_suite[256], esc_test[512], esc_message[REPORT_MESSAGE_MAX * 4 + 1];
    report_escape(suite, esc_suite, sizeof esc_suite);
    report_escape(test, esc_test, sizeof esc_test);
    report_escape(message, esc_message, sizeof esc_message);
    char line[sizeof esc_suite + sizeof esc_test + sizeof esc_message + 64];
    int len =
        snprintf(line, sizeof line, "R1\t%s\t%s\t%s\t%.3f\t%s\n", status, esc_suite, esc_test, seconds, esc_message);
    if (len < 0) return;
    if ((size_t)len >= sizeof line) {
        len = (int)sizeof line - 1;
        line[len - 1] = '\n';
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return;
    ssize_t wrote = write(fd, line, (size_t)len);
    (void)wrote;
    close(fd);
}
