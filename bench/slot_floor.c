/*
 * The slot floor: the least any slot protocol does per sample, measured the
 * way a backend's latency case is (ping-pong over two rings, one-way = RTT/2,
 * the p50 of single-tick round trips, on the same CPUs, in the same round).
 *
 * Each ring is LATENCY_SLOTS slots of one state word on a line of its own and
 * the payload on the lines after it, as the reference slot table lays them
 * out (control line apart from the payload). Per sample the writer waits for
 * the slot to be free, copies the payload in and publishes with one release
 * store; the reader polls the state, copies the payload out and frees the
 * slot with one store: the contract's own minimum (a commit, a read, a mark
 * that lets the slot be recycled) for one writer, one reader, no sequence
 * numbers, no loans, no crash safety and no checks. Nothing a backend that
 * keeps the contract can do is less, so backend / floor says how much of a
 * figure is the backend's own bookkeeping and how much the lines it must move.
 * backend / cache line cannot go below floor / cache line (about 2 on the
 * 2-vCPU box: the reader's poll and the free store are each a transfer).
 *
 * The limits case limits/slot_floor/MODE also climbs a ladder: the floor, then
 * the same ring with the line writes the reference slot table adds, one more
 * per rung (FLOOR_STEPS), so each rung's one-way time less the one below is
 * what that write costs: the measured side of the line budget in
 * ref/common/slot_table.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define FLOOR_STOP 0xFFFFFFFFu
#define FLOOR_LOANED (1ull << 32)
#define FLOOR_COMMITTING (2ull << 32)
#define FLOOR_PIN (1ull << 40)

/* The rungs of the ladder: each adds one write the reference table does. */
enum {
    STEP_RESERVE = 1, /* the writer takes the slot with a CAS (FREE -> LOANED), not a load */
    STEP_CLAIM = 2,   /* and claims it with a second CAS (LOANED -> COMMITTING) before the copy */
    STEP_PIN = 4,     /* the reader pins (fetch_add) before its copy and unpins after */
    STEP_EVENTS = 8   /* each side counts its event on a line of its own side (fetch_add) */
};

typedef struct floor_ring {
    unsigned char *base; /* LATENCY_SLOTS strides: a state line, then the payload */
    size_t stride;
    _Atomic uint32_t *writer_events, *reader_events; /* lines of their own */
    unsigned steps;
} floor_ring;

typedef struct floor_shared {
    peer_ctl ctl;
    floor_ring ping, pong;
    size_t size;
    int cpu;
    _Alignas(64) _Atomic uint32_t events[4][16]; /* one line each: ping W, ping R, pong W, pong R */
} floor_shared;

static _Atomic uint64_t *state_of(const floor_ring *r, uint32_t k)
{
    return (_Atomic uint64_t *)(r->base + (size_t)(k % LATENCY_SLOTS) * r->stride);
}

static unsigned char *payload_of(const floor_ring *r, uint32_t k)
{
    return r->base + (size_t)(k % LATENCY_SLOTS) * r->stride + 64;
}

/* Waits until the state of slot k is `want` (or the stop word); false on stop or abort. */
static bool floor_wait(const floor_ring *r, uint32_t k, uint64_t want, const peer_ctl *ctl)
{
    _Atomic uint64_t *s = state_of(r, k);
    uint64_t deadline = 0;
    for (uint32_t spins = 1;; spins++) {
        uint64_t v = atomic_load_explicit(s, memory_order_acquire);
        if (v == want) return true;
        if (v == FLOOR_STOP) return false;
        if ((spins & 0xFFFFFu) == 0) {
            uint64_t now = monotonic_ns();
            if (deadline == 0) deadline = now + 10000000000u;
            if (atomic_load(&ctl->failed) || atomic_load(&ctl->stop) || now > deadline) return false;
        }
    }
}

/* Sample number n (from 1) into its slot: wait free, (take, claim,) copy in,
 * publish (, count). The writer alone owns a taken slot: no CAS can fail. */
