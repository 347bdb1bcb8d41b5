/* `slotkit clean`: list slotkit shared-memory segments and remove stale ones. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "slotkit/posix.h"

struct clean_tally {
    int live, stale, removed, other;
};

static void report_segment(const char *shm_name, const char *state, void *ctx)
{
    struct clean_tally *tally = ctx;
    printf("%-14s /dev/shm%s\n", state, shm_name);
    if (strcmp(state, SLOTKIT_POSIX_LIVE) == 0) tally->live++;
    else if (strcmp(state, SLOTKIT_POSIX_STALE) == 0) tally->stale++;
    else if (strcmp(state, SLOTKIT_POSIX_REMOVED) == 0) tally->removed++;
    else tally->other++;
}

int cmd_clean(int argc, char **argv)
{
    static const struct option options[] = {
        {"dry-run", no_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    bool remove = true;
    for (int opt; (opt = getopt_long(argc, argv, "nh", options, NULL)) != -1;) {
        if (opt == 'n') {
            remove = false;
        } else if (opt == 'h') {
            printf("usage: slotkit clean [--dry-run]\n\n"
                   "Lists every slotkit shared-memory segment (/dev/shm/slotkit-*) with its state\n"
                   "and removes the stale ones: those whose creating process is gone. Live segments,\n"
                   "and objects that are not slotkit segments, are never touched. Processes that\n"
                   "still map a removed segment keep working. What is not a regular file (a FIFO,\n"
                   "a symbolic link: anyone can make one there) is listed as \"not a regular file,\n"
                   "ignored\", never read and never removed.\n\n"
                   "  --dry-run, -n  list only; remove nothing\n");
            return 0;
        } else {
            return 2;
        }
    }
    if (optind < argc) return cli_fail("clean: unexpected argument '%s' (see --help)", argv[optind]);
    struct clean_tally tally = {0};
    slotkit_posix_clean(remove, report_segment, &tally);
    printf("clean: %d live, %d stale%s, %d removed, %d other\n", tally.live, tally.stale,
           remove ? "" : " (dry run)", tally.removed, tally.other);
    return 0;
}
