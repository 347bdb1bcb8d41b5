/*
 * What the files of the iceoryx2 adapter share: the instance, the limits
 * more than one file uses, and each file's entry points. Internal to the
 * plug-in (plugin.map exports only slotkit_backend_entry).
 *
 *   iox2_backend.c     the backend descriptor, open and close
 *   iox2_ops.c         the slot operations and their table, the read path
 *   iox2_accounting.c  the accounting segment (slot table, claims, users)
 *   iox2_instances.c   who has a pool open: the segment's user table and
 *                      this process's open list (the fork guard)
 *   iox2_domain.c      a pool's file names and the removal of its iceoryx2 files
 *   iox2_transport.c   iceoryx2 node, service and ports (shim.h), held samples
 *   iox2_service.c     the service thread and the re-send protocol
 */
#ifndef SLOTKIT_IOX2_INSTANCE_H
#define SLOTKIT_IOX2_INSTANCE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/slot_table.h"
#include "shim.h"
#include "slotkit/backend.h"

/* Bytes of one message from the shim. */
#define IOX2_ERR_LEN 256
/* Open instances of one pool at once, over all processes (each is an
 * iceoryx2 node with one publisher and one subscriber). */
#define IOX2_MAX_INSTANCES 32u
/* iceoryx2 caps service names at 255 bytes; ours are "slotkit/<pool name>". */
#define IOX2_SERVICE_PREFIX "slotkit/"
#define IOX2_MAX_POOL_NAME (255u - (sizeof IOX2_SERVICE_PREFIX - 1u))
/* Own samples a commit may leave in the instance's queue before it drains
 * it first (the queue has room for them beside a full re-send). */
#define IOX2_OWN_UNDRAINED_MAX 8u
/* Samples replaced in held[] whose release (a write into the publisher's
 * queue) waits for a moment off the read path: the next commit's
 * preparation, a full drain (the service thread's), or a full list. */
#define IOX2_RETIRED_MAX 4u
/* How often a wait for missing samples asks for a re-send again. */
#define IOX2_RESEND_EVERY_NS 100000000ull

/* The sample a slot holds, as this instance's subscriber borrowed it. */
struct held_sample {
    sk_iox2_sample *sample; /* NULL: the slot holds no sample here */
    const uint8_t *payload;
    uint32_t sequence;
    uint32_t length;
};

struct slotkit_instance {
    pthread_mutex_t lock; /* iceoryx2 objects, held[], seen_epoch, transport_error */

    /* The accounting segment (iox2_accounting.c). */
    slot_table_view table[1]; /* the accounting geometry, copied at open */
    void *base;               /* NULL: no segment mapped */
    size_t mapped_bytes;
    _Atomic uint32_t *resend_epoch; /* bumped by an instance that misses a committed sample */
    _Atomic uint32_t *claims;       /* per slot: the last re-send epoch served */
    _Atomic uint64_t *users;        /* IOX2_MAX_INSTANCES proc identities */
    bool is_creator;
    pid_t creator_pid;
    dev_t dev;
    ino_t ino;
    size_t slot_count;
    size_t capacity;
    uint64_t segment_id;

    /* Names of the pool's files (iox2_domain.c). */
    char shm_name[64]; /* the accounting segment */
    char prefix[64];   /* iceoryx2 file prefix of this pool's domain */
    char root[64];     /* iceoryx2 root directory of this pool */

    /* Who has the pool open (iox2_instances.c). */
    int user_index;              /* -1: no entry in users[] */
    slotkit_instance *next_open; /* the process's list of open instances */

    /* iceoryx2 (iox2_transport.c). */
    size_t loan_len; /* capacity, or 1: iceoryx2 slices need an element */
    sk_iox2_node *node;
    sk_iox2_service *service;
    sk_iox2_publisher *publisher;
    sk_iox2_subscriber *subscriber;
    struct held_sample *held;
    /* The chunk for the next commit, loaned after the last send while no
     * read waited for the lock (NULL: none yet). */
    sk_iox2_loan *spare_loan;
    uint8_t *spare_payload;
    sk_iox2_sample *retired[IOX2_RETIRED_MAX];
    uint32_t retired_count;
    /* Own samples sent since the last full drain of the subscriber. */
    uint32_t own_undrained;
    /* The last failure of a send or receive, told by the read that misses
     * its sample because of it ("" when none). */
    char transport_error[IOX2_ERR_LEN];
    /* Drains so far (any thread): the service thread skips its own while
     * the instance's operations drain. */
    _Atomic uint32_t drains;
    /* Reads spinning for the lock, and reads so far: a commit leaves its
     * after-send work (drain, next loan) to the next commit when a read
     * waits for the lock or read here since the last commit (the reader
     * would wait for that work). */
    _Atomic uint32_t lock_waiters;
    _Atomic bool publishing; /* a hint for those reads: a commit holds the lock */
    _Atomic uint32_t reads;
    uint32_t reads_at_commit; /* lock held */