static bool floor_put(const floor_ring *r, uint32_t n, const void *src, size_t size, const peer_ctl *ctl)
{
    if (!floor_wait(r, n, 0, ctl)) return false;
    _Atomic uint64_t *s = state_of(r, n);
    uint64_t expected = 0;
    if (r->steps & STEP_RESERVE)
        atomic_compare_exchange_strong_explicit(s, &expected, FLOOR_LOANED, memory_order_acquire, memory_order_relaxed);
    expected = FLOOR_LOANED;
    if (r->steps & STEP_CLAIM)
        atomic_compare_exchange_strong_explicit(s, &expected, FLOOR_COMMITTING, memory_order_acquire,
                                                memory_order_relaxed);
    memcpy(payload_of(r, n), src, size);
    atomic_store_explicit(s, n, memory_order_release);
    if (r->steps & STEP_EVENTS) atomic_fetch_add_explicit(r->writer_events, 1u, memory_order_seq_cst);
    return true;
}

/* Sample number n out of its slot: wait published, (pin,) copy out, (unpin,)
 * free (, count). */
static bool floor_get(const floor_ring *r, uint32_t n, void *dst, size_t size, const peer_ctl *ctl)
{
    if (!floor_wait(r, n, n, ctl)) return false;
    _Atomic uint64_t *s = state_of(r, n);
    if (r->steps & STEP_PIN) atomic_fetch_add_explicit(s, FLOOR_PIN, memory_order_acquire);
    memcpy(dst, payload_of(r, n), size);
    if (r->steps & STEP_PIN) atomic_fetch_sub_explicit(s, FLOOR_PIN, memory_order_release);
    atomic_store_explicit(s, 0, memory_order_release);
    if (r->steps & STEP_EVENTS) atomic_fetch_add_explicit(r->reader_events, 1u, memory_order_seq_cst);
    return true;
}

static int floor_pong(void *arg)
{
    floor_shared *sh = arg;
    if (!peer_place(&sh->ctl, sh->cpu, NULL, "pinning the floor's pong side")) return 1;
    unsigned char *buf = aligned_alloc(64, sh->size + 64);
    atomic_store(&sh->ctl.ready, 1);
    for (uint32_t n = 1; buf; n++)
        if (!floor_get(&sh->ping, n, buf, sh->size, &sh->ctl) || !floor_put(&sh->pong, n, buf, sh->size, &sh->ctl))
            break;
    free(buf);
    return 0;
}

/* warmup + rounds round trips on the rings; the p50 one-way in ns, or -1. */
static double floor_measure(floor_shared *sh, int64_t warmup, int64_t rounds)
{
    unsigned char *src = aligned_alloc(64, sh->size + 64), *dst = aligned_alloc(64, sh->size + 64);
    hist *rtt = malloc(sizeof *rtt);
    double one_way = -1;
    if (src && dst && rtt) {
        memset(src, 0x5a, sh->size);
        hist_reset(rtt);
        bool ok = true;
        uint32_t n = 0;
        uint64_t prev = ticks_now();
        for (int64_t k = 0; ok && k < warmup + rounds; k++) {
            ++n;
            ok = floor_put(&sh->ping, n, src, sh->size, &sh->ctl) && floor_get(&sh->pong, n, dst, sh->size, &sh->ctl);
            uint64_t t = ticks_now();
            if (k >= warmup) hist_record(rtt, (uint64_t)llround(ticks_to_ns(t - prev)));
            prev = t;
        }
        if (ok) one_way = hist_percentile(rtt, 50) / 2;
    }
    free(src);
    free(dst);
    free(rtt);
    return one_way;
}

