/* Named shared-memory segments: create, attach, validate, judge (see shm_segment.h). */
#include "common/shm_segment.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/backend_util.h"
#include "common/proc_identity.h"
#include "common/slot_table.h"
#include "portable.h"

_Static_assert(sizeof(struct shm_segment_header) <= SHM_POSIX_POOL_TABLE_OFFSET, "header overflow");
_Static_assert(SHM_POSIX_POOL_TABLE_OFFSET % 64u == 0 && SHM_IOX2_ACCT_TABLE_OFFSET % 64u == 0,
               "a table base must stay 64-byte aligned");
_Static_assert(SHM_IOX2_ACCT_HEADER_BYTES <= SHM_IOX2_ACCT_TABLE_OFFSET, "header overflow");

const shm_segment_kind shm_kind_posix_pool = {
    .label = "posix pool",
    .who = "posix",
    .shm_prefix = SHM_POSIX_POOL_PREFIX,
    .magic = SHM_POSIX_POOL_MAGIC,
    .layout_version = 1u,
    .header_bytes = sizeof(struct shm_segment_header),
    .table_offset = SHM_POSIX_POOL_TABLE_OFFSET,
};

const shm_segment_kind shm_kind_iox2_accounting = {
    .label = "iceoryx2 accounting",
    .who = "iceoryx2",
    .shm_prefix = SHM_IOX2_ACCT_PREFIX,
    .magic = SHM_IOX2_ACCT_MAGIC,
    .layout_version = 2u, /* 2: the common header first, own prefix */
    .header_bytes = SHM_IOX2_ACCT_HEADER_BYTES,
    .table_offset = SHM_IOX2_ACCT_TABLE_OFFSET,
};

static const shm_segment_kind *const all_kinds[] = {&shm_kind_posix_pool, &shm_kind_iox2_accounting};

slotkit_status shm_segment_check_config(const char *who, const slotkit_config *config, const void *out,
                                        slotkit_error *err)
{
    const slotkit_status invalid = SLOTKIT_INVALID_ARGUMENT;
    if (!config || !out) return backend_set_error(err, invalid, 0, "%s: %s is NULL", who, !config ? "config" : "out");
    if (config->role != SLOTKIT_ROLE_CREATE && config->role != SLOTKIT_ROLE_ATTACH)
        return backend_set_error(err, invalid, 0, "%s: unknown role %d", who, (int)config->role);
    if (config->role == SLOTKIT_ROLE_CREATE && config->slot_count == 0)
        return backend_set_error(err, invalid, 0, "%s: slot_count must be at least 1", who);
    return SLOTKIT_OK;
}

/* ---- create ------------------------------------------------------------- */

/* The creator's pid and start token, written before anything else: who
 * looks at a half-made segment can tell a dead creator from a slow one. */
static bool record_creator(int fd)
{
    struct shm_segment_header creator;
    memset(&creator, 0, sizeof creator);
    creator.creator_pid = (int32_t)getpid();
    (void)proc_start_token(getpid(), &creator.creator_start_token, NULL); /* unknown stays 0: pid only */
    return pwrite(fd, &creator, sizeof creator, 0) == (ssize_t)sizeof creator;
}

/* CREATE found the name taken: by a dead creator's leftover (R-XPROC-13),
 * by somebody else's object, or by a live pool (R-XPROC-11). */
static slotkit_status refuse_existing(const shm_segment_kind *kind, const char *shm_name, const char *pool_name,
                                      slotkit_error *err)
{
    char detail[512] = "", why[128] = "";
    shm_segment_state state = SHM_STATE_UNREADABLE;
    int dir_fd = open("/dev/shm", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        struct stat st;
        state = shm_segment_judge(kind, dir_fd, shm_name + 1, detail, sizeof detail);
        if (state == SHM_STATE_FOREIGN && fstatat(dir_fd, shm_name + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            !shm_segment_owner_ok(&st, why + 2, sizeof why - 2))
            memcpy(why, ", ", 2);
        close(dir_fd);
    }
    if (state == SHM_STATE_STALE)
        return backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0,
                                 "%s: stale segment, its creator is gone; remove it with 'slotkit clean' "
                                 "to create the pool again: %s",
                                 kind->who, shm_name);
    return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, EEXIST, "%s: a pool named '%s' already exists%s: %s", kind->who,
                             pool_name, why, shm_name);
}

