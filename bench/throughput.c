/*
 * Throughput: one writer (this thread, CPU A) and N readers (threads, or
 * forked processes that attach by name), every sample waited for by every
 * reader. The writer publishes as fast as reserve lets it and counts each
 * NO_FREE_SLOT (back-pressure: all slots still wait for a reader); the clock
 * stops when the last reader has taken the last sample.
 *   copy:      commit copies the whole payload in, read_slot copies it out;
 *              limit = memcpy bandwidth for that size (writer and reader copy
 *              in parallel, so one copy's bandwidth bounds the pipe).
 *   zero-copy: the writer fills one cache line through slot_data_ptr and
 *              commits in place; the reader reads that line through
 *              slot_read_ptr. limit = one cache-line handoff per sample
 *              (1 / cache-line one-way latency); pipelining can beat it.
 * Before the clock starts, one turn of the ring (one sample per slot) goes
 * through unclocked, every reader taking it: a reader process that attached
 * takes its page faults on the pool there, not in the figure (the limits'
 * buffers are warm too). Those samples are checked like the rest.
 * Every sample carries its number in a checked pattern (verify.c); each reader
 * checks FIFO order, SNs, size and pattern, and expects every sample: a sample
 * lost, duplicated, reordered or torn makes the case invalid, not a figure.
 */
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "native_peer.h"
#include "rounds.h"

#define MAX_TPUT_READERS 8
#define TOUCHED_BYTES 64 /* in place: the one cache line written and read */

struct reader_arg {
    struct tput_shared *sh;
    int index;
};

typedef struct tput_shared {
    char name[64];
    slotkit_pool *pool;
    size_t size;
    bool in_place, process, yield;
    int readers;
    uint64_t total, warmup;             /* samples each reader takes; the first warmup of them before the clock */
    _Atomic uint32_t go, stop, written; /* written: the writer has published every sample */
    _Atomic uint32_t done[MAX_TPUT_READERS], warm[MAX_TPUT_READERS];
    int cpu[MAX_TPUT_READERS];
    peer_ctl ctl[MAX_TPUT_READERS];
    sample_check chk[MAX_TPUT_READERS]; /* what each reader received */
    struct reader_arg args[MAX_TPUT_READERS];
} tput_shared;

/* Waits for the reader's next sample. 1: *h holds it; 0: none came within
 * 0.2 s after the writer finished (the rest are lost); -1: failed (ctl says why). */
static int await_sample(tput_shared *sh, slotkit_pool *pool, uint32_t r, uint64_t n, slotkit_handle *h)
{
    bool found;
    slotkit_status s = slotkit_next_unread(pool, r, &found, h);
    uint64_t starved_since = 0;
    for (uint32_t idle = 1; s == SLOTKIT_OK && !found; idle++) {
        /* Idle: poll with a growing pause (up to 64), sparing the lines the writer uses. */
        for (uint32_t k = 0; k < (1u << (idle < 6 ? idle : 6)); k++) cpu_relax();
        if (sh->yield && (idle & 7u) == 0) sched_yield(); /* more threads than CPUs */
        if ((s = slotkit_next_unread(pool, r, &found, h)) != SLOTKIT_OK || found) break;
        if ((idle & 0xFFFu) == 0 && atomic_load(&sh->written)) {
            uint64_t now = monotonic_ns();
            if (starved_since == 0) starved_since = now;
            if (now - starved_since > 200000000u) return 0;
        }
        if ((idle & 0xFFFFFu) == 0 && atomic_load(&sh->stop)) {
            peer_fail(&sh->ctl[r], "reader %u: stopped by the writer after %llu samples", r, (unsigned long long)n);
            return -1;
        }
    }
    if (s == SLOTKIT_OK) return 1;
    peer_fail(&sh->ctl[r], "reader %u: sample %llu: %s", r, (unsigned long long)n, slotkit_strerror(s));
    return -1;
}

