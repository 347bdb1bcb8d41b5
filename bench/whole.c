/*
 * Whole-process runs, timed from outside by hyperfine: what a user pays for
 * process start, loading the backend, and a pool's life.
 *   create-teardown: create a pool, attach a second instance to it (backends
 *                    with CROSS_PROCESS), commit and read one sample, close both;
 *   transfer:        `samples` 64 B samples from a writer to a reader, both
 *                    processes (forked, the reader attaches) where the backend
 *                    is CROSS_PROCESS, else two threads; 64 slots, copy path.
 * Exit 0 on success, 77 when the backend cannot do it (hyperfine then fails
 * visibly instead of timing nothing).
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

static int create_teardown(void)
{
    char name[64], msg[200];
    pool_name(name, sizeof name);
    slotkit_pool *pool = pool_create(name, 16, 4096, msg, sizeof msg), *other = NULL;
    if (pool == NULL) {
        fprintf(stderr, "slotkit-bench: %s\n", msg);
        return 1;
    }
    if ((G.caps & SLOTKIT_CAP_CROSS_PROCESS) && (other = pool_attach(name, msg, sizeof msg)) == NULL) {
        fprintf(stderr, "slotkit-bench: %s\n", msg);
        slotkit_pool_close(pool);
        return 1;
    }
    unsigned char buf[64] = {1};
    slotkit_handle h;
    slotkit_slot_header hdr;
    uint32_t seq;
    slotkit_status s = slotkit_reserve(pool, 0, &h);
    if (s == SLOTKIT_OK) s = slotkit_commit(pool, h, buf, sizeof buf, &seq);
    if (s == SLOTKIT_OK) s = slotkit_read(pool, h, &hdr, buf, sizeof buf);
    if (s != SLOTKIT_OK) fprintf(stderr, "slotkit-bench: one sample: %s\n", slotkit_strerror(s));
    slotkit_pool_close(other);
    slotkit_pool_close(pool);
    return s == SLOTKIT_OK ? 0 : 1;
}

typedef struct xfer {
    char name[64];
    slotkit_pool *pool;
    bool process;
    long samples;
    peer_ctl ctl;
} xfer;

static int xfer_reader(void *arg)
{
    xfer *x = arg;
    char msg[160];
    if (place_thread(G.cpu_b, NULL, msg, sizeof msg) < 0) {
        peer_fail(&x->ctl, "pinning: %s", msg);
        return 1;
    }
    slotkit_pool *pool = x->process ? pool_attach(x->name, msg, sizeof msg) : x->pool;
    if (pool == NULL) {
        peer_fail(&x->ctl, "%s", msg);
        return 1;
    }
    atomic_store(&x->ctl.ready, 1);
    unsigned char buf[64];
    int rc = 0;
    uint64_t idle_since = 0;
    for (long n = 0; n < x->samples;) {
        bool found;
        slotkit_handle h;
        slotkit_slot_header hdr;
        slotkit_status s = slotkit_next_unread(pool, 0, &found, &h);
        if (s == SLOTKIT_OK && !found) {
            if (idle_since == 0) idle_since = monotonic_ns();
            if (monotonic_ns() - idle_since > 10000000000u || atomic_load(&x->ctl.stop)) {
                peer_fail(&x->ctl, "no sample for 10 s after %ld", n);
                rc = 1;
                break;
            }
            if (G.ncpus < 2) sched_yield();
            continue;
        }
        idle_since = 0;
        if (s == SLOTKIT_OK) s = slotkit_read(pool, h, &hdr, buf, sizeof buf);
        if (s == SLOTKIT_OK) s = slotkit_mark_read(pool, h, 0);
        if (s != SLOTKIT_OK) {
            peer_fail(&x->ctl, "sample %ld: %s", n, slotkit_strerror(s));
            rc = 1;
            break;
        }
        n++;
    }
    if (x->process) slotkit_pool_close(pool);
    return rc;
}

static int transfer(long samples)
{
    if (!(G.caps & SLOTKIT_CAP_NEXT_UNREAD)) {
        fprintf(stderr, "slotkit-bench: transfer: not applicable: backend lacks NEXT_UNREAD\n");
        return 77;
    }
    xfer *x = shared_alloc(sizeof *x);
    char msg[512] = "";
    x->process = G.caps & SLOTKIT_CAP_CROSS_PROCESS;
    x->samples = samples;
    pool_name(x->name, sizeof x->name);
    bool ok = (x->pool = pool_create(x->name, 64, 64, msg, sizeof msg)) != NULL;
    peer p = {0};
    if (ok) ok = peer_start(&p, x->process, xfer_reader, x, msg, sizeof msg);
    if (ok && !await_word(&x->ctl.ready, 1, &x->ctl, 10.0)) {
        snprintf(msg, sizeof msg, "reader not ready: %s", x->ctl.msg);
        ok = false;
    }
    unsigned char buf[64] = {0};
    for (long n = 0; ok && n < samples; n++) {
        slotkit_handle h;
        slotkit_status s;
        uint32_t seq;
        uint64_t since = 0;
        while ((s = slotkit_reserve(x->pool, 1u, &h)) == SLOTKIT_NO_FREE_SLOT) {
            if (since == 0) since = monotonic_ns();
            if (atomic_load(&x->ctl.failed) || monotonic_ns() - since > 10000000000u) break;
            if (G.ncpus < 2) sched_yield();
        }
        memcpy(buf, &n, sizeof n);
        if (s == SLOTKIT_OK) s = slotkit_commit(x->pool, h, buf, sizeof buf, &seq);
        if (s != SLOTKIT_OK) {
            snprintf(msg, sizeof msg, "writer at sample %ld: %s %s", n, slotkit_strerror(s), x->ctl.msg);
            ok = false;
        }
    }
    if (!ok) atomic_store(&x->ctl.stop, 1);
    char jmsg[160] = "";
    if (p.running && peer_join(&p, 30.0, jmsg, sizeof jmsg) != 0 && ok) {
        snprintf(msg, sizeof msg, "reader: %s %s", jmsg, x->ctl.msg);
        ok = false;
    }
    slotkit_pool_close(x->pool);
    if (!ok) fprintf(stderr, "slotkit-bench: transfer: %s\n", msg);
    shared_free(x, sizeof *x);
    return ok ? 0 : 1;
}

int run_whole(const char *what, long samples)
{
    if (strcmp(what, "create-teardown") == 0) return create_teardown();
    if (strcmp(what, "transfer") == 0) return transfer(samples);
    fprintf(stderr, "slotkit-bench: --whole wants create-teardown or transfer, not '%s'\n", what);
    return 2;
}
