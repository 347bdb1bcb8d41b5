/*
 * The iceoryx2 slot backend: the contract's samples travel as real iceoryx2
 * samples, the contract's bookkeeping lives in the adapter.
 *
 * iceoryx2 is FIFO publish-subscribe with per-delivery reference counting;
 * the contract is a random-access slot store with a reader mask. The gap is
 * closed like this (docs/SPEC.md §9):
 *
 *   - Accounting: a slot table (ref/common/slot_table.h) with capacity 0 holds
 *     every slot's state, wait set, pending mask, sequence number and the
 *     change generation. It decides when reserve returns NO_FREE_SLOT, who is
 *     pending, what next_unread returns, and it wakes waiters (futex). Its
 *     payload area is empty: no sample byte is ever stored in it.
 *   - Data: one iceoryx2 IPC pub-sub service per pool, payload [u8] slices of
 *     the slot capacity, user header {sn, length, slot}. reserve loans an
 *     iceoryx2 sample, commit fills and sends it, discard drops the loan.
 *   - Random access: one subscriber per pool receives every sample right
 *     after its send and keeps it borrowed as "the sample in slot k" until
 *     slot k is reserved again. read_slot / slot_read_ptr read that borrowed
 *     sample in place (the chunk cannot be reused while it is borrowed, so a
 *     read is never torn). Readers are indexes in the accounting, not iceoryx2
 *     ports: any thread may read or mark for any reader index (see §9 for why
 *     one subscriber per reader index does not fit the contract).
 *
 * A mutex per pool serialises everything that touches iceoryx2 objects or the
 * loan/sample tables (reserve, commit, discard, reads); marks, disconnects,
 * next_unread and waits go to the lock-free table alone.
 *
 * Cross-process ATTACH is not offered (no CROSS_PROCESS): see §9.
 */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/slot_table.h"
#include "shim.h"
#include "slotkit/backend.h"

#define IOX2_BACKEND_VERSION "0.1.0 (iceoryx2 0.10.0)"
#define ERR_LEN 256
/* iceoryx2 caps service names at 255 bytes; ours are "slotkit/<pool name>". */
#define SERVICE_PREFIX "slotkit/"
#define MAX_POOL_NAME (255u - (sizeof SERVICE_PREFIX - 1u))
/* Payload alignment of every chunk: a cache line, so slot_data_ptr and
 * slot_read_ptr pointers meet R-INPLACE-6 with room to spare. */
#define PAYLOAD_ALIGN 64u

/* The sample a slot holds, as this pool's subscriber borrowed it. */
struct held_sample {
    sk_iox2_sample *sample; /* NULL: the slot holds no sample here */
    const uint8_t *payload;
    uint32_t sequence;
    uint32_t length;
};

/* A live loan: the iceoryx2 sample reserve took for the slot. */
struct loan {
    sk_iox2_loan *loan; /* NULL: no live loan */
    uint8_t *payload;
};

struct slotkit_instance {
    pthread_mutex_t lock; /* iceoryx2 objects, loans[], held[] */
    slot_table *table;
    void *table_mem;
    size_t slot_count;
    size_t capacity;
    size_t loan_len; /* capacity, or 1: iceoryx2 slices need an element */
    uint64_t segment_id;
    sk_iox2_node *node;
    sk_iox2_service *service;
    sk_iox2_publisher *publisher;
    sk_iox2_subscriber *subscriber;
    struct loan *loans;
    struct held_sample *held;
    char prefix[64]; /* iceoryx2 file prefix of this pool's domain */
    char root[64];   /* iceoryx2 root directory of this pool, removed at close */
};

