/* Segment names, header validation: see segment.h. */
#include "posix/segment.h"

#include <stdio.h>
#include <string.h>

#include "common/proc_identity.h"
#include "common/slot_table.h"

static bool name_char_ok(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '-';
}

bool posix_name_chars_ok(const char *name)
{
    size_t len = strnlen(name, POSIX_NAME_MAX + 1u);
    if (len == 0 || len > POSIX_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!name_char_ok(name[i]))
            return false;
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
                if (!name_char_ok(name[i]))
                    reason = "the pool name may only contain A-Z a-z 0-9 . _ -";
        }
        if (!reason) {
            /* Callers may pass the shm name back in: do not double the prefix. */
            const size_t prefix_len = sizeof POSIX_DEV_SHM_PREFIX - 1u;
            if (strncmp(name, POSIX_DEV_SHM_PREFIX, prefix_len) == 0) {
                name += prefix_len;
                if (name[0] == '\0')
                    reason = "the pool name is empty after its \"slotkit-\" prefix";
            }
            if (!reason)
                snprintf(out, POSIX_SHM_NAME_SIZE, "%s%s", POSIX_SHM_PREFIX, name);
        }
    }
    if (reason && why)
        *why = reason;
    return reason == NULL;
}

size_t posix_segment_bytes(size_t table_bytes) { return POSIX_TABLE_OFFSET + table_bytes; }

#define FAIL(verdict, ...)                              \
    do {                                                \
        if (why && why_size)                            \
            snprintf(why, why_size, __VA_ARGS__);       \
        return (verdict);                               \
    } while (0)

posix_segment_verdict posix_segment_check(const void *base, size_t mapped_bytes, char *why,
                                          size_t why_size)
{
    const struct posix_segment_header *h = base;
    const size_t header_bytes = sizeof *h;

    /* Every field read below lies inside mapped_bytes: checked first. */
    if (mapped_bytes < header_bytes) {
        if (mapped_bytes == 0)
            FAIL(POSIX_SEGMENT_UNINITIALISED, "segment is empty (not initialised)");
        FAIL(POSIX_SEGMENT_FOREIGN, "object is %zu bytes, smaller than a segment header (%zu)",
             mapped_bytes, header_bytes);
    }
    /* Acquire: pairs with the creator's release, so the fields below are
     * the ones it wrote before publishing. */
    const uint64_t magic =
        atomic_load_explicit(&((struct posix_segment_header *)(uintptr_t)base)->magic,
                             memory_order_acquire);
    if (magic == 0)
        FAIL(POSIX_SEGMENT_UNINITIALISED, "segment is not initialised (no magic yet)");
    if (magic != POSIX_SEGMENT_MAGIC)
        FAIL(POSIX_SEGMENT_FOREIGN, "not a slotkit segment (magic 0x%016llx)",
             (unsigned long long)magic);
    if (h->layout_version != POSIX_SEGMENT_LAYOUT_VERSION)
        FAIL(POSIX_SEGMENT_FOREIGN, "segment layout version %u, this build reads version %u",
             h->layout_version, POSIX_SEGMENT_LAYOUT_VERSION);
    if (h->abi_version != SLOTKIT_ABI_VERSION)
        FAIL(POSIX_SEGMENT_FOREIGN, "segment ABI version %u, this build speaks ABI %u",
             h->abi_version, SLOTKIT_ABI_VERSION);
    if (h->header_bytes != header_bytes)
        FAIL(POSIX_SEGMENT_CORRUPT, "segment header size %u, expected %zu", h->header_bytes,
             header_bytes);

    size_t table_bytes = 0;
    if (h->slot_count == 0 || h->slot_capacity > SLOT_TABLE_MAX_CAPACITY ||
        slot_table_size(h->slot_count, (size_t)h->slot_capacity, &table_bytes, NULL) != SLOTKIT_OK)
        FAIL(POSIX_SEGMENT_CORRUPT, "segment geometry is invalid (%u slots of %llu bytes)",
             h->slot_count, (unsigned long long)h->slot_capacity);
    if (h->slot_stride != SLOTKIT_SLOT_TOTAL_SIZE(h->slot_capacity))
        FAIL(POSIX_SEGMENT_CORRUPT, "segment slot stride %llu does not match capacity %llu",
             (unsigned long long)h->slot_stride, (unsigned long long)h->slot_capacity);
    if (h->table_offset != POSIX_TABLE_OFFSET ||
        h->total_bytes != posix_segment_bytes(table_bytes))
        FAIL(POSIX_SEGMENT_CORRUPT, "segment offsets/size disagree with its geometry");
    if (h->total_bytes > mapped_bytes)
        FAIL(POSIX_SEGMENT_CORRUPT, "segment is truncated: %zu bytes, its header says %llu",
             mapped_bytes, (unsigned long long)h->total_bytes);
    if (h->total_bytes != mapped_bytes)
        FAIL(POSIX_SEGMENT_CORRUPT, "segment is %zu bytes, its header says %llu", mapped_bytes,
             (unsigned long long)h->total_bytes);
    if (h->segment_id == 0 || h->creator_pid <= 0 || h->has_type_hash > 1u)
        FAIL(POSIX_SEGMENT_CORRUPT, "segment header has an invalid id, creator or flag");

    const char *table_why = NULL;
    void *table_mem = (char *)(uintptr_t)base + POSIX_TABLE_OFFSET;
    if (slot_table_validate(table_mem, table_bytes, &table_why) != SLOTKIT_OK)
        FAIL(POSIX_SEGMENT_CORRUPT, "segment's slot table: %s", table_why);
    const slot_table *t = slot_table_at(table_mem);
    uint8_t table_hash[16];
    const bool table_has_hash = slot_table_type_hash(t, table_hash);
    if (slot_table_slot_count(t) != h->slot_count || slot_table_capacity(t) != h->slot_capacity ||
        slot_table_segment_id(t) != h->segment_id || !slot_table_process_shared(t) ||
        table_has_hash != (h->has_type_hash != 0) ||
        (table_has_hash && memcmp(table_hash, h->type_hash, sizeof table_hash) != 0))
        FAIL(POSIX_SEGMENT_CORRUPT, "segment header and slot table disagree");
    return POSIX_SEGMENT_VALID;
}

bool posix_segment_creator_dead(const struct posix_segment_header *h)
{
    return proc_is_dead((pid_t)h->creator_pid, h->creator_start_token, UINT64_MAX);
}
