/*
 * The service thread and the re-send protocol. Every millisecond the thread
 * serves re-send requests and drains the subscriber's queue into held[],
 * unless the instance's own operations drained since the last tick: then it
 * leaves the lock (and the busy threads that take it) alone. An
 * instance that misses a committed sample (it attached later, or its queue
 * overflowed) bumps the re-send epoch in the accounting segment; every
 * instance then re-sends copies of the committed samples it holds, one
 * instance per slot and epoch (the claim word of the slot decides which).
 */
#include <errno.h>

#include "common/backend_util.h"
#include "iox2_instance.h"
#include "portable.h"

/* The service thread's period. */
#define SERVICE_PERIOD_NS 1000000u
/* How long an attach waits for the samples committed before it. */
#define ATTACH_SYNC_NS 1000000000ull

/* Re-sends the committed samples this instance holds, each slot by one
 * instance per epoch; lock held. */
static void serve_resends(slotkit_instance *inst)
{
    const uint32_t epoch = atomic_load(inst->resend_epoch);
    if (epoch == inst->seen_epoch) return;
    inst->seen_epoch = epoch;
    for (uint32_t k = 0; k < inst->slot_count; k++) {
        const struct held_sample *held = &inst->held[k];
        uint32_t sn = 0;
        if (!held->sample || !acct_committed_sn(inst, k, &sn) || sn != held->sequence) continue;
        uint32_t claim = atomic_load(&inst->claims[k]);
        if (claim == epoch || !atomic_compare_exchange_strong(&inst->claims[k], &claim, epoch)) continue;
        const sk_iox2_header hdr = {.sequence = held->sequence, .length = held->length, .slot = k, .reserved = 1};
        transport_send_copy(inst, held->payload, held->length, &hdr);
    }
}

/* One tick: drain and serve re-sends if a re-send is asked for or nobody
 * drained since the last tick (*last_drains). A busy lock means an operation
 * is draining: skip, unless a re-send waits. seen_epoch is written by this
 * thread only (after start), so it is read here without the lock. */
static void service_tick(slotkit_instance *inst, uint32_t *last_drains)
{
    const bool resend_asked = atomic_load(inst->resend_epoch) != inst->seen_epoch;
    const uint32_t drains = atomic_load_explicit(&inst->drains, memory_order_relaxed);
    if (!resend_asked && drains != *last_drains) {
        *last_drains = drains;
        return;
    }
    if (resend_asked)
        pthread_mutex_lock(&inst->lock);
    else if (pthread_mutex_trylock(&inst->lock) != 0)
        return;
    transport_drain(inst);
    serve_resends(inst);
    pthread_mutex_unlock(&inst->lock);
    *last_drains = atomic_load_explicit(&inst->drains, memory_order_relaxed);
}

static void *service_main(void *arg)
{
    slotkit_instance *inst = arg;
    uint32_t last_drains = atomic_load(&inst->drains) - 1u; /* the first tick drains */
    while (!atomic_load(&inst->stop)) {
        service_tick(inst, &last_drains);
        atomic_store(&inst->running, true);
        sleep_ns(SERVICE_PERIOD_NS);
    }
    return NULL;
}

slotkit_status service_start(slotkit_instance *inst, slotkit_error *err)
{
    open_list_add(inst);
    if (pthread_create(&inst->thread, NULL, service_main, inst) != 0) {
        open_list_remove(inst);
        return backend_set_error(err, SLOTKIT_SYSTEM_ERROR, EAGAIN, "iceoryx2: no service thread");
    }
    inst->thread_started = true;
    /* Wait until the thread is in its loop: a fork while it is still being
     * set up (sanitizer allocators, TLS) could inherit a lock it holds. */
    while (!atomic_load(&inst->running)) sleep_ns(100000u);
    return SLOTKIT_OK;
}

void service_stop(slotkit_instance *inst)
{
    if (!inst->thread_started) return;
    atomic_store(&inst->stop, true);
    pthread_join(inst->thread, NULL);
    open_list_remove(inst);
    inst->thread_started = false;
}

void resend_join(slotkit_instance *inst, bool ask_for_missed)
{
    if (ask_for_missed)
        inst->seen_epoch = atomic_fetch_add(inst->resend_epoch, 1u) + 1u;
    else
        inst->seen_epoch = atomic_load(inst->resend_epoch);
}

void resend_request(slotkit_instance *inst) { atomic_fetch_add(inst->resend_epoch, 1u); }

/* True when this instance holds the sample of every committed slot; lock held. */
static bool holds_all_committed(slotkit_instance *inst)
{
    for (uint32_t k = 0; k < inst->slot_count; k++) {
        uint32_t sn = 0;
        if (acct_committed_sn(inst, k, &sn) && (!inst->held[k].sample || inst->held[k].sequence != sn)) return false;
    }
    return true;
}

/* The samples committed before this subscriber existed come as re-sends
 * from the other instances; wait (bounded) until every committed slot's
 * sample is here, so a creator that closes right after the attach cannot
 * take them with it (R-XPROC-12). */
void resend_await_committed(slotkit_instance *inst)
{
    const uint64_t start = monotonic_ns();
    uint64_t last_request = start;
    for (;;) {
        pthread_mutex_lock(&inst->lock);
        transport_drain(inst);
        const bool done = holds_all_committed(inst);
        pthread_mutex_unlock(&inst->lock);
        const uint64_t now = monotonic_ns();
        if (done || now - start >= ATTACH_SYNC_NS) return;
        if (now - last_request >= IOX2_RESEND_EVERY_NS) {
            resend_request(inst);
            last_request = now;
        }
        sleep_ns(50000u);
    }
}
