/*
 * The machine's physical limits, measured in the same run on the same CPUs as
 * the backend figures they bound:
 *   - cache-line ping-pong (core-to-core-latency's method: one line handed back
 *     and forth; one-way = RTT/2), the floor for a busy-polling handoff;
 *   - futex wake ping-pong (a sleeping peer woken through FUTEX_WAKE; one-way =
 *     RTT/2), the floor for an event-driven handoff;
 *   - memcpy bandwidth per payload size on one CPU's warm buffers;
 *   - the cross-core copy: a writer on CPU A fills buffers, a reader on CPU B
 *     copies them out, pipelined over XCORE_BUFFERS buffers as a backend's
 *     slots are. The reader pulls lines last written by A's core, as every
 *     copy-path read of a backend does: the floor for copy throughput.
 * Each round trip is timed with a single tick read, exactly as the backend's
 * ping-pong is, so a ratio compares like with like.
 */
#include <linux/futex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

/* ---- the table of limits and figures of this run ---- */

#define MAX_FIGURES 256
static struct {
    char key[96];
    double value;
} figures[MAX_FIGURES];
static size_t figure_count;

void figure_record(const char *key, double value)
{
    for (size_t i = 0; i < figure_count; i++)
        if (strcmp(figures[i].key, key) == 0) {
            figures[i].value = value;
            return;
        }
    if (figure_count < MAX_FIGURES) {
        snprintf(figures[figure_count].key, sizeof figures[0].key, "%s", key);
        figures[figure_count++].value = value;
    }
}

double figure_get(const char *key)
{
    for (size_t i = 0; i < figure_count; i++)
        if (strcmp(figures[i].key, key) == 0) return figures[i].value;
    return 0.0;
}

void report_one_way(gb_state *st, const hist *rtt)
{
    gb_counter(st, "p50_ns", hist_percentile(rtt, 50) / 2, GB_COUNTER_DEFAULT);
    gb_counter(st, "p90_ns", hist_percentile(rtt, 90) / 2, GB_COUNTER_DEFAULT);
    gb_counter(st, "p99_ns", hist_percentile(rtt, 99) / 2, GB_COUNTER_DEFAULT);
    gb_counter(st, "p999_ns", hist_percentile(rtt, 99.9) / 2, GB_COUNTER_DEFAULT);
    gb_counter(st, "max_ns", (double)rtt->max / 2, GB_COUNTER_DEFAULT);
    gb_counter(st, "mean_ns", rtt->count ? rtt->sum / (double)rtt->count / 2 : 0, GB_COUNTER_DEFAULT);
    gb_counter(st, "rtt_p50_ns", hist_percentile(rtt, 50), GB_COUNTER_DEFAULT);
    gb_counter(st, "samples", (double)rtt->count, GB_COUNTER_DEFAULT);
}

/* ---- ping-pong on one cache line, or on two futex words ---- */

#define STOP_WORD 0xFFFFFFFFu

typedef struct pingpong {
    _Alignas(64) _Atomic uint32_t ball; /* cache line: odd = ping, even = pong */
    _Alignas(64) _Atomic uint32_t ping; /* futex words, on lines of their own */
    _Alignas(64) _Atomic uint32_t pong;
    _Alignas(64) peer_ctl ctl;
    bool futex, private_futex;
    int cpu;
} pingpong;

static long futex(_Atomic uint32_t *word, int op, uint32_t val, bool private_futex)
{
    const struct timespec second = {1, 0}; /* re-check for an abort once a second */
    return syscall(SYS_futex, (uint32_t *)word, op | (private_futex ? FUTEX_PRIVATE_FLAG : 0), val,
                   op == FUTEX_WAIT ? &second : NULL, NULL, 0);
}

/* Spins (no pause: it would add to the handoff) until *w == want. */
static bool spin_until(_Atomic uint32_t *w, uint32_t want, const peer_ctl *ctl)
{
    uint64_t deadline = 0;
    for (uint32_t spins = 1;; spins++) {
        if (atomic_load_explicit(w, memory_order_acquire) == want) return true;
        if ((spins & 0xFFFFFu) == 0) {
            uint64_t now = monotonic_ns();
            if (deadline == 0) deadline = now + 10000000000u;
            if (atomic_load(&ctl->failed) || atomic_load(&ctl->stop) || now > deadline) return false;
        }
    }
}