slotkit_status shm_segment_create(const shm_segment_kind *kind, const char *shm_name, const char *pool_name,
                                  size_t bytes, shm_segment *out, slotkit_error *err)
{
    int fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, SHM_SEGMENT_MODE);
    if (fd < 0) {
        int e = errno;
        if (e == EEXIST) return refuse_existing(kind, shm_name, pool_name, err);
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "%s: shm_open(%s) failed: %s", kind->who, shm_name,
                                 strerror(e));
    }
    /* From here on the name is ours: every failure removes it again. */
    const char *failed_call = NULL;
    int e = 0;
    struct stat st;
    void *base = MAP_FAILED;
    if (!record_creator(fd))
        failed_call = "pwrite", e = errno ? errno : EIO;
    else if (fchmod(fd, SHM_SEGMENT_MODE) != 0)
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
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "%s: %s of %s (%zu bytes) failed: %s", kind->who,
                                 failed_call, shm_name, bytes, strerror(e));
    }
    *out = (shm_segment){.base = base, .bytes = bytes, .dev = st.st_dev, .ino = st.st_ino};
    return SLOTKIT_OK;
}

void shm_segment_init_header(const shm_segment_kind *kind, struct shm_segment_header *h, const slotkit_config *config,
                             uint64_t total_bytes, uint64_t segment_id)
{
    h->layout_version = kind->layout_version;
    h->abi_version = SLOTKIT_ABI_VERSION;
    h->header_bytes = kind->header_bytes;
    h->slot_count = (uint32_t)config->slot_count;
    h->slot_capacity = config->slot_capacity;
    h->slot_stride = SLOTKIT_SLOT_TOTAL_SIZE(config->slot_capacity);
    h->table_offset = kind->table_offset;
    h->total_bytes = total_bytes;
    h->segment_id = segment_id;
    h->has_type_hash = config->type_hash ? 1u : 0u;
    if (config->type_hash) memcpy(h->type_hash, config->type_hash, sizeof h->type_hash);
}

void shm_segment_publish(const shm_segment_kind *kind, struct shm_segment_header *h)
{
    /* Release: an attacher that sees the magic (acquire) sees everything before. */
    atomic_store_explicit(&h->magic, kind->magic, memory_order_release);
}

