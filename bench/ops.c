/*
 * Operation cost, one thread: one sample's whole life, reserve + commit +
 * read + mark_read, with the payload written and read.
 *   copy path:     commit copies the payload in, read_slot copies it out;
 *                  the limit is two memcpy of that size.
 *   in-place path: the payload is written through slot_data_ptr, published
 *                  with commit_in_place, read through slot_read_ptr (every
 *                  cache line loaded); the limit is one memcpy of that size.
 * The same loop runs at a fixed count for callgrind (run_callgrind_ops), which
 * counts instructions where wall time is not repeatable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

typedef struct ops_ctx {
    slotkit_pool *pool;
    unsigned char *src, *dst;
    size_t size;
    uint64_t sink;
    sample_check chk; /* every sample read back: pattern, size, SN */
    slotkit_status failed;
    const char *failed_op;
} ops_ctx;

#define FAIL(ctx, op, status)     \
    do {                          \
        (ctx)->failed = (status); \
        (ctx)->failed_op = (op);  \
        return false;             \
    } while (0)

/* One round of the copy path. checked: the pattern written and every sample
 * checked (the gbench case); not: the backend's path alone, as callgrind
 * counts it (run_callgrind_ops checks the samples in a pass of its own). */
static inline __attribute__((always_inline)) bool copy_round(ops_ctx *c, uint32_t n, bool checked)
{
    slotkit_handle h;
    slotkit_slot_header hdr;
    uint32_t seq;
    slotkit_status s;
    if (checked) /* each sample differs: nothing can be hoisted */
        payload_fill(c->src, c->size, n);
    else
        memcpy(c->src, &n, sizeof n);
    if ((s = slotkit_reserve(c->pool, 1u, &h)) != SLOTKIT_OK) FAIL(c, "reserve", s);
    if ((s = slotkit_commit(c->pool, h, c->src, c->size, &seq)) != SLOTKIT_OK) FAIL(c, "commit", s);
    if ((s = slotkit_read(c->pool, h, &hdr, c->dst, c->size)) != SLOTKIT_OK) FAIL(c, "read", s);
    if ((s = slotkit_mark_read(c->pool, h, 0)) != SLOTKIT_OK) FAIL(c, "mark_read", s);
    if (checked) check_sample(&c->chk, c->dst, c->size, hdr.sample_size, c->size, &hdr.sequence_number);
    c->sink += c->dst[0] + hdr.sample_size;
    return true;
}

static inline bool one_copy(ops_ctx *c, uint32_t n) { return copy_round(c, n, true); }

static inline bool one_in_place(ops_ctx *c, uint32_t n)
{
    slotkit_handle h;
    uint32_t seq;
    slotkit_status s;
    void *w;
    const void *r;
    size_t cap, len;
    if ((s = slotkit_reserve(c->pool, 1u, &h)) != SLOTKIT_OK) FAIL(c, "reserve", s);
    if ((s = slotkit_slot_data_ptr(c->pool, h, &w, &cap)) != SLOTKIT_OK) FAIL(c, "slot_data_ptr", s);
    payload_fill(c->src, c->size, n);
    memcpy(w, c->src, c->size);
    if ((s = slotkit_commit_in_place(c->pool, h, c->size, &seq)) != SLOTKIT_OK) FAIL(c, "commit_in_place", s);
    if ((s = slotkit_slot_read_ptr(c->pool, h, &r, &len)) != SLOTKIT_OK) FAIL(c, "slot_read_ptr", s);
    const unsigned char *p = r;
    uint64_t x = 0;
    for (size_t i = 0; i < len; i += 64) x += p[i]; /* every cache line of the sample */
    check_sample(&c->chk, p, len < c->size ? len : c->size, len, c->size, NULL);
    if ((s = slotkit_mark_read(c->pool, h, 0)) != SLOTKIT_OK) FAIL(c, "mark_read", s);
    c->sink += x;
    return true;
}

static bool ops_setup(ops_ctx *c, size_t size, char *msg, size_t len)
{
    memset(c, 0, sizeof *c);
    c->size = size;
    check_init(&c->chk, "ops", 0);
    char name[64];
    pool_name(name, sizeof name);
    c->pool = pool_create(name, OPS_SLOTS, size, msg, len);
    c->src = aligned_alloc(64, size + 64);
    c->dst = aligned_alloc(64, size + 64);
    if (c->src) memset(c->src, 0xa5, size + 64);
    if (c->dst) memset(c->dst, 0, size + 64);
    return c->pool && c->src && c->dst;
}

