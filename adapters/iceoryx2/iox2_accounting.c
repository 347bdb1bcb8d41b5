/*
 * The accounting segment: a process_shared slot table (ref/common/slot_table.h)
 * in a POSIX shm segment /slotkit.iox2acct-<fnv64(name)>, made, attached and
 * judged by ref/common/shm_segment (kind shm_kind_iox2_accounting, which also
 * fixes its magic, layout version, header size and table offset). Behind the
 * table: one re-send claim word per slot and the user table. It holds every
 * slot's state, loans, wait set, pending mask, sequence number and the
 * generation futex; its payload area is only the writers' staging area for
 * in-place loans (committed samples are never read from it).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/backend_util.h"
#include "common/shm_segment.h"
#include "iox2_instance.h"

#define ACCT_NAME_MAX 256u

/* The common header first; everything but the magic and the re-send epoch
 * is written before the magic is published and never changes afterwards. */
struct acct_header {
    struct shm_segment_header common;
    uint64_t table_bytes;
    uint64_t claims_offset;        /* one _Atomic uint32_t per slot: the last re-send epoch served */
    uint64_t users_offset;         /* IOX2_MAX_INSTANCES _Atomic uint64_t: proc identities of open instances */
    _Atomic uint32_t resend_epoch; /* bumped by an instance that misses a committed sample */
    uint32_t reserved;
    char name[ACCT_NAME_MAX]; /* the pool name, NUL-terminated */
};
_Static_assert(sizeof(struct acct_header) == SHM_IOX2_ACCT_HEADER_BYTES, "the kind's header size");

#define USERS_BYTES ((size_t)IOX2_MAX_INSTANCES * sizeof(uint64_t))

static size_t claims_bytes(size_t slot_count) { return (slot_count * sizeof(uint32_t) + 63u) & ~(size_t)63u; }

/* The accounting's own checks, after shm_segment validated the common
 * header and the slot table: what follows the table, and the pool name. */
static bool acct_check(const void *base, size_t bytes, const void *ctx, char *why, size_t why_size)
{
    (void)bytes;
    const char *name = ctx;
    const struct acct_header *h = base;
    const struct shm_segment_header *c = &h->common;
    size_t table_bytes = 0;
    (void)slot_table_size(c->slot_count, (size_t)c->slot_capacity, &table_bytes, NULL);
    if (h->table_bytes != table_bytes || h->claims_offset != c->table_offset + table_bytes ||
        h->users_offset != h->claims_offset + claims_bytes(c->slot_count) ||
        c->total_bytes != h->users_offset + USERS_BYTES) {
        snprintf(why, why_size, "accounting segment geometry or size is inconsistent");
        return false;
    }
    if (memchr(h->name, '\0', sizeof h->name) == NULL || strcmp(h->name, name) != 0) {
        snprintf(why, why_size, "accounting segment belongs to another pool name");
        return false;
    }
    return true;
}

/*
 * R-XPROC-13: CREATE found the name held by a stale segment (its creator is
 * dead). If it is a published pool of ours whose every user died without
 * closing, nobody can use it any more: fence its user table, remove its
 * iceoryx2 domain and then its accounting name, so the CREATE can go ahead.
 * false (name left alone) for a pool with a live user, one never published,
 * or anything shm_segment does not accept.
 */
static bool acct_reclaim_stale(const slotkit_instance *inst, const char *name)
{
    shm_segment seg;
    slotkit_error err;
    slotkit_status st = shm_segment_map_valid(&shm_kind_iox2_accounting, inst->shm_name, acct_check, name, &seg, &err);
    if (st != SLOTKIT_OK) return st == SLOTKIT_SYSTEM_ERROR && err.sys_errno == ENOENT; /* gone meanwhile: free */
    const struct acct_header *h = seg.base;
    const bool stale = users_fence((_Atomic uint64_t *)((char *)seg.base + h->users_offset));
    if (stale) {
        /* The domain first: while the old name stands, no new pool can start
         * one under the same prefix. */
        domain_remove_all(inst);
        shm_segment_unlink_if_same(inst->shm_name, seg.dev, seg.ino);
    }
    munmap(seg.base, seg.bytes);
    return stale;
}

/* The instance's view of a created or attached accounting segment. */
static void acct_adopt(slotkit_instance *inst, const shm_segment *seg)
{
    struct acct_header *h = seg->base;
    inst->base = seg->base;
    inst->mapped_bytes = seg->bytes;
    inst->dev = seg->dev;
    inst->ino = seg->ino;
    inst->resend_epoch = &h->resend_epoch;
    inst->claims = (_Atomic uint32_t *)((char *)seg->base + h->claims_offset);
    inst->users = (_Atomic uint64_t *)((char *)seg->base + h->users_offset);
    inst->segment_id = h->common.segment_id;
    inst->slot_count = h->common.slot_count;
    inst->capacity = (size_t)h->common.slot_capacity;
}

