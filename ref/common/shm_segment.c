/* Named shared-memory segments (see shm_segment.h). */
#include "common/shm_segment.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/backend_util.h"

slotkit_status shm_segment_create(const char *who, const char *shm_name, size_t bytes, void **out_base,
                                  dev_t *out_dev, ino_t *out_ino, slotkit_error *err)
{
    int fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        if (e == EEXIST)
            return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "%s: a segment named %s already exists", who,
                                     shm_name);
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "%s: shm_open(%s) failed: %s", who, shm_name,
                                 strerror(e));
    }
    /* From here on the name is ours: every failure removes it again. */
    const char *failed_call = NULL;
    int e = 0;
    struct stat st;
    void *base = MAP_FAILED;
    if (fchmod(fd, 0600) != 0)
        failed_call = "fchmod", e = errno;
    else if (ftruncate(fd, (off_t)bytes) != 0)
        failed_call = "ftruncate", e = errno;
    else if ((e = posix_fallocate(fd, 0, (off_t)bytes)) != 0)
        failed_call = "posix_fallocate";
    else if (fstat(fd, &st) != 0)
        failed_call = "fstat", e = errno;
    else if ((base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
        failed_call = "mmap", e = errno;
    close(fd);
    if (failed_call) {
        shm_unlink(shm_name);
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "%s: %s of %s (%zu bytes) failed: %s", who,
                                 failed_call, shm_name, bytes, strerror(e));
    }
    *out_base = base;
    *out_dev = st.st_dev;
    *out_ino = st.st_ino;
    return SLOTKIT_OK;
}

void shm_segment_unlink_if_same(const char *shm_name, dev_t dev, ino_t ino)
{
    int fd = shm_open(shm_name, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return;
    struct stat st;
    bool same = fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
    close(fd);
    if (same) shm_unlink(shm_name);
}