static void set_error(slotkit_error *err, slotkit_status status, int sys_errno, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

static void set_error(slotkit_error *err, slotkit_status status, int sys_errno, const char *fmt,
                      ...)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->status = status;
    err->sys_errno = sys_errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* R-HANDLE-3: unique per instance in the process and never 0 (as inmem). */
static uint64_t next_segment_id(void)
{
    static _Atomic uint32_t counter;
    uint32_t n = atomic_fetch_add_explicit(&counter, 1u, memory_order_relaxed) + 1u;
    return ((uint64_t)(uint32_t)getpid() << 32) | n;
}

/* FNV-1a: names the pool's iceoryx2 files without the pool name's characters
 * (which may include '/') and within iceoryx2's file-name limits. */
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

/* Releases whatever exists, in reverse order of creation; NULL-safe. */
static void destroy(slotkit_instance *inst)
{
    if (inst->loans) {
        for (size_t i = 0; i < inst->slot_count; i++)
            sk_iox2_loan_drop(inst->loans[i].loan);
    }
    if (inst->held) {
        for (size_t i = 0; i < inst->slot_count; i++)
            sk_iox2_sample_drop(inst->held[i].sample);
    }
    sk_iox2_subscriber_drop(inst->subscriber);
    sk_iox2_publisher_drop(inst->publisher);
    sk_iox2_service_drop(inst->service);
    /* The node goes last: dropping it removes the node's files, and with the
     * last port and service gone iceoryx2 removes the service's files. */
    sk_iox2_node_drop(inst->node);
    if (inst->node && inst->root[0] != '\0') {
        /* iceoryx2 keeps a per-domain segment and its directories after the
         * last node is gone; the domain is this pool's alone, so remove them. */
        char msg[ERR_LEN];
        if (sk_iox2_domain_remove(inst->prefix, inst->root, msg, sizeof msg) < 0)
            fprintf(stderr, "slotkit: iceoryx2: %s\n", msg);
        (void)nftw(inst->root, rmdir_entry, 8, FTW_DEPTH | FTW_PHYS);
    }
    free(inst->loans);
    free(inst->held);
    free(inst->table_mem);
    pthread_mutex_destroy(&inst->lock);
    free(inst);
}

static slotkit_status iox2_open(const slotkit_config *config, slotkit_instance **out,
                                slotkit_error *err)
{
    if (!config || !out) {
        set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "iceoryx2: %s is NULL",
                  !config ? "config" : "out");
        return SLOTKIT_INVALID_ARGUMENT;
    }
    if (config->role == SLOTKIT_ROLE_ATTACH) {
        set_error(err, SLOTKIT_UNSUPPORTED, 0,
                  "iceoryx2: role ATTACH is unsupported (no CROSS_PROCESS; see SPEC.md section 9)");
        return SLOTKIT_UNSUPPORTED;
    }
    if (config->role != SLOTKIT_ROLE_CREATE) {
        set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "iceoryx2: unknown role %d", (int)config->role);
        return SLOTKIT_INVALID_ARGUMENT;
    }
    size_t table_bytes = 0;
    const char *why = NULL;
    /* Capacity 0: the table keeps the accounting only, never payload bytes. */
    slotkit_status st = slot_table_size(config->slot_count, 0, &table_bytes, &why);
    if (st == SLOTKIT_OK && config->slot_capacity > SLOT_TABLE_MAX_CAPACITY) {
        st = SLOTKIT_INVALID_ARGUMENT;
        why = "slot_capacity exceeds the 32-bit wire limit";
    }
    if (st != SLOTKIT_OK) {
        set_error(err, st, 0, "iceoryx2: %s (slot_count %zu, slot_capacity %zu)", why,
                  config->slot_count, config->slot_capacity);
        return st;
    }
    /* A pool without a name still needs a unique iceoryx2 service. */
    static _Atomic uint32_t anon_counter;
    char anon[64];
    const char *name = config->name;
    if (name == NULL || name[0] == '\0') {
        snprintf(anon, sizeof anon, "anonymous-%ld-%u", (long)getpid(),
                 atomic_fetch_add(&anon_counter, 1u));
        name = anon;
    }
    if (strlen(name) > MAX_POOL_NAME) {
        set_error(err, SLOTKIT_INVALID_ARGUMENT, 0,
                  "iceoryx2: pool name is %zu bytes long, at most %zu fit an iceoryx2 service name",
                  strlen(name), (size_t)MAX_POOL_NAME);
        return SLOTKIT_INVALID_ARGUMENT;
    }

    slotkit_instance *inst = calloc(1, sizeof *inst);
    if (!inst) {
        set_error(err, SLOTKIT_SYSTEM_ERROR, ENOMEM, "iceoryx2: out of memory");
        return SLOTKIT_SYSTEM_ERROR;
    }
    pthread_mutex_init(&inst->lock, NULL);
    inst->slot_count = config->slot_count;
    inst->capacity = config->slot_capacity;
    inst->loan_len = config->slot_capacity ? config->slot_capacity : 1u;
    inst->segment_id = next_segment_id();
    inst->loans = calloc(inst->slot_count, sizeof *inst->loans);
    inst->held = calloc(inst->slot_count, sizeof *inst->held);
    int rc = posix_memalign(&inst->table_mem, SLOT_TABLE_ALIGN, table_bytes);
    if (!inst->loans || !inst->held || rc != 0) {
        inst->table_mem = rc == 0 ? inst->table_mem : NULL;
        destroy(inst);
        set_error(err, SLOTKIT_SYSTEM_ERROR, ENOMEM,
                  "iceoryx2: out of memory for the accounting of %zu slots", config->slot_count);
        return SLOTKIT_SYSTEM_ERROR;
    }
    inst->table = slot_table_init(inst->table_mem, config->slot_count, 0,
                                  config->first_sequence_number, inst->segment_id,
                                  config->type_hash, false /* one process */);
    if (!inst->table) { /* cannot happen after slot_table_size succeeded */
        destroy(inst);
        set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "iceoryx2: slot table initialisation failed");
        return SLOTKIT_INVALID_ARGUMENT;
    }

    /* Per pool: its own file prefix and root directory, so pools and test
     * runs never collide, and closing a pool can remove its directory. */
    const uint64_t key = name_hash(name);
    snprintf(inst->prefix, sizeof inst->prefix, "slotkit_iox2_%016llx_", (unsigned long long)key);
    snprintf(inst->root, sizeof inst->root, "/tmp/slotkit-iox2-%016llx/", (unsigned long long)key);
    char service_name[300];
    snprintf(service_name, sizeof service_name, SERVICE_PREFIX "%s", name);

    char msg[ERR_LEN] = "";
    rc = sk_iox2_node_create(inst->prefix, inst->root, &inst->node, msg, sizeof msg);
    if (rc != SK_IOX2_OK) {
        inst->root[0] = '\0'; /* maybe not ours: another pool of this name */
        destroy(inst);
        set_error(err, SLOTKIT_SYSTEM_ERROR, 0, "iceoryx2: %s", msg);
        return SLOTKIT_SYSTEM_ERROR;
    }
    /* Dead-node cleanup at open: a process that crashed with a pool of this
     * name left its node, ports and segments; reclaim them before creating. */
    (void)sk_iox2_node_cleanup_dead(inst->node, NULL);

    /* Every limit explicit (iceoryx2's defaults: queue 2, borrows 2, loans 2,
     * slice length 1). One publisher, one subscriber (this pool's own), which
     * borrows at most one sample per slot plus the one arriving while a slot
     * changes hands. The subscriber drains its queue right after each send,
     * so the queue never holds more than one sample; slot_count is headroom.
     * No history: nothing joins late. */
    const sk_iox2_service_limits limits = {
        .max_publishers = 1,
        .max_subscribers = 1,
        .max_nodes = 1,
        .subscriber_max_buffer_size = inst->slot_count,
        .subscriber_max_borrowed_samples = inst->slot_count + 1u,
        .history_size = 0,
        .payload_alignment = PAYLOAD_ALIGN,
    };
    rc = sk_iox2_service_open(inst->node, service_name, &limits, 1, &inst->service, msg, sizeof msg);
    if (rc != SK_IOX2_OK) {
        const bool exists = rc == SK_IOX2_E_EXISTS;
        inst->root[0] = '\0'; /* another live pool of this name owns the directory */
        destroy(inst);
        set_error(err, SLOTKIT_SYSTEM_ERROR, exists ? EEXIST : 0, "iceoryx2: %s%s", msg,
                  exists ? " (a pool of this name exists)" : "");
        return SLOTKIT_SYSTEM_ERROR;
    }
    /* Subscriber first: the publisher then connects to it on creation, so the
     * very first send already reaches it. */
    rc = sk_iox2_subscriber_create(inst->service, inst->slot_count, &inst->subscriber, msg,
                                   sizeof msg);
    if (rc == SK_IOX2_OK)
        rc = sk_iox2_publisher_create(inst->service, inst->loan_len, inst->slot_count,
                                      &inst->publisher, msg, sizeof msg);
    if (rc != SK_IOX2_OK) {
        destroy(inst);
        set_error(err, SLOTKIT_SYSTEM_ERROR, 0, "iceoryx2: %s", msg);
        return SLOTKIT_SYSTEM_ERROR;
    }
    *out = inst;
    return SLOTKIT_OK;
}