void shm_segment_unlink_if_same(const char *shm_name, dev_t dev, ino_t ino)
{
    int fd = shm_open(shm_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
    if (fd < 0) return;
    struct stat st;
    bool same = fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
    close(fd);
    if (same) shm_unlink(shm_name);
}

/* ---- judging ------------------------------------------------------------ */

bool shm_segment_owner_ok(const struct stat *st, char *why, size_t why_size)
{
    const unsigned mode = (unsigned)(st->st_mode & 07777);
    if (!S_ISREG(st->st_mode)) {
        snprintf(why, why_size, "not a regular file (owner uid %u, mode %04o)", (unsigned)st->st_uid, mode);
        return false;
    }
    if (st->st_uid != geteuid() || mode != SHM_SEGMENT_MODE) {
        snprintf(why, why_size, "owned by uid %u with mode %04o, not by uid %u with mode %04o", (unsigned)st->st_uid,
                 mode, (unsigned)geteuid(), (unsigned)SHM_SEGMENT_MODE);
        return false;
    }
    return true;
}

bool shm_segment_creator(const void *base, size_t bytes, pid_t *pid, uint64_t *start_token)
{
    const struct shm_segment_header *h = base;
    if (!base || bytes < sizeof *h || h->creator_pid <= 0) return false;
    *pid = (pid_t)h->creator_pid;
    *start_token = h->creator_start_token;
    return true;
}

bool shm_segment_creator_dead(pid_t pid, uint64_t start_token) { return proc_is_dead(pid, start_token, UINT64_MAX); }

#define FAIL(verdict, ...)                                         \
    do {                                                           \
        if (why && why_size) snprintf(why, why_size, __VA_ARGS__); \
        return (verdict);                                          \
    } while (0)

/* Magic, versions, header size: is this a segment of this kind at all? */
static shm_segment_verdict check_identity(const shm_segment_kind *kind, const struct shm_segment_header *h, char *why,
                                          size_t why_size)
{
    /* Acquire: pairs with the creator's release, so the fields read later
     * are the ones it wrote before publishing. */
    _Atomic uint64_t *magic_word = &((struct shm_segment_header *)(uintptr_t)h)->magic;
    const uint64_t magic = atomic_load_explicit(magic_word, memory_order_acquire);
    if (magic == 0) FAIL(SHM_SEGMENT_UNINITIALISED, "segment is not initialised (no magic yet)");
    if (magic != kind->magic) {
        for (size_t i = 0; i < sizeof all_kinds / sizeof all_kinds[0]; i++)
            if (magic == all_kinds[i]->magic)
                FAIL(SHM_SEGMENT_FOREIGN, "a segment of another kind (%s magic), not a %s", all_kinds[i]->label,
                     kind->label);
        FAIL(SHM_SEGMENT_FOREIGN, "not a slotkit segment (magic 0x%016llx)", (unsigned long long)magic);
    }
    if (h->layout_version != kind->layout_version)
        FAIL(SHM_SEGMENT_FOREIGN, "segment layout version %u, this build reads version %u", h->layout_version,
             kind->layout_version);
    if (h->abi_version != SLOTKIT_ABI_VERSION)
        FAIL(SHM_SEGMENT_FOREIGN, "segment ABI version %u, this build speaks ABI %u", h->abi_version,
             SLOTKIT_ABI_VERSION);
    if (h->header_bytes != kind->header_bytes)
        FAIL(SHM_SEGMENT_CORRUPT, "segment header size %u, expected %u", h->header_bytes, kind->header_bytes);
    return SHM_SEGMENT_VALID;
}

/* The embedded slot table agrees with the header it sits under. */
static shm_segment_verdict check_table(const struct shm_segment_header *h, size_t table_bytes, char *why,
                                       size_t why_size)
{
    const char *table_why = NULL;
    void *table_mem = (char *)(uintptr_t)h + h->table_offset;
    if (slot_table_validate(table_mem, table_bytes, &table_why) != SLOTKIT_OK)
        FAIL(SHM_SEGMENT_CORRUPT, "segment's slot table: %s", table_why);
    const slot_table *t = slot_table_at(table_mem);
    uint8_t table_hash[16];
    const bool table_has_hash = slot_table_type_hash(t, table_hash);
    if (slot_table_slot_count(t) != h->slot_count || slot_table_capacity(t) != h->slot_capacity ||
        slot_table_segment_id(t) != h->segment_id || !slot_table_process_shared(t) ||
        table_has_hash != (h->has_type_hash != 0) ||
        (table_has_hash && memcmp(table_hash, h->type_hash, sizeof table_hash) != 0))
        FAIL(SHM_SEGMENT_CORRUPT, "segment header and slot table disagree");
    return SHM_SEGMENT_VALID;
}

shm_segment_verdict shm_segment_check(const shm_segment_kind *kind, const void *base, size_t bytes, char *why,
                                      size_t why_size)
{
    const struct shm_segment_header *h = base;
    /* Every field read below lies inside bytes: checked first. */
    if (bytes < sizeof *h) {
        if (bytes == 0) FAIL(SHM_SEGMENT_UNINITIALISED, "segment is empty (not initialised)");
        FAIL(SHM_SEGMENT_FOREIGN, "object is %zu bytes, smaller than a segment header (%zu)", bytes, sizeof *h);
    }
    shm_segment_verdict verdict = check_identity(kind, h, why, why_size);
    if (verdict != SHM_SEGMENT_VALID) return verdict;
    size_t table_bytes = 0;
    if (h->slot_count == 0 || h->slot_capacity > SLOT_TABLE_MAX_CAPACITY ||
        slot_table_size(h->slot_count, (size_t)h->slot_capacity, &table_bytes, NULL) != SLOTKIT_OK)
        FAIL(SHM_SEGMENT_CORRUPT, "segment geometry is invalid (%u slots of %llu bytes)", h->slot_count,
             (unsigned long long)h->slot_capacity);
    if (h->slot_stride != SLOTKIT_SLOT_TOTAL_SIZE(h->slot_capacity))
        FAIL(SHM_SEGMENT_CORRUPT, "segment slot stride %llu does not match capacity %llu",
             (unsigned long long)h->slot_stride, (unsigned long long)h->slot_capacity);
    /* The kind may keep bytes after the table; its own check sizes them. */
    if (h->table_offset != kind->table_offset || h->total_bytes < h->table_offset ||
        h->total_bytes - h->table_offset < table_bytes)
        FAIL(SHM_SEGMENT_CORRUPT, "segment offsets/size disagree with its geometry");
    if (h->total_bytes > bytes)
        FAIL(SHM_SEGMENT_CORRUPT, "segment is truncated: %zu bytes, its header says %llu", bytes,
             (unsigned long long)h->total_bytes);
    if (h->total_bytes != bytes)
        FAIL(SHM_SEGMENT_CORRUPT, "segment is %zu bytes, its header says %llu", bytes,
             (unsigned long long)h->total_bytes);
    if (h->segment_id == 0 || h->creator_pid <= 0 || h->has_type_hash > 1u)
        FAIL(SHM_SEGMENT_CORRUPT, "segment header has an invalid id, creator or flag");
    return check_table(h, table_bytes, why, why_size);
}

#undef FAIL

/* ---- attach ------------------------------------------------------------- */

static void describe_geometry(char *buf, size_t size, size_t count, size_t capacity)
{
    char count_text[32] = "any", capacity_text[32] = "any";
    if (count != 0) snprintf(count_text, sizeof count_text, "%zu", count);
    if (capacity != 0) snprintf(capacity_text, sizeof capacity_text, "%zu", capacity);
    snprintf(buf, size, "%s slots x %s bytes", count_text, capacity_text);
}

/* Why shm_open(shm_name) was refused, when the object is not ours. */
static bool not_ours(const char *shm_name, char *why, size_t why_size)
{
    char path[300];
    struct stat st;
    snprintf(path, sizeof path, "/dev/shm%s", shm_name);
    return lstat(path, &st) == 0 && !shm_segment_owner_ok(&st, why, why_size);
}

/* Opens shm_name read-write for attach, and only if it is ours: any local
 * user may create our name first. */
static slotkit_status open_owned(const shm_segment_kind *kind, const char *shm_name, const char *pool_name, int *out_fd,
                                 slotkit_error *err)
{
    const char *who = kind->who;
    char why[128] = "a symbolic link";
    /* No link following, no blocking on a FIFO someone put there. */
    int fd = shm_open(shm_name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "%s: no pool named '%s' exists (%s)", who, pool_name,
                                     shm_name);
        if (e == ELOOP || ((e == EACCES || e == EPERM) && not_ours(shm_name, why, sizeof why)))
            return backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0, "%s: refused: %s: %s", who, why, shm_name);
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "%s: shm_open(%s) failed: %s", who, shm_name,
                                 strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "%s: fstat(%s) failed: %s", who, shm_name, strerror(e));
    }
    if (!shm_segment_owner_ok(&st, why, sizeof why)) {
        close(fd);
        return backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0, "%s: refused: %s: %s", who, why, shm_name);
    }
    *out_fd = fd;
    return SLOTKIT_OK;
}

