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
 * - CREATE: shm_open(O_CREAT|O_EXCL, 0600), ftruncate, map, initialise the
 *   header and table completely, and only then publish the magic with a
 *   release store. ATTACH maps the object at its real size (fstat) and
 *   validates everything (segment.c) before trusting a field.
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
 *   it as stale and slotkit_posix_clean (clean.c) removes it (R-POSIX-3,
 *   R-XPROC-13).
 */
#include "posix/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/proc_identity.h"
#include "common/shm_segment.h"
#include "common/backend_util.h"
#include "common/slot_table.h"
#include "common/slot_table_ops.h"
#include "posix/segment.h"
#include "slotkit/posix.h"

#define POSIX_VERSION "0.1.0"

/* How long attach waits for a creator to finish initialising the segment
 * it has just created (a few system calls and a memset). */
#define ATTACH_INIT_WAIT_MS 200

/* Process-local; the shared state is all behind table. */
struct slotkit_instance {
    slot_table_view table[1]; /* the geometry, copied at open: never re-read from the segment */
    void *base;          /* the mapping */
    size_t mapped_bytes;
    bool is_creator;
    pid_t creator_pid;   /* close unlinks only in the creating process, not in a fork */
    dev_t dev;           /* identify our object at unlink time */
    ino_t ino;
    char shm_name[POSIX_SHM_NAME_SIZE];
};
_Static_assert(offsetof(struct slotkit_instance, table) == 0, "slot_table_ops needs the view first");

/* ---- create ------------------------------------------------------------ */

static slotkit_status create_pool(const slotkit_config *config, const char *shm_name,
                                  slotkit_instance **out, slotkit_error *err)
{
    size_t table_bytes = 0;
    const char *why = NULL;
    slotkit_status st =
        slot_table_size(config->slot_count, config->slot_capacity, &table_bytes, &why);
    if (st != SLOTKIT_OK)
        return backend_set_error(err, st, 0, "posix: %s (slot_count %zu, slot_capacity %zu)", why,
                         config->slot_count, config->slot_capacity);
    if (table_bytes > (size_t)INT64_MAX - POSIX_TABLE_OFFSET)
        return backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0,
                         "posix: a pool of %zu slots of %zu bytes is too large for a segment",
                         config->slot_count, config->slot_capacity);
    const size_t total = posix_segment_bytes(table_bytes);

    uint64_t segment_id = 0;
    if (!backend_random_segment_id(&segment_id)) {
        int e = errno;
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "posix: getrandom failed: %s",
                         strerror(e));
    }
    uint64_t start_token = 0;
    (void)proc_start_token(getpid(), &start_token, NULL); /* unknown stays 0: pid only */
    (void)proc_identity_self(); /* cache it now: the hot paths must not make syscalls */

    struct slotkit_instance *inst = calloc(1, sizeof *inst);
    if (!inst)
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, ENOMEM, "posix: out of memory");

    /* O_EXCL inside: an existing pool of that name stays untouched (R-XPROC-11). */
    void *base;
    dev_t dev;
    ino_t ino;
    slotkit_status created = shm_segment_create("posix", shm_name, total, &base, &dev, &ino, err);
    if (created != SLOTKIT_OK) {
        free(inst);
        /* R-XPROC-13: a dead creator's leftover is not a live pool; say how to free the name. */
        if (err && err->sys_errno == EEXIST &&
            strcmp(posix_segment_state(shm_name), SLOTKIT_POSIX_STALE) == 0)
            return backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0,
                                     "posix: stale segment, its creator is gone; remove it with "
                                     "'slotkit clean' to create the pool again: %s",
                                     shm_name);
        return created;
    }

    struct posix_segment_header *h = base;
    /* The creator first, so a creator that dies mid-initialisation still
     * leaves a segment `slotkit clean` can judge. */
    h->creator_pid = (int32_t)getpid();
    h->creator_start_token = start_token;
    (void)slot_table_init((char *)base + POSIX_TABLE_OFFSET, config->slot_count,
                          config->slot_capacity, config->first_sequence_number, segment_id,
                          config->type_hash, true, inst->table);
    h->layout_version = POSIX_SEGMENT_LAYOUT_VERSION;
    h->abi_version = SLOTKIT_ABI_VERSION;
    h->header_bytes = (uint32_t)sizeof *h;
    h->slot_count = (uint32_t)config->slot_count;
    h->slot_capacity = config->slot_capacity;
    h->slot_stride = SLOTKIT_SLOT_TOTAL_SIZE(config->slot_capacity);
    h->table_offset = POSIX_TABLE_OFFSET;
    h->total_bytes = total;
    h->segment_id = segment_id;
    h->has_type_hash = config->type_hash ? 1u : 0u;
    if (config->type_hash)
        memcpy(h->type_hash, config->type_hash, sizeof h->type_hash);
    /* Last, with release: an attacher that sees the magic sees all of the
     * above (it loads the magic with acquire). */
    atomic_store_explicit(&h->magic, POSIX_SEGMENT_MAGIC, memory_order_release);

    inst->base = base;
    inst->mapped_bytes = total;
    inst->is_creator = true;
    inst->creator_pid = getpid();
    inst->dev = dev;
    inst->ino = ino;
    snprintf(inst->shm_name, sizeof inst->shm_name, "%s", shm_name);
    *out = inst;
    return SLOTKIT_OK;
}