static void iox2_close(slotkit_instance *inst)
{
    if (inst)
        destroy(inst);
}

/* ---- helpers (called with the lock held) ------------------------------ */

static slotkit_status check_handle(const slotkit_instance *inst, slotkit_handle h)
{
    if (h.segment_id != inst->segment_id || h.slot_index >= inst->slot_count)
        return SLOTKIT_OUT_OF_BOUNDS; /* R-HANDLE-1/2 */
    return SLOTKIT_OK;
}

static void drop_held(struct held_sample *held)
{
    sk_iox2_sample_drop(held->sample);
    memset(held, 0, sizeof *held);
}

/* Moves every queued sample into held[] under the slot its header names. */
static slotkit_status drain(slotkit_instance *inst)
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
            return SLOTKIT_SYSTEM_ERROR;
        }
        if (!sample)
            return SLOTKIT_OK;
        if (hdr.slot >= inst->slot_count || hdr.length > payload_len) {
            fprintf(stderr, "slotkit: iceoryx2: dropping a sample with a bad header "
                            "(slot %u, length %u, payload %zu)\n",
                    hdr.slot, hdr.length, payload_len);
            sk_iox2_sample_drop(sample);
            continue;
        }
        struct held_sample *held = &inst->held[hdr.slot];
        drop_held(held); /* normally empty: reserve already dropped it */
        *held = (struct held_sample){.sample = sample,
                                     .payload = payload,
                                     .sequence = hdr.sequence,
                                     .length = hdr.length};
    }
}

