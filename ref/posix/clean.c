/* slotkit_posix_clean: finding and removing segments of dead creators. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "posix/segment.h"
#include "slotkit/posix.h"

#define DEV_SHM "/dev/shm"

/* A segment without magic is normally a creator between shm_open and
 * publishing; one that stays so this long, with no creator recorded to ask,
 * was left by a creator that died before recording itself. */
#define UNINITIALISED_GRACE_S 10

static const char *classify(int dir_fd, const char *entry_name)
{
    /* Any local user can create /dev/shm/slotkit-x: a FIFO there would block
     * a plain open, a symlink would lead elsewhere. So open without blocking
     * or following, and judge what was opened. */
    int fd = openat(dir_fd, entry_name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ELOOP || errno == ENXIO ? SLOTKIT_POSIX_NOT_REGULAR
                                                : SLOTKIT_POSIX_UNREADABLE;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return SLOTKIT_POSIX_UNREADABLE;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return SLOTKIT_POSIX_NOT_REGULAR;
    }
    if (st.st_size < 0 || (uintmax_t)st.st_size > SIZE_MAX) {
        close(fd);
        return SLOTKIT_POSIX_FOREIGN;
    }
    const size_t size = (size_t)st.st_size;
    const bool old = time(NULL) - st.st_mtime > UNINITIALISED_GRACE_S;
    if (size == 0) {
        close(fd);
        return old ? SLOTKIT_POSIX_STALE : SLOTKIT_POSIX_UNINITIALISED;
    }
    /* Read-only: looking never changes a segment. */
    void *base = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (base == MAP_FAILED)
        return SLOTKIT_POSIX_UNREADABLE;

    const char *state;
    const struct posix_segment_header *h = base;
    switch (posix_segment_check(base, size, NULL, 0)) {
    case POSIX_SEGMENT_VALID:
        state = posix_segment_creator_dead(h) ? SLOTKIT_POSIX_STALE : SLOTKIT_POSIX_LIVE;
        break;
    case POSIX_SEGMENT_UNINITIALISED:
        /* The creator is recorded first (create_pool), so ask it if it is there. */
        if (size >= sizeof *h && h->creator_pid > 0)
            state = posix_segment_creator_dead(h) ? SLOTKIT_POSIX_STALE
                                                  : SLOTKIT_POSIX_UNINITIALISED;
        else
            state = old ? SLOTKIT_POSIX_STALE : SLOTKIT_POSIX_UNINITIALISED;
        break;
    default:
        state = SLOTKIT_POSIX_FOREIGN;
        break;
    }
    munmap(base, size);
    return state;
}

const char *posix_segment_state(const char *shm_name)
{
    int dir_fd = open(DEV_SHM, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0)
        return SLOTKIT_POSIX_UNREADABLE;
    const char *state = classify(dir_fd, shm_name[0] == '/' ? shm_name + 1 : shm_name);
    close(dir_fd);
    return state;
}

size_t slotkit_posix_clean(bool remove, slotkit_posix_report_fn report, void *ctx)
{
    DIR *dir = opendir(DEV_SHM);
    if (!dir)
        return 0;
    size_t removed = 0;
    const size_t prefix_len = strlen(POSIX_DEV_SHM_PREFIX);
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
        if (strncmp(entry->d_name, POSIX_DEV_SHM_PREFIX, prefix_len) != 0)
            continue;
        char shm_name[1 + sizeof entry->d_name];
        const char *state;
        /* A name slotkit could not have made is somebody else's. */
        if (!posix_name_chars_ok(entry->d_name + prefix_len)) {
            if (report) {
                snprintf(shm_name, sizeof shm_name, "/%s", entry->d_name);
                report(shm_name, SLOTKIT_POSIX_FOREIGN, ctx);
            }
            continue;
        }
        snprintf(shm_name, sizeof shm_name, "/%s", entry->d_name);
        state = classify(dirfd(dir), entry->d_name);
        if (remove && strcmp(state, SLOTKIT_POSIX_STALE) == 0) {
            if (shm_unlink(shm_name) == 0) {
                removed++;
                state = SLOTKIT_POSIX_REMOVED;
            } else if (errno != ENOENT) {
                state = SLOTKIT_POSIX_UNREADABLE;
            } else {
                continue; /* somebody else removed it meanwhile */
            }
        }
        if (report)
            report(shm_name, state, ctx);
    }
    closedir(dir);
    return removed;
}
