/* Internal: error detail recording shared by the library's files. */
#ifndef SLOTKIT_LIB_ERROR_H
#define SLOTKIT_LIB_ERROR_H

#include "slotkit/backend.h"

/* Fill err (may be NULL) with status and a printf-style message. Returns status. */
slotkit_status slotkit_set_error(slotkit_error *err, slotkit_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record status as this thread's last error (message: the status text). Returns status. */
slotkit_status slotkit_record(slotkit_status status);

/* Copy a full error into this thread's last error. */
void slotkit_record_detail(const slotkit_error *err);

#endif