/* ---- attach ------------------------------------------------------------ */

static void describe_geometry(char *buf, size_t size, size_t count, size_t capacity)
{
    char count_text[32], capacity_text[32];
    if (count == 0)
        snprintf(count_text, sizeof count_text, "any");
    else
        snprintf(count_text, sizeof count_text, "%zu", count);
    if (capacity == 0)
        snprintf(capacity_text, sizeof capacity_text, "any");
    else
        snprintf(capacity_text, sizeof capacity_text, "%zu", capacity);
    snprintf(buf, size, "%s slots x %s bytes", count_text, capacity_text);
}

static void sleep_ms(long ms)
{
    struct timespec nap = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&nap, &nap) != 0 && errno == EINTR) {
    }
}

static slotkit_status attach_pool(const slotkit_config *config, const char *shm_name,
                                  slotkit_instance **out, slotkit_error *err)
{
    (void)proc_identity_self(); /* cache it now: the hot paths must not make syscalls */
    int fd = shm_open(shm_name, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "posix: no pool named %s exists",
                             shm_name);
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "posix: shm_open(%s) failed: %s",
                         shm_name, strerror(e));
    }

    /* Map the object at its real size and validate it; a creator may still
     * be between shm_open and publishing the magic, so "not initialised" is
     * retried briefly. */
    void *base = MAP_FAILED;
    size_t mapped = 0;
    char why[128] = "";
    posix_segment_verdict verdict = POSIX_SEGMENT_UNINITIALISED;
    for (int waited_ms = 0;; waited_ms++) {
        struct stat st;
        if (fstat(fd, &st) != 0) {
            int e = errno;
            close(fd);
            return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "posix: fstat(%s) failed: %s",
                             shm_name, strerror(e));
        }
        if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uintmax_t)st.st_size > SIZE_MAX) {
            verdict = POSIX_SEGMENT_FOREIGN;
            snprintf(why, sizeof why, "not a shared-memory segment of a usable size");
            break;
        }
        mapped = (size_t)st.st_size;
        if (mapped == 0) {
            verdict = POSIX_SEGMENT_UNINITIALISED;
            snprintf(why, sizeof why, "segment is empty (not initialised)");
        } else {
            base = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (base == MAP_FAILED) {
                int e = errno;
                close(fd);
                return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "posix: mmap of %s failed: %s",
                                 shm_name, strerror(e));
            }
            verdict = posix_segment_check(base, mapped, why, sizeof why);
        }
        if (verdict != POSIX_SEGMENT_UNINITIALISED || waited_ms >= ATTACH_INIT_WAIT_MS)
            break;
        if (base != MAP_FAILED) {
            munmap(base, mapped);
            base = MAP_FAILED;
        }
        sleep_ms(1);
    }
    struct stat st_obj;
    const bool have_identity = fstat(fd, &st_obj) == 0;
    close(fd);

    slotkit_status status = SLOTKIT_OK;
    const struct posix_segment_header *h = base;
    slot_table_view view; /* validated again from a copy: a peer may be rewriting the segment */
    const char *table_why = NULL;
    if (verdict != POSIX_SEGMENT_VALID) {
        status = backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0, "posix: %s: %s", why, shm_name);
    } else if (slot_table_view_open(&view, (char *)base + POSIX_TABLE_OFFSET,
                                    mapped - POSIX_TABLE_OFFSET, &table_why) != SLOTKIT_OK) {
        status = backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0, "posix: segment's slot table: %s: %s",
                                   table_why, shm_name);
    } else if (posix_segment_creator_dead(h)) {
        status = backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0,
                           "posix: stale segment, its creator (pid %d) is gone; remove it with "
                           "'slotkit clean': %s",
                           (int)h->creator_pid, shm_name);
    } else if ((config->slot_count != 0 && config->slot_count != h->slot_count) ||
               (config->slot_capacity != 0 && config->slot_capacity != h->slot_capacity)) {
        /* R-XPROC-10: 0 takes the pool's; anything else must match. */
        char asked[80], actual[80];
        describe_geometry(asked, sizeof asked, config->slot_count, config->slot_capacity);
        describe_geometry(actual, sizeof actual, h->slot_count, (size_t)h->slot_capacity);
        status = backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0,
                           "posix: attach asked for %s, the pool has %s: %s", asked, actual,
                           shm_name);
    } else if (config->type_hash &&
               (!h->has_type_hash ||
                memcmp(config->type_hash, h->type_hash, sizeof h->type_hash) != 0)) {
        status = backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0,
                           "posix: attach's type hash differs from the pool's: %s", shm_name);
    }

    struct slotkit_instance *inst = NULL;
    if (status == SLOTKIT_OK && !(inst = calloc(1, sizeof *inst)))
        status = backend_set_error(err, SLOTKIT_SYSTEM_ERROR, ENOMEM, "posix: out of memory");
    if (status != SLOTKIT_OK) {
        if (base != MAP_FAILED)
            munmap(base, mapped);
        return status;
    }
    inst->table[0] = view;
    inst->base = base;
    inst->mapped_bytes = mapped;
    inst->is_creator = false;
    inst->creator_pid = 0;
    inst->dev = have_identity ? st_obj.st_dev : 0;
    inst->ino = have_identity ? st_obj.st_ino : 0;
    snprintf(inst->shm_name, sizeof inst->shm_name, "%s", shm_name);
    *out = inst;
    return SLOTKIT_OK;
}

