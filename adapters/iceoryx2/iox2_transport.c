/*
 * The data path over iceoryx2 (through the Rust shim, shim.h): one IPC
 * pub-sub service per pool, payload [u8] slices of the slot capacity, user
 * header {sn, length, slot, resent}; every open instance has its own node,
 * publisher and subscriber. It owns held[]: per slot, the latest sample this
 * instance's subscriber received for it. Everything here but open and close
 * runs with the instance's lock held.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/backend_util.h"
#include "iox2_instance.h"

/* Payload alignment of every chunk: a cache line (R-INPLACE-6). */
#define PAYLOAD_ALIGN 64u

/* Keeps a failure no caller is waiting for, for the read it makes fail. */
__attribute__((format(printf, 2, 3))) static void note_error(slotkit_instance *inst, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(inst->transport_error, sizeof inst->transport_error, fmt, ap);
    va_end(ap);
}

/* Every limit explicit (iceoryx2's defaults: queue 2, borrows 2, loans 2,
 * slice length 1). One publisher and one subscriber per instance. A
 * subscriber borrows at most one sample per slot plus the one arriving; its
 * queue takes a full re-send of every slot plus a burst of commits between
 * two drains (a sample lost to a full queue is re-sent on demand). No
 * history: late joiners ask for a re-send instead. */
static sk_iox2_service_limits service_limits(size_t slot_count)
{
    return (sk_iox2_service_limits){
        .max_publishers = IOX2_MAX_INSTANCES,
        .max_subscribers = IOX2_MAX_INSTANCES,
        .max_nodes = IOX2_MAX_INSTANCES,
        .subscriber_max_buffer_size = 2u * slot_count + 16u,
        .subscriber_max_borrowed_samples = slot_count + 2u,
        .history_size = 0,
        .payload_alignment = PAYLOAD_ALIGN,
    };
}

/* The pool's service (created or opened), its subscriber and publisher. */
static slotkit_status open_service(slotkit_instance *inst, const char *name, bool create, slotkit_error *err)
{
    char service_name[300];
    snprintf(service_name, sizeof service_name, IOX2_SERVICE_PREFIX "%s", name);
    const sk_iox2_service_limits limits = service_limits(inst->slot_count);
    char msg[IOX2_ERR_LEN] = "";
    int rc = sk_iox2_service_open(inst->node, service_name, &limits, create ? 1 : 0, &inst->service, msg, sizeof msg);
    if (rc != SK_IOX2_OK) {
        const bool exists = rc == SK_IOX2_E_EXISTS;
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, exists ? EEXIST : 0, "iceoryx2: %s%s", msg,
                                 exists ? " (a service of this name exists)" : "");
    }
    rc =
        sk_iox2_subscriber_create(inst->service, limits.subscriber_max_buffer_size, &inst->subscriber, msg, sizeof msg);
    if (rc == SK_IOX2_OK)
        rc = sk_iox2_publisher_create(inst->service, inst->loan_len, 4, &inst->publisher, msg, sizeof msg);
    if (rc != SK_IOX2_OK) return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, 0, "iceoryx2: %s", msg);
    return SLOTKIT_OK;
}

slotkit_status transport_open(slotkit_instance *inst, const char *name, bool create, slotkit_error *err)
{
    inst->loan_len = inst->capacity ? inst->capacity : 1u;
    inst->held = calloc(inst->slot_count, sizeof *inst->held);
    if (!inst->held) return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, ENOMEM, "iceoryx2: out of memory");
    char msg[IOX2_ERR_LEN] = "";
    if (sk_iox2_node_create(inst->prefix, inst->root, &inst->node, msg, sizeof msg) != SK_IOX2_OK)
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, 0, "iceoryx2: %s", msg);
    /* Processes that crashed with this pool open left their nodes, ports and
     * segments; reclaim them. */
    (void)sk_iox2_node_cleanup_dead(inst->node, NULL);
    return open_service(inst, name, create, err);
}

bool transport_close(slotkit_instance *inst)
{
    if (inst->held) {
        for (size_t i = 0; i < inst->slot_count; i++) sk_iox2_sample_drop(inst->held[i].sample);
    }
    free(inst->held);
    inst->held = NULL;
    sk_iox2_subscriber_drop(inst->subscriber);
    sk_iox2_publisher_drop(inst->publisher);
    sk_iox2_service_drop(inst->service);
    inst->subscriber = NULL;
    inst->publisher = NULL;
    inst->service = NULL;
    if (!inst->node) return false;
    /* Processes of this pool that died (SIGKILL) left nodes behind: remove
     * them, so the last one out can remove the domain. */
    (void)sk_iox2_node_cleanup_dead(inst->node, NULL);
    /* The node goes last: dropping it removes the node's files, and with the
     * last port and service gone iceoryx2 removes the service's files. */
    sk_iox2_node_drop(inst->node);
    inst->node = NULL;
    return true;
}