/* One rung: the floor ring carrying `size` bytes with `steps` added; one-way p50 ns or -1. */
static double floor_rung(size_t size, bool process, unsigned steps)
{
    const size_t stride = 64 + ((size + 63) & ~(size_t)63);
    const size_t ring_bytes = stride * LATENCY_SLOTS;
    floor_shared *sh = shared_alloc(sizeof *sh);
    unsigned char *rings = shared_alloc(2 * ring_bytes);
    double one_way = -1;
    char msg[160] = "";
    peer p = {.running = false};
    if (sh && rings) {
        *sh = (floor_shared){.size = size, .cpu = G.cpu_b};
        sh->ping = (floor_ring){rings, stride, sh->events[0], sh->events[1], steps};
        sh->pong = (floor_ring){rings + ring_bytes, stride, sh->events[2], sh->events[3], steps};
        if (peer_start(&p, process, floor_pong, sh, msg, sizeof msg) && await_word(&sh->ctl.ready, 1, &sh->ctl, 10.0))
            one_way = floor_measure(sh, G.quick ? 200 : 2000, G.quick ? 2000 : 20000);
        atomic_store(&sh->ctl.stop, 1);
        for (uint32_t k = 0; k < LATENCY_SLOTS; k++) atomic_store(state_of(&sh->ping, k), FLOOR_STOP);
        if (p.running) peer_join(&p, 10.0, msg, sizeof msg);
    }
    if (one_way < 0)
        fprintf(stderr, "slotkit-bench: measuring the slot floor failed%s%s\n", msg[0] ? ": " : "",
                sh && sh->ctl.msg[0] ? sh->ctl.msg : msg);
    if (rings) shared_free(rings, 2 * ring_bytes);
    if (sh) shared_free(sh, sizeof *sh);
    return one_way;
}

double limit_slot_floor_now(size_t size, bool process) { return floor_rung(size, process, 0); }

/* The rungs, from the floor up: each adds one step to the one before. */
static const struct rung {
    const char *counter;
    unsigned steps;
} rungs[] = {
    {"p50_ns", 0},
    {"plus_reserve_ns", STEP_RESERVE},
    {"plus_claim_ns", STEP_RESERVE | STEP_CLAIM},
    {"plus_pin_ns", STEP_RESERVE | STEP_CLAIM | STEP_PIN},
    {"plus_events_ns", STEP_RESERVE | STEP_CLAIM | STEP_PIN | STEP_EVENTS},
};

/* limits/slot_floor/MODE: the ladder, each rung a fresh ping-pong of a 64 B
 * sample, beside the cache-line limit measured just before on the same CPUs. */
void bench_slot_floor(gb_state *st, const bench_case *c)
{
    double ns[sizeof rungs / sizeof rungs[0]];
    double cacheline = limit_pingpong_now(false, c->process);
    while (gb_keep_running_batch(st, c->iterations)) {
        for (size_t i = 0; i < sizeof rungs / sizeof rungs[0]; i++)
            if ((ns[i] = floor_rung(c->size, c->process, rungs[i].steps)) < 0) {
                gb_skip_with_error(st, "the slot floor's ping-pong failed (see stderr)");
                return;
            }
        gb_set_iteration_time(st, ns[0] * (double)c->iterations / 1e9);
    }
    for (size_t i = 0; i < sizeof rungs / sizeof rungs[0]; i++)
        gb_counter(st, rungs[i].counter, ns[i], GB_COUNTER_DEFAULT);
    gb_counter(st, "cacheline_ns", cacheline, GB_COUNTER_DEFAULT);
    gb_counter(st, "x_cacheline", cacheline > 0 ? ns[0] / cacheline : 0, GB_COUNTER_DEFAULT);
    gb_counter(st, "payload_bytes", (double)c->size, GB_COUNTER_DEFAULT);
    char label[160];
    snprintf(label, sizeof label, "%s, %zu B, %d slots; one-way=RTT/2; rungs: +reserve CAS, +claim CAS, +pin, +events",
             c->process ? "processes" : "threads", c->size, LATENCY_SLOTS);
    gb_set_label(st, label);
}
