/*
 * The iceoryx2 slot backend: the contract's samples travel as real iceoryx2
 * samples, the contract's bookkeeping lives in a shared accounting segment.
 *
 * iceoryx2 is FIFO publish-subscribe with per-delivery reference counting;
 * the contract is a random-access slot store with a reader mask, shared by
 * every process of a pool. The gap is closed like this (docs/SPEC.md §9):
 *
 *   - Accounting: a process_shared slot table (ref/common/slot_table.h) in a
 *     POSIX shm segment /slotkit.iox2acct-<fnv64(name)>, created by CREATE
 *     (O_EXCL), attached (same owner, mode 0600) and validated by ATTACH,
 *     unlinked by the creator's close, judged by `slotkit clean` like a
 *     posix pool (ref/common/shm_segment). It holds every slot's state, loans (with crash-safe holder
 *     records), wait set, pending mask, sequence number and the generation
 *     futex. Its payload area is the writers' staging area for in-place
 *     loans only (slot_data_ptr); committed samples are never read from it.
 *   - Data: one iceoryx2 IPC pub-sub service per pool, payload [u8] slices of
 *     the slot capacity, user header {sn, length, slot, resent}. Every open
 *     instance (creator or attacher) has its own node, publisher and
 *     subscriber. commit loans an iceoryx2 sample, fills it (from the caller's
 *     bytes or the staging area), takes the SN from the accounting and sends.
 *   - Random access: each instance's subscriber keeps, per slot, the latest
 *     sample it received for that slot (a service thread drains the queue
 *     every millisecond). A read takes the SN from the accounting and returns
 *     the held sample only if its SN and slot match; otherwise it drains the
 *     queue itself, and retries (spinning, then yielding, then sleeping)
 *     while the send is still in flight. A sample this instance missed (it attached later, or its queue
 *     overflowed) is asked for through a re-send epoch in the segment: every
 *     instance's service thread re-sends copies of the committed samples it
 *     holds, one instance per slot and epoch (a claim word per slot). A read
 *     that still cannot get the bytes fails; it never returns other bytes.
 *
 * A mutex per instance serialises everything that touches iceoryx2 objects
 * or held[] (commits, reads, the service thread); reserve, discard, marks,
 * disconnects, next_unread and waits go to the lock-free table alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
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
#include "shim.h"
#include "slotkit/backend.h"

#define IOX2_BACKEND_VERSION "0.2.0 (iceoryx2 0.10.0)"
#define ERR_LEN 256
/* iceoryx2 caps service names at 255 bytes; ours are "slotkit/<pool name>". */
#define SERVICE_PREFIX "slotkit/"
#define MAX_POOL_NAME (255u - (sizeof SERVICE_PREFIX - 1u))
/* Payload alignment of every chunk: a cache line (R-INPLACE-6). */
#define PAYLOAD_ALIGN 64u
/* Open instances of one pool at once, over all processes (each is an
 * iceoryx2 node with one publisher and one subscriber). */
#define MAX_INSTANCES 32u
/* The service thread's period. */
#define SERVICE_PERIOD_NS 1000000L
/* A read of a committed sample this instance does not hold yet: first wait
 * for the send in flight, then ask for a re-send, repeatedly, then give up. */
#define READ_RESEND_AFTER_NS 2000000ull
#define READ_RESEND_EVERY_NS 100000000ull
#define READ_GIVE_UP_NS 3000000000ull
/* How a read waits for a send in flight: re-drains while spinning, then while
 * yielding the CPU, then every 50 us. */
#define READ_SPIN_NS 20000ull
#define READ_YIELD_NS 500000ull
#define READ_LOCK_SPINS 2000
#define ATTACH_SYNC_NS 1000000000ull
/* ---- the accounting segment --------------------------------------------- */

/* Made, attached and judged by ref/common/shm_segment (kind
 * shm_kind_iox2_accounting, which also fixes its magic, layout version,
 * header size and table offset). */
#define ACCT_NAME_MAX 256u

/* The common header first; everything but the magic and the re-send epoch
 * is written before the magic is published and never changes afterwards. */
struct acct_header {
    struct shm_segment_header common;
    uint64_t table_bytes;
    uint64_t claims_offset; /* one _Atomic uint32_t per slot: the last re-send epoch served */
    uint64_t users_offset;  /* MAX_INSTANCES _Atomic uint64_t: proc identities of open instances */
    _Atomic uint32_t resend_epoch; /* bumped by an instance that misses a committed sample */
    uint32_t reserved;
    char name[ACCT_NAME_MAX]; /* the pool name, NUL-terminated */
};
_Static_assert(sizeof(struct acct_header) == SHM_IOX2_ACCT_HEADER_BYTES, "the kind's header size");

/* The sample a slot holds, as this instance's subscriber borrowed it. */
struct held_sample {
    sk_iox2_sample *sample; /* NULL: the slot holds no sample here */
    const uint8_t *payload;
    uint32_t sequence;
    uint32_t length;
};