/* Reads the sample (a copy, or its one line in place), checks it, marks it read. */
static bool read_one(tput_shared *sh, slotkit_pool *pool, uint32_t r, slotkit_handle h, unsigned char *buf,
                     uint64_t *sink)
{
    sample_check *chk = &sh->chk[r];
    slotkit_status s;
    if (!sh->in_place) {
        slotkit_slot_header hdr;
        s = slotkit_read(pool, h, &hdr, buf, sh->size);
        if (s == SLOTKIT_OK) check_sample(chk, buf, sh->size, hdr.sample_size, sh->size, &hdr.sequence_number);
    } else {
        const void *ptr;
        size_t len;
        s = slotkit_slot_read_ptr(pool, h, &ptr, &len);
        if (s == SLOTKIT_OK) {
            const unsigned char *q = ptr;
            size_t span = len < TOUCHED_BYTES ? len : TOUCHED_BYTES;
            check_sample(chk, q, span, len, sh->size, NULL);
            for (size_t i = 8; i < span; i += 8) *sink += q[i]; /* the rest of the one line */
        }
    }
    if (s == SLOTKIT_OK) s = slotkit_mark_read(pool, h, r);
    if (s != SLOTKIT_OK)
        peer_fail(&sh->ctl[r], "reader %u: sample %llu: %s", r, (unsigned long long)chk->received, slotkit_strerror(s));
    return s == SLOTKIT_OK;
}

static int reader_main(void *p)
{
    struct reader_arg *a = p;
    tput_shared *sh = a->sh;
    uint32_t r = (uint32_t)a->index;
    peer_ctl *ctl = &sh->ctl[r];
    char msg[160];
    char what[40];
    snprintf(what, sizeof what, "reader %u: pinning", r);
    if (!peer_place(ctl, sh->cpu[r], NULL, what)) return 1;
    slotkit_pool *pool = sh->process ? pool_attach(sh->name, msg, sizeof msg) : sh->pool;
    if (pool == NULL) {
        peer_fail(ctl, "reader %u: %s", r, msg);
        return 1;
    }
    unsigned char *buf = aligned_alloc(64, sh->size + 64);
    atomic_store(&ctl->ready, 1);
    int rc = await_word(&sh->go, 1, ctl, 30.0) ? 0 : 1, got = 1;
    uint64_t sink = 0;
    /* Every sample is for every reader: total reads, or fewer when some never come. */
    for (uint64_t n = 0; rc == 0 && n < sh->total; n++, ctl->count = n) {
        slotkit_handle h;
        if ((got = await_sample(sh, pool, r, n, &h)) <= 0) break;
        if (!read_one(sh, pool, r, h, buf, &sink)) rc = 1;
        /* By sample number, so a lost warm-up sample does not hold the writer. */
        if (sh->chk[r].next_tag >= sh->warmup && !atomic_load_explicit(&sh->warm[r], memory_order_relaxed))
            atomic_store(&sh->warm[r], 1);
    }
    if (got < 0) rc = 1;
    check_finish(&sh->chk[r], sh->total);
    ctl->node = (int)(sink & 1); /* keeps the reads */
    atomic_store(&sh->done[r], 1);
    free(buf);
    if (sh->process) slotkit_pool_close(pool);
    return rc;
}

/* CPU for reader r: B first, then the other allowed CPUs that are not A, round robin. */
static int reader_cpu(int r)
{
    if (r == 0) return G.cpu_b;
    /* G.allowed, not this thread's affinity: the writer thread is already
     * pinned to CPU A, so its own mask would put every reader on CPU B. */
    int others[CPU_SETSIZE], n = 0;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &G.allowed) && c != G.cpu_a) others[n++] = c;
    if (n == 0) return G.cpu_b;
    int start = 0;
    for (int i = 0; i < n; i++)
        if (others[i] == G.cpu_b) start = i;
    return others[(start + r) % n];
}