static bool futex_until(_Atomic uint32_t *w, uint32_t want, const peer_ctl *ctl, bool priv)
{
    uint64_t deadline = monotonic_ns() + 10000000000u;
    for (;;) {
        uint32_t v = atomic_load_explicit(w, memory_order_acquire);
        if (v == want || v == STOP_WORD) return v == want;
        futex(w, FUTEX_WAIT, v, priv);
        if (atomic_load(&ctl->failed) || atomic_load(&ctl->stop) || monotonic_ns() > deadline) return false;
    }
}

static int pong_main(void *arg)
{
    pingpong *pp = arg;
    if (!peer_place(&pp->ctl, pp->cpu, NULL, "pinning the pong side")) return 1;
    atomic_store(&pp->ctl.ready, 1);
    for (uint32_t i = 1;; i++) {
        if (pp->futex) {
            uint32_t v;
            while ((v = atomic_load_explicit(&pp->ping, memory_order_acquire)) != i && v != STOP_WORD) {
                futex(&pp->ping, FUTEX_WAIT, v, pp->private_futex);
                if (atomic_load(&pp->ctl.stop)) return 0;
            }
            if (v == STOP_WORD) return 0;
            atomic_store_explicit(&pp->pong, i, memory_order_release);
            futex(&pp->pong, FUTEX_WAKE, 1, pp->private_futex);
        } else {
            uint32_t v;
            while ((v = atomic_load_explicit(&pp->ball, memory_order_acquire)) != 2 * i - 1) {
                if (v == STOP_WORD || atomic_load_explicit(&pp->ctl.stop, memory_order_relaxed)) return 0;
            }
            atomic_store_explicit(&pp->ball, 2 * i, memory_order_release);
        }
    }
}

/* One round trip number i (from 1); false when the peer is gone. */
static inline bool round_trip(pingpong *pp, uint32_t i)
{
    if (pp->futex) {
        atomic_store_explicit(&pp->ping, i, memory_order_release);
        futex(&pp->ping, FUTEX_WAKE, 1, pp->private_futex);
        return futex_until(&pp->pong, i, &pp->ctl, pp->private_futex);
    }
    atomic_store_explicit(&pp->ball, 2 * i - 1, memory_order_release);
    return spin_until(&pp->ball, 2 * i, &pp->ctl);
}

/*
 * Runs warmup + n round trips against a pong peer on G.cpu_b; records every
 * measured RTT (ns) in *rtt. With st, iterations are Google Benchmark's (n is
 * ignored) and the manual time is the one-way time. false + msg on failure.
 */
static bool pingpong_run(bool futex_kind, bool process, gb_state *st, int64_t n, hist *rtt, int *cpu_b_used, char *msg,
                         size_t len)
{
    pingpong *pp = shared_alloc(sizeof *pp);
    if (pp == NULL) {
        snprintf(msg, len, "mmap failed");
        return false;
    }
    pp->futex = futex_kind;
    pp->private_futex = !process;
    pp->cpu = G.cpu_b;
    peer p;
    bool ok = peer_start(&p, process, pong_main, pp, msg, len);
    if (ok && !await_word(&pp->ctl.ready, 1, &pp->ctl, 10.0)) {
        snprintf(msg, len, "pong side not ready: %s", pp->ctl.msg[0] ? pp->ctl.msg : "timeout");
        ok = false;
    }
    uint32_t i = 0;
    uint32_t warmup = G.quick ? 200 : 20000;
    for (uint32_t w = 0; ok && w < warmup; w++) ok = round_trip(pp, ++i);
    hist_reset(rtt);
    if (ok && st) {
        while (ok && gb_keep_running_batch(st, 100)) {
            uint64_t t0 = ticks_now(), prev = t0;
            for (int k = 0; k < 100 && ok; k++) {
                ok = round_trip(pp, ++i);
                uint64_t t = ticks_now();
                hist_record(rtt, (uint64_t)llround(ticks_to_ns(t - prev)));
                prev = t;
            }
            gb_set_iteration_time(st, ticks_to_ns(prev - t0) / 2 / 1e9);
        }
    } else if (ok) {
        uint64_t prev = ticks_now();
        for (int64_t k = 0; k < n && ok; k++) {
            ok = round_trip(pp, ++i);
            uint64_t t = ticks_now();
            hist_record(rtt, (uint64_t)llround(ticks_to_ns(t - prev)));
            prev = t;
        }
    }
    if (!ok && msg[0] == '\0')
        snprintf(msg, len, "pong side stopped answering%s%s", pp->ctl.msg[0] ? ": " : "", pp->ctl.msg);
    /* Stop the peer whatever happened, then reap it. */
    atomic_store(&pp->ctl.stop, 1);
    if (futex_kind) {
        atomic_store(&pp->ping, STOP_WORD);
        futex(&pp->ping, FUTEX_WAKE, 1, pp->private_futex);
    } else {
        atomic_store(&pp->ball, STOP_WORD);
    }
    char jmsg[160] = "";
    if (p.running && peer_join(&p, 10.0, jmsg, sizeof jmsg) != 0 && ok) {
        snprintf(msg, len, "pong side: %s%s", jmsg, pp->ctl.msg);
        ok = false;
    }
    *cpu_b_used = pp->ctl.cpu_used;
    shared_free(pp, sizeof *pp);
    return ok;
}