static void ops_teardown(ops_ctx *c)
{
    slotkit_pool_close(c->pool);
    free(c->src);
    free(c->dst);
}

void bench_ops(gb_state *st, const bench_case *c)
{
    ops_ctx ctx;
    char msg[512];
    if (!ops_setup(&ctx, c->size, msg, sizeof msg)) {
        ops_teardown(&ctx);
        gb_skip_with_error(st, msg);
        return;
    }
    /* Batches of 64 keep the shim's call well under a nanosecond per sample. */
    int64_t batch = c->size <= 65536 ? 64 : 1;
    uint32_t n = 0;
    bool ok = true;
    uint64_t t0 = monotonic_ns();
    while (ok && gb_keep_running_batch(st, batch)) {
        for (int64_t k = 0; k < batch && ok; k++) ok = c->in_place ? one_in_place(&ctx, n++) : one_copy(&ctx, n++);
    }
    uint64_t t1 = monotonic_ns();
    if (!ok) {
        snprintf(msg, sizeof msg, "%s failed: %s", ctx.failed_op, slotkit_strerror(ctx.failed));
        ops_teardown(&ctx);
        gb_skip_with_error(st, msg);
        return;
    }
    if (report_invalid(st, &ctx.chk)) {
        ops_teardown(&ctx);
        return;
    }
    int64_t it = gb_iterations_done(st);
    double ns = it ? (double)(t1 - t0) / (double)it : 0;
    double limit = (c->in_place ? 1 : 2) * limit_memcpy_ns(c->size);
    gb_set_items_processed(st, it);
    gb_set_bytes_processed(st, it * (int64_t)c->size);
    gb_counter(st, "ns_per_sample", ns, GB_COUNTER_DEFAULT);
    gb_counter(st, "limit_ns", limit, GB_COUNTER_DEFAULT);
    gb_counter(st, "x_limit", limit > 0 ? ns / limit : 0, GB_COUNTER_DEFAULT);
    gb_counter(st, "payload_bytes", (double)c->size, GB_COUNTER_DEFAULT);
    gb_counter(st, "cpu", G.cpu_a_used, GB_COUNTER_DEFAULT);
    gb_set_label(st, c->in_place ? "in-place; limit = 1 memcpy" : "copy; limit = 2 memcpy");
    ops_teardown(&ctx);
}

/* The measured loop alone, not inlined, so `valgrind --tool=callgrind
 * --toggle-collect=ops_callgrind_loop` counts exactly `rounds` round trips. */
__attribute__((noinline)) bool ops_callgrind_loop(ops_ctx *c, long rounds);
__attribute__((noinline)) bool ops_callgrind_loop(ops_ctx *c, long rounds)
{
    for (long i = 0; i < rounds; i++)
        if (!copy_round(c, (uint32_t)i, false)) return false;
    return true;
}

/* The samples of the counted path, checked apart (uncounted): a backend
 * that delivers them wrongly gets no instruction count. */
static bool callgrind_samples_valid(ops_ctx *c)
{
    check_init(&c->chk, "ops", 0);
    bool ok = true;
    for (uint32_t i = 0; ok && i < 1000; i++) ok = one_copy(c, i);
    if (ok && check_violations(&c->chk) > 0) {
        fprintf(stderr, "slotkit-bench: invalid: %llu samples delivered wrongly (first: %s)\n",
                (unsigned long long)check_violations(&c->chk), c->chk.first);
        return false;
    }
    return ok;
}

int run_callgrind_ops(long rounds, size_t size)
{
    ops_ctx ctx;
    char msg[512];
    if (!ops_setup(&ctx, size, msg, sizeof msg)) {
        fprintf(stderr, "slotkit-bench: %s\n", msg);
        ops_teardown(&ctx);
        return 2;
    }
    /* Warm: the first samples fault pages in and fill caches; not counted. */
    bool ok = ops_callgrind_loop(&ctx, 0) && copy_round(&ctx, 0, false);
    ok = ok && ops_callgrind_loop(&ctx, rounds);
    bool valid = ok && callgrind_samples_valid(&ctx);
    if (!ok) fprintf(stderr, "slotkit-bench: %s failed: %s\n", ctx.failed_op, slotkit_strerror(ctx.failed));
    printf("ops: %ld round trips (reserve+commit+read+mark_read) of %zu B through backend %s\n", rounds, size,
           G.backend->name);
    ops_teardown(&ctx);
    return ok && valid ? 0 : 1;
}
