/*
 * slotkit-bench: shared declarations of the benchmark binary.
 *
 * Benchmarks reach a backend only through slotkit.h (the loader and the pool
 * wrappers), exactly as a user would. Every case is registered with Google
 * Benchmark through the C shim (gbench.h); the same case list (plan.c) drives
 * registration and the completeness check of the JSON (validate.c), so the two
 * cannot drift apart.
 */
#ifndef SLOTKIT_BENCH_BENCH_H
#define SLOTKIT_BENCH_BENCH_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "gbench.h"
#include "placement.h"
#include "slotkit/slotkit.h"

/* ---- the run's parameters (one per process, set up in main.c) ---------------- */

typedef struct bench_env {
    const slotkit_backend *backend;
    char backend_arg[4096]; /* as given: name or absolute path (children re-load nothing: fork) */
    unsigned caps;
    bool quick;
    int cpu_a, cpu_b; /* requested writer / reader CPU */
    int cpu_a_used;   /* read back after pinning the main thread */
    bool have_topology;
    placement_case place; /* what the default pair is (relation, nodes) */
    int ncpus;            /* CPUs this process may run on */
    cpu_set_t allowed;    /* those CPUs, captured before the main thread is pinned */
    int rounds;           /* interleaved rounds of limit, backend and peer per case (rounds.h) */
} bench_env;

extern bench_env G;

/* ---- time ------------------------------------------------------------------------ */

/* Calibrates the tick source (TSC on x86-64, else CLOCK_MONOTONIC). */
void clock_init(void);
/* Cheap monotonic ticks of the calling CPU; convert differences with ticks_to_ns. */
uint64_t ticks_now(void);
double ticks_to_ns(uint64_t ticks);
const char *clock_source(void);

#include "portable.h" /* cpu_relax, monotonic_ns */

/* ---- histogram (hist.c): log-linear, 64 sub-buckets per power of two ----------- */

#define HIST_LINEAR 128u /* exact below this many ns */
#define HIST_SUB_BITS 6u
#define HIST_BUCKETS (HIST_LINEAR + 40u * (1u << HIST_SUB_BITS))

typedef struct hist {
    uint64_t count, min, max;
    double sum;
    uint64_t buckets[HIST_BUCKETS];
} hist;

void hist_reset(hist *h);
void hist_record(hist *h, uint64_t value_ns);
/* Value at percentile p (0..100): the upper edge of the bucket (<1.6 % above). */
double hist_percentile(const hist *h, double p);
/* Adds every value of from to into. */
void hist_merge(hist *into, const hist *from);

/* ---- processes and threads (peer.c) ---------------------------------------------- */

/* Zeroed MAP_SHARED anonymous memory: seen by threads and by children forked later. */
void *shared_alloc(size_t size);
void shared_free(void *p, size_t size);

typedef struct peer {
    bool process, running;
    pid_t pid;
    unsigned long thread; /* pthread_t */
} peer;

/* Runs fn(arg) in a thread or in a forked child that _exit()s with fn's result.
 * A child dies with its parent (PR_SET_PDEATHSIG). false + msg on failure. */
bool peer_start(peer *p, bool process, int (*fn)(void *), void *arg, char *msg, size_t len);
/* Waits up to timeout_s; a process still running is killed. Returns fn's result,
 * or -1 (msg says why: timeout, signal). Always reaps. */
int peer_join(peer *p, double timeout_s, char *msg, size_t len);

/* Per-peer control and report block, in shared memory. */
typedef struct peer_ctl {
    _Atomic uint32_t ready; /* peer is pinned, attached, warm: 1 */
    _Atomic uint32_t go;    /* parent: start */
    _Atomic uint32_t stop;  /* parent: give up (error elsewhere) */
    _Atomic uint32_t failed;
    int cpu_used, node;
    uint64_t count;
    char msg[160];
} peer_ctl;

