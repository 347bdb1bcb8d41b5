/* R-NOTIFY-3 under signals: a wait with no change returns after its
 * timeout even when signals interrupt it (a handler installed without
 * SA_RESTART, so the backend's blocking call fails with EINTR, which is not
 * a change). In the test process (a thread is signalled), and in an attached
 * process for CROSS_PROCESS backends. */
#include "timed_join.h"
#include "xproc_child.h"

#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SIG_WAIT_S 1.0
#define SIG_WAIT_NS 1000000000ull
#define SIG_EVERY_S 0.01
/* Fewer signals than this during the wait and the test proved nothing. */
#define SIG_MIN_CAUGHT 10u

static atomic_uint signals_caught;

static void count_signal(int sig)
{
    (void)sig;
    atomic_fetch_add(&signals_caught, 1);
}

/* SIGUSR1 runs count_signal, and interrupts blocking calls (no SA_RESTART). */
static bool install_counting_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    return sigaction(SIGUSR1, &sa, NULL) == 0;
}

static void expect_full_wait(double waited, unsigned caught, const char *who)
{
    cr_assert_geq(waited, SIG_WAIT_S,
                  "%s: wait_for_change(%.1f s) with no change returned after %.3f s, interrupted "
                  "by %u signals (EINTR is not a change)",
                  who, SIG_WAIT_S, waited, caught);
    cr_assert_lt(waited, SIG_WAIT_S + 5.0, "%s: wait_for_change(%.1f s) took %.3f s", who, SIG_WAIT_S, waited);
    cr_assert_geq(caught, SIG_MIN_CAUGHT,
                  "%s: only %u signals were caught during the wait (the test could not "
                  "interrupt it)",
                  who, caught);
}

/* ---- a thread of this process ---------------------------------------------- */

struct sig_waiter {
    slotkit_pool *pool;
    atomic_bool waiting;
    double waited;
};

static void *sig_waiter_main(void *arg)
{
    struct sig_waiter *w = arg;
    uint64_t gen = slotkit_notify_generation(w->pool);
    atomic_store(&w->waiting, true);
    double start = mono_now();
    slotkit_wait_for_change(w->pool, gen, SIG_WAIT_NS);
    w->waited = mono_now() - start;
    return NULL;
}

Test(notify, r_notify_3__signals,
     .description = "R-NOTIFY-3: a thread blocked in wait_for_change with no change, signalled "
                    "every 10 ms (handler, no SA_RESTART), returns only after its timeout")
{
    require_caps(SLOTKIT_CAP_NOTIFY);
    cr_assert(install_counting_handler(), "sigaction failed");
    slotkit_pool *pool = open_pool(2, 8);
    static struct sig_waiter w; /* outlives a thread the test gives up on */
    w.pool = pool;
    static timed_thread thread;
    cr_assert(timed_start(&thread, sig_waiter_main, &w), "pthread_create failed");
    double deadline = mono_now() + SIG_WAIT_S + 10.0;
    while (!atomic_load(&w.waiting) && mono_now() < deadline) {
        sleep_s(0.001);
    }
    atomic_store(&signals_caught, 0);
    while (!atomic_load(&thread.finished) && mono_now() < deadline) {
        pthread_kill(thread.thread, SIGUSR1);
        sleep_s(SIG_EVERY_S);
    }
    cr_assert(timed_join(&thread, deadline), "the signalled waiter did not return within %.0f s", SIG_WAIT_S + 10.0);
    expect_full_wait(w.waited, atomic_load(&signals_caught), "signalled thread");
}

/* ---- an attached process ----------------------------------------------------- */

struct sig_ctx {
    slotkit_config attach;
    _Atomic pid_t tid; /* the waiting thread, for tgkill */
    xp_flag waiting, done;
    double waited;
    unsigned caught;
};

static int sig_child(void *arg)
{
    struct sig_ctx *c = arg;
    XP_CHECK(install_counting_handler(), "sigaction failed in the child");
    slotkit_pool *pool = xp_child_open(&c->attach);
    atomic_store(&c->tid, (pid_t)syscall(SYS_gettid));
    uint64_t gen = slotkit_notify_generation(pool);
    xp_post(&c->waiting, 1);
    double start = mono_now();
    slotkit_wait_for_change(pool, gen, SIG_WAIT_NS);
    c->waited = mono_now() - start;
    c->caught = atomic_load(&signals_caught);
    xp_post(&c->done, 1);
    slotkit_pool_close(pool);
    return 0;
}

Test(notify, r_notify_3__signals_in_attacher,
     .description = "R-NOTIFY-3: a wait_for_change in an attached process, its thread signalled "
                    "every 10 ms (handler, no SA_RESTART), returns only after its timeout",
     .fini = xp_teardown)
{
    require_caps(SLOTKIT_CAP_NOTIFY | SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(2, 8);
    (void)open_pool_with(&created);
    struct sig_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    pid_t kid = xp_spawn(sig_child, c);
    xp_expect_flag(kid, &c->waiting, 1, 10.0, "attach and start waiting");
    double deadline = mono_now() + SIG_WAIT_S + 10.0;
    pid_t tid = atomic_load(&c->tid);
    while (atomic_load(&c->done) == 0 && mono_now() < deadline) {
        (void)syscall(SYS_tgkill, kid, tid, SIGUSR1);
        sleep_s(SIG_EVERY_S);
    }
    xp_expect_exit_ok(kid, 10.0);
    expect_full_wait(c->waited, c->caught, "signalled attached process");
}