struct slotkit_instance {
    pthread_mutex_t lock; /* iceoryx2 objects, held[], seen_epoch */
    slot_table_view table[1]; /* the accounting geometry, copied at open */
    struct acct_header *hdr;
    _Atomic uint32_t *claims;
    _Atomic uint64_t *users;
    int user_index; /* -1: no entry in users[] */
    void *base;
    size_t mapped_bytes;
    bool is_creator;
    pid_t creator_pid;
    dev_t dev;
    ino_t ino;
    char shm_name[64];
    size_t slot_count;
    size_t capacity;
    size_t loan_len; /* capacity, or 1: iceoryx2 slices need an element */
    uint64_t segment_id;
    sk_iox2_node *node;
    sk_iox2_service *service;
    sk_iox2_publisher *publisher;
    sk_iox2_subscriber *subscriber;
    struct held_sample *held;
    uint32_t seen_epoch;
    pthread_t thread;
    bool thread_started;
    _Atomic bool stop;
    _Atomic bool running;
    char prefix[64]; /* iceoryx2 file prefix of this pool's domain */
    char root[64];   /* iceoryx2 root directory of this pool */
    slotkit_instance *next_open; /* the process's list of open instances */
};

/* ---- fork safety ----------------------------------------------------------
 * Tests (and users) fork while a pool is open. A service thread that is inside
 * iceoryx2 at that moment could leave a lock of the Rust side held in the
 * child, so fork waits until no instance is inside iceoryx2. */
static pthread_mutex_t open_list_lock = PTHREAD_MUTEX_INITIALIZER;
static slotkit_instance *open_list;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void atfork_prepare(void)
{
    pthread_mutex_lock(&open_list_lock);
    for (slotkit_instance *i = open_list; i; i = i->next_open)
        pthread_mutex_lock(&i->lock);
}

static void atfork_release(void)
{
    for (slotkit_instance *i = open_list; i; i = i->next_open)
        pthread_mutex_unlock(&i->lock);
    pthread_mutex_unlock(&open_list_lock);
}

static void atfork_install(void) { (void)pthread_atfork(atfork_prepare, atfork_release, atfork_release); }

static void list_add(slotkit_instance *inst)
{
    pthread_mutex_lock(&open_list_lock);
    inst->next_open = open_list;
    open_list = inst;
    pthread_mutex_unlock(&open_list_lock);
}

static void list_remove(slotkit_instance *inst)
{
    pthread_mutex_lock(&open_list_lock);
    for (slotkit_instance **p = &open_list; *p; p = &(*p)->next_open) {
        if (*p == inst) {
            *p = inst->next_open;
            break;
        }
    }
    pthread_mutex_unlock(&open_list_lock);
}

/* ---- small helpers ------------------------------------------------------ */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(long ns)
{
    struct timespec ts = {.tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* FNV-1a: names the pool's files without the pool name's characters (which
 * may include '/') and within the file-name limits. */
static uint64_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3u;
    }
    return h;
}

/* rmdir only: a file iceoryx2 left behind stays visible as residue. */
static int rmdir_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (type == FTW_DP)
        (void)rmdir(path);
    return 0;
}

static size_t claims_bytes(size_t slot_count)
{
    return (slot_count * sizeof(uint32_t) + 63u) & ~(size_t)63u;
}

#define USERS_BYTES ((size_t)MAX_INSTANCES * sizeof(uint64_t))

/* Takes an entry in the segment's user table (a dead user's entry counts as
 * free): the last live user of a pool removes its iceoryx2 domain. */
static bool users_enter(slotkit_instance *inst)
{
    const uint64_t me = proc_identity_self();
    for (int i = 0; i < (int)MAX_INSTANCES; i++) {
        uint64_t v = atomic_load(&inst->users[i]);
        if ((v == 0 || proc_identity_is_dead(v)) &&
            atomic_compare_exchange_strong(&inst->users[i], &v, me)) {
            inst->user_index = i;
            return true;
        }
    }
    return false;
}

/* Leaves the user table; true when no live user is left. */
static bool users_leave(slotkit_instance *inst)
{
    if (inst->user_index >= 0)
        atomic_store(&inst->users[inst->user_index], 0);
    inst->user_index = -1;
    for (unsigned i = 0; i < MAX_INSTANCES; i++) {
        uint64_t v = atomic_load(&inst->users[i]);
        if (v != 0 && !proc_identity_is_dead(v))
            return false;
    }
    return true;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (type == FTW_DP)
        (void)rmdir(path);
    else
        (void)unlink(path);
    return 0;
}

/* Removes every file of this pool's iceoryx2 domain: /dev/shm/<prefix>* and
 * the root directory. Only once no live process uses the pool: iceoryx2's
 * own dead-node cleanup cannot see nodes of forked processes as dead (it
 * caches the process's unique id, and a fork inherits it). */
