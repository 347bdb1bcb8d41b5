/* Helpers shared by the backends: open-time errors, ids, operation errors (see backend_util.h). */
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

/* The reason for the last failed operation of this thread (see backend_op_error). */
static _Thread_local struct {
    slotkit_status status; /* SLOTKIT_OK: none left */
    char message[sizeof(((slotkit_error *)0)->message)];
} op_error;

slotkit_status backend_op_error(slotkit_status status, const char *fmt, ...)
{
    op_error.status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(op_error.message, sizeof op_error.message, fmt, ap);
    va_end(ap);
    return status;
}

bool backend_take_op_error(slotkit_status status, char *message, size_t size)
{
    if (status == SLOTKIT_OK || op_error.status != status) return false;
    op_error.status = SLOTKIT_OK;
    if (size != 0) snprintf(message, size, "%s", op_error.message);
    return true;
}
