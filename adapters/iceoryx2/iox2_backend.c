/*
 * The iceoryx2 slot backend: the contract's samples travel as real iceoryx2
 * samples, the contract's bookkeeping lives in a shared accounting segment.
 * This file owns the backend descriptor and an instance's open and close;
 * iox2_instance.h lists the files that own the rest.
 *
 * iceoryx2 is FIFO publish-subscribe with per-delivery reference counting;
 * the contract is a random-access slot store with a reader mask, shared by
 * every process of a pool. The gap is closed like this (docs/SPEC.md §9):
 *
 *   - Accounting (iox2_accounting.c): a process_shared slot table in a POSIX
 *     shm segment per pool, with every slot's state, loans, wait set,
 *     pending mask, sequence number and the generation futex.
 *   - Data (iox2_transport.c): one iceoryx2 pub-sub service per pool; every
 *     open instance has its own node, publisher and subscriber. commit loans
 *     an iceoryx2 sample, fills it (from the caller's bytes or the staging
 *     area), takes the SN from the accounting and sends.
 *   - Random access (iox2_ops.c, iox2_service.c): each instance keeps, per
 *     slot, the latest sample it received for that slot (a service thread
 *     drains the queue every millisecond). A read returns the held sample
 *     only if its SN and slot match the accounting's; a sample this instance
 *     missed is asked for through a re-send epoch in the segment. A read
 *     that still cannot get the bytes fails; it never returns other bytes.
 *
 * A mutex per instance serialises everything that touches iceoryx2 objects
 * or held[] (commits, reads, the service thread); reserve, discard, marks,
 * disconnects, next_unread and waits go to the lock-free table alone.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/backend_util.h"
#include "common/proc_identity.h"
#include "common/shm_segment.h"
#include "iox2_instance.h"

#define IOX2_BACKEND_VERSION "0.2.0 (iceoryx2 0.10.0)"

/* Releases whatever exists, in reverse order of creation; NULL-safe. */
static void destroy(slotkit_instance *inst)
{
    service_stop(inst);
    const bool had_node = transport_close(inst);
    acct_unlink_if_creator(inst);
    const bool last_user = inst->base && inst->user_index >= 0 && users_leave(inst);
    domain_release(inst, last_user, had_node);
    acct_unmap(inst);
    pthread_mutex_destroy(&inst->lock);
    free(inst);
}

/* The pool's name; a pool without one (CREATE only) still needs a unique
 * iceoryx2 service, so it gets a random one in anon. */
static slotkit_status pool_name(const slotkit_config *config, char *anon, size_t anon_size, const char **out,
                                slotkit_error *err)
{
    static _Atomic uint32_t anon_counter;
    const char *name = config->name;
    if (name == NULL || name[0] == '\0') {
        if (config->role != SLOTKIT_ROLE_CREATE)
            return backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0, "iceoryx2: ATTACH needs the pool's name");
        uint64_t r = 0;
        (void)backend_random_segment_id(&r);
        snprintf(anon, anon_size, "anonymous-%ld-%u-%016llx", (long)getpid(), atomic_fetch_add(&anon_counter, 1u),
                 (unsigned long long)r);
        name = anon;
    }
    if (strlen(name) > IOX2_MAX_POOL_NAME)
        return backend_set_error(err, SLOTKIT_INVALID_ARGUMENT, 0,
                                 "iceoryx2: pool name is %zu bytes long, at most %zu fit an "
                                 "iceoryx2 service name",
                                 strlen(name), (size_t)IOX2_MAX_POOL_NAME);
    *out = name;
    return SLOTKIT_OK;
}

/* Accounting, user entry, transport, service thread, in that order; the
 * caller destroys whatever a failure leaves. */
static slotkit_status open_parts(slotkit_instance *inst, const slotkit_config *config, const char *name,
                                 slotkit_error *err)
{
    const bool create = config->role == SLOTKIT_ROLE_CREATE;
    slotkit_status st = create ? acct_create(inst, config, name, err) : acct_attach(inst, config, name, err);
    if (st != SLOTKIT_OK) return st;
    if (!users_enter(inst))
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, EUSERS, "iceoryx2: pool '%s' has %u open instances already",
                                 name, IOX2_MAX_INSTANCES);
    st = transport_open(inst, name, create, err);
    if (st != SLOTKIT_OK) return st;
    /* An attacher asks at once for the samples committed before it. */
    resend_join(inst, !create);
    if (create) acct_publish(inst); /* everything above is visible to whoever attaches */
    st = service_start(inst, err);
    if (st != SLOTKIT_OK) return st;
    if (!create) resend_await_committed(inst);
    return SLOTKIT_OK;
}

static slotkit_status iox2_open(const slotkit_config *config, slotkit_instance **out, slotkit_error *err)
{
    slotkit_status st = shm_segment_check_config("iceoryx2", config, out, err);
    if (st != SLOTKIT_OK) return st;
    char anon[64];
    const char *name = NULL;
    st = pool_name(config, anon, sizeof anon, &name, err);
    if (st != SLOTKIT_OK) return st;
    (void)proc_identity_self(); /* cache it now: the hot paths must not make syscalls */
    fork_guard_install();

    slotkit_instance *inst = calloc(1, sizeof *inst);
    if (!inst) return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, ENOMEM, "iceoryx2: out of memory");
    pthread_mutex_init(&inst->lock, NULL);
    inst->user_index = -1;
    domain_names(inst, name);
    st = open_parts(inst, config, name, err);
    if (st != SLOTKIT_OK) {
        destroy(inst);
        return st;
    }
    *out = inst;
    return SLOTKIT_OK;
}

static void iox2_close(slotkit_instance *inst)
{
    if (inst) destroy(inst);
}

static const slotkit_backend iox2_backend = {
    .abi_version = SLOTKIT_ABI_VERSION,
    .name = "iceoryx2",
    .version = IOX2_BACKEND_VERSION,
    .capabilities = SLOTKIT_CAP_CROSS_PROCESS | SLOTKIT_CAP_IN_PLACE | SLOTKIT_CAP_NOTIFY | SLOTKIT_CAP_TYPE_HASH |
                    SLOTKIT_CAP_NEXT_UNREAD,
    .open = iox2_open,
    .close = iox2_close,
    .ops = &iox2_ops,
};

SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void);
SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void) { return &iox2_backend; }