/* Releases the sample held for slot (lock held). */
static void drop_held(slotkit_instance *inst, uint32_t slot)
{
    struct held_sample *held = &inst->held[slot];
    sk_iox2_sample_drop(held->sample);
    memset(held, 0, sizeof *held);
}

/* Keeps the held sample when it is the slot's current one (a duplicate from a
 * re-send, or an older sample arriving late from another publisher). */
static bool keeps_held(slotkit_instance *inst, const sk_iox2_header *hdr)
{
    const struct held_sample *held = &inst->held[hdr->slot];
    uint32_t sn = 0;
    return held->sample &&
           (held->sequence == hdr->sequence || (acct_committed_sn(inst, hdr->slot, &sn) && sn == held->sequence));
}

void transport_drain(slotkit_instance *inst)
{
    atomic_fetch_add_explicit(&inst->drains, 1u, memory_order_relaxed);
    for (;;) {
        sk_iox2_sample *sample = NULL;
        const uint8_t *payload = NULL;
        size_t payload_len = 0;
        sk_iox2_header hdr;
        char msg[IOX2_ERR_LEN];
        if (sk_iox2_receive(inst->subscriber, &sample, &payload, &payload_len, &hdr, msg, sizeof msg) != SK_IOX2_OK) {
            note_error(inst, "%s", msg);
            return;
        }
        if (!sample) return;
        if (hdr.slot >= inst->slot_count || hdr.length > payload_len || hdr.length > inst->capacity ||
            keeps_held(inst, &hdr)) {
            sk_iox2_sample_drop(sample);
            continue;
        }
        drop_held(inst, hdr.slot);
        inst->held[hdr.slot] =
            (struct held_sample){.sample = sample, .payload = payload, .sequence = hdr.sequence, .length = hdr.length};
    }
}

void transport_send_copy(slotkit_instance *inst, const void *src, size_t len, const sk_iox2_header *hdr)
{
    sk_iox2_loan *loan = NULL;
    uint8_t *payload = NULL;
    char msg[IOX2_ERR_LEN];
    if (sk_iox2_loan_slice(inst->publisher, inst->loan_len, &loan, &payload, msg, sizeof msg) != SK_IOX2_OK) {
        note_error(inst, "%s", msg);
        return;
    }
    if (len != 0) memcpy(payload, src, len);
    size_t recipients = 0;
    if (sk_iox2_send(loan, hdr, &recipients, msg, sizeof msg) != SK_IOX2_OK) note_error(inst, "%s", msg);
}

/* The chunk is filled first, then the accounting commits (it hands out the
 * SN and refuses a handle that is not a live loan any more), then the send. */
slotkit_status transport_publish(slotkit_instance *inst, slotkit_handle h, const void *src, size_t len,
                                 uint32_t *out_sequence)
{
    sk_iox2_loan *loan = NULL;
    uint8_t *payload = NULL;
    char msg[IOX2_ERR_LEN];
    if (sk_iox2_loan_slice(inst->publisher, inst->loan_len, &loan, &payload, msg, sizeof msg) != SK_IOX2_OK)
        return backend_op_error(SLOTKIT_SYSTEM_ERROR, "iceoryx2: %s", msg);
    if (len != 0) memcpy(payload, src, len);
    uint32_t sn = 0;
    slotkit_status st = slot_table_commit(inst->table, h, NULL, 0, &sn);
    if (st != SLOTKIT_OK) {
        sk_iox2_loan_drop(loan);
        return st;
    }
    const sk_iox2_header hdr = {.sequence = sn, .length = (uint32_t)len, .slot = h.slot_index, .reserved = 0};
    size_t recipients = 0;
    if (sk_iox2_send(loan, &hdr, &recipients, msg, sizeof msg) != SK_IOX2_OK) {
        /* The slot is committed in the accounting but has no sample: the
         * commit stands, and a read of it fails with this reason (it never
         * returns other bytes). */
        note_error(inst, "sample %u not sent: %s", sn, msg);
    }
    transport_drain(inst);
    *out_sequence = sn;
    return SLOTKIT_OK;
}