static slotkit_status posix_open(const slotkit_config *config, slotkit_instance **out,
                                 slotkit_error *err)
{
    if (!config || !out)
        return backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "posix: %s is NULL",
                         !config ? "config" : "out");
    if (config->role != SLOTKIT_ROLE_CREATE && config->role != SLOTKIT_ROLE_ATTACH)
        return backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "posix: unknown role %d",
                         (int)config->role);
    if (config->role == SLOTKIT_ROLE_CREATE && config->slot_count == 0)
        return backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "posix: slot_count must be at least 1");
    char shm_name[POSIX_SHM_NAME_SIZE];
    const char *why = NULL;
    if (!posix_shm_name(config->name, shm_name, &why))
        return backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "posix: %s", why);
    if (config->role == SLOTKIT_ROLE_CREATE)
        return create_pool(config, shm_name, out, err);
    return attach_pool(config, shm_name, out, err);
}

static void posix_close(slotkit_instance *inst)
{
    if (!inst)
        return;
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
    .capabilities = SLOTKIT_CAP_CROSS_PROCESS | SLOTKIT_CAP_IN_PLACE | SLOTKIT_CAP_NOTIFY |
                    SLOTKIT_CAP_TYPE_HASH | SLOTKIT_CAP_NEXT_UNREAD,
    .open = posix_open,
    .close = posix_close,
    .ops = &slot_table_ops, /* the instance starts with its slot_table pointer */
};

const slotkit_backend *slotkit_posix_backend(void) { return &posix_backend; }