static bool write_one(tput_shared *sh, unsigned char *src, uint64_t n, slotkit_reader_mask mask, uint64_t *nfs,
                      const char **why)
{
    slotkit_handle h;
    slotkit_status s;
    uint32_t seq;
    /* On NO_FREE_SLOT, back off exponentially (up to 256 pauses) before trying
     * again: a writer hammering reserve() steals the very lines the readers need
     * to free a slot, and measures its own interference. */
    for (uint32_t tries = 1; (s = slotkit_reserve(sh->pool, mask, &h)) == SLOTKIT_NO_FREE_SLOT; tries++) {
        (*nfs)++;
        for (uint32_t k = 0; k < (1u << (tries < 8 ? tries : 8)); k++) cpu_relax();
        if (sh->yield && (tries & 7u) == 0) sched_yield();
        if ((tries & 0xFFFFFu) == 0) {
            for (int r = 0; r < sh->readers; r++)
                if (atomic_load(&sh->ctl[r].failed)) {
                    *why = "a reader failed";
                    return false;
                }
        }
    }
    if (s != SLOTKIT_OK) {
        *why = slotkit_strerror(s);
        return false;
    }
    if (sh->in_place) {
        void *w;
        size_t cap;
        s = slotkit_slot_data_ptr(sh->pool, h, &w, &cap);
        if (s == SLOTKIT_OK) {
            memcpy(w, src, TOUCHED_BYTES); /* one cache line: the pattern of sample n */
            payload_fill(w, sh->size < TOUCHED_BYTES ? sh->size : TOUCHED_BYTES, n);
            s = slotkit_commit_in_place(sh->pool, h, sh->size, &seq);
        }
    } else {
        payload_fill(src, sh->size, n);
        s = slotkit_commit(sh->pool, h, src, sh->size, &seq);
    }
    if (s != SLOTKIT_OK) *why = slotkit_strerror(s);
    return s == SLOTKIT_OK;
}

/* One throughput case as it runs: the writer's side. */
typedef struct tput_run {
    const bench_case *c;
    tput_shared *sh;
    unsigned char *src;
    peer peers[MAX_TPUT_READERS];
    bool ok;
    char msg[512];
    const char *why;
    uint64_t n, nfs, t0, t1; /* samples written, NO_FREE_SLOT met, the clock */
    int64_t total;           /* samples of this pass (a round's share) */
} tput_run;

/* The pool created, every reader started and ready; false with msg. */
static bool tput_setup(tput_run *r)
{
    const bench_case *c = r->c;
    tput_shared *sh = r->sh = shared_alloc(sizeof *sh);
    r->src = aligned_alloc(64, c->size + 64);
    memset(r->src, 0x6b, c->size + 64);
    sh->size = c->size;
    sh->in_place = c->in_place;
    sh->process = c->process;
    sh->readers = c->readers;
    sh->warmup = (uint64_t)c->slots;
    sh->total = (uint64_t)r->total + sh->warmup;
    sh->yield = c->readers + 1 > G.ncpus;
    pool_name(sh->name, sizeof sh->name);
    if ((sh->pool = pool_create(sh->name, (size_t)c->slots, c->size, r->msg, sizeof r->msg)) == NULL) return false;
    for (int i = 0; i < c->readers; i++) {
        sh->cpu[i] = reader_cpu(i);
        sh->args[i] = (struct reader_arg){sh, i};
        char who[24];
        snprintf(who, sizeof who, "reader %d", i);
        check_init(&sh->chk[i], who, 0);
        if (!peer_start(&r->peers[i], c->process, reader_main, &sh->args[i], r->msg, sizeof r->msg)) return false;
    }
    for (int i = 0; i < c->readers; i++)
        if (!await_word(&sh->ctl[i].ready, 1, &sh->ctl[i], 10.0)) {
            snprintf(r->msg, sizeof r->msg, "reader %d not ready: %s", i,
                     sh->ctl[i].msg[0] ? sh->ctl[i].msg : "timeout");
            return false;
        }
    return true;
}

