/* Helpers shared by the subcommands. */
#include "cli.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"

#ifndef SLOTKIT_PLUGIN_DIR
#define SLOTKIT_PLUGIN_DIR "/usr/local/lib/slotkit"
#endif

int cli_fail(const char *fmt, ...)
{
    /* Messages quote documents and names from the command line: one line,
     * nothing a terminal would act on (escape_terminal). */
    char message[8192], shown[sizeof message];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    fprintf(stderr, "slotkit: %s\n", escape_terminal(shown, sizeof shown, message));
    return 2;
}

/* strtod/strtol also take leading blanks, hex, "nan" and "inf": none is a
 * number a user means on the command line. */
static bool plain_decimal(const char *text)
{
    const char *p = text + (*text == '-' || *text == '+');
    if (*p == '.') p++;
    return *p >= '0' && *p <= '9' && strpbrk(text, "xXnN") == NULL;
}

int cli_parse_double(const char *text, double min, double max, double *out)
{
    if (text == NULL || !plain_decimal(text)) return -1;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (*end != '\0' || errno != 0 || !isfinite(v) || v < min || v > max) return -1;
    *out = v;
    return 0;
}

int cli_parse_long(const char *text, long min, long max, long *out)
{
    if (text == NULL || !plain_decimal(text)) return -1;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (*end != '\0' || errno != 0 || v < min || v > max) return -1;
    *out = v;
    return 0;
}

const char *cli_exe_dir(void)
{
    static char dir[PATH_MAX];
    if (dir[0] == '\0') {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0) return ".";
        exe[n] = '\0';
        snprintf(dir, sizeof dir, "%s", dirname(exe));
    }
    return dir;
}

void cli_extend_plugin_path(void)
{
    const char *old = getenv("SLOTKIT_PLUGIN_PATH");
    char path[3 * PATH_MAX + 64];
    /* <prefix>/bin/slotkit → <prefix>/lib/slotkit, the same in the build tree. */
    snprintf(path, sizeof path, "%s%s%s/../lib/slotkit:%s", old ? old : "", old ? ":" : "", cli_exe_dir(),
             SLOTKIT_PLUGIN_DIR);
    setenv("SLOTKIT_PLUGIN_PATH", path, 1);
}

const slotkit_backend *cli_load_backend(const char *name_or_path)
{
    const slotkit_backend *backend = NULL;
    slotkit_error err;
    if (slotkit_backend_load(name_or_path, &backend, &err) != SLOTKIT_OK) {
        cli_fail("%s", err.message);
        return NULL;
    }
    return backend;
}

void cli_format_caps(unsigned caps, char *out, size_t out_size)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {SLOTKIT_CAP_CROSS_PROCESS, "CROSS_PROCESS"},
        {SLOTKIT_CAP_IN_PLACE, "IN_PLACE"},
        {SLOTKIT_CAP_NOTIFY, "NOTIFY"},
        {SLOTKIT_CAP_TYPE_HASH, "TYPE_HASH"},
        {SLOTKIT_CAP_NEXT_UNREAD, "NEXT_UNREAD"},
    };
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (caps & names[i].bit)
            used += (size_t)snprintf(out + used, used < out_size ? out_size - used : 0, "%s%s", used ? "," : "",
                                     names[i].name);
    if (used == 0) snprintf(out, out_size, "-");
}