/* What the wait for the creator found. */
struct attach_look {
    shm_segment seg; /* base is NULL when nothing is mapped */
    shm_segment_verdict verdict;
    bool creator_known;
    bool creator_dead;
    pid_t creator_pid;
    char why[128];
};

/* One look: maps the object at its real size and validates it. */
static slotkit_status look_once(const shm_segment_kind *kind, int fd, const char *shm_name, struct attach_look *look,
                                slotkit_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "%s: fstat(%s) failed: %s", kind->who, shm_name,
                                 strerror(e));
    }
    look->seg = (shm_segment){.bytes = (size_t)st.st_size, .dev = st.st_dev, .ino = st.st_ino};
    if (look->seg.bytes > 0) {
        void *base = mmap(NULL, look->seg.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (base == MAP_FAILED) {
            int e = errno;
            return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, e, "%s: mmap of %s failed: %s", kind->who, shm_name,
                                     strerror(e));
        }
        look->seg.base = base;
    }
    look->verdict = shm_segment_check(kind, look->seg.base, look->seg.bytes, look->why, sizeof look->why);
    uint64_t token = 0;
    look->creator_known = shm_segment_creator(look->seg.base, look->seg.bytes, &look->creator_pid, &token);
    look->creator_dead = look->creator_known && look->verdict == SHM_SEGMENT_UNINITIALISED &&
                         shm_segment_creator_dead(look->creator_pid, token);
    return SLOTKIT_OK;
}