static void bench_pingpong(gb_state *st, const bench_case *c, bool futex_kind)
{
    hist *rtt = malloc(sizeof *rtt);
    char msg[512] = "";
    int cpu_b = -1;
    if (!pingpong_run(futex_kind, c->process, st, 0, rtt, &cpu_b, msg, sizeof msg)) {
        gb_skip_with_error(st, msg);
        free(rtt);
        return;
    }
    report_one_way(st, rtt);
    gb_counter(st, "cpu_a", G.cpu_a_used, GB_COUNTER_DEFAULT);
    gb_counter(st, "cpu_b", cpu_b, GB_COUNTER_DEFAULT);
    double one_way = hist_percentile(rtt, 50) / 2;
    if (futex_kind)
        limit_record_futex(c->process, one_way);
    else
        limit_record_cacheline(c->process, one_way);
    char label[128];
    snprintf(label, sizeof label, "%s cpus=%d,%d one-way=RTT/2", c->process ? "processes" : "threads", G.cpu_a_used,
             cpu_b);
    gb_set_label(st, label);
    free(rtt);
}

void bench_cacheline(gb_state *st, const bench_case *c) { bench_pingpong(st, c, false); }
void bench_futex(gb_state *st, const bench_case *c) { bench_pingpong(st, c, true); }

/* ---- memcpy ---- */

static void escape(void *p) { __asm__ __volatile__("" : : "g"(p) : "memory"); }

/* ns per memcpy of `size` bytes between two warm buffers (the copy path's own case). */
static double memcpy_loop(gb_state *st, size_t size, uint64_t min_ns)
{
    unsigned char *src = aligned_alloc(64, size + 64), *dst = aligned_alloc(64, size + 64);
    memset(src, 0x5a, size + 64);
    memset(dst, 0, size + 64);
    int64_t batch = size <= 4096 ? 64 : 1, done = 0;
    uint64_t t0 = monotonic_ns(), t1 = t0;
    if (st) {
        while (gb_keep_running_batch(st, batch)) {
            for (int64_t k = 0; k < batch; k++) {
                memcpy(dst, src, size);
                escape(dst);
            }
            done += batch;
        }
        t1 = monotonic_ns();
    } else {
        do {
            for (int64_t k = 0; k < batch; k++) {
                memcpy(dst, src, size);
                escape(dst);
            }
            done += batch;
        } while ((t1 = monotonic_ns()) - t0 < min_ns);
    }
    free(src);
    free(dst);
    return done ? (double)(t1 - t0) / (double)done : 0;
}

void bench_memcpy(gb_state *st, const bench_case *c)
{
    double ns = memcpy_loop(st, c->size, 0);
    int64_t it = gb_iterations_done(st);
    gb_set_bytes_processed(st, it * (int64_t)c->size);
    gb_set_items_processed(st, it);
    gb_counter(st, "ns_per_copy", ns, GB_COUNTER_DEFAULT);
    gb_counter(st, "GBps", ns > 0 ? (double)c->size / ns : 0, GB_COUNTER_DEFAULT);
    gb_counter(st, "payload_bytes", (double)c->size, GB_COUNTER_DEFAULT);
    limit_record_memcpy(c->size, ns);
}

/* ---- lookups: measured earlier in the run, or now ---- */

static double lookup_or(const char *key, double (*measure)(void *), void *arg)
{
    double v = figure_get(key);
    if (v <= 0) {
        v = measure(arg);
        figure_record(key, v);
    }
    return v;
}

/* ---- cross-core copy ---- */

#define XCORE_BUFFERS 8 /* the slots of the throughput size sweep */

