/*
 * The POSIX shared-memory reference backend: see posix.h, and segment.h for
 * the segment layout.
 *
 * Design:
 * - The segment holds a segment header and a process_shared slot table
 *   (ref/common). Every piece of pool state is in the table: slot states and
 *   loans (so any process may reserve, commit, read and mark, and loans stay
 *   exclusive across processes, R-XPROC-3), the sequence counter, and the
 *   notify generation, a 32-bit futex word waited on with shared (not
 *   private) futexes. The table keeps a waiter count, so an uncontended
 *   commit makes no system call (R-POSIX-5). No process-shared mutex.
 * - Segments are made, attached and judged by ref/common/shm_segment (kind
 *   shm_kind_posix_pool): CREATE records the creator, sizes and maps the
 *   object, initialises the header and table completely, and only then
 *   publishes the magic with a release store. ATTACH accepts only a
 *   regular file owned by the effective uid with mode 0600, maps it at its
 *   real size (fstat) and validates everything before trusting a field.
 * - segment_id is random at CREATE and stored in the header, so handles of
 *   one pool are valid in every process (R-XPROC-5).
 * - The creator unlinks the name on close (if the name is still its
 *   segment); attachers only unmap (R-XPROC-12).
 * - Crashes: a dead reader is dropped with mark_reader_disconnected
 *   (R-XPROC-7); loans, the publish lock and read pins of dead processes are
 *   recovered by the table (R-XPROC-8, "dead peers" in slot_table.c). A
 *   process killed inside wait_for_change leaves the table's waiter count
 *   raised for good: that costs every later generation bump one futex_wake
 *   syscall (there is nobody to wake) and wedges nobody (R-XPROC-9).
 * - A creator that died leaves its segment behind; attach and create refuse
 *   it as stale (also when it died in the middle of CREATE) and
 *   slotkit_posix_clean (clean.c) removes it (R-POSIX-3, R-POSIX-8,
 *   R-XPROC-13). The create side is in shm_segment_create.
 */
#include "posix/posix.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/proc_identity.h"
#include "common/shm_segment.h"
#include "common/backend_util.h"
#include "common/slot_table.h"
#include "common/slot_table_ops.h"
#include "posix/segment.h"

#define POSIX_VERSION "0.1.0"

/* Process-local; the shared state is all behind table. */
struct slotkit_instance {
    slot_table_view table[1]; /* the geometry, copied at open: never re-read from the segment */
    void *base;               /* the mapping */
    size_t mapped_bytes;
    bool is_creator;
    pid_t creator_pid; /* close unlinks only in the creating process, not in a fork */
    dev_t dev;         /* identify our object at unlink time */
    ino_t ino;
    char shm_name[POSIX_SHM_NAME_SIZE];
};
_Static_assert(offsetof(struct slotkit_instance, table) == 0, "slot_table_ops needs the view first");

/* ---- create ------------------------------------------------------------ */

static slotkit_status create_pool(const slotkit_config *config, const char *shm_name, slotkit_instance **out,
                                  slotkit_error *err)
{
    size_t table_bytes = 0;
    const char *why = NULL;
    slotkit_status st = slot_table_size(config->slot_count, config->slot_capacity, &table_bytes, &why);
    if (st != SLOTKIT_OK)
        return backend_set_error(err, st, 0, "posix: %s (slot_count %zu, slot_capacity %zu)", why, config->slot_count,
                                 config->slot_capacity);
    if (table_bytes > (size_t)INT64_MAX - POSIX_TABLE_OFFSET)
        return backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0,
                                 "posix: a pool of %zu slots of %zu bytes is too large for a segment",
                                 config->slot_count, config->slot_capacity);
    const size_t total = posix_segment_bytes(table_bytes);

    uint64_t segment_id = 0;
    if (!backend_random_segment_id(&segment_id)) {
        int e = errno;
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "posix: getrandom failed: %s", strerror(e));
    }
    (void)proc_identity_self(); /* cache it now: the hot paths must not make syscalls */

    struct slotkit_instance *inst = calloc(1, sizeof *inst);
    if (!inst) return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, ENOMEM, "posix: out of memory");

    /* O_EXCL inside: an existing pool of that name stays untouched (R-XPROC-11). */
    shm_segment seg;
    slotkit_status created = shm_segment_create(&shm_kind_posix_pool, shm_name, config->name, total, &seg, err);
    if (created != SLOTKIT_OK) {
        free(inst);
        return created;
    }
    struct shm_segment_header *h = seg.base;
    (void)slot_table_init((char *)seg.base + POSIX_TABLE_OFFSET, config->slot_count, config->slot_capacity,
                          config->first_sequence_number, segment_id, config->type_hash, true, inst->table);
    shm_segment_init_header(&shm_kind_posix_pool, h, config, total, segment_id);
    shm_segment_publish(&shm_kind_posix_pool, h);

    inst->base = seg.base;
    inst->mapped_bytes = seg.bytes;
    inst->is_creator = true;
    inst->creator_pid = getpid();
    inst->dev = seg.dev;
    inst->ino = seg.ino;
    snprintf(inst->shm_name, sizeof inst->shm_name, "%s", shm_name);
    *out = inst;
    return SLOTKIT_OK;
}