/* Publishes the live loan of h: accounting first (it hands out the SN), then
 * the iceoryx2 send, then the subscriber takes the sample. The lock keeps
 * read_slot from seeing the slot COMMITTED before its sample is held. */
static slotkit_status publish_locked(slotkit_instance *inst, slotkit_handle h, size_t len,
                                     uint32_t *out_sequence)
{
    struct loan *loan = &inst->loans[h.slot_index];
    uint32_t sn = 0;
    slotkit_status st = slot_table_commit(inst->table, h, NULL, 0, &sn);
    if (st != SLOTKIT_OK)
        return st;
    const sk_iox2_header hdr = {
        .sequence = sn, .length = (uint32_t)len, .slot = h.slot_index, .reserved = 0};
    char msg[ERR_LEN];
    size_t recipients = 0;
    int rc = sk_iox2_send(loan->loan, &hdr, &recipients, msg, sizeof msg);
    loan->loan = NULL; /* consumed either way */
    loan->payload = NULL;
    if (rc != SK_IOX2_OK || recipients != 1u) {
        /* Cannot happen with one subscriber and sized queues; the slot is
         * committed in the accounting but has no sample, so reads refuse it. */
        fprintf(stderr, "slotkit: iceoryx2: sample %u not delivered: %s\n", sn,
                rc != SK_IOX2_OK ? msg : "no subscriber connected");
    }
    (void)drain(inst); /* a failure was reported; the commit itself stands */
    *out_sequence = sn;
    return SLOTKIT_OK;
}

/* ---- ops ---------------------------------------------------------------- */

