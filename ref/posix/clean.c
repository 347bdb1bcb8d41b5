/* slotkit_posix_clean: finding and removing segments of dead creators.
 * Judging one object is ref/common/shm_segment (shm_segment_judge). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "common/shm_segment.h"
#include "posix/segment.h"
#include "slotkit/posix.h"

#define DEV_SHM "/dev/shm"

static bool hex16_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))) return false;
    return n == 16;
}

/* Every kind of segment slotkit makes, and the names it gives them. */
static const struct {
    const shm_segment_kind *kind;
    bool (*suffix_ok)(const char *suffix);
} kinds[] = {
    {&shm_kind_posix_pool, posix_name_chars_ok},
    {&shm_kind_iox2_accounting, hex16_ok},
};

static const char *state_name(shm_segment_state state)
{
    switch (state) {
    case SHM_STATE_LIVE: return SLOTKIT_POSIX_LIVE;
    case SHM_STATE_STALE: return SLOTKIT_POSIX_STALE;
    case SHM_STATE_UNINITIALISED: return SLOTKIT_POSIX_UNINITIALISED;
    case SHM_STATE_FOREIGN: return SLOTKIT_POSIX_FOREIGN;
    case SHM_STATE_NOT_REGULAR: return SLOTKIT_POSIX_NOT_REGULAR;
    default: return SLOTKIT_POSIX_UNREADABLE;
    }
}

/* Judges one entry of kinds[k] and removes it when stale and asked to;
 * true when it was removed. */
static bool clean_entry(DIR *dir, size_t k, const char *entry_name, bool remove, slotkit_posix_report_fn report,
                        void *ctx)
{
    const shm_segment_kind *kind = kinds[k].kind;
    char shm_name[2 + sizeof((struct dirent *)0)->d_name];
    snprintf(shm_name, sizeof shm_name, "/%s", entry_name);
    char detail[512];
    const char *state;
    /* A name slotkit could not have made is somebody else's. */
    if (!kinds[k].suffix_ok(entry_name + strlen(kind->shm_prefix) - 1u)) {
        snprintf(detail, sizeof detail,
                 "a name slotkit does not make; slotkit clean never removes it: if it "
                 "is unwanted, remove it with rm /dev/shm/%s",
                 entry_name);
        state = SLOTKIT_POSIX_FOREIGN;
    } else {
        state = state_name(shm_segment_judge(kind, dirfd(dir), entry_name, detail, sizeof detail));
    }
    bool removed = false;
    if (remove && strcmp(state, SLOTKIT_POSIX_STALE) == 0) {
        if (shm_unlink(shm_name) == 0) {
            removed = true;
            state = SLOTKIT_POSIX_REMOVED;
        } else if (errno != ENOENT) {
            snprintf(detail, sizeof detail, "stale, but shm_unlink failed: %s", strerror(errno));
            state = SLOTKIT_POSIX_UNREADABLE;
        } else {
            return false; /* somebody else removed it meanwhile */
        }
    }
    if (report) {
        const slotkit_segment_report segment = {shm_name, kind->label, state, detail};
        report(&segment, ctx);
    }
    return removed;
}

size_t slotkit_posix_clean(bool remove, slotkit_posix_report_fn report, void *ctx)
{
    DIR *dir = opendir(DEV_SHM);
    if (!dir) return 0;
    size_t removed = 0;
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            const char *prefix = kinds[k].kind->shm_prefix + 1; /* as listed: no '/' */
            if (strncmp(entry->d_name, prefix, strlen(prefix)) == 0) {
                removed += clean_entry(dir, k, entry->d_name, remove, report, ctx);
                break;
            }
        }
    }
    closedir(dir);
    return removed;
}