static void remove_domain(const slotkit_instance *inst)
{
    DIR *d = opendir("/dev/shm");
    if (d) {
        const size_t plen = strlen(inst->prefix);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strncmp(e->d_name, inst->prefix, plen) == 0) {
                char path[512];
                snprintf(path, sizeof path, "/%s", e->d_name);
                (void)shm_unlink(path);
            }
        }
        closedir(d);
    }
    (void)nftw(inst->root, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* ---- lifecycle ------------------------------------------------------------ */

static void *service_main(void *arg);
static void drain(slotkit_instance *inst);
static bool committed_sn(slotkit_instance *inst, uint32_t slot, uint32_t *sn);

/* Releases whatever exists, in reverse order of creation; NULL-safe. */
static void destroy(slotkit_instance *inst)
{
    if (inst->thread_started) {
        atomic_store(&inst->stop, true);
        pthread_join(inst->thread, NULL);
        list_remove(inst);
    }
    if (inst->held) {
        for (size_t i = 0; i < inst->slot_count; i++)
            sk_iox2_sample_drop(inst->held[i].sample);
    }
    sk_iox2_subscriber_drop(inst->subscriber);
    sk_iox2_publisher_drop(inst->publisher);
    sk_iox2_service_drop(inst->service);
    if (inst->node) {
        /* Processes of this pool that died (SIGKILL) left nodes behind:
         * remove them, so the last one out can remove the domain. */
        (void)sk_iox2_node_cleanup_dead(inst->node, NULL);
    }
    /* The node goes last: dropping it removes the node's files, and with the
     * last port and service gone iceoryx2 removes the service's files. */
    sk_iox2_node_drop(inst->node);
    /* R-XPROC-12: only the creator removes the name, not a fork of it. */
    if (inst->base && inst->is_creator && getpid() == inst->creator_pid)
        shm_segment_unlink_if_same(inst->shm_name, inst->dev, inst->ino);
    if (inst->base && inst->user_index >= 0 && users_leave(inst) && inst->root[0] != '\0') {
        /* The last live user of the pool: the domain is this pool's alone. */
        remove_domain(inst);
    } else if (inst->node && inst->root[0] != '\0') {
        /* iceoryx2 keeps a per-domain segment and its directories after the
         * last node is gone; remove them when no node is left. */
        char msg[ERR_LEN];
        int rc = sk_iox2_domain_remove(inst->prefix, inst->root, msg, sizeof msg);
        if (rc < 0)
            fprintf(stderr, "slotkit: iceoryx2: %s\n", msg);
        else if (rc == 1)
            (void)nftw(inst->root, rmdir_entry, 8, FTW_DEPTH | FTW_PHYS);
    }
    if (inst->base)
        munmap(inst->base, inst->mapped_bytes);
    free(inst->held);
    pthread_mutex_destroy(&inst->lock);
    free(inst);
}

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

/* Takes every entry of a pool's user table for this process, unless one
 * belongs to a live process (then gives back what it took). Entries are
 * taken in order, so of two processes doing this only one can win, and an
 * attacher arriving meanwhile finds no free entry (users_enter fails). */
static bool users_fence(_Atomic uint64_t *users)
{
    const uint64_t me = proc_identity_self();
    for (unsigned i = 0; i < MAX_INSTANCES; i++) {
        uint64_t v = atomic_load(&users[i]);
        for (;;) {
            if (v != 0 && !proc_identity_is_dead(v)) {
                for (unsigned j = 0; j < i; j++)
                    atomic_store(&users[j], 0);
                return false;
            }
            if (atomic_compare_exchange_strong(&users[i], &v, me))
                break;
        }
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
    slotkit_status st =
        shm_segment_map_valid(&shm_kind_iox2_accounting, inst->shm_name, acct_check, name, &seg, &err);
    if (st != SLOTKIT_OK)
        return st == SLOTKIT_SYSTEM_ERROR && err.sys_errno == ENOENT; /* gone meanwhile: free */
    const struct acct_header *h = seg.base;
    const bool stale = users_fence((_Atomic uint64_t *)((char *)seg.base + h->users_offset));
    if (stale) {
        /* The domain first: while the old name stands, no new pool can start
         * one under the same prefix. */
        remove_domain(inst);
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
    inst->hdr = h;
    inst->claims = (_Atomic uint32_t *)((char *)seg->base + h->claims_offset);
    inst->users = (_Atomic uint64_t *)((char *)seg->base + h->users_offset);
    inst->segment_id = h->common.segment_id;
    inst->slot_count = h->common.slot_count;
    inst->capacity = (size_t)h->common.slot_capacity;
}

/* CREATE: a fresh segment (O_EXCL), initialised but not yet published. */
static slotkit_status acct_create(slotkit_instance *inst, const slotkit_config *config,
                                  const char *name, slotkit_error *err)
{
    size_t table_bytes = 0;
    const char *why = NULL;
    slotkit_status st = slot_table_size(config->slot_count, config->slot_capacity, &table_bytes, &why);
    if (st == SLOTKIT_OK && config->slot_capacity > SLOT_TABLE_MAX_CAPACITY) {
        st = SLOTKIT_INVALID_ARGUMENT;
        why = "slot_capacity exceeds the 32-bit wire limit";
    }
    if (st != SLOTKIT_OK)
        return backend_set_error(err, st, 0, "iceoryx2: %s (slot_count %zu, slot_capacity %zu)", why,
                         config->slot_count, config->slot_capacity);
    if (table_bytes > SIZE_MAX / 2)
        return backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "iceoryx2: pool too large");
    const size_t claims_offset = SHM_IOX2_ACCT_TABLE_OFFSET + table_bytes;
    const size_t users_offset = claims_offset + claims_bytes(config->slot_count);
    const size_t total = users_offset + USERS_BYTES;
    uint64_t segment_id = 0;
    if (!backend_random_segment_id(&segment_id))
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, errno, "iceoryx2: getrandom failed");

    /* O_EXCL inside: an existing pool of that name stays untouched (R-XPROC-11). */
    shm_segment seg;
    slotkit_status created =
        shm_segment_create(&shm_kind_iox2_accounting, inst->shm_name, name, total, &seg, err);
    /* shm_segment_create calls a dead creator's leftover INCOMPATIBLE (stale). */
    if (created == SLOTKIT_INCOMPATIBLE && acct_reclaim_stale(inst, name))
        created = shm_segment_create(&shm_kind_iox2_accounting, inst->shm_name, name, total, &seg, err);
    if (created != SLOTKIT_OK)
        return created;
    inst->is_creator = true;
    inst->creator_pid = getpid();
    struct acct_header *h = seg.base;
    (void)slot_table_init((char *)seg.base + SHM_IOX2_ACCT_TABLE_OFFSET, config->slot_count,
                          config->slot_capacity, config->first_sequence_number, segment_id,
                          config->type_hash, true, inst->table);
    shm_segment_init_header(&shm_kind_iox2_accounting, &h->common, config, total, segment_id);
    h->table_bytes = table_bytes;
    h->claims_offset = claims_offset;
    h->users_offset = users_offset;
    snprintf(h->name, sizeof h->name, "%s", name);
    acct_adopt(inst, &seg);
    return SLOTKIT_OK;
}

/* ATTACH: ownership, wait for the creator's magic, validation, the caller's
 * geometry (R-XPROC-10), ENOENT when there is none (R-XPROC-11). */
static slotkit_status acct_attach(slotkit_instance *inst, const slotkit_config *config,
                                  const char *name, slotkit_error *err)
{
    shm_segment seg;
    slotkit_status st = shm_segment_attach(&shm_kind_iox2_accounting, inst->shm_name, name, config,
                                           acct_check, name, &seg, err);
    if (st != SLOTKIT_OK)
        return st;
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

/* True when this instance holds the sample of every committed slot. */
static bool holds_all_committed(slotkit_instance *inst)
{
    for (uint32_t k = 0; k < inst->slot_count; k++) {
        uint32_t sn = 0;
        if (committed_sn(inst, k, &sn) &&
            (!inst->held[k].sample || inst->held[k].sequence != sn))
            return false;
    }
    return true;
}

/* ATTACH: the samples committed before this subscriber existed come as
 * re-sends from the other instances; wait (bounded) until every committed
 * slot's sample is here, so a creator that closes right after the attach
 * cannot take them with it (R-XPROC-12). */
static void await_committed(slotkit_instance *inst)
{
    const uint64_t start = now_ns();
    uint64_t last_request = start;
    for (;;) {
        pthread_mutex_lock(&inst->lock);
        drain(inst);
        bool done = holds_all_committed(inst);
        pthread_mutex_unlock(&inst->lock);
        const uint64_t now = now_ns();
        if (done || now - start >= ATTACH_SYNC_NS)
            return;
        if (now - last_request >= READ_RESEND_EVERY_NS) {
            atomic_fetch_add(&inst->hdr->resend_epoch, 1u);
            last_request = now;
        }
        sleep_ns(50000L);
    }
}

static slotkit_status iox2_open(const slotkit_config *config, slotkit_instance **out,
                                slotkit_error *err)
{
    slotkit_status checked = shm_segment_check_config("iceoryx2", config, out, err);
    if (checked != SLOTKIT_OK)
        return checked;
    const bool create = config->role == SLOTKIT_ROLE_CREATE;
    /* A pool without a name still needs a unique iceoryx2 service. */
    static _Atomic uint32_t anon_counter;
    char anon[64];
    const char *name = config->name;
    if (name == NULL || name[0] == '\0') {
        if (!create)
            return backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0,
                             "iceoryx2: ATTACH needs the pool's name");
        uint64_t r = 0;
        (void)backend_random_segment_id(&r);
        snprintf(anon, sizeof anon, "anonymous-%ld-%u-%016llx", (long)getpid(),
                 atomic_fetch_add(&anon_counter, 1u), (unsigned long long)r);
        name = anon;
    }
    if (strlen(name) > MAX_POOL_NAME)
        return backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0,
                         "iceoryx2: pool name is %zu bytes long, at most %zu fit an iceoryx2 "
                         "service name",
                         strlen(name), (size_t)MAX_POOL_NAME);
    (void)proc_identity_self(); /* cache it now: the hot paths must not make syscalls */
    pthread_once(&atfork_once, atfork_install);

    slotkit_instance *inst = calloc(1, sizeof *inst);
    if (!inst)
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, ENOMEM, "iceoryx2: out of memory");
    pthread_mutex_init(&inst->lock, NULL);
    inst->user_index = -1;
    const uint64_t key = name_hash(name);
    snprintf(inst->shm_name, sizeof inst->shm_name, SHM_IOX2_ACCT_PREFIX "%016llx",
             (unsigned long long)key);
    /* Per pool: its own file prefix and root directory, so pools and test
     * runs never collide; every process of the pool uses the same. */
    snprintf(inst->prefix, sizeof inst->prefix, "slotkit_iox2_%016llx_", (unsigned long long)key);
    snprintf(inst->root, sizeof inst->root, "/tmp/slotkit-iox2-%016llx/", (unsigned long long)key);
    slotkit_status st = create ? acct_create(inst, config, name, err)
                               : acct_attach(inst, config, name, err);
    if (st != SLOTKIT_OK) {
        destroy(inst);
        return st;
    }
    if (!users_enter(inst)) {
        destroy(inst);
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, EUSERS,
                         "iceoryx2: pool '%s' has %u open instances already", name, MAX_INSTANCES);
    }
    inst->loan_len = inst->capacity ? inst->capacity : 1u;
    inst->held = calloc(inst->slot_count, sizeof *inst->held);
    if (!inst->held) {
        destroy(inst);
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, ENOMEM, "iceoryx2: out of memory");
    }

    char service_name[300];
    snprintf(service_name, sizeof service_name, SERVICE_PREFIX "%s", name);

    char msg[ERR_LEN] = "";
    int rc = sk_iox2_node_create(inst->prefix, inst->root, &inst->node, msg, sizeof msg);
    if (rc != SK_IOX2_OK) {
        destroy(inst);
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, 0, "iceoryx2: %s", msg);
    }
    /* Dead-node cleanup at open: processes that crashed with this pool open
     * left their nodes, ports and segments; reclaim them. */
    (void)sk_iox2_node_cleanup_dead(inst->node, NULL);

    /* Every limit explicit (iceoryx2's defaults: queue 2, borrows 2, loans 2,
     * slice length 1). One publisher and one subscriber per instance. A
     * subscriber borrows at most one sample per slot plus the one arriving;
     * its queue takes a full re-send of every slot plus a burst of commits
     * between two drains (a sample lost to a full queue is re-sent on demand).
     * No history: late joiners ask for a re-send instead. */
    const size_t n = inst->slot_count;
    const sk_iox2_service_limits limits = {
        .max_publishers = MAX_INSTANCES,
        .max_subscribers = MAX_INSTANCES,
        .max_nodes = MAX_INSTANCES,
        .subscriber_max_buffer_size = 2u * n + 16u,
        .subscriber_max_borrowed_samples = n + 2u,
        .history_size = 0,
        .payload_alignment = PAYLOAD_ALIGN,
    };
    rc = sk_iox2_service_open(inst->node, service_name, &limits, create ? 1 : 0, &inst->service,
                              msg, sizeof msg);
    if (rc != SK_IOX2_OK) {
        const bool exists = rc == SK_IOX2_E_EXISTS;
        destroy(inst);
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, exists ? EEXIST : 0, "iceoryx2: %s%s", msg,
                         exists ? " (a service of this name exists)" : "");
    }
    rc = sk_iox2_subscriber_create(inst->service, limits.subscriber_max_buffer_size,
                                   &inst->subscriber, msg, sizeof msg);
    if (rc == SK_IOX2_OK)
        rc = sk_iox2_publisher_create(inst->service, inst->loan_len, 4, &inst->publisher, msg,
                                      sizeof msg);
    if (rc != SK_IOX2_OK) {
        destroy(inst);
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, 0, "iceoryx2: %s", msg);
    }
    inst->seen_epoch = atomic_load(&inst->hdr->resend_epoch);
    if (create) {
        /* Publish: everything above is visible to whoever sees the magic. */
        shm_segment_publish(&shm_kind_iox2_accounting, &inst->hdr->common);
    } else {
        /* Samples committed before this subscriber existed: ask for them. */
        inst->seen_epoch = atomic_fetch_add(&inst->hdr->resend_epoch, 1u) + 1u;
    }
    list_add(inst);
    if (pthread_create(&inst->thread, NULL, service_main, inst) != 0) {
        list_remove(inst);
        destroy(inst);
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, EAGAIN, "iceoryx2: no service thread");
    }
    inst->thread_started = true;
    /* Wait until the thread is in its loop: a fork while it is still being
     * set up (sanitizer allocators, TLS) could inherit a lock it holds. */
    while (!atomic_load(&inst->running))
        sleep_ns(100000L);
    if (!create)
        await_committed(inst);
    *out = inst;
    return SLOTKIT_OK;
}