    /* The service thread and re-sends (iox2_service.c). */
    uint32_t seen_epoch;
    pthread_t thread;
    bool thread_started;
    _Atomic bool stop;
    _Atomic bool running;
};

/* ---- iox2_ops.c ------------------------------------------------------------ */

extern const slotkit_ops iox2_ops;

/* ---- iox2_accounting.c -------------------------------------------------- */

/* CREATE: a fresh segment (O_EXCL), reclaiming a stale one of the same name;
 * initialised, not yet published. */
slotkit_status acct_create(slotkit_instance *inst, const slotkit_config *config, const char *name, slotkit_error *err);
/* ATTACH: the published segment of that pool, validated against config. */
slotkit_status acct_attach(slotkit_instance *inst, const slotkit_config *config, const char *name, slotkit_error *err);
/* Makes the segment visible to attachers: everything written before is. */
void acct_publish(slotkit_instance *inst);
/* Removes the segment's name if this process created it (R-XPROC-12). */
void acct_unlink_if_creator(slotkit_instance *inst);
void acct_unmap(slotkit_instance *inst);
/* The SN the accounting shows for a committed slot, or false. */
bool acct_committed_sn(slotkit_instance *inst, uint32_t slot, uint32_t *sn);

/* ---- iox2_instances.c ---------------------------------------------------- */

/* Takes an entry in the segment's user table; false when it is full. */
bool users_enter(slotkit_instance *inst);
/* Leaves the user table; true when no live user is left. */
bool users_leave(slotkit_instance *inst);
/* Takes every entry of users for this process unless one is live (stale reclaim). */
bool users_fence(_Atomic uint64_t *users);
/* Makes fork wait until no open instance is inside iceoryx2; once per process. */
void fork_guard_install(void);
void open_list_add(slotkit_instance *inst);
void open_list_remove(slotkit_instance *inst);

/* ---- iox2_domain.c ------------------------------------------------------ */

/* Derives shm_name, prefix and root from the pool name. */
void domain_names(slotkit_instance *inst, const char *name);
/* Removes every file of the pool's iceoryx2 domain. */
void domain_remove_all(const slotkit_instance *inst);
/* At close: removes the domain when this was the pool's last live user,
 * else what iceoryx2 leaves once the pool has no node any more. */
void domain_release(const slotkit_instance *inst, bool last_user, bool had_node);

/* ---- iox2_transport.c ---------------------------------------------------- */

/* The node, the pool's service, a subscriber and a publisher. */
slotkit_status transport_open(slotkit_instance *inst, const char *name, bool create, slotkit_error *err);
/* Drops every iceoryx2 object; true when a node had been created. */
bool transport_close(slotkit_instance *inst);
/* Moves every queued sample into held[] (lock held). */
void transport_drain(slotkit_instance *inst);
/* Moves queued samples into held[] until the one of SN sequence for slot is
 * held or the queue is empty (lock held): a read's drain, which leaves the
 * rest for later. */
void transport_drain_for(slotkit_instance *inst, uint32_t slot, uint32_t sequence);
/* After a send (lock held): the subscriber takes the own sample of that SN
 * for slot, and the ones queued before it. */
void transport_take_own(slotkit_instance *inst, uint32_t slot, uint32_t sequence);
/* Readies the next commit (lock held): releases retired samples, drains
 * the own samples it sent and loans the spare chunk. */
void transport_prepare(slotkit_instance *inst);
/* Releases the retired samples (lock held). */
void transport_release_retired(slotkit_instance *inst);
/* Loans a chunk, copies len bytes from src into it and sends it (lock held). */
void transport_send_copy(slotkit_instance *inst, const void *src, size_t len, const sk_iox2_header *hdr);
/* Publishes len bytes from src as the sample of the live loan h (lock held). */
slotkit_status transport_publish(slotkit_instance *inst, slotkit_handle h, const void *src, size_t len,
                                 uint32_t *out_sequence);

/* ---- iox2_service.c ------------------------------------------------------ */

/* Starts the service thread and waits until it runs. */
slotkit_status service_start(slotkit_instance *inst, slotkit_error *err);
void service_stop(slotkit_instance *inst);
/* The epoch this instance starts from; an attacher asks at once for the
 * samples committed before it existed. */
void resend_join(slotkit_instance *inst, bool ask_for_missed);
/* Asks every instance of the pool to re-send the samples it holds. */
void resend_request(slotkit_instance *inst);
/* ATTACH: waits (bounded) until every committed sample is here. */
void resend_await_committed(slotkit_instance *inst);

#endif /* SLOTKIT_IOX2_INSTANCE_H */