/* After the last sample: every reader has taken every sample; the clock stops. */
static bool await_readers(gb_state *st, tput_run *r)
{
    tput_shared *sh = r->sh;
    for (int i = 0; i < r->c->readers; i++)
        if (!await_word(&sh->done[i], 1, &sh->ctl[i], 30.0)) {
            snprintf(r->msg, sizeof r->msg, "reader %d took %llu of %llu samples: %s", i,
                     (unsigned long long)sh->ctl[i].count, (unsigned long long)sh->total,
                     sh->ctl[i].msg[0] ? sh->ctl[i].msg : "timeout");
            return false;
        }
    r->t1 = monotonic_ns();
    gb_set_iteration_time(st, (double)(r->t1 - r->t0) / 1e9);
    return true;
}

/* The unclocked turn of the ring: sh->warmup samples, until every reader took
 * the last of them. A backend that lost it holds the clock back at most
 * WARM_UP_WAIT_S; its losses make the case invalid anyway. */
#define WARM_UP_WAIT_S 0.5
static void tput_warm_up(tput_run *r, slotkit_reader_mask mask)
{
    tput_shared *sh = r->sh;
    atomic_store(&sh->go, 1);
    for (; r->ok && r->n < sh->warmup; r->n++) r->ok = write_one(sh, r->src, r->n, mask, &r->nfs, &r->why);
    for (int i = 0; r->ok && i < r->c->readers; i++)
        if (!await_word(&sh->warm[i], 1, &sh->ctl[i], WARM_UP_WAIT_S) && atomic_load(&sh->ctl[i].failed)) {
            snprintf(r->msg, sizeof r->msg, "reader %d failed in the warm-up turn: %s", i, sh->ctl[i].msg);
            r->ok = false;
        }
    r->nfs = 0;
}

/* Publishes the rest of sh->total samples in batches of 64, as fast as
 * reserve lets it, after the warm-up turn. */
static void tput_measure(gb_state *st, tput_run *r)
{
    int readers = r->c->readers;
    slotkit_reader_mask mask = readers >= 32 ? 0xFFFFFFFFu : (1u << readers) - 1u;
    if (r->ok) tput_warm_up(r, mask);
    r->t0 = r->t1 = monotonic_ns();
    while (r->ok && r->n < r->sh->total && gb_keep_running_batch(st, 64))
        for (int k = 0; k < 64 && r->ok; k++, r->n++) r->ok = write_one(r->sh, r->src, r->n, mask, &r->nfs, &r->why);
    if (r->ok && r->n == r->sh->total) {
        atomic_store(&r->sh->written, 1);
        r->ok = await_readers(st, r);
    } else if (r->ok) {
        r->ok = false;
        snprintf(r->msg, sizeof r->msg, "Google Benchmark ended the case after %llu samples", (unsigned long long)r->n);
    }
    if (!r->ok && r->msg[0] == '\0') {
        snprintf(r->msg, sizeof r->msg, "writer at sample %llu: %s", (unsigned long long)r->n, r->why);
        for (int i = 0; i < readers; i++)
            if (r->sh->ctl[i].msg[0]) snprintf(r->msg, sizeof r->msg, "%s", r->sh->ctl[i].msg);
    }
}

/* Stops and reaps the readers, closes the pool, and gathers what they received. */
static void tput_teardown(tput_run *r, sample_check *all)
{
    tput_shared *sh = r->sh;
    atomic_store(&sh->stop, 1);
    for (int i = 0; i < r->c->readers; i++) atomic_store(&sh->ctl[i].stop, 1);
    check_init(all, "readers", 0);
    for (int i = 0; i < r->c->readers; i++) {
        char jmsg[160] = "";
        if (r->peers[i].running && peer_join(&r->peers[i], 15.0, jmsg, sizeof jmsg) != 0 && r->ok) {
            snprintf(r->msg, sizeof r->msg, "reader %d: %s %s", i, jmsg, sh->ctl[i].msg);
            r->ok = false;
        }
        check_merge(all, &sh->chk[i]);
    }
    slotkit_pool_close(sh->pool);
}