static void iox2_close(slotkit_instance *inst)
{
    if (inst)
        destroy(inst);
}

/* ---- data path (called with the lock held) ------------------------------ */

static slotkit_status check_handle(const slotkit_instance *inst, slotkit_handle h)
{
    if (h.segment_id != inst->segment_id || h.slot_index >= inst->slot_count)
        return SLOTKIT_OUT_OF_BOUNDS; /* R-HANDLE-1/2, R-XPROC-5 */
    return SLOTKIT_OK;
}

static void drop_held(struct held_sample *held)
{
    sk_iox2_sample_drop(held->sample);
    memset(held, 0, sizeof *held);
}

/* The SN the accounting shows for a committed slot, or false. */
static bool committed_sn(slotkit_instance *inst, uint32_t slot, uint32_t *sn)
{
    slotkit_slot_header header;
    slotkit_handle h = {.segment_id = inst->segment_id, .slot_index = slot};
    if (slot_table_read(inst->table, h, &header, NULL, 0) != SLOTKIT_OK)
        return false;
    *sn = header.sequence_number;
    return true;
}

/* Moves every queued sample into held[] under the slot its header names,
 * keeping the held one when it is the slot's current sample (duplicates from
 * re-sends, or an older sample arriving late from another publisher). */
static void drain(slotkit_instance *inst)
{
    for (;;) {
        sk_iox2_sample *sample = NULL;
        const uint8_t *payload = NULL;
        size_t payload_len = 0;
        sk_iox2_header hdr;
        char msg[ERR_LEN];
        int rc = sk_iox2_receive(inst->subscriber, &sample, &payload, &payload_len, &hdr, msg,
                                 sizeof msg);
        if (rc != SK_IOX2_OK) {
            fprintf(stderr, "slotkit: iceoryx2: %s\n", msg);
            return;
        }
        if (!sample)
            return;
        if (hdr.slot >= inst->slot_count || hdr.length > payload_len ||
            hdr.length > inst->capacity) {
            sk_iox2_sample_drop(sample);
            continue;
        }
        struct held_sample *held = &inst->held[hdr.slot];
        uint32_t sn = 0;
        if (held->sample &&
            (held->sequence == hdr.sequence ||
             (committed_sn(inst, hdr.slot, &sn) && sn == held->sequence))) {
            sk_iox2_sample_drop(sample);
            continue;
        }
        drop_held(held);
        *held = (struct held_sample){.sample = sample,
                                     .payload = payload,
                                     .sequence = hdr.sequence,
                                     .length = hdr.length};
    }
}

