/*
 * One-way latency through a backend: ping-pong over two pools (Aeron cping,
 * iceoryx2's benchmarks). The writer (this thread, on CPU A) commits a sample
 * into the ping pool; the peer (thread or forked process, on CPU B) takes it
 * with next_unread + read_slot, marks it read, and echoes it through the pong
 * pool; the writer takes the echo. One-way = RTT/2, every RTT recorded in a
 * histogram after a warm-up. The whole payload is copied in and out on both
 * sides and carries the round-trip number in a checked pattern (verify.c): the
 * pong side checks the pings, the writer the echoes; a sample lost, torn, out
 * of order or of the wrong size makes the case invalid, not a figure.
 *   busy:  the taker polls next_unread;
 *   event: the taker waits with notify_generation/wait_for_change (SPEC §5).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define STOP_STAMP UINT64_MAX

typedef struct lat_shared {
    peer_ctl ctl;
    char ping_name[64], pong_name[64];
    slotkit_pool *ping, *pong; /* thread mode: the creator's instances */
    size_t size;
    int cpu;
    bool event, process, has_place;
    placement_case place;
    sample_check pings;         /* the pong side's check of what it takes */
    _Atomic uint32_t finishing; /* set before the stop sample: it is not checked (it may be torn) */
} lat_shared;

/* The oldest sample pending for reader 0, waiting as the mode says. */
static bool take(slotkit_pool *pool, bool event, const peer_ctl *ctl, slotkit_handle *h, const char **why)
{
    bool found = false;
    uint64_t deadline = 0;
    for (uint32_t polls = 1;; polls++) {
        uint64_t gen = event ? slotkit_notify_generation(pool) : 0;
        slotkit_status s = slotkit_next_unread(pool, 0, &found, h);
        if (s != SLOTKIT_OK) {
            *why = slotkit_strerror(s);
            return false;
        }
        if (found) return true;
        if (event) slotkit_wait_for_change(pool, gen, 100000000u);
        if (event || (polls & 0xFFFFu) == 0) {
            uint64_t now = monotonic_ns();
            if (deadline == 0) deadline = now + 10000000000u;
            if (atomic_load(&ctl->failed) || atomic_load(&ctl->stop)) {
                *why = "the other side gave up";
                return false;
            }
            if (now > deadline) {
                *why = "no sample for 10 s";
                return false;
            }
        }
    }
}

/* Reserve (riding out a momentary NO_FREE_SLOT), copy in, commit. */
static bool put(slotkit_pool *pool, const void *bytes, size_t size, const char **why)
{
    slotkit_handle h;
    slotkit_status s;
    uint64_t deadline = 0;
    while ((s = slotkit_reserve(pool, 1u, &h)) == SLOTKIT_NO_FREE_SLOT) {
        uint64_t now = monotonic_ns();
        if (deadline == 0) deadline = now + 10000000000u;
        if (now > deadline) break;
        cpu_relax();
    }
    uint32_t seq;
    if (s == SLOTKIT_OK) s = slotkit_commit(pool, h, bytes, size, &seq);
    if (s != SLOTKIT_OK) *why = slotkit_strerror(s);
    return s == SLOTKIT_OK;
}

/* Take, copy out, mark read, check. A sample that never comes is lost (the
 * ping-pong expects every one). Once *finishing is set the sample is the stop
 * sample: not checked (it may be torn), *stamp = STOP_STAMP; else 0. */
static bool get(slotkit_pool *pool, bool event, const peer_ctl *ctl, unsigned char *buf, size_t size, uint64_t *stamp,
                sample_check *chk, const _Atomic uint32_t *finishing, const char **why)
{
    slotkit_handle h;
    slotkit_slot_header hdr;
    if (!take(pool, event, ctl, &h, why)) {
        if (strcmp(*why, "no sample for 10 s") == 0) check_finish(chk, chk->next_tag + 1);
        return false;
    }
    slotkit_status s = slotkit_read(pool, h, &hdr, buf, size);
    if (s == SLOTKIT_OK) s = slotkit_mark_read(pool, h, 0);
    if (s != SLOTKIT_OK) {
        *why = slotkit_strerror(s);
        return false;
    }
    if (finishing && atomic_load(finishing)) {
        *stamp = STOP_STAMP;
        return true;
    }
    *stamp = 0;
    check_sample(chk, buf, size, hdr.sample_size, size, &hdr.sequence_number);
    return true;
}

static void stamp_payload(unsigned char *buf, size_t size, uint64_t stamp) { payload_fill(buf, size, stamp); }