/* The limit in samples and bytes per second: one cache-line handoff per
 * sample in place; for copies the local memcpy bandwidth, and from
 * XCORE_MIN_SIZE on the cross-core copy (the reader pulls the writer's lines). */
static void tput_limits(const bench_case *c, double *samples_per_s, double *bytes_per_s)
{
    if (c->in_place) {
        double cl = limit_cacheline_one_way_ns(c->process);
        *samples_per_s = cl > 0 ? 1e9 / cl : 0;
        *bytes_per_s = *samples_per_s * (double)c->size;
    } else {
        double ns = c->size >= XCORE_MIN_SIZE ? limit_xcore_ns(c->size) : limit_memcpy_ns(c->size);
        *bytes_per_s = ns > 0 ? (double)c->size * 1e9 / ns : 0;
        *samples_per_s = *bytes_per_s / (double)c->size;
    }
}

/* The in-place target: a 4 MiB sample costs what a 64 B one does. */
static void report_vs_64B(gb_state *st, const bench_case *c, double sps)
{
    char key[128];
    snprintf(key, sizeof key, "tput.%s.zc.r%d.s%d.64", c->process ? "p" : "t", c->readers, c->slots);
    if (c->size == 64) figure_record(key, sps);
    double base = figure_get(key);
    gb_counter(st, "vs_64B", base > 0 ? sps / base : 0, GB_COUNTER_DEFAULT);
}

/* What a throughput case reports, summed over its passes. */
typedef struct tput_totals {
    uint64_t samples, nfs, ns;
    int cpu_reader0;
    bool yield, ok;
    sample_check received;
    char msg[512];
} tput_totals;

static void tput_report(gb_state *st, const bench_case *c, const tput_totals *t)
{
    double secs = (double)t->ns / 1e9, sps = secs > 0 ? (double)t->samples / secs : 0, lim_sps, lim_bps;
    tput_limits(c, &lim_sps, &lim_bps);
    gb_set_items_processed(st, (int64_t)t->samples);
    gb_set_bytes_processed(st, (int64_t)(t->samples * c->size));
    gb_counter(st, "samples_per_s", sps, GB_COUNTER_DEFAULT);
    gb_counter(st, "bytes_per_s", sps * (double)c->size, GB_COUNTER_DEFAULT);
    gb_counter(st, "nfs", (double)t->nfs, GB_COUNTER_DEFAULT);
    gb_counter(st, "nfs_per_sample", (double)t->nfs / (double)t->samples, GB_COUNTER_DEFAULT);
    /* The fraction of reserve attempts that met NO_FREE_SLOT (the results store reads it). */
    gb_counter(st, "backpressure", (double)t->nfs / (double)(t->nfs + t->samples), GB_COUNTER_DEFAULT);
    gb_counter(st, "limit_samples_per_s", lim_sps, GB_COUNTER_DEFAULT);
    gb_counter(st, "limit_bytes_per_s", lim_bps, GB_COUNTER_DEFAULT);
    gb_counter(st, "limit_bytes_per_second", lim_bps, GB_COUNTER_DEFAULT);
    gb_counter(st, "x_limit", lim_sps > 0 ? sps / lim_sps : 0, GB_COUNTER_DEFAULT);
    gb_counter(st, "readers", c->readers, GB_COUNTER_DEFAULT);
    gb_counter(st, "slots", c->slots, GB_COUNTER_DEFAULT);
    gb_counter(st, "payload_bytes", (double)c->size, GB_COUNTER_DEFAULT);
    gb_counter(st, "touched_bytes", c->in_place ? 64.0 : (double)c->size, GB_COUNTER_DEFAULT);
    gb_counter(st, "cpu_writer", G.cpu_a_used, GB_COUNTER_DEFAULT);
    gb_counter(st, "cpu_reader0", t->cpu_reader0, GB_COUNTER_DEFAULT);
    gb_counter(st, "oversubscribed", t->yield ? 1 : 0, GB_COUNTER_DEFAULT);
    if (c->in_place) report_vs_64B(st, c, sps);
    char label[200];
    snprintf(label, sizeof label, "%s %s readers=%d slots=%d cpus=%d,%d%s", c->process ? "processes" : "threads",
             c->in_place ? "zero-copy(1 line)" : "copy", c->readers, c->slots, G.cpu_a_used, t->cpu_reader0,
             t->yield ? " oversubscribed" : "");
    gb_set_label(st, label);
}

