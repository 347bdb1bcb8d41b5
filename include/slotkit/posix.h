/*
 * Helpers for the POSIX shared-memory backend ("posix") and the other
 * segments slotkit makes (the iceoryx2 adapter's accounting).
 *
 * A pool's segment is named /dev/shm/slotkit-<name> and removed by its
 * creator's close; the iceoryx2 adapter's accounting segment is
 * /dev/shm/slotkit.iox2acct-<hash>. A creator that crashed leaves its
 * segment behind; attach then refuses it as stale (INCOMPATIBLE), and
 * slotkit_posix_clean (the `slotkit clean` command) lists and removes such
 * leftovers. Only segments owned by the caller's effective uid with mode
 * 0600 are ever attached or removed.
 */
#ifndef SLOTKIT_POSIX_H
#define SLOTKIT_POSIX_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* States slotkit_posix_clean reports, one per object. */
#define SLOTKIT_POSIX_LIVE "live"       /* valid, creator running: never removed */
#define SLOTKIT_POSIX_STALE "stale"     /* creator gone; kept because remove was false */
#define SLOTKIT_POSIX_REMOVED "removed" /* creator gone; removed now */
#define SLOTKIT_POSIX_FOREIGN \
    "foreign"                                       /* another user's, not mode 0600, not a slotkit segment,
                                             another version, or corrupt: never removed */
#define SLOTKIT_POSIX_UNINITIALISED "uninitialised" /* creator still initialising it */
#define SLOTKIT_POSIX_UNREADABLE "unreadable"       /* cannot be opened or mapped */
#define SLOTKIT_POSIX_NOT_REGULAR \
    "not a regular file, ignored" /* a FIFO, symlink, ...: never
                                                                   opened for reading, never removed */

/* What slotkit_posix_clean says about one /dev/shm object. */
typedef struct slotkit_segment_report {
    const char *shm_name; /* "/slotkit-..." */
    const char *kind;     /* "posix pool" or "iceoryx2 accounting" (by name prefix) */
    const char *state;    /* one of the states above */
    const char *detail;   /* one line: why; for a foreign object, how to remove it by hand */
} slotkit_segment_report;

typedef void (*slotkit_posix_report_fn)(const slotkit_segment_report *segment, void *ctx);

/*
 * Looks at every /dev/shm/slotkit-* and /dev/shm/slotkit.iox2acct-* object
 * and classifies it. A segment is stale when the creator recorded in it is
 * gone (no such pid, or a pid reused by a process with another start time),
 * also when it died in the middle of CREATE, or when it has no creator
 * recorded and is over 10 s old. With remove true, stale segments are
 * unlinked; processes that still have one mapped keep working. Objects of
 * another owner or with a mode other than 0600 are foreign: listed, never
 * removed. report (may be NULL) gets every object. Returns the number
 * removed.
 */
size_t slotkit_posix_clean(bool remove, slotkit_posix_report_fn report, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* SLOTKIT_POSIX_H */
