/*
 * Helpers for the POSIX shared-memory backend ("posix").
 *
 * A pool's segment is named /dev/shm/slotkit-<name> and removed by its
 * creator's close. A creator that crashed leaves the segment behind; attach
 * then refuses it as stale (INCOMPATIBLE), and slotkit_posix_clean (the
 * `slotkit clean` command) lists and removes such leftovers.
 */
#ifndef SLOTKIT_POSIX_H
#define SLOTKIT_POSIX_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* States slotkit_posix_clean reports, one per segment. */
#define SLOTKIT_POSIX_LIVE "live"         /* valid, creator running: never removed */
#define SLOTKIT_POSIX_STALE "stale"       /* creator gone; kept because remove was false */
#define SLOTKIT_POSIX_REMOVED "removed"   /* creator gone; removed now */
#define SLOTKIT_POSIX_FOREIGN "foreign"   /* not a slotkit segment, another version, or
                                             corrupt: never removed (nothing to judge by) */
#define SLOTKIT_POSIX_UNINITIALISED "uninitialised" /* creator still initialising it */
#define SLOTKIT_POSIX_UNREADABLE "unreadable"       /* cannot be opened (e.g. another user's) */
#define SLOTKIT_POSIX_NOT_REGULAR "not a regular file, ignored" /* a FIFO, symlink, ...: never
                                                                   opened for reading, never removed */

typedef void (*slotkit_posix_report_fn)(const char *shm_name, const char *state, void *ctx);

/*
 * Looks at every /dev/shm/slotkit-* object and classifies it. A segment is
 * stale when the creator recorded in its header is gone (no such pid, or a
 * pid reused by a process with another start time), or when a creator died
 * before initialising it. With remove true, stale segments are unlinked;
 * processes that still have one mapped keep working. report (may be NULL)
 * gets each object's shm name ("/slotkit-...") and one of the states above.
 * Returns the number of segments removed.
 */
size_t slotkit_posix_clean(bool remove, slotkit_posix_report_fn report, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* SLOTKIT_POSIX_H */
