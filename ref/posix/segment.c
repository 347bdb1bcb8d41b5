/* Segment names and size: see segment.h. */
#include "posix/segment.h"

#include <stdio.h>
#include <string.h>

static bool name_char_ok(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
           ch == '-';
}

bool posix_name_chars_ok(const char *name)
{
    size_t len = strnlen(name, POSIX_NAME_MAX + 1u);
    if (len == 0 || len > POSIX_NAME_MAX) return false;
    for (size_t i = 0; i < len; i++)
        if (!name_char_ok(name[i])) return false;
    return true;
}

bool posix_shm_name(const char *pool_name, char out[POSIX_SHM_NAME_SIZE], const char **why)
{
    const char *reason = NULL;
    if (!pool_name) {
        reason = "a pool name is required (config.name is NULL)";
    } else {
        const char *name = pool_name[0] == '/' ? pool_name + 1 : pool_name;
        size_t len = strnlen(name, POSIX_NAME_MAX + 1u);
        if (len == 0)
            reason = "the pool name is empty";
        else if (len > POSIX_NAME_MAX)
            reason = "the pool name is longer than 200 characters";
        else {
            for (size_t i = 0; i < len && !reason; i++)
                if (!name_char_ok(name[i])) reason = "the pool name may only contain A-Z a-z 0-9 . _ -";
        }
        if (!reason) {
            /* Callers may pass the shm name back in: do not double the prefix. */
            const size_t prefix_len = sizeof POSIX_DEV_SHM_PREFIX - 1u;
            if (strncmp(name, POSIX_DEV_SHM_PREFIX, prefix_len) == 0) {
                name += prefix_len;
                if (name[0] == '\0') reason = "the pool name is empty after its \"slotkit-\" prefix";
            }
            if (!reason) snprintf(out, POSIX_SHM_NAME_SIZE, "%s%s", POSIX_SHM_PREFIX, name);
        }
    }
    if (reason && why) *why = reason;
    return reason == NULL;
}

size_t posix_segment_bytes(size_t table_bytes) { return POSIX_TABLE_OFFSET + table_bytes; }