/* Loans a chunk, fills it with len bytes from src, sends it with header. */
static int send_copy(slotkit_instance *inst, const void *src, size_t len, sk_iox2_header *hdr)
{
    sk_iox2_loan *loan = NULL;
    uint8_t *payload = NULL;
    char msg[ERR_LEN];
    int rc = sk_iox2_loan_slice(inst->publisher, inst->loan_len, &loan, &payload, msg, sizeof msg);
    if (rc != SK_IOX2_OK) {
        fprintf(stderr, "slotkit: iceoryx2: %s\n", msg);
        return rc;
    }
    if (len != 0)
        memcpy(payload, src, len);
    size_t recipients = 0;
    rc = sk_iox2_send(loan, hdr, &recipients, msg, sizeof msg);
    if (rc != SK_IOX2_OK)
        fprintf(stderr, "slotkit: iceoryx2: %s\n", msg);
    return rc;
}

/* Serves a re-send epoch: re-sends the committed samples this instance
 * holds, each slot by one instance per epoch. */
static void serve_resends(slotkit_instance *inst)
{
    const uint32_t epoch = atomic_load(&inst->hdr->resend_epoch);
    if (epoch == inst->seen_epoch)
        return;
    inst->seen_epoch = epoch;
    for (uint32_t k = 0; k < inst->slot_count; k++) {
        struct held_sample *held = &inst->held[k];
        uint32_t sn = 0;
        if (!held->sample || !committed_sn(inst, k, &sn) || sn != held->sequence)
            continue;
        uint32_t claim = atomic_load(&inst->claims[k]);
        if (claim == epoch || !atomic_compare_exchange_strong(&inst->claims[k], &claim, epoch))
            continue;
        sk_iox2_header hdr = {
            .sequence = held->sequence, .length = held->length, .slot = k, .reserved = 1};
        (void)send_copy(inst, held->payload, held->length, &hdr);
    }
}

