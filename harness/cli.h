/* Shared pieces of the slotkit command's subcommands. */
#ifndef SLOTKIT_HARNESS_CLI_H
#define SLOTKIT_HARNESS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "slotkit/slotkit.h"

int cmd_backends(int argc, char **argv);
int cmd_conform(int argc, char **argv);
int cmd_bench(int argc, char **argv);   /* cmd_bench.c: benchmarks (slotkit-bench, hyperfine) */
int cmd_clean(int argc, char **argv);   /* cmd_clean.c: stale POSIX segments */
int cmd_results(int argc, char **argv); /* cmd_results.c: list the results store */
int cmd_gate(int argc, char **argv);    /* cmd_gate.c: the regression gate */
int cmd_report(int argc, char **argv);  /* cmd_report.c: the tuning report */

/* Prints "slotkit: <message>" to stderr; returns exit status 2 (usage/setup error). */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Directory holding the running slotkit executable (no trailing slash). */
const char *cli_exe_dir(void);

/* Adds the build-tree and install plug-in directories to $SLOTKIT_PLUGIN_PATH,
 * so `--backend NAME` finds plug-ins that ship beside this executable. */
void cli_extend_plugin_path(void);

/* Loads a backend or prints the loader's one-line reason; NULL on failure. */
const slotkit_backend *cli_load_backend(const char *name_or_path);

/* Strict option numbers: the whole text is one decimal number (no leading
 * blank, no hex, no NaN or infinity, no overflow) within [min, max].
 * Returns 0 and the value, or -1 (out untouched). */
int cli_parse_double(const char *text, double min, double max, double *out);
int cli_parse_long(const char *text, long min, long max, long *out);

/* "IN_PLACE,NOTIFY,..." for a capability mask. */
void cli_format_caps(unsigned caps, char *out, size_t out_size);

#endif