/* ---- attach ------------------------------------------------------------ */

/* The posix pool keeps nothing after its table. */
static bool posix_kind_check(const void *base, size_t bytes, const void *ctx, char *why, size_t why_size)
{
    (void)bytes;
    (void)ctx;
    const struct shm_segment_header *h = base;
    size_t table_bytes = 0;
    (void)slot_table_size(h->slot_count, (size_t)h->slot_capacity, &table_bytes, NULL);
    if (h->total_bytes == posix_segment_bytes(table_bytes)) return true;
    snprintf(why, why_size, "segment offsets/size disagree with its geometry");
    return false;
}

static slotkit_status attach_pool(const slotkit_config *config, const char *shm_name, slotkit_instance **out,
                                  slotkit_error *err)
{
    (void)proc_identity_self(); /* cache it now: the hot paths must not make syscalls */
    struct slotkit_instance *inst = calloc(1, sizeof *inst);
    if (!inst) return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, ENOMEM, "posix: out of memory");
    shm_segment seg;
    slotkit_status status =
        shm_segment_attach(&shm_kind_posix_pool, shm_name, config->name, config, posix_kind_check, NULL, &seg, err);
    /* The table's geometry is validated again from a process-local copy (the
     * view): a peer may be rewriting the segment under us. */
    slot_table_view view;
    const char *table_why = NULL;
    if (status == SLOTKIT_OK && slot_table_view_open(&view, (char *)seg.base + POSIX_TABLE_OFFSET,
                                                     seg.bytes - POSIX_TABLE_OFFSET, &table_why) != SLOTKIT_OK) {
        munmap(seg.base, seg.bytes);
        status =
            backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0, "posix: segment's slot table: %s: %s", table_why, shm_name);
    }
    if (status != SLOTKIT_OK) {
        free(inst);
        return status;
    }
    inst->table[0] = view;
    inst->base = seg.base;
    inst->mapped_bytes = seg.bytes;
    inst->is_creator = false;
    inst->creator_pid = 0;
    inst->dev = seg.dev;
    inst->ino = seg.ino;
    snprintf(inst->shm_name, sizeof inst->shm_name, "%s", shm_name);
    *out = inst;
    return SLOTKIT_OK;
}

static slotkit_status posix_open(const slotkit_config *config, slotkit_instance **out, slotkit_error *err)
{
    slotkit_status status = shm_segment_check_config("posix", config, out, err);
    if (status != SLOTKIT_OK) return status;
    char shm_name[POSIX_SHM_NAME_SIZE];
    const char *why = NULL;
    if (!posix_shm_name(config->name, shm_name, &why))
        return backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "posix: %s", why);
    if (config->role == SLOTKIT_ROLE_CREATE) return create_pool(config, shm_name, out, err);
    return attach_pool(config, shm_name, out, err);
}

static void posix_close(slotkit_instance *inst)
{
    if (!inst) return;
    munmap(inst->base, inst->mapped_bytes);
    /* R-XPROC-12: only the creator removes the name, and not from a fork of
     * it (a forked child's close must not pull the pool from its parent). */
    if (inst->is_creator && getpid() == inst->creator_pid)
        shm_segment_unlink_if_same(inst->shm_name, inst->dev, inst->ino);
    free(inst);
}

static const slotkit_backend posix_backend = {
    .abi_version = SLOTKIT_ABI_VERSION,
    .name = "posix",
    .version = POSIX_VERSION,
    .capabilities = SLOTKIT_CAP_CROSS_PROCESS | SLOTKIT_CAP_IN_PLACE | SLOTKIT_CAP_NOTIFY | SLOTKIT_CAP_TYPE_HASH |
                    SLOTKIT_CAP_NEXT_UNREAD,
    .open = posix_open,
    .close = posix_close,
    .ops = &slot_table_ops, /* the instance starts with its slot_table pointer */
};

const slotkit_backend *slotkit_posix_backend(void) { return &posix_backend; }