/* Looks until the segment is published, its creator is known dead, or
 * SHM_SEGMENT_INIT_WAIT_MS have passed. */
static slotkit_status wait_published(const shm_segment_kind *kind, int fd, const char *shm_name,
                                     struct attach_look *look, slotkit_error *err)
{
    const uint64_t start = monotonic_ns();
    for (;;) {
        slotkit_status status = look_once(kind, fd, shm_name, look, err);
        if (status != SLOTKIT_OK || look->verdict != SHM_SEGMENT_UNINITIALISED || look->creator_dead ||
            monotonic_ns() - start >= SHM_SEGMENT_INIT_WAIT_MS * 1000000ull)
            return status;
        if (look->seg.base) munmap(look->seg.base, look->seg.bytes);
        look->seg.base = NULL;
        sleep_ns(1000000u);
    }
}

/* INCOMPATIBLE for a segment the wait left unpublished: says what to do. */
static slotkit_status refuse_unpublished(const shm_segment_kind *kind, const char *shm_name,
                                         const struct attach_look *look, slotkit_error *err)
{
    if (look->creator_dead)
        return backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0,
                                 "%s: stale segment, not initialised: its creator (pid %d) died during "
                                 "CREATE; remove it with 'slotkit clean': %s",
                                 kind->who, (int)look->creator_pid, shm_name);
    char creator[48] = "no creator recorded";
    if (look->creator_known) snprintf(creator, sizeof creator, "creator pid %d alive", (int)look->creator_pid);
    return backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0,
                             "%s: not initialised after %d ms (%s): retry later, or run 'slotkit clean' "
                             "if the creator died: %s",
                             kind->who, SHM_SEGMENT_INIT_WAIT_MS, creator, shm_name);
}

/* A published, valid segment: the kind's checks, its creator, the caller's geometry. */
static slotkit_status check_usable(const shm_segment_kind *kind, const char *shm_name, const slotkit_config *config,
                                   shm_segment_kind_check_fn kind_check, const void *kind_ctx, const shm_segment *seg,
                                   slotkit_error *err)
{
    const char *who = kind->who;
    const struct shm_segment_header *h = seg->base;
    char why[128];
    if (kind_check && !kind_check(seg->base, seg->bytes, kind_ctx, why, sizeof why))
        return backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0, "%s: %s: %s", who, why, shm_name);
    if (shm_segment_creator_dead((pid_t)h->creator_pid, h->creator_start_token))
        return backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0,
                                 "%s: stale segment, its creator (pid %d) is gone; remove it with "
                                 "'slotkit clean': %s",
                                 who, (int)h->creator_pid, shm_name);
    if ((config->slot_count != 0 && config->slot_count != h->slot_count) ||
        (config->slot_capacity != 0 && config->slot_capacity != h->slot_capacity)) {
        /* R-XPROC-10: 0 takes the pool's; anything else must match. */
        char asked[80], actual[80];
        describe_geometry(asked, sizeof asked, config->slot_count, config->slot_capacity);
        describe_geometry(actual, sizeof actual, h->slot_count, (size_t)h->slot_capacity);
        return backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0, "%s: attach asked for %s, the pool has %s: %s", who,
                                 asked, actual, shm_name);
    }
    if (config->type_hash && (!h->has_type_hash || memcmp(config->type_hash, h->type_hash, sizeof h->type_hash) != 0))
        return backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0, "%s: attach's type hash differs from the pool's: %s",
                                 who, shm_name);
    return SLOTKIT_OK;
}

