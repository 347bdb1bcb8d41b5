/* Status texts and the per-thread last-error record. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/backend_util.h"
#include "slotkit/slotkit.h"

static const char *const status_texts[SLOTKIT_STATUS_COUNT] = {
    [SLOTKIT_OK] = "success",
    [SLOTKIT_NO_FREE_SLOT] = "no free slot in pool",
    [SLOTKIT_OUT_OF_BOUNDS] = "slot handle or reader index out of bounds",
    [SLOTKIT_SAMPLE_TOO_LARGE] = "sample does not fit in slot capacity",
    [SLOTKIT_LOCK_POISONED] = "backend state poisoned",
    [SLOTKIT_IN_PLACE_UNSUPPORTED] = "backend does not support in-place loans",
    [SLOTKIT_INVALID_ARGUMENT] = "invalid argument",
    [SLOTKIT_INCOMPATIBLE] = "incompatible segment or ABI version",
    [SLOTKIT_SYSTEM_ERROR] = "system call failed",
    [SLOTKIT_UNSUPPORTED] = "operation not supported by this backend",
};

const char *slotkit_strerror(slotkit_status status)
{
    if ((unsigned)status >= SLOTKIT_STATUS_COUNT) return "unknown slotkit status";
    return status_texts[status];
}

/* Thread-local so concurrent callers never see each other's detail. */
static _Thread_local slotkit_error last_error;

const slotkit_error *slotkit_last_error(void) { return &last_error; }

slotkit_status slotkit_set_error(slotkit_error *err, slotkit_status status, const char *fmt, ...)
{
    if (err == NULL) return status;
    memset(err, 0, sizeof *err);
    err->status = status;
    va_list args;
    va_start(args, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, args);
    va_end(args);
    return status;
}

slotkit_status slotkit_record(slotkit_status status)
{
    if (status != SLOTKIT_OK) {
        memset(&last_error, 0, sizeof last_error);
        last_error.status = status;
        /* A built-in backend may have said why (backend_op_error). */
        if (!backend_take_op_error(status, last_error.message, sizeof last_error.message))
            snprintf(last_error.message, sizeof last_error.message, "%s", slotkit_strerror(status));
    }
    return status;
}

void slotkit_record_detail(const slotkit_error *err) { last_error = *err; }