void peer_fail(peer_ctl *ctl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Spins until *word >= value, the peer set `failed`/`stop`, or timeout; true if reached. */
bool await_word(_Atomic uint32_t *word, uint32_t value, const peer_ctl *abort_on, double timeout_s);

/* ---- pools and placement (pools.c) ------------------------------------------------ */

/* A unique pool name: /slotkit-bench-<pid>-<n>. */
void pool_name(char *buf, size_t len);
slotkit_pool *pool_create(const char *name, size_t slots, size_t capacity, char *msg, size_t len);
slotkit_pool *pool_attach(const char *name, char *msg, size_t len);

/* Pins the calling thread (numa_mem) and sets its memory policy for the case, so
 * every page it first touches follows the placement; returns the CPU read back. */
int place_thread(int cpu, const placement_case *pc, char *msg, size_t len);
/* A peer's place_thread: the CPU read back goes to ctl->cpu_used; when it
 * cannot be placed, peer_fail(ctl, "<what>: <why>") and false. */
bool peer_place(peer_ctl *ctl, int cpu, const placement_case *pc, const char *what);
/* The NUMA node holding the pool's payload pages (move_pages through the in-place
 * pointer of a sample the caller holds), -1 when unknown; *why explains -1. */
int pool_payload_node(slotkit_pool *pool, slotkit_handle h, bool loan, const char **why);
/* The main thread's memory policy back to the default. */
void place_reset_memory(void);

/* Writes doc to path as slotkit-bench's JSON files are written and drops the reference;
 * false (said on stderr) when doc is NULL or the file cannot be written. (main.c) */
struct json_object;
bool write_json(const char *path, struct json_object *doc);

/* placement_probe.c: the plan as JSON, and where each case's pages land (exit statuses). */
int run_plan(const char *path);
int run_placement_probe(const char *path);

/* ---- what a case receives, checked (verify.c) ---------------------------------------- */

/* One reader's tally: violations per kind, and the first one in words. Plain
 * data, so a forked reader can keep it in shared memory. */
typedef struct sample_check {
    uint64_t received, next_tag;
    uint64_t out_of_order, duplicated, lost, torn, wrong_size;
    uint32_t last_sn;
    bool have_sn;
    char who[24];
    char first[200];
} sample_check;

/* The pattern: 8-byte words at the start, the quarters and the end of the
 * span, word i the tag xor a constant of its own (a shifted copy shows).
 * Inline, so the measured loops pay five stores, or five loads and compares,
 * a sample. */
#define PATTERN_MIN_SPAN 32 /* from here all five words fit; below, verify.c's general form */
#define PATTERN_KEY(i) (0x9E3779B97F4A7C15ull * (2u * (unsigned)(i) + 1u))

static inline void pattern_put(unsigned char *p, size_t off, int i, uint64_t tag)
{
    uint64_t w = tag ^ PATTERN_KEY(i);
    memcpy(p + off, &w, 8);
}

static inline bool pattern_is(const unsigned char *p, size_t off, int i, uint64_t tag)
{
    uint64_t w;
    memcpy(&w, p + off, 8);
    return w == (tag ^ PATTERN_KEY(i));
}

void payload_fill_small(unsigned char *p, size_t span, uint64_t tag);

/* The pattern of sample `tag` over the first `span` bytes. */
static inline void payload_fill(unsigned char *p, size_t span, uint64_t tag)
{
    if (span < PATTERN_MIN_SPAN) {
        payload_fill_small(p, span, tag);
        return;
    }
    pattern_put(p, 0, 0, tag);
    pattern_put(p, (span / 4) & ~(size_t)7, 1, tag);
    pattern_put(p, (span / 2) & ~(size_t)7, 2, tag);
    pattern_put(p, (3 * (span / 4)) & ~(size_t)7, 3, tag);
    pattern_put(p, span - 8, 4, tag);
}

/* True when the pattern is whole; *tag = the tag its first word carries. */
bool payload_intact(const unsigned char *p, size_t span, uint64_t *tag);
/* Expects tags first_tag, first_tag + 1, ... in that order. */
void check_init(sample_check *c, const char *who, uint64_t first_tag);
/* check_sample's general path: counts and names each violation. */
void check_sample_slow(sample_check *c, const unsigned char *p, size_t span, size_t size, size_t committed,
                       const uint32_t *sn);

/* One sample received: its pattern over span bytes, the size the backend
 * reports against the size committed, and its SN (NULL when the path has none).
 * The expected case (next tag, whole, next SN) stays inline. */
static inline void check_sample(sample_check *c, const unsigned char *p, size_t span, size_t size, size_t committed,
                                const uint32_t *sn)
{
    uint64_t t = c->next_tag;
    if (size == committed && span >= PATTERN_MIN_SPAN && pattern_is(p, 0, 0, t) &&
        pattern_is(p, (span / 4) & ~(size_t)7, 1, t) && pattern_is(p, (span / 2) & ~(size_t)7, 2, t) &&
        pattern_is(p, (3 * (span / 4)) & ~(size_t)7, 3, t) && pattern_is(p, span - 8, 4, t) &&
        (sn == NULL || !c->have_sn || *sn == c->last_sn + 1u)) {
        c->received++;
        c->next_tag++;
        if (sn) {
            c->last_sn = *sn;
            c->have_sn = true;
        }
        return;
    }
    check_sample_slow(c, p, span, size, committed, sn);
}
/* The case is over: tags below end_tag that never came are lost. */
void check_finish(sample_check *c, uint64_t end_tag);
void check_merge(sample_check *into, const sample_check *from);
uint64_t check_violations(const sample_check *c);
/* Counter samples_checked; with violations also invalid_<kind> counters and
 * SkipWithError("invalid: ..."): the case reports no speed. True if invalid. */
bool report_invalid(gb_state *st, const sample_check *c);

/* ---- the cases (plan.c) -------------------------------------------------------------- */

typedef enum case_kind {
    K_CACHELINE,  /* limits: cache-line ping-pong */
    K_FUTEX,      /* limits: futex wake ping-pong */
    K_MEMCPY,     /* limits: memcpy bandwidth */
    K_XCORE,      /* limits: cross-core copy (the reader pulls what the writer's core wrote) */
    K_OPS,        /* ops: reserve+commit+read+mark_read, one thread */
    K_LATENCY,    /* latency: ping-pong over two pools */
    K_THROUGHPUT, /* throughput: one writer, N readers */
    K_FLOOR       /* limits: the slot floor and its ladder (slot_floor.c) */
} case_kind;

enum { SUITE_LIMITS = 1, SUITE_OPS = 2, SUITE_LATENCY = 4, SUITE_THROUGHPUT = 8, SUITE_ALL = 15 };

typedef struct bench_case {
    char name[112]; /* Google Benchmark name, without the /iterations:N, /manual_time suffixes */
    case_kind kind;
    bool process;  /* peers are processes (else threads) */
    bool event;    /* latency: wait_for_change (else busy-poll) */
    bool in_place; /* ops/throughput: zero-copy path (else copy) */
    int readers, slots;
    size_t size;        /* payload bytes */
    int64_t iterations; /* 0: let Google Benchmark choose */
    bool has_place;     /* placement matrix case */
    placement_case place;
    char na[200]; /* non-empty: not applicable here, and why */
} bench_case;

/* Slots of the pools whose size the case list does not vary (ops: one pool;
 * latency: the ping and the pong pool each). */
enum { OPS_SLOTS = 4, LATENCY_SLOTS = 4 };
/* From this payload size on, copy throughput is bounded by the cross-core copy limit. */
#define XCORE_MIN_SIZE 65536

/* Fills the case list for the suites in `suites`; returns the count (<= max). */
size_t plan_cases(unsigned suites, bench_case *out, size_t max);

/* ---- the cases as Google Benchmark and cases.json see them (cases.c) --------------------- */

/* Registers the case with Google Benchmark (run_case on it). */
void case_register(bench_case *c);
/* The run_name Google Benchmark gives the case: its name plus the suffixes
 * its registration adds (/min_time:X, /iterations:N, /manual_time). */
void case_run_name(const bench_case *c, char *out, size_t len);
/* The structured description of every case (cases.json, schema
 * slotkit-bench-cases v1); NULL when out of memory. */
struct json_object *cases_json(const bench_case *cases, size_t n);
/* One case's entry of cases_json. */
struct json_object *case_json(const bench_case *c);
/* Counters every result of this kind must carry (NULL-terminated). */
const char *const *case_counters(case_kind kind);
unsigned suite_bits(const char *name); /* 0 if unknown */

/* ---- the benchmark bodies ---------------------------------------------------------------- */

void run_case(gb_state *st, void *ctx); /* dispatch on kind (plan.c) */
void bench_cacheline(gb_state *st, const bench_case *c);
void bench_futex(gb_state *st, const bench_case *c);
void bench_slot_floor(gb_state *st, const bench_case *c);
void bench_memcpy(gb_state *st, const bench_case *c);
void bench_memcpy_xcore(gb_state *st, const bench_case *c);
/* How many buffers one cross-core copy measurement moves (its iterations). */
uint64_t bench_xcore_samples(size_t size);
void bench_ops(gb_state *st, const bench_case *c);
void bench_latency(gb_state *st, const bench_case *c);
void bench_throughput(gb_state *st, const bench_case *c);

/* Limits of this run (limits.c): measured by the limits cases when they ran
 * earlier in the run, else measured here on demand, on the same CPUs. */
double limit_cacheline_one_way_ns(bool process);
double limit_futex_one_way_ns(bool process);
double limit_memcpy_ns(size_t size);
/* ns per sample of `size` bytes through the cross-core copy pipeline (cached like the others). */
double limit_xcore_ns(size_t size);
/* Fresh measurements, not cached (rounds.c measures each round's own). */
double limit_pingpong_now(bool futex, bool process);
double limit_memcpy_now(size_t size);
double limit_xcore_now(size_t size);
/* The slot floor (slot_floor.c): one-way ns of the least slot protocol carrying
 * `size` bytes between this thread's CPU and G.cpu_b; -1 on failure. */
double limit_slot_floor_now(size_t size, bool process);
/* A fresh cache-line measurement between this thread's CPU and G.cpu_b (not cached). */
double limit_cacheline_now(bool process);
void limit_record_cacheline(bool process, double one_way_ns);
void limit_record_futex(bool process, double one_way_ns);
void limit_record_memcpy(size_t size, double ns);
void limit_record_xcore(size_t size, double ns);
/* One measured figure kept for later ratios (e.g. in-place 4 MiB vs 64 B). */
void figure_record(const char *key, double value);
double figure_get(const char *key); /* 0 when absent */

/* Percentile counters p50_ns .. max_ns of a round-trip histogram, halved (one-way). */
void report_one_way(gb_state *st, const hist *rtt);

/* ---- other modes of the binary ---------------------------------------------------------- */

int run_validate(const char *dir, unsigned suites, bool quick, bool hyperfine_expected);
int run_whole(const char *what, long samples);   /* hyperfine's command lines */
int run_callgrind_ops(long rounds, size_t size); /* fixed count, for valgrind --tool=callgrind */

#endif