slotkit_status shm_segment_attach(const shm_segment_kind *kind, const char *shm_name, const char *pool_name,
                                  const slotkit_config *config, shm_segment_kind_check_fn kind_check,
                                  const void *kind_ctx, shm_segment *out, slotkit_error *err)
{
    int fd = -1;
    slotkit_status status = open_owned(kind, shm_name, pool_name, &fd, err);
    if (status != SLOTKIT_OK) return status;
    struct attach_look look;
    memset(&look, 0, sizeof look);
    status = wait_published(kind, fd, shm_name, &look, err);
    close(fd);
    if (status == SLOTKIT_OK) {
        if (look.verdict == SHM_SEGMENT_UNINITIALISED)
            status = refuse_unpublished(kind, shm_name, &look, err);
        else if (look.verdict != SHM_SEGMENT_VALID)
            status = backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0, "%s: %s: %s", kind->who, look.why, shm_name);
        else
            status = check_usable(kind, shm_name, config, kind_check, kind_ctx, &look.seg, err);
    }
    if (status != SLOTKIT_OK) {
        if (look.seg.base) munmap(look.seg.base, look.seg.bytes);
        return status;
    }
    *out = look.seg;
    return SLOTKIT_OK;
}

slotkit_status shm_segment_map_valid(const shm_segment_kind *kind, const char *shm_name,
                                     shm_segment_kind_check_fn kind_check, const void *kind_ctx, shm_segment *out,
                                     slotkit_error *err)
{
    int fd = -1;
    slotkit_status status = open_owned(kind, shm_name, shm_name, &fd, err);
    if (status != SLOTKIT_OK) return status;
    struct attach_look look;
    memset(&look, 0, sizeof look);
    status = look_once(kind, fd, shm_name, &look, err);
    close(fd);
    if (status == SLOTKIT_OK && look.verdict != SHM_SEGMENT_VALID)
        status = backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0, "%s: %s: %s", kind->who, look.why, shm_name);
    else if (status == SLOTKIT_OK && kind_check &&
             !kind_check(look.seg.base, look.seg.bytes, kind_ctx, look.why, sizeof look.why))
        status = backend_set_error(err, SLOTKIT_INCOMPATIBLE, 0, "%s: %s: %s", kind->who, look.why, shm_name);
    if (status != SLOTKIT_OK) {
        if (look.seg.base) munmap(look.seg.base, look.seg.bytes);
        return status;
    }
    *out = look.seg;
    return SLOTKIT_OK;
}

/* ---- judging leftovers (`slotkit clean`) -------------------------------- */

/* FOREIGN, with why and how to remove it by hand: clean never does. */
static shm_segment_state foreign(const char *entry_name, const struct stat *st, const char *why, char *detail,
                                 size_t detail_size)
{
    char as[48] = "";
    if (st && st->st_uid != geteuid()) snprintf(as, sizeof as, " as uid %u or root", (unsigned)st->st_uid);
    snprintf(detail, detail_size,
             "%s; slotkit clean never removes it: if it is unwanted, remove it%s with rm /dev/shm/%s", why, as,
             entry_name);
    return SHM_STATE_FOREIGN;
}