static void *service_main(void *arg)
{
    slotkit_instance *inst = arg;
    while (!atomic_load(&inst->stop)) {
        pthread_mutex_lock(&inst->lock);
        drain(inst);
        serve_resends(inst);
        pthread_mutex_unlock(&inst->lock);
        atomic_store(&inst->running, true);
        sleep_ns(SERVICE_PERIOD_NS);
    }
    return NULL;
}

/* Publishes len bytes from src as the sample of the live loan h: the chunk
 * is filled first, then the accounting commits (it hands out the SN and
 * refuses a handle that is not a live loan any more), then the send. */
static slotkit_status publish_locked(slotkit_instance *inst, slotkit_handle h, const void *src,
                                     size_t len, uint32_t *out_sequence)
{
    sk_iox2_loan *loan = NULL;
    uint8_t *payload = NULL;
    char msg[ERR_LEN];
    int rc = sk_iox2_loan_slice(inst->publisher, inst->loan_len, &loan, &payload, msg, sizeof msg);
    if (rc != SK_IOX2_OK) {
        fprintf(stderr, "slotkit: iceoryx2: %s\n", msg);
        return SLOTKIT_SYSTEM_ERROR;
    }
    if (len != 0)
        memcpy(payload, src, len);
    uint32_t sn = 0;
    slotkit_status st = slot_table_commit(inst->table, h, NULL, 0, &sn);
    if (st != SLOTKIT_OK) {
        sk_iox2_loan_drop(loan);
        return st;
    }
    const sk_iox2_header hdr = {
        .sequence = sn, .length = (uint32_t)len, .slot = h.slot_index, .reserved = 0};
    size_t recipients = 0;
    rc = sk_iox2_send(loan, &hdr, &recipients, msg, sizeof msg);
    if (rc != SK_IOX2_OK) {
        /* The slot is committed in the accounting but has no sample; reads
         * of it fail (never return other bytes). */
        fprintf(stderr, "slotkit: iceoryx2: sample %u not sent: %s\n", sn, msg);
    }
    drain(inst);
    *out_sequence = sn;
    return SLOTKIT_OK;
}

/* A live loan of this pool (any process's): the staging pointer. */
static slotkit_status live_loan(slotkit_instance *inst, slotkit_handle h, void **staging)
{
    slotkit_status st = check_handle(inst, h);
    if (st != SLOTKIT_OK)
        return st;
    size_t cap = 0;
    return slot_table_data_ptr(inst->table, h, staging, &cap);
}

/* ---- ops ------------------------------------------------------------------ */

static slotkit_status iox2_reserve(slotkit_instance *inst, slotkit_reader_mask mask,
                                   slotkit_handle *out_handle)
{
    if (!out_handle)
        return SLOTKIT_INVALID_ARGUMENT;
    slotkit_handle h;
    slotkit_status st = slot_table_reserve(inst->table, mask, &h);
    if (st == SLOTKIT_OK) {
        /* The slot's previous sample is gone once it is reserved (R-READ-3):
         * release this instance's borrow, which returns its chunk. */
        pthread_mutex_lock(&inst->lock);
        drop_held(&inst->held[h.slot_index]);
        pthread_mutex_unlock(&inst->lock);
        *out_handle = h;
    }
    return st;
}