/* The table's size for config, or why config cannot have one. */
static slotkit_status acct_table_bytes(const slotkit_config *config, size_t *table_bytes, slotkit_error *err)
{
    const char *why = NULL;
    slotkit_status st = slot_table_size(config->slot_count, config->slot_capacity, table_bytes, &why);
    if (st == SLOTKIT_OK && config->slot_capacity > SLOT_TABLE_MAX_CAPACITY) {
        st = SLOTKIT_INVALID_ARGUMENT;
        why = "slot_capacity exceeds the 32-bit wire limit";
    }
    if (st != SLOTKIT_OK)
        return backend_set_error(err, st, 0, "iceoryx2: %s (slot_count %zu, slot_capacity %zu)", why,
                                 config->slot_count, config->slot_capacity);
    if (*table_bytes > SIZE_MAX / 2)
        return backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "iceoryx2: pool too large");
    return SLOTKIT_OK;
}

/* Fills a fresh segment: the table, the common header, the rest of ours. */
static void acct_init(slotkit_instance *inst, const shm_segment *seg, const slotkit_config *config, const char *name,
                      size_t table_bytes, uint64_t segment_id)
{
    struct acct_header *h = seg->base;
    (void)slot_table_init((char *)seg->base + SHM_IOX2_ACCT_TABLE_OFFSET, config->slot_count, config->slot_capacity,
                          config->first_sequence_number, segment_id, config->type_hash, true, inst->table);
    shm_segment_init_header(&shm_kind_iox2_accounting, &h->common, config, seg->bytes, segment_id);
    h->table_bytes = table_bytes;
    h->claims_offset = SHM_IOX2_ACCT_TABLE_OFFSET + table_bytes;
    h->users_offset = h->claims_offset + claims_bytes(config->slot_count);
    snprintf(h->name, sizeof h->name, "%s", name);
}

slotkit_status acct_create(slotkit_instance *inst, const slotkit_config *config, const char *name, slotkit_error *err)
{
    size_t table_bytes = 0;
    slotkit_status st = acct_table_bytes(config, &table_bytes, err);
    if (st != SLOTKIT_OK) return st;
    const size_t total = SHM_IOX2_ACCT_TABLE_OFFSET + table_bytes + claims_bytes(config->slot_count) + USERS_BYTES;
    uint64_t segment_id = 0;
    if (!backend_random_segment_id(&segment_id))
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, errno, "iceoryx2: getrandom failed");

    /* O_EXCL inside: an existing pool of that name stays untouched (R-XPROC-11). */
    shm_segment seg;
    st = shm_segment_create(&shm_kind_iox2_accounting, inst->shm_name, name, total, &seg, err);
    /* shm_segment_create calls a dead creator's leftover INCOMPATIBLE (stale). */
    if (st == SLOTKIT_INCOMPATIBLE && acct_reclaim_stale(inst, name))
        st = shm_segment_create(&shm_kind_iox2_accounting, inst->shm_name, name, total, &seg, err);
    if (st != SLOTKIT_OK) return st;
    inst->is_creator = true;
    inst->creator_pid = getpid();
    acct_init(inst, &seg, config, name, table_bytes, segment_id);
    acct_adopt(inst, &seg);
    return SLOTKIT_OK;
}

/* Ownership, wait for the creator's magic, validation, the caller's geometry
 * (R-XPROC-10), ENOENT when there is none (R-XPROC-11): shm_segment_attach. */
slotkit_status acct_attach(slotkit_instance *inst, const slotkit_config *config, const char *name, slotkit_error *err)
{
    shm_segment seg;
    slotkit_status st =
        shm_segment_attach(&shm_kind_iox2_accounting, inst->shm_name, name, config, acct_check, name, &seg, err);
    if (st != SLOTKIT_OK) return st;
    /* The table's geometry again, from a copy that stays with the instance:
     * a peer may be rewriting the segment under us. */
    const char *table_why = NULL;
    if (slot_table_view_open(inst->table, (char *)seg.base + SHM_IOX2_ACCT_TABLE_OFFSET,
                             seg.bytes - SHM_IOX2_ACCT_TABLE_OFFSET, &table_why) != SLOTKIT_OK) {
        munmap(seg.base, seg.bytes);
        return backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0, "iceoryx2: %s: %s", table_why, inst->shm_name);
    }
    inst->is_creator = false;
    acct_adopt(inst, &seg);
    return SLOTKIT_OK;
}

void acct_publish(slotkit_instance *inst)
{
    struct acct_header *h = inst->base;
    shm_segment_publish(&shm_kind_iox2_accounting, &h->common);
}

void acct_unlink_if_creator(slotkit_instance *inst)
{
    /* R-XPROC-12: only the creator removes the name, not a fork of it. */
    if (inst->base && inst->is_creator && getpid() == inst->creator_pid)
        shm_segment_unlink_if_same(inst->shm_name, inst->dev, inst->ino);
}

void acct_unmap(slotkit_instance *inst)
{
    if (inst->base) munmap(inst->base, inst->mapped_bytes);
    inst->base = NULL;
}

bool acct_committed_sn(slotkit_instance *inst, uint32_t slot, uint32_t *sn)
{
    slotkit_slot_header header;
    slotkit_handle h = {.segment_id = inst->segment_id, .slot_index = slot};
    if (slot_table_peek_header(inst->table, h, &header) != SLOTKIT_OK) return false;
    *sn = header.sequence_number;
    return true;
}
