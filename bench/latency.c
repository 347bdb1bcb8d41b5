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
#include "native_peer.h"
#include "rounds.h"

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
    if (!peer_place(&sh->ctl, sh->cpu, sh->has_place ? &sh->place : NULL, "pinning")) return 1;
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
    int64_t quota; /* round trips this pass measures (a round's share) */
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

/* Round trips before the measured ones of each pass. */
static int64_t lat_warmup(const bench_case *c)
{
    return G.quick ? 50 : (c->iterations / 10 > 1000 ? c->iterations / 10 : 1000);
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

/* Warm-up, then batches of 100 round trips up to the pass's quota, each
 * recorded; one-way = RTT / 2. */
static void lat_measure(gb_state *st, lat_run *r)
{
    r->warmup = lat_warmup(r->c);
    for (int64_t w = 0; r->ok && w < r->warmup; w++) r->ok = round_trip(r);
    hist_reset(r->rtt); /* warm-up done: only what follows counts */
    for (int64_t done = 0; r->ok && done < r->quota && gb_keep_running_batch(st, 100); done += 100) {
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

/* What a latency case reports, however many passes it took. */
typedef struct lat_figures {
    const hist *rtt;
    double limit; /* NAN: set by rounds_counters */
    int cpu_writer, cpu_reader, node;
    const char *node_why;
    int64_t warmup;
    bool placed;
} lat_figures;

static void lat_report(gb_state *st, const bench_case *c, const lat_figures *f)
{
    report_one_way(st, f->rtt);
    double p50 = hist_percentile(f->rtt, 50) / 2;
    if (!isnan(f->limit)) {
        gb_counter(st, "limit_ns", f->limit, GB_COUNTER_DEFAULT);
        gb_counter(st, "x_limit", f->limit > 0 ? p50 / f->limit : 0, GB_COUNTER_DEFAULT);
    }
    gb_counter(st, "cpu_writer", f->cpu_writer, GB_COUNTER_DEFAULT);
    gb_counter(st, "cpu_reader", f->cpu_reader, GB_COUNTER_DEFAULT);
    gb_counter(st, "mem_node", f->node, GB_COUNTER_DEFAULT);
    gb_counter(st, "payload_bytes", (double)c->size, GB_COUNTER_DEFAULT);
    gb_counter(st, "warmup_rts", (double)f->warmup, GB_COUNTER_DEFAULT);
    char label[300];
    snprintf(label, sizeof label, "%s %s cpus=%d,%d mem_node=%d%s%s%s limit=%s one-way=RTT/2",
             c->process ? "processes" : "threads", c->event ? "event" : "busy", f->cpu_writer, f->cpu_reader, f->node,
             f->node < 0 ? " (" : "", f->node < 0 ? f->node_why : "", f->node < 0 ? ")" : "",
             f->placed  ? "cacheline(case cpus)"
             : c->event ? "futex"
                        : "cacheline");
    gb_set_label(st, label);
}

static void lat_free(lat_run *r)
{
    free(r->rtt);
    free(r->src);
    free(r->dst);
    shared_free(r->sh, sizeof *r->sh);
}

/* One pass of the backend's ping-pong: pools and pong side set up, quota round
 * trips measured, torn down; what both sides received checked into r->echoes. */
static void lat_pass(gb_state *st, lat_run *r, const char **node_why, int *node)
{
    r->ok = lat_setup(r);
    lat_measure(st, r);
    *node = payload_node(r, node_why);
    lat_teardown(r);
    check_merge(&r->echoes, &r->sh->pings);
}

/* A placement-matrix case: one pass beside the cache-line limit of its own pair. */
static void lat_placed(gb_state *st, const bench_case *c)
{
    lat_run r = {.c = c, .pc = &c->place, .why = "", .quota = INT64_MAX};
    r.cpu_a = c->place.writer_cpu;
    r.cpu_b = c->place.reader_cpu;
    double limit = case_limit(&r);
    const char *node_why;
    int node;
    lat_pass(st, &r, &node_why, &node);
    /* Checked even when it broke off: a lost sample ends the ping-pong. */
    bool invalid = report_invalid(st, &r.echoes);
    lat_figures f = {r.rtt, limit, r.cpu_a_used, r.sh->ctl.cpu_used, node, node_why, r.warmup, true};
    if (!invalid && r.ok)
        lat_report(st, c, &f);
    else if (!invalid)
        gb_skip_with_error(st, r.msg);
    lat_free(&r);
}

/* The peer's round: native iceoryx2 ping-pong of the same size and length;
 * busy-poll only (iceoryx2's benchmark shape). NAN when not measured. */
static double lat_peer_round(const bench_case *c, const lat_run *r)
{
    if (c->event) {
        rounds_peer_note(c, "not measured: the native peer busy-polls (iceoryx2's benchmark shape)");
        return NAN;
    }
    native_peer_figure f;
    if (!native_peer_latency(c->size, G.cpu_a, G.cpu_b, (int64_t)r->rtt->count, r->warmup, &f)) {
        rounds_peer_note(c, f.why);
        return NAN;
    }
    rounds_peer_note(c, "measured");
    return f.p50_ns;
}

/* The case's state across its rounds. */
typedef struct lat_rounds_state {
    hist *all;
    sample_check received;
    lat_figures shown; /* the first pass's CPUs, node and warm-up */
    bool ok;
    char msg[512];
} lat_rounds_state;

/* Round k of n: the limit, then a pass of the backend, then the peer. */
static void lat_round(gb_state *st, const bench_case *c, int n, int k, lat_rounds_state *s)
{
    round_figures fig = rounds_limits(c);
    lat_run r = {.c = c, .why = "", .cpu_a = G.cpu_a, .cpu_b = G.cpu_b};
    r.quota = rounds_share(c->iterations, 100, n, k);
    const char *node_why;
    int node;
    lat_pass(st, &r, &node_why, &node);
    hist_merge(s->all, r.rtt);
    check_merge(&s->received, &r.echoes);
    s->ok = r.ok;
    if (!r.ok) snprintf(s->msg, sizeof s->msg, "round %d: %.480s", k + 1, r.msg);
    if (k == 0)
        s->shown = (lat_figures){s->all, NAN, r.cpu_a_used, r.sh->ctl.cpu_used, node, node_why, r.warmup, false};
    if (r.ok && check_violations(&s->received) == 0) {
        fig.backend = hist_percentile(r.rtt, 50) / 2;
        fig.peer = lat_peer_round(c, &r);
        rounds_add(c, &fig);
    }
    lat_free(&r);
}

void bench_latency(gb_state *st, const bench_case *c)
{
    if (c->has_place) {
        lat_placed(st, c);
        return;
    }
    lat_rounds_state s = {.all = malloc(sizeof(hist)), .ok = true};
    hist_reset(s.all);
    check_init(&s.received, "writer", 1);
    rounds_begin(c);
    int n = rounds_for(c->iterations, 100);
    for (int k = 0; k < n && s.ok && check_violations(&s.received) == 0; k++) lat_round(st, c, n, k, &s);
    bool invalid = report_invalid(st, &s.received);
    if (!invalid && s.ok && gb_keep_running_batch(st, 100)) {
        s.ok = false; /* cannot happen: the rounds' shares add up to the case's iterations */
        snprintf(s.msg, sizeof s.msg, "the rounds left iterations unmeasured");
    }
    if (!invalid && s.ok) {
        lat_report(st, c, &s.shown);
        rounds_counters(st, c);
    } else {
        rounds_drop(c);
        if (!invalid) gb_skip_with_error(st, s.msg);
    }
    free(s.all);
}