static slotkit_status iox2_commit(slotkit_instance *inst, slotkit_handle h, const void *bytes,
                                  size_t len, uint32_t *out_sequence)
{
    if (!out_sequence || (!bytes && len != 0))
        return SLOTKIT_INVALID_ARGUMENT;
    void *staging = NULL;
    slotkit_status st = live_loan(inst, h, &staging);
    if (st != SLOTKIT_OK)
        return st; /* R-COMMIT-2 */
    if (len > inst->capacity)
        return SLOTKIT_SAMPLE_TOO_LARGE; /* R-COMMIT-3: the loan stays live */
    pthread_mutex_lock(&inst->lock);
    st = publish_locked(inst, h, bytes, len, out_sequence);
    pthread_mutex_unlock(&inst->lock);
    return st;
}

static slotkit_status iox2_discard(slotkit_instance *inst, slotkit_handle h)
{
    slotkit_status st = check_handle(inst, h);
    if (st != SLOTKIT_OK)
        return st;
    return slot_table_discard(inst->table, h); /* R-DISCARD-1/2 */
}

/* The accounting's header plus the held sample, checked to be the same
 * sample (same SN and slot). SLOTKIT_OK with *out NULL: committed, but this
 * instance does not hold its bytes yet. */
static slotkit_status sample_of(slotkit_instance *inst, slotkit_handle h,
                                slotkit_slot_header *out_header, const struct held_sample **out)
{
    *out = NULL;
    slotkit_status st = check_handle(inst, h);
    if (st == SLOTKIT_OK)
        st = slot_table_read(inst->table, h, out_header, NULL, 0);
    if (st != SLOTKIT_OK)
        return st; /* R-HANDLE-1/2, R-READ-3: FREE or LOANED */
    const struct held_sample *held = &inst->held[h.slot_index];
    if (!held->sample || held->sequence != out_header->sequence_number) {
        drain(inst);
        st = slot_table_read(inst->table, h, out_header, NULL, 0);
        if (st != SLOTKIT_OK)
            return st;
        if (!held->sample || held->sequence != out_header->sequence_number)
            return SLOTKIT_OK;
    }
    out_header->sample_size = held->length;
    *out = held;
    return SLOTKIT_OK;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

/* The read path's lock: a commit or a drain holds it for microseconds, so
 * spin on it briefly before sleeping in the kernel (a futex wake-up costs
 * tens of microseconds on a loaded box). */
static void lock_for_read(slotkit_instance *inst)
{
    for (int i = 0; i < READ_LOCK_SPINS; i++) {
        if (pthread_mutex_trylock(&inst->lock) == 0)
            return;
        cpu_relax();
    }
    pthread_mutex_lock(&inst->lock);
}

/* Runs fn with the lock held once the sample of h is here; waits (lock
 * released) and asks for re-sends while it is committed but missing. The
 * common miss is a send still in flight (the accounting commits before the
 * sample is sent): every retry drains the subscriber in this thread, first
 * spinning, then yielding, and only then sleeping between tries. */
static slotkit_status with_sample(slotkit_instance *inst, slotkit_handle h,
                                  slotkit_slot_header *out_header,
                                  slotkit_status (*fn)(const struct held_sample *, void *),
                                  void *arg)
{
    uint64_t start = 0, last_request = 0;
    for (;;) {
        lock_for_read(inst);
        const struct held_sample *held = NULL;
        slotkit_status st = sample_of(inst, h, out_header, &held);
        if (st == SLOTKIT_OK && held)
            st = fn(held, arg);
        pthread_mutex_unlock(&inst->lock);
        if (st != SLOTKIT_OK || held)
            return st;
        const uint64_t now = now_ns();
        if (start == 0)
            start = now;
        if (now - start >= READ_GIVE_UP_NS) {
            fprintf(stderr,
                    "slotkit: iceoryx2: the bytes of sample %u (slot %u) never reached this "
                    "process\n",
                    out_header->sequence_number, h.slot_index);
            return SLOTKIT_SYSTEM_ERROR;
        }
        if (now - start >= READ_RESEND_AFTER_NS &&
            (last_request == 0 || now - last_request >= READ_RESEND_EVERY_NS)) {
            atomic_fetch_add(&inst->hdr->resend_epoch, 1u);
            last_request = now;
        }
        if (now - start < READ_SPIN_NS) {
            for (int i = 0; i < 64; i++)
                cpu_relax();
        } else if (now - start < READ_YIELD_NS) {
            sched_yield();
        } else {
            sleep_ns(50000L);
        }
    }
}

struct read_args {
    void *buf;
    size_t buf_len;
};

static slotkit_status copy_out(const struct held_sample *held, void *arg)
{
    struct read_args *a = arg;
    if (a->buf_len < held->length)
        return SLOTKIT_INVALID_ARGUMENT; /* R-READ-4: header filled, nothing copied */
    if (held->length != 0)
        memcpy(a->buf, held->payload, held->length);
    return SLOTKIT_OK;
}

static slotkit_status iox2_read(slotkit_instance *inst, slotkit_handle h,
                                slotkit_slot_header *out_header, void *buf, size_t buf_len)
{
    if (!out_header || (!buf && buf_len != 0))
        return SLOTKIT_INVALID_ARGUMENT;
    struct read_args a = {.buf = buf, .buf_len = buf_len};
    return with_sample(inst, h, out_header, copy_out, &a);
}

static slotkit_status iox2_mark_read(slotkit_instance *inst, slotkit_handle h,
                                     uint32_t reader_index)
{
    /* Pure accounting: the sample stays borrowed (and readable) here until
     * this instance sees the slot's next sample or reserves it. */
    return slot_table_mark_read(inst->table, h, reader_index);
}

static slotkit_status iox2_disconnect(slotkit_instance *inst, uint32_t reader_index)
{
    return slot_table_disconnect(inst->table, reader_index);
}

static slotkit_status iox2_slot_count(slotkit_instance *inst, size_t *out_count)
{
    if (!out_count)
        return SLOTKIT_INVALID_ARGUMENT;
    *out_count = inst->slot_count;
    return SLOTKIT_OK;
}

static size_t iox2_slot_total_size(slotkit_instance *inst)
{
    return SLOTKIT_SLOT_TOTAL_SIZE(inst->capacity);
}

static size_t iox2_slot_capacity(slotkit_instance *inst) { return inst->capacity; }

static slotkit_status iox2_data_ptr(slotkit_instance *inst, slotkit_handle h, void **out_ptr,
                                    size_t *out_capacity)
{
    if (!out_ptr || !out_capacity)
        return SLOTKIT_INVALID_ARGUMENT;
    void *staging = NULL;
    slotkit_status st = live_loan(inst, h, &staging);
    if (st != SLOTKIT_OK)
        return st; /* R-INPLACE-2 */
    /* The loan's staging area in the shared segment, so any process of the
     * pool may commit it in place (R-XPROC-5); commit copies it into the
     * iceoryx2 chunk. */
    *out_ptr = staging;
    *out_capacity = inst->capacity;
    return SLOTKIT_OK;
}

static slotkit_status iox2_commit_in_place(slotkit_instance *inst, slotkit_handle h, size_t len,
                                           uint32_t *out_sequence)
{
    if (!out_sequence)
        return SLOTKIT_INVALID_ARGUMENT;
    void *staging = NULL;
    slotkit_status st = live_loan(inst, h, &staging);
    if (st != SLOTKIT_OK)
        return st; /* R-INPLACE-4 */
    if (len > inst->capacity)
        return SLOTKIT_SAMPLE_TOO_LARGE; /* R-INPLACE-4: the loan stays live */
    pthread_mutex_lock(&inst->lock);
    st = publish_locked(inst, h, staging, len, out_sequence);
    pthread_mutex_unlock(&inst->lock);
    return st;
}

struct ptr_args {
    const void **out_ptr;
    size_t *out_len;
};

static slotkit_status point_at(const struct held_sample *held, void *arg)
{
    struct ptr_args *a = arg;
    /* Zero-copy: the borrowed iceoryx2 chunk, valid until this instance
     * sees the slot's next sample (which wait-set readers prevent until they
     * mark). */
    *a->out_ptr = held->payload;
    *a->out_len = held->length;
    return SLOTKIT_OK;
}

static slotkit_status iox2_read_ptr(slotkit_instance *inst, slotkit_handle h,
                                    const void **out_ptr, size_t *out_len)
{
    if (!out_ptr || !out_len)
        return SLOTKIT_INVALID_ARGUMENT;
    slotkit_slot_header header;
    struct ptr_args a = {.out_ptr = out_ptr, .out_len = out_len};
    return with_sample(inst, h, &header, point_at, &a);
}

static slotkit_status iox2_next_unread(slotkit_instance *inst, uint32_t reader_index,
                                       bool *out_found, slotkit_handle *out_handle)
{
    return slot_table_next_unread(inst->table, reader_index, out_found, out_handle);
}

static bool iox2_type_hash(slotkit_instance *inst, uint8_t out_hash[16])
{
    return slot_table_view_type_hash(inst->table, out_hash);
}

static uint64_t iox2_notify_generation(slotkit_instance *inst)
{
    return slot_table_generation(inst->table);
}

static void iox2_wait_for_change(slotkit_instance *inst, uint64_t last, uint64_t timeout_ns)
{
    slot_table_wait_for_change(inst->table, last, timeout_ns);
}

static const slotkit_ops iox2_ops = {
    .abi_version = SLOTKIT_ABI_VERSION,
    .reserve_slot = iox2_reserve,
    .commit_slot = iox2_commit,
    .discard_slot = iox2_discard,
    .read_slot = iox2_read,
    .mark_read = iox2_mark_read,
    .mark_reader_disconnected = iox2_disconnect,
    .slot_count = iox2_slot_count,
    .slot_total_size = iox2_slot_total_size,
    .slot_capacity = iox2_slot_capacity,
    .slot_data_ptr = iox2_data_ptr,
    .commit_in_place = iox2_commit_in_place,
    .slot_read_ptr = iox2_read_ptr,
    .next_unread_slot = iox2_next_unread,
    .type_hash = iox2_type_hash,
    .notify_generation = iox2_notify_generation,
    .wait_for_change = iox2_wait_for_change,
};

static const slotkit_backend iox2_backend = {
    .abi_version = SLOTKIT_ABI_VERSION,
    .name = "iceoryx2",
    .version = IOX2_BACKEND_VERSION,
    .capabilities = SLOTKIT_CAP_CROSS_PROCESS | SLOTKIT_CAP_IN_PLACE | SLOTKIT_CAP_NOTIFY |
                    SLOTKIT_CAP_TYPE_HASH | SLOTKIT_CAP_NEXT_UNREAD,
    .open = iox2_open,
    .close = iox2_close,
    .ops = &iox2_ops,
};

SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void);
SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void) { return &iox2_backend; }