static slotkit_status iox2_reserve(slotkit_instance *inst, slotkit_reader_mask mask,
                                   slotkit_handle *out_handle)
{
    if (!out_handle)
        return SLOTKIT_INVALID_ARGUMENT;
    pthread_mutex_lock(&inst->lock);
    slotkit_handle h;
    slotkit_status st = slot_table_reserve(inst->table, mask, &h);
    if (st == SLOTKIT_OK) {
        /* The slot's previous sample is gone once it is reserved (R-READ-3):
         * release it, which returns its chunk to the publisher. */
        drop_held(&inst->held[h.slot_index]);
        struct loan *loan = &inst->loans[h.slot_index];
        char msg[ERR_LEN];
        int rc = sk_iox2_loan_slice(inst->publisher, inst->loan_len, &loan->loan, &loan->payload, msg,
                              sizeof msg);
        if (rc != SK_IOX2_OK) {
            /* The data segment holds a chunk for every loan and borrow the
             * accounting allows, so this is a broken invariant, not a full pool. */
            fprintf(stderr, "slotkit: iceoryx2: %s\n", msg);
            (void)slot_table_discard(inst->table, h);
            loan->loan = NULL;
            st = SLOTKIT_SYSTEM_ERROR;
        } else {
            *out_handle = h;
        }
    }
    pthread_mutex_unlock(&inst->lock);
    return st;
}

static slotkit_status iox2_commit(slotkit_instance *inst, slotkit_handle h, const void *bytes,
                                  size_t len, uint32_t *out_sequence)
{
    if (!out_sequence || (!bytes && len != 0))
        return SLOTKIT_INVALID_ARGUMENT;
    pthread_mutex_lock(&inst->lock);
    slotkit_status st = check_handle(inst, h);
    if (st == SLOTKIT_OK && !inst->loans[h.slot_index].loan)
        st = SLOTKIT_OUT_OF_BOUNDS; /* R-COMMIT-2: not a live loan */
    else if (st == SLOTKIT_OK && len > inst->capacity)
        st = SLOTKIT_SAMPLE_TOO_LARGE; /* R-COMMIT-3: the loan stays live */
    if (st == SLOTKIT_OK) {
        if (len != 0)
            memcpy(inst->loans[h.slot_index].payload, bytes, len);
        st = publish_locked(inst, h, len, out_sequence);
    }
    pthread_mutex_unlock(&inst->lock);
    return st;
}

static slotkit_status iox2_discard(slotkit_instance *inst, slotkit_handle h)
{
    pthread_mutex_lock(&inst->lock);
    slotkit_status st = check_handle(inst, h);
    if (st == SLOTKIT_OK && !inst->loans[h.slot_index].loan)
        st = SLOTKIT_OUT_OF_BOUNDS; /* R-DISCARD-2 */
    if (st == SLOTKIT_OK) {
        st = slot_table_discard(inst->table, h);
        if (st == SLOTKIT_OK) {
            sk_iox2_loan_drop(inst->loans[h.slot_index].loan);
            inst->loans[h.slot_index] = (struct loan){0};
        }
    }
    pthread_mutex_unlock(&inst->lock);
    return st;
}

/* The accounting's header plus the held sample, checked to be the same
 * sample (same SN); with the lock held nothing can change in between. */
static slotkit_status sample_of(slotkit_instance *inst, slotkit_handle h,
                                slotkit_slot_header *out_header, const struct held_sample **out)
{
    slotkit_status st = slot_table_read(inst->table, h, out_header, NULL, 0);
    if (st != SLOTKIT_OK)
        return st; /* R-HANDLE-1/2, R-READ-3: FREE or LOANED */
    const struct held_sample *held = &inst->held[h.slot_index];
    if (!held->sample || held->sequence != out_header->sequence_number)
        return SLOTKIT_OUT_OF_BOUNDS; /* only after a failed send (see publish_locked) */
    out_header->sample_size = held->length;
    *out = held;
    return SLOTKIT_OK;
}