/* One pass: `total` samples through a fresh pool and readers, added to *t.
 * Returns the pass's payload bytes per second (0 when it failed). */
static double tput_pass(gb_state *st, const bench_case *c, int64_t total, tput_totals *t)
{
    tput_run r = {.c = c, .why = "", .total = total};
    r.ok = tput_setup(&r);
    tput_measure(st, &r);
    sample_check received;
    tput_teardown(&r, &received);
    check_merge(&t->received, &received);
    t->ok = r.ok;
    if (!r.ok) snprintf(t->msg, sizeof t->msg, "%s", r.msg);
    t->samples += r.n > r.sh->warmup ? r.n - r.sh->warmup : 0;
    t->nfs += r.nfs;
    t->ns += r.t1 - r.t0;
    t->cpu_reader0 = r.sh->ctl[0].cpu_used;
    t->yield = r.sh->yield;
    double secs = (double)(r.t1 - r.t0) / 1e9;
    free(r.src);
    shared_free(r.sh, sizeof *r.sh);
    return r.ok && secs > 0 ? (double)total * (double)c->size / secs : 0;
}

/* The size sweep (one reader, 8 slots) runs in rounds beside its limit and
 * the native peer; the fan-out cases in one pass beside the run's limit. */
static bool in_rounds(const bench_case *c) { return c->readers == 1 && c->slots == 8; }

/* The peer's round: native iceoryx2 moving the same samples, copy path only. */
static double tput_peer_round(const bench_case *c, int64_t samples)
{
    if (c->in_place) {
        rounds_peer_note(c, "not measured: the native peer's throughput shape copies");
        return NAN;
    }
    native_peer_figure f;
    if (!native_peer_throughput(c->size, G.cpu_a, G.cpu_b, samples, c->slots, &f)) {
        rounds_peer_note(c, f.why);
        return NAN;
    }
    rounds_peer_note(c, "measured");
    return f.bytes_per_s;
}

void bench_throughput(gb_state *st, const bench_case *c)
{
    tput_totals t = {.ok = true};
    check_init(&t.received, "readers", 0);
    rounds_begin(c);
    int n = in_rounds(c) ? rounds_for(c->iterations, 64) : 1;
    for (int k = 0; k < n && t.ok && check_violations(&t.received) == 0; k++) {
        round_figures fig = in_rounds(c) ? rounds_limits(c) : (round_figures){0};
        int64_t share = rounds_share(c->iterations, 64, n, k);
        fig.backend = tput_pass(st, c, share, &t);
        if (!in_rounds(c) || !t.ok || check_violations(&t.received) != 0) continue;
        fig.peer = tput_peer_round(c, share);
        rounds_add(c, &fig);
    }
    bool invalid = report_invalid(st, &t.received);
    if (!invalid && t.ok && gb_keep_running_batch(st, 64)) {
        t.ok = false; /* cannot happen: the passes' shares add up to the case's iterations */
        snprintf(t.msg, sizeof t.msg, "the passes left iterations unmeasured");
    }
    if (!invalid && t.ok) {
        tput_report(st, c, &t);
        rounds_counters(st, c);
    } else {
        rounds_drop(c);
        if (!invalid) gb_skip_with_error(st, t.msg);
    }
}