/* An unpublished segment: its creator decides; with none recorded, its age. */
static shm_segment_state judge_unpublished(const void *base, size_t bytes, const struct stat *st, char *detail,
                                           size_t detail_size)
{
    pid_t pid = 0;
    uint64_t token = 0;
    if (shm_segment_creator(base, bytes, &pid, &token)) {
        if (shm_segment_creator_dead(pid, token)) {
            snprintf(detail, detail_size, "creator pid %d died before initialising it", (int)pid);
            return SHM_STATE_STALE;
        }
        snprintf(detail, detail_size, "creator pid %d is still initialising it", (int)pid);
        return SHM_STATE_UNINITIALISED;
    }
    if (time(NULL) - st->st_mtime > SHM_SEGMENT_UNRECORDED_GRACE_S) {
        snprintf(detail, detail_size, "never initialised, no creator recorded, older than %d s",
                 SHM_SEGMENT_UNRECORDED_GRACE_S);
        return SHM_STATE_STALE;
    }
    snprintf(detail, detail_size, "no creator recorded yet (younger than %d s)", SHM_SEGMENT_UNRECORDED_GRACE_S);
    return SHM_STATE_UNINITIALISED;
}

/* Judges a segment mapped read-only. */
static shm_segment_state judge_mapped(const shm_segment_kind *kind, const char *entry_name, const void *base,
                                      const struct stat *st, char *detail, size_t detail_size)
{
    const size_t bytes = (size_t)st->st_size;
    char why[128];
    switch (shm_segment_check(kind, base, bytes, why, sizeof why)) {
    case SHM_SEGMENT_VALID: {
        const struct shm_segment_header *h = base;
        if (shm_segment_creator_dead((pid_t)h->creator_pid, h->creator_start_token)) {
            snprintf(detail, detail_size, "creator pid %d is gone", (int)h->creator_pid);
            return SHM_STATE_STALE;
        }
        snprintf(detail, detail_size, "creator pid %d", (int)h->creator_pid);
        return SHM_STATE_LIVE;
    }
    case SHM_SEGMENT_UNINITIALISED: return judge_unpublished(base, bytes, st, detail, detail_size);
    default: return foreign(entry_name, st, why, detail, detail_size);
    }
}

static const char *special_file_type(mode_t mode)
{
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISSOCK(mode)) return "a socket";
    return "a device or other special file";
}

/* An entry that cannot be opened: somebody else's, or unreadable. */
static shm_segment_state judge_unopened(int dir_fd, const char *entry_name, int e, char *detail, size_t detail_size)
{
    char why[128];
    struct stat st;
    if (e == ELOOP || e == ENXIO) {
        snprintf(detail, detail_size, "%s", e == ELOOP ? "a symbolic link" : "a FIFO or socket");
        return SHM_STATE_NOT_REGULAR;
    }
    if (fstatat(dir_fd, entry_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        !shm_segment_owner_ok(&st, why, sizeof why))
        return foreign(entry_name, &st, why, detail, detail_size);
    snprintf(detail, detail_size, "cannot open it: %s", strerror(e));
    return SHM_STATE_UNREADABLE;
}

shm_segment_state shm_segment_judge(const shm_segment_kind *kind, int dir_fd, const char *entry_name, char *detail,
                                    size_t detail_size)
{
    char why[128];
    struct stat st;
    /* Any local user can create names here: a FIFO would block a plain
     * open, a symlink would lead elsewhere. Open without either, judge
     * what was opened; read-only, so looking never changes a segment. */
    int fd = openat(dir_fd, entry_name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return judge_unopened(dir_fd, entry_name, errno, detail, detail_size);
    shm_segment_state state;
    void *base = MAP_FAILED;
    if (fstat(fd, &st) != 0) {
        snprintf(detail, detail_size, "fstat failed: %s", strerror(errno));
        state = SHM_STATE_UNREADABLE;
    } else if (!S_ISREG(st.st_mode)) {
        snprintf(detail, detail_size, "%s", special_file_type(st.st_mode));
        state = SHM_STATE_NOT_REGULAR;
    } else if (!shm_segment_owner_ok(&st, why, sizeof why)) {
        state = foreign(entry_name, &st, why, detail, detail_size);
    } else if (st.st_size == 0) {
        state = judge_unpublished(NULL, 0, &st, detail, detail_size);
    } else if ((base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED) {
        snprintf(detail, detail_size, "mmap failed: %s", strerror(errno));
        state = SHM_STATE_UNREADABLE;
    } else {
        state = judge_mapped(kind, entry_name, base, &st, detail, detail_size);
        munmap(base, (size_t)st.st_size);
    }
    close(fd);
    return state;
}