static slotkit_status iox2_read(slotkit_instance *inst, slotkit_handle h,
                                slotkit_slot_header *out_header, void *buf, size_t buf_len)
{
    if (!out_header || (!buf && buf_len != 0))
        return SLOTKIT_INVALID_ARGUMENT;
    pthread_mutex_lock(&inst->lock);
    const struct held_sample *held = NULL;
    slotkit_status st = sample_of(inst, h, out_header, &held);
    if (st == SLOTKIT_OK) {
        if (buf_len < held->length)
            st = SLOTKIT_INVALID_ARGUMENT; /* R-READ-4: header filled, nothing copied */
        else if (held->length != 0)
            memcpy(buf, held->payload, held->length);
    }
    pthread_mutex_unlock(&inst->lock);
    return st;
}

static slotkit_status iox2_mark_read(slotkit_instance *inst, slotkit_handle h,
                                     uint32_t reader_index)
{
    /* Pure accounting: the sample stays borrowed (and readable) until the
     * slot is reserved again, whoever has marked it. */
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
    pthread_mutex_lock(&inst->lock);
    slotkit_status st = check_handle(inst, h);
    if (st == SLOTKIT_OK && !inst->loans[h.slot_index].loan)
        st = SLOTKIT_OUT_OF_BOUNDS; /* R-INPLACE-2 */
    if (st == SLOTKIT_OK) {
        /* The iceoryx2 chunk itself: the writer fills shared memory directly. */
        *out_ptr = inst->loans[h.slot_index].payload;
        *out_capacity = inst->capacity;
    }
    pthread_mutex_unlock(&inst->lock);
    return st;
}

static slotkit_status iox2_commit_in_place(slotkit_instance *inst, slotkit_handle h, size_t len,
                                           uint32_t *out_sequence)
{
    if (!out_sequence)
        return SLOTKIT_INVALID_ARGUMENT;
    pthread_mutex_lock(&inst->lock);
    slotkit_status st = check_handle(inst, h);
    if (st == SLOTKIT_OK && !inst->loans[h.slot_index].loan)
        st = SLOTKIT_OUT_OF_BOUNDS; /* R-INPLACE-4 */
    else if (st == SLOTKIT_OK && len > inst->capacity)
        st = SLOTKIT_SAMPLE_TOO_LARGE; /* R-INPLACE-4: the loan stays live */
    if (st == SLOTKIT_OK)
        st = publish_locked(inst, h, len, out_sequence);
    pthread_mutex_unlock(&inst->lock);
    return st;
}

static slotkit_status iox2_read_ptr(slotkit_instance *inst, slotkit_handle h,
                                    const void **out_ptr, size_t *out_len)
{
    if (!out_ptr || !out_len)
        return SLOTKIT_INVALID_ARGUMENT;
    pthread_mutex_lock(&inst->lock);
    slotkit_slot_header header;
    const struct held_sample *held = NULL;
    slotkit_status st = sample_of(inst, h, &header, &held);
    if (st == SLOTKIT_OK) {
        /* Zero-copy: the borrowed iceoryx2 chunk, valid until the slot is
         * reserved again (which wait-set readers prevent until they mark). */
        *out_ptr = held->payload;
        *out_len = held->length;
    }
    pthread_mutex_unlock(&inst->lock);
    return st;
}

static slotkit_status iox2_next_unread(slotkit_instance *inst, uint32_t reader_index,
                                       bool *out_found, slotkit_handle *out_handle)
{
    return slot_table_next_unread(inst->table, reader_index, out_found, out_handle);
}

static bool iox2_type_hash(slotkit_instance *inst, uint8_t out_hash[16])
{
    return slot_table_type_hash(inst->table, out_hash);
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
    /* No CROSS_PROCESS: see docs/SPEC.md section 9. */
    .capabilities = SLOTKIT_CAP_IN_PLACE | SLOTKIT_CAP_NOTIFY | SLOTKIT_CAP_TYPE_HASH |
                    SLOTKIT_CAP_NEXT_UNREAD,
    .open = iox2_open,
    .close = iox2_close,
    .ops = &iox2_ops,
};

SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void);
SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void) { return &iox2_backend; }
