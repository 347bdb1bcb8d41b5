/* Open-time helpers shared by the backends (see backend_util.h). */
#include "common/backend_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

slotkit_status backend_set_error(slotkit_error *err, slotkit_status status, int sys_errno, const char *fmt, ...)
{
    if (!err) return status;
    memset(err, 0, sizeof *err);
    err->status = status;
    err->sys_errno = sys_errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

bool backend_random_segment_id(uint64_t *out)
{
    uint64_t id = 0;
    while (id == 0) {
        ssize_t got = getrandom(&id, sizeof id, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got != (ssize_t)sizeof id) return false;
    }
    *out = id;
    return true;
}