static int pong_side(void *arg)
{
    lat_shared *sh = arg;
    char msg[160];
    const char *why = "";
    sh->ctl.cpu_used = place_thread(sh->cpu, sh->has_place ? &sh->place : NULL, msg, sizeof msg);
    if (sh->ctl.cpu_used < 0) {
        peer_fail(&sh->ctl, "pinning: %s", msg);
        return 1;
    }
    slotkit_pool *ping = sh->ping, *pong = sh->pong;
    if (sh->process) {
        ping = pool_attach(sh->ping_name, msg, sizeof msg);
        pong = ping ? pool_attach(sh->pong_name, msg, sizeof msg) : NULL;
        if (!pong) {
            slotkit_pool_close(ping);
            peer_fail(&sh->ctl, "%s", msg);
            return 1;
        }
    }
    unsigned char *buf = aligned_alloc(64, sh->size + 64);
    atomic_store(&sh->ctl.ready, 1);
    int rc = 0;
    for (;;) {
        uint64_t stamp;
        uint64_t torn = sh->pings.torn;
        if (!get(ping, sh->event, &sh->ctl, buf, sh->size, &stamp, &sh->pings, &sh->finishing, &why)) {
            peer_fail(&sh->ctl, "pong side: taking a ping: %s", why);
            rc = 1;
            break;
        }
        if (stamp == STOP_STAMP) break;
        if (sh->pings.torn != torn) stamp_payload(buf, sh->size, sh->pings.next_tag - 1); /* counted once, here */
        sh->ctl.count++;
        if (!put(pong, buf, sh->size, &why)) {
            peer_fail(&sh->ctl, "pong side: echoing: %s", why);
            rc = 1;
            break;
        }
    }
    free(buf);
    if (sh->process) {
        slotkit_pool_close(ping);
        slotkit_pool_close(pong);
    }
    return rc;
}

/* One latency case as it runs: the writer's side of the ping-pong. */
typedef struct lat_run {
    const bench_case *c;
    const placement_case *pc; /* NULL: the run's default pair, default memory */
    int cpu_a, cpu_b, cpu_a_used;
    lat_shared *sh;
    hist *rtt;
    sample_check echoes; /* the writer's check of what comes back */
    unsigned char *src, *dst;
    peer p;
    bool ok;
    char msg[512];
    const char *why;
    uint64_t i, stamp; /* round trips sent; get()'s stop marker (never set on this side) */
    int64_t warmup;
} lat_run;

/* The limit first, on the same CPUs: for placement cases on the case's pair. */
static double case_limit(const lat_run *r)
{
    if (r->pc == NULL)
        return r->c->event ? limit_futex_one_way_ns(r->c->process) : limit_cacheline_one_way_ns(r->c->process);
    char msg[160];
    int saved_b = G.cpu_b;
    G.cpu_b = r->cpu_b;
    place_thread(r->cpu_a, NULL, msg, sizeof msg);
    double limit = limit_cacheline_now(r->c->process);
    G.cpu_b = saved_b;
    return limit;
}

/* Pinned, both pools created, the peer started and ready; false with msg. */
static bool lat_setup(lat_run *r)
{
    const bench_case *c = r->c;
    lat_shared *sh = r->sh = shared_alloc(sizeof *sh);
    r->rtt = malloc(sizeof *r->rtt);
    r->src = aligned_alloc(64, c->size + 64);
    r->dst = aligned_alloc(64, c->size + 64);
    memset(r->src, 0x3c, c->size + 64);
    *sh = (lat_shared){
        .size = c->size, .cpu = r->cpu_b, .event = c->event, .process = c->process, .has_place = r->pc != NULL};
    if (r->pc) sh->place = *r->pc;
    check_init(&sh->pings, "pong side", 1);
    check_init(&r->echoes, "writer", 1);
    r->cpu_a_used = place_thread(r->cpu_a, r->pc, r->msg, sizeof r->msg);
    if (r->cpu_a_used < 0) return false;
    pool_name(sh->ping_name, sizeof sh->ping_name);
    pool_name(sh->pong_name, sizeof sh->pong_name);
    if ((sh->ping = pool_create(sh->ping_name, LATENCY_SLOTS, c->size, r->msg, sizeof r->msg)) == NULL) return false;
    if ((sh->pong = pool_create(sh->pong_name, LATENCY_SLOTS, c->size, r->msg, sizeof r->msg)) == NULL) return false;
    if (!peer_start(&r->p, c->process, pong_side, sh, r->msg, sizeof r->msg)) return false;
    if (await_word(&sh->ctl.ready, 1, &sh->ctl, 10.0)) return true;
    snprintf(r->msg, sizeof r->msg, "peer not ready: %s", sh->ctl.msg[0] ? sh->ctl.msg : "timeout");
    return false;
}

/* One ping and its echo, which must carry the ping's stamp (checked, not fatal:
 * a wrong echo makes the case invalid once it is over). */
static bool round_trip(lat_run *r)
{
    const bench_case *c = r->c;
    stamp_payload(r->src, c->size, ++r->i);
    return put(r->sh->ping, r->src, c->size, &r->why) &&
           get(r->sh->pong, c->event, &r->sh->ctl, r->dst, c->size, &r->stamp, &r->echoes, NULL, &r->why);
}

