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
        .subscriber_max_borrowed_samples = slot_count + 2u + IOX2_RETIRED_MAX,
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
    sk_iox2_loan_drop(inst->spare_loan); /* before its publisher */
    inst->spare_loan = NULL;
    transport_release_retired(inst);
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

void transport_release_retired(slotkit_instance *inst)
{
    for (uint32_t i = 0; i < inst->retired_count; i++) sk_iox2_sample_drop(inst->retired[i]);
    inst->retired_count = 0;
}

/* Moves the sample held for slot aside, released later (lock held). */
static void retire_held(slotkit_instance *inst, uint32_t slot)
{
    struct held_sample *held = &inst->held[slot];
    if (held->sample) {
        if (inst->retired_count == IOX2_RETIRED_MAX) transport_release_retired(inst);
        inst->retired[inst->retired_count++] = held->sample;
    }
    memset(held, 0, sizeof *held);
}

/* Keeps the held sample when the arrival is not newer: a duplicate from a
 * re-send, or an older sample arriving late from another publisher. The
 * accounting hands out SNs in commit order, so the newer SN (serial
 * arithmetic, R-SEQ) is the slot's later sample; no accounting read. */
static bool keeps_held(const slotkit_instance *inst, const sk_iox2_header *hdr)
{
    const struct held_sample *held = &inst->held[hdr->slot];
    return held->sample && (int32_t)(hdr->sequence - held->sequence) <= 0;
}

/* Takes the oldest queued sample into held[] unless it is not newer than
 * the held one; false when the queue is empty (or failed). */
static bool receive_one(slotkit_instance *inst)
{
    sk_iox2_sample *sample = NULL;
    const uint8_t *payload = NULL;
    size_t payload_len = 0;
    sk_iox2_header hdr;
    char msg[IOX2_ERR_LEN];
    if (sk_iox2_receive(inst->subscriber, &sample, &payload, &payload_len, &hdr, msg, sizeof msg) != SK_IOX2_OK) {
        note_error(inst, "%s", msg);
        return false;
    }
    if (!sample) return false;
    if (hdr.slot >= inst->slot_count || hdr.length > payload_len || hdr.length > inst->capacity ||
        keeps_held(inst, &hdr)) {
        sk_iox2_sample_drop(sample);
        return true;
    }
    retire_held(inst, hdr.slot);
    inst->held[hdr.slot] =
        (struct held_sample){.sample = sample, .payload = payload, .sequence = hdr.sequence, .length = hdr.length};
    return true;
}

void transport_drain(slotkit_instance *inst)
{
    atomic_fetch_add_explicit(&inst->drains, 1u, memory_order_relaxed);
    inst->own_undrained = 0;
    while (receive_one(inst)) {}
    transport_release_retired(inst);
}

void transport_drain_for(slotkit_instance *inst, uint32_t slot, uint32_t sequence)
{
    const struct held_sample *held = &inst->held[slot];
    while (!(held->sample && held->sequence == sequence) && receive_one(inst)) {}
}

void transport_take_own(slotkit_instance *inst, uint32_t slot, uint32_t sequence)
{
    transport_drain_for(inst, slot, sequence);
    /* Its own sample came back, so did every older one of its own (one
     * publisher's samples arrive in order). */
    if (inst->held[slot].sample && inst->held[slot].sequence == sequence) inst->own_undrained = 0;
}

void transport_prepare(slotkit_instance *inst)
{
    if (inst->own_undrained != 0) transport_drain(inst);
    transport_release_retired(inst);
    if (inst->spare_loan) return;
    char msg[IOX2_ERR_LEN];
    /* A failure here is left to the commit's own loan, which reports it. */
    if (sk_iox2_loan_slice(inst->publisher, inst->loan_len, &inst->spare_loan, &inst->spare_payload, msg, sizeof msg) !=
        SK_IOX2_OK)
        inst->spare_loan = NULL;
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

/* The spare chunk if there is one, else a fresh loan. */
static slotkit_status take_loan(slotkit_instance *inst, sk_iox2_loan **loan, uint8_t **payload)
{
    if (inst->spare_loan) {
        *loan = inst->spare_loan;
        *payload = inst->spare_payload;
        inst->spare_loan = NULL;
        return SLOTKIT_OK;
    }
    char msg[IOX2_ERR_LEN];
    if (sk_iox2_loan_slice(inst->publisher, inst->loan_len, loan, payload, msg, sizeof msg) != SK_IOX2_OK)
        return backend_op_error(SLOTKIT_SYSTEM_ERROR, "iceoryx2: %s", msg);
    return SLOTKIT_OK;
}

/* The chunk is filled first, then the accounting commits (it hands out the
 * SN and refuses a handle that is not a live loan any more), then the send.
 * The own copy that comes back to this instance's subscriber is drained
 * later (transport_prepare, a read, the service thread), off the path from
 * the send to the readers. */
slotkit_status transport_publish(slotkit_instance *inst, slotkit_handle h, const void *src, size_t len,
                                 uint32_t *out_sequence)
{
    if (inst->own_undrained >= IOX2_OWN_UNDRAINED_MAX) transport_drain(inst);
    sk_iox2_loan *loan = NULL;
    uint8_t *payload = NULL;
    slotkit_status st = take_loan(inst, &loan, &payload);
    if (st != SLOTKIT_OK) return st;
    if (len != 0) memcpy(payload, src, len);
    uint32_t sn = 0;
    st = slot_table_commit(inst->table, h, NULL, 0, &sn);
    if (st != SLOTKIT_OK) {
        /* The chunk stays this instance's spare for the next commit. */
        inst->spare_loan = loan;
        inst->spare_payload = payload;
        return st;
    }
    const sk_iox2_header hdr = {.sequence = sn, .length = (uint32_t)len, .slot = h.slot_index, .reserved = 0};
    size_t recipients = 0;
    char msg[IOX2_ERR_LEN];
    if (sk_iox2_send(loan, &hdr, &recipients, msg, sizeof msg) != SK_IOX2_OK) {
        /* The slot is committed in the accounting but has no sample: the
         * commit stands, and a read of it fails with this reason (it never
         * returns other bytes). */
        note_error(inst, "sample %u not sent: %s", sn, msg);
    }
    inst->own_undrained++;
    *out_sequence = sn;
    return SLOTKIT_OK;
}