typedef struct xcore {
    _Alignas(64) _Atomic uint64_t written; /* buffers filled by the writer */
    _Alignas(64) _Atomic uint64_t taken;   /* buffers copied out by the reader */
    _Alignas(64) peer_ctl ctl;
    unsigned char *buf[XCORE_BUFFERS];
    size_t size;
    uint64_t total;
    int cpu;
} xcore;

static bool xcore_wait(_Atomic uint64_t *word, uint64_t at_least, const peer_ctl *ctl)
{
    for (uint32_t spins = 1; atomic_load_explicit(word, memory_order_acquire) < at_least; spins++) {
        cpu_relax();
        if ((spins & 0xFFFFFu) == 0 && (atomic_load(&ctl->failed) || atomic_load(&ctl->stop))) return false;
    }
    return true;
}

static int xcore_reader(void *arg)
{
    xcore *x = arg;
    if (!peer_place(&x->ctl, x->cpu, NULL, "pinning the reader")) return 1;
    unsigned char *dst = aligned_alloc(64, x->size);
    memset(dst, 0, x->size);
    atomic_store(&x->ctl.ready, 1);
    uint64_t i = 0;
    for (; i < x->total && xcore_wait(&x->written, i + 1, &x->ctl); i++) {
        memcpy(dst, x->buf[i % XCORE_BUFFERS], x->size);
        escape(dst);
        atomic_store_explicit(&x->taken, i + 1, memory_order_release);
    }
    free(dst);
    return i == x->total ? 0 : 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The writer's loop: ns per buffer, the median over XCORE_CHUNKS stretches of
 * the stream (one preempted stretch does not move the limit); -1 on failure. */
#define XCORE_CHUNKS 8
static double xcore_write(xcore *x, const unsigned char *src)
{
    uint64_t total = x->total, chunk = total / XCORE_CHUNKS, i = 0, mark = ticks_now();
    double per[XCORE_CHUNKS];
    int chunks = 0;
    for (; i < total && (i < XCORE_BUFFERS || xcore_wait(&x->taken, i - XCORE_BUFFERS + 1, &x->ctl)); i++) {
        memcpy(x->buf[i % XCORE_BUFFERS], src, x->size);
        atomic_store_explicit(&x->written, i + 1, memory_order_release);
        if ((i + 1) % chunk == 0 && chunks < XCORE_CHUNKS) {
            uint64_t now = ticks_now();
            per[chunks++] = ticks_to_ns(now - mark) / (double)chunk;
            mark = now;
        }
    }
    if (i != total || !xcore_wait(&x->taken, total, &x->ctl) || chunks == 0) return -1;
    qsort(per, (size_t)chunks, sizeof per[0], cmp_double);
    return per[chunks / 2];
}

/* The writer's side on this thread: total buffers through the pipeline; ns per buffer, -1 with msg. */
static double xcore_run(size_t size, uint64_t total, int *cpu_b, char *msg, size_t len)
{
    xcore *x = shared_alloc(sizeof *x);
    unsigned char *src = aligned_alloc(64, size);
    memset(src, 0x5a, size);
    *x = (xcore){.size = size, .total = total, .cpu = G.cpu_b};
    for (int k = 0; k < XCORE_BUFFERS; k++) memset(x->buf[k] = aligned_alloc(64, size), 0, size);
    peer p;
    double ns = -1;
    if (peer_start(&p, false, xcore_reader, x, msg, len) && await_word(&x->ctl.ready, 1, &x->ctl, 10.0))
        ns = xcore_write(x, src);
    atomic_store(&x->ctl.stop, 1);
    char jmsg[160] = "";
    if (p.running && peer_join(&p, 10.0, jmsg, sizeof jmsg) != 0) ns = -1;
    if (ns < 0 && msg[0] == '\0') snprintf(msg, len, "reader: %s%s", jmsg, x->ctl.msg);
    *cpu_b = x->ctl.cpu_used;
    for (int k = 0; k < XCORE_BUFFERS; k++) free(x->buf[k]);
    free(src);
    shared_free(x, sizeof *x);
    return ns;
}

/* Enough buffers to move 64 MiB (8 MiB quick), at least 4 rounds of the ring. */
static uint64_t xcore_total(size_t size)
{
    uint64_t bytes = G.quick ? (8u << 20) : (64u << 20), n = bytes / (size ? size : 1);
    return n < 8 * XCORE_BUFFERS ? 8 * XCORE_BUFFERS : n; /* every chunk a full turn of the ring */
}

void bench_memcpy_xcore(gb_state *st, const bench_case *c)
{
    char msg[512] = "";
    int cpu_b = -1;
    double ns = 0;
    while (gb_keep_running_batch(st, c->iterations)) {
        if ((ns = xcore_run(c->size, (uint64_t)c->iterations, &cpu_b, msg, sizeof msg)) < 0) {
            gb_skip_with_error(st, msg);
            return;
        }
        gb_set_iteration_time(st, ns * (double)c->iterations / 1e9);
    }
    gb_counter(st, "ns_per_copy", ns, GB_COUNTER_DEFAULT);
    gb_counter(st, "GBps", ns > 0 ? (double)c->size / ns : 0, GB_COUNTER_DEFAULT);
    gb_counter(st, "payload_bytes", (double)c->size, GB_COUNTER_DEFAULT);
    gb_counter(st, "buffers", XCORE_BUFFERS, GB_COUNTER_DEFAULT);
    gb_counter(st, "cpu_a", G.cpu_a_used, GB_COUNTER_DEFAULT);
    gb_counter(st, "cpu_b", cpu_b, GB_COUNTER_DEFAULT);
    char label[128];
    snprintf(label, sizeof label, "writer cpu=%d reader cpu=%d, %d buffers", G.cpu_a_used, cpu_b, XCORE_BUFFERS);
    gb_set_label(st, label);
    limit_record_xcore(c->size, ns);
}

uint64_t bench_xcore_samples(size_t size) { return xcore_total(size); }

struct pp_arg {
    bool futex, process;
};

static double measure_pingpong(void *a)
{
    struct pp_arg *p = a;
    hist *rtt = malloc(sizeof *rtt);
    char msg[512] = "";
    int cpu_b;
    double v = -1;
    if (pingpong_run(p->futex, p->process, NULL, G.quick ? 2000 : 20000, rtt, &cpu_b, msg, sizeof msg))
        v = hist_percentile(rtt, 50) / 2;
    else
        fprintf(stderr, "slotkit-bench: measuring a limit failed: %s\n", msg);
    free(rtt);
    return v;
}

static double measure_memcpy(void *a) { return memcpy_loop(NULL, *(size_t *)a, 20000000u); }

double limit_cacheline_one_way_ns(bool process)
{
    struct pp_arg a = {false, process};
    return lookup_or(process ? "limit.cacheline.processes" : "limit.cacheline.threads", measure_pingpong, &a);
}

double limit_futex_one_way_ns(bool process)
{
    struct pp_arg a = {true, process};
    return lookup_or(process ? "limit.futex.processes" : "limit.futex.threads", measure_pingpong, &a);
}

double limit_memcpy_ns(size_t size)
{
    char key[64];
    snprintf(key, sizeof key, "limit.memcpy.%zu", size);
    return lookup_or(key, measure_memcpy, &size);
}

void limit_record_cacheline(bool process, double v)
{
    figure_record(process ? "limit.cacheline.processes" : "limit.cacheline.threads", v);
}

void limit_record_futex(bool process, double v)
{
    figure_record(process ? "limit.futex.processes" : "limit.futex.threads", v);
}

void limit_record_memcpy(size_t size, double ns)
{
    char key[64];
    snprintf(key, sizeof key, "limit.memcpy.%zu", size);
    figure_record(key, ns);
}

double limit_cacheline_now(bool process) { return limit_pingpong_now(false, process); }

double limit_pingpong_now(bool futex, bool process)
{
    struct pp_arg a = {futex, process};
    return measure_pingpong(&a);
}

double limit_memcpy_now(size_t size) { return measure_memcpy(&size); }

static double measure_xcore(void *a)
{
    size_t size = *(size_t *)a;
    char msg[512] = "";
    int cpu_b;
    double ns = xcore_run(size, xcore_total(size), &cpu_b, msg, sizeof msg);
    if (ns < 0) fprintf(stderr, "slotkit-bench: measuring the cross-core copy limit failed: %s\n", msg);
    return ns;
}

double limit_xcore_now(size_t size) { return measure_xcore(&size); }

double limit_xcore_ns(size_t size)
{
    char key[64];
    snprintf(key, sizeof key, "limit.xcore.%zu", size);
    return lookup_or(key, measure_xcore, &size);
}

void limit_record_xcore(size_t size, double ns)
{
    char key[64];
    snprintf(key, sizeof key, "limit.xcore.%zu", size);
    figure_record(key, ns);
}