/* Warm-up, then batches of 100 round trips, each recorded; one-way = RTT / 2. */
static void lat_measure(gb_state *st, lat_run *r)
{
    r->warmup = G.quick ? 50 : (r->c->iterations / 10 > 1000 ? r->c->iterations / 10 : 1000);
    for (int64_t w = 0; r->ok && w < r->warmup; w++) r->ok = round_trip(r);
    hist_reset(r->rtt); /* warm-up done: only what follows counts */
    while (r->ok && gb_keep_running_batch(st, 100)) {
        uint64_t t0 = ticks_now(), prev = t0;
        for (int k = 0; k < 100 && r->ok; k++) {
            r->ok = round_trip(r);
            uint64_t t = ticks_now();
            hist_record(r->rtt, (uint64_t)llround(ticks_to_ns(t - prev)));
            prev = t;
        }
        gb_set_iteration_time(st, ticks_to_ns(prev - t0) / 2 / 1e9);
    }
    if (!r->ok && r->msg[0] == '\0')
        snprintf(r->msg, sizeof r->msg, "round trip %llu: %s%s%s", (unsigned long long)r->i, r->why,
                 r->sh->ctl.msg[0] ? "; " : "", r->sh->ctl.msg);
}

/* Where the payload pages really are: a loan of the ping pool, read back. */
static int payload_node(const lat_run *r, const char **why)
{
    slotkit_handle h;
    int node = -1;
    *why = "not measured";
    if (r->ok && slotkit_reserve(r->sh->ping, 0, &h) == SLOTKIT_OK) {
        node = pool_payload_node(r->sh->ping, h, true, why);
        slotkit_discard(r->sh->ping, h);
    }
    return node;
}

/* Stop the peer (a stop sample, or the stop flag if that cannot be sent), reap
 * it, close the pools, and put the writer back on the run's CPU and memory. */
static void lat_teardown(lat_run *r)
{
    if (r->p.running) {
        atomic_store(&r->sh->finishing, 1);
        stamp_payload(r->src, r->c->size, STOP_STAMP);
        if (!r->ok || !put(r->sh->ping, r->src, r->c->size, &r->why)) atomic_store(&r->sh->ctl.stop, 1);
        char jmsg[160] = "";
        if (peer_join(&r->p, 15.0, jmsg, sizeof jmsg) != 0 && r->ok) {
            snprintf(r->msg, sizeof r->msg, "peer: %s%s", jmsg, r->sh->ctl.msg);
            r->ok = false;
        }
    }
    slotkit_pool_close(r->sh->ping);
    slotkit_pool_close(r->sh->pong);
    place_reset_memory();
    char scratch[160];
    if (r->pc) place_thread(G.cpu_a, NULL, scratch, sizeof scratch);
}

static void lat_report(gb_state *st, const lat_run *r, double limit, int node, const char *node_why)
{
    const bench_case *c = r->c;
    report_one_way(st, r->rtt);
    double p50 = hist_percentile(r->rtt, 50) / 2;
    gb_counter(st, "limit_ns", limit, GB_COUNTER_DEFAULT);
    gb_counter(st, "x_limit", limit > 0 ? p50 / limit : 0, GB_COUNTER_DEFAULT);
    gb_counter(st, "cpu_writer", r->cpu_a_used, GB_COUNTER_DEFAULT);
    gb_counter(st, "cpu_reader", r->sh->ctl.cpu_used, GB_COUNTER_DEFAULT);
    gb_counter(st, "mem_node", node, GB_COUNTER_DEFAULT);
    gb_counter(st, "payload_bytes", (double)c->size, GB_COUNTER_DEFAULT);
    gb_counter(st, "warmup_rts", (double)r->warmup, GB_COUNTER_DEFAULT);
    char label[300];
    snprintf(label, sizeof label, "%s %s cpus=%d,%d mem_node=%d%s%s%s limit=%s one-way=RTT/2",
             c->process ? "processes" : "threads", c->event ? "event" : "busy", r->cpu_a_used, r->sh->ctl.cpu_used,
             node, node < 0 ? " (" : "", node < 0 ? node_why : "", node < 0 ? ")" : "",
             r->pc      ? "cacheline(case cpus)"
             : c->event ? "futex"
                        : "cacheline");
    gb_set_label(st, label);
}

void bench_latency(gb_state *st, const bench_case *c)
{
    lat_run r = {.c = c, .pc = c->has_place ? &c->place : NULL, .why = ""};
    r.cpu_a = r.pc ? r.pc->writer_cpu : G.cpu_a;
    r.cpu_b = r.pc ? r.pc->reader_cpu : G.cpu_b;
    double limit = case_limit(&r);
    r.ok = lat_setup(&r);
    lat_measure(st, &r);
    const char *node_why;
    int node = payload_node(&r, &node_why);
    lat_teardown(&r);
    check_merge(&r.echoes, &r.sh->pings);
    /* Checked even when it broke off: a lost sample ends the ping-pong. */
    bool invalid = report_invalid(st, &r.echoes);
    if (!invalid && r.ok)
        lat_report(st, &r, limit, node, node_why);
    else if (!invalid)
        gb_skip_with_error(st, r.msg);
    free(r.rtt);
    free(r.src);
    free(r.dst);
    shared_free(r.sh, sizeof *r.sh);
}
