/* `slotkit clean`: list slotkit shared-memory segments and remove stale ones. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "slotkit/posix.h"

struct clean_tally {
    int live, stale, removed, other;
};

static void report_segment(const slotkit_segment_report *segment, void *ctx)
{
    struct clean_tally *tally = ctx;
    const char *state = segment->state;
    printf("%-14s %-20s /dev/shm%s%s%s%s\n", state, segment->kind, segment->shm_name, segment->detail[0] ? " (" : "",
           segment->detail, segment->detail[0] ? ")" : "");
    if (strcmp(state, SLOTKIT_POSIX_LIVE) == 0)
        tally->live++;
    else if (strcmp(state, SLOTKIT_POSIX_STALE) == 0)
        tally->stale++;
    else if (strcmp(state, SLOTKIT_POSIX_REMOVED) == 0)
        tally->removed++;
    else
        tally->other++;
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
                   "Lists every shared-memory segment slotkit makes (/dev/shm/slotkit-*: posix\n"
                   "pools; /dev/shm/slotkit.iox2acct-*: iceoryx2 accounting) with its state, kind\n"
                   "and reason, and removes the stale ones: those whose creating process is gone,\n"
                   "also when it died in the middle of creating it. Live segments are never\n"
                   "touched. Processes that still map a removed segment keep working.\n"
                   "Foreign objects are listed with how to remove them by hand, never removed:\n"
                   "another user's, a mode other than 0600 (slotkit makes 0600), not a slotkit\n"
                   "segment, or corrupt. What is not a regular file (a FIFO, a symbolic link:\n"
                   "anyone can make one there) is listed as \"not a regular file, ignored\", never\n"
                   "read and never removed.\n\n"
                   "  --dry-run, -n  list only; remove nothing\n");
            return 0;
        } else {
            return 2;
        }
    }
    if (optind < argc) return cli_fail("clean: unexpected argument '%s' (see --help)", argv[optind]);
    struct clean_tally tally = {0};
    slotkit_posix_clean(remove, report_segment, &tally);
    printf("clean: %d live, %d stale%s, %d removed, %d other\n", tally.live, tally.stale, remove ? "" : " (dry run)",
           tally.removed, tally.other);
    return 0;
}
