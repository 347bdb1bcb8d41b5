#include "xproc_child.h"

#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define XP_MSG_LEN 240

/* Children of this test process. A fresh process runs every test, so this
 * state starts empty each time. */
static struct {
    pid_t pid;
    bool reaped;
    int status;
} children[XP_MAX_CHILDREN];
static size_t child_count;

/* One failure message per child, in memory the children share with us. */
static char (*child_msgs)[XP_MSG_LEN];
/* In a child: its index into child_msgs. */
static size_t self_index;

/* ---- futex handshake -------------------------------------------------------- */

/* Not FUTEX_PRIVATE: the word lives in a MAP_SHARED page of several processes. */
static void futex_wait_for(xp_flag *flag, uint32_t seen, double seconds)
{
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    (void)syscall(SYS_futex, (uint32_t *)flag, FUTEX_WAIT, seen, &ts, NULL, 0);
}

void xp_post(xp_flag *flag, uint32_t value)
{
    atomic_store(flag, value);
    (void)syscall(SYS_futex, (uint32_t *)flag, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

void xp_bump(xp_flag *flag)
{
    atomic_fetch_add(flag, 1);
    (void)syscall(SYS_futex, (uint32_t *)flag, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

bool xp_await(xp_flag *flag, uint32_t value, double timeout_s)
{
    double deadline = mono_now() + timeout_s;
    for (;;) {
        uint32_t seen = atomic_load(flag);
        if (seen >= value) {
            return true;
        }
        double left = deadline - mono_now();
        if (left <= 0) {
            return false;
        }
        /* Short slices: a missed FUTEX_WAKE costs at most one slice. */
        futex_wait_for(flag, seen, left < 0.05 ? left : 0.05);
    }
}

/* ---- children -------------------------------------------------------------- */

void *xp_shared_alloc(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(p, MAP_FAILED, "mmap(MAP_SHARED, %zu) failed: %s", size, strerror(errno));
    return p; /* anonymous memory is zeroed */
}

pid_t xp_spawn(int (*fn)(void *arg), void *arg)
{
    cr_assert_lt(child_count, (size_t)XP_MAX_CHILDREN, "test bug: more than %d children", XP_MAX_CHILDREN);
    if (child_msgs == NULL) {
        child_msgs = xp_shared_alloc(sizeof(*child_msgs) * XP_MAX_CHILDREN);
    }
    size_t index = child_count;
    child_msgs[index][0] = '\0';
    pid_t parent = getpid();
    /* Unflushed stdio would be written twice, once by each process. */
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    cr_assert_neq(pid, -1, "fork failed: %s", strerror(errno));
    if (pid == 0) {
        /* Die with the test process, even if it is killed by a timeout. */
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(XP_EXIT_ORPHAN);
        }
        self_index = index;
        _exit(fn(arg) & 0xff);
    }
    children[index].pid = pid;
    children[index].reaped = false;
    child_count++;
    return pid;
}

static size_t child_slot(pid_t pid)
{
    for (size_t i = 0; i < child_count; i++) {
        if (children[i].pid == pid) {
            return i;
        }
    }
    cr_assert_fail("test bug: %ld is not a child of this test", (long)pid);
    return 0;
}

/* Reaps without blocking; true once the child has ended. */
static bool try_reap(size_t i)
{
    if (children[i].reaped) {
        return true;
    }
    int status = 0;
    pid_t got = waitpid(children[i].pid, &status, WNOHANG);
    if (got == children[i].pid) {
        children[i].reaped = true;
        children[i].status = status;
        return true;
    }
    return false;
}

static void kill_and_wait(size_t i)
{
    if (children[i].reaped) {
        return;
    }
    (void)kill(children[i].pid, SIGKILL);
    int status = 0;
    while (waitpid(children[i].pid, &status, 0) == -1 && errno == EINTR) {}
    children[i].reaped = true;
    children[i].status = status;
}

/* "exited 3: <message>" or "killed by signal 9". */
static void describe(size_t i, char *out, size_t len)
{
    int st = children[i].status;
    if (WIFEXITED(st)) {
        const char *msg = child_msgs[i][0] != '\0' ? child_msgs[i] : "(no message)";
        snprintf(out, len, "exited with %d: %s", WEXITSTATUS(st), msg);
    } else if (WIFSIGNALED(st)) {
        snprintf(out, len, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    } else {
        snprintf(out, len, "ended with wait status 0x%x", (unsigned)st);
    }
}

void xp_expect_exit_ok(pid_t pid, double timeout_s)
{
    size_t i = child_slot(pid);
    double deadline = mono_now() + timeout_s;
    while (!try_reap(i)) {
        if (mono_now() > deadline) {
            kill_and_wait(i);
            cr_assert_fail("child %zu (pid %ld) did not finish within %.1f s; %s", i, (long)pid, timeout_s,
                           child_msgs[i][0] != '\0' ? child_msgs[i] : "no message from it");
        }
        sleep_s(0.002);
    }
    int st = children[i].status;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char what[XP_MSG_LEN + 64];
        describe(i, what, sizeof what);
        cr_assert_fail("child %zu (pid %ld) %s", i, (long)pid, what);
    }
}

void xp_kill_and_reap(pid_t pid)
{
    size_t i = child_slot(pid);
    bool ended_before = try_reap(i);
    kill_and_wait(i);
    int st = children[i].status;
    if (ended_before || !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) {
        char what[XP_MSG_LEN + 64];
        describe(i, what, sizeof what);
        cr_assert_fail("child %zu (pid %ld) was to be killed while running, but it %s", i, (long)pid, what);
    }
}

void xp_expect_flag(pid_t pid, xp_flag *flag, uint32_t value, double timeout_s, const char *what)
{
    size_t first = 0, end = child_count;
    if (pid != 0) {
        first = child_slot(pid);
        end = first + 1;
    }
    /* Children that ended before this wait (killed earlier, say) are not watched. */
    bool watched[XP_MAX_CHILDREN];
    for (size_t i = first; i < end; i++) {
        watched[i] = !children[i].reaped;
    }
    double deadline = mono_now() + timeout_s;
    while (!xp_await(flag, value, 0.01)) {
        for (size_t i = first; i < end; i++) {
            /* A child that failed, or the one child that was to post and ended
             * without posting, will never post: fail now, with its reason. */
            if (!watched[i] || !try_reap(i) || atomic_load(flag) >= value) {
                continue;
            }
            int st = children[i].status;
            if (pid != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                char how[XP_MSG_LEN + 64];
                describe(i, how, sizeof how);
                cr_assert_fail("waiting for children to %s: child %zu %s", what, i, how);
            }
        }
        if (mono_now() > deadline) {
            cr_assert_fail("children did not %s within %.1f s (flag %u, expected %u)", what, timeout_s,
                           (unsigned)atomic_load(flag), (unsigned)value);
        }
    }
}

void xp_reap_all(void)
{
    for (size_t i = 0; i < child_count; i++) {
        kill_and_wait(i);
    }
}

void xp_teardown(void)
{
    xp_reap_all();
    conf_teardown();
}

/* ---- pools ------------------------------------------------------------------ */

slotkit_config xp_attach_config(const slotkit_config *created)
{
    slotkit_config config = *created;
    config.role = SLOTKIT_ROLE_ATTACH;
    config.slot_count = 0;
    config.slot_capacity = 0;
    config.type_hash = NULL;
    config.first_sequence_number = 0;
    return config;
}

slotkit_pool *xp_attach_here(const slotkit_config *created)
{
    slotkit_config config = xp_attach_config(created);
    return open_pool_with(&config);
}

/* ---- child side --------------------------------------------------------------- */

void xp_child_fail(const char *fmt, ...)
{
    if (child_msgs != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(child_msgs[self_index], XP_MSG_LEN, fmt, ap);
        va_end(ap);
    }
    _exit(XP_EXIT_FAILED);
}

slotkit_pool *xp_child_open(const slotkit_config *config)
{
    slotkit_error err;
    memset(&err, 0, sizeof err);
    slotkit_pool *pool = NULL;
    slotkit_status st = slotkit_pool_open(conf_backend, config, &pool, &err);
    XP_CHECK(st == SLOTKIT_OK && pool != NULL, "open(role %d, '%s') in a child returned %s: %s", (int)config->role,
             config->name, status_name(st), err.message);
    return pool;
}

void xp_child_await(xp_flag *flag, uint32_t value, double timeout_s, const char *what)
{
    XP_CHECK(xp_await(flag, value, timeout_s), "child gave up waiting %.1f s for %s", timeout_s, what);
}

/* ---- R-XPROC-6 wake-up check ---------------------------------------------------- */

struct wake_ctx {
    slotkit_config attach;
    slotkit_handle slot; /* LOANED by the parent until it commits */
    xp_flag waiting;     /* children about to block for the first time */
    xp_flag committing;  /* set by the parent just before its commit */
    _Atomic uint64_t commit_ns;
    _Atomic uint64_t seen_ns[XP_MAX_CHILDREN];
    _Atomic uint32_t waits[XP_MAX_CHILDREN];
    _Atomic uint32_t next_index;
};

static uint64_t mono_ns(void) { return (uint64_t)(mono_now() * 1e9); }

/* Waits for the parent's commit, judged by the generation alone (R-NOTIFY-1),
 * so the check leans on no other rule (reading a loaned slot, R-READ-3, for
 * one). A change before the parent's commit (not expected, but no rule forbids
 * one) only moves the baseline. */
static int wake_waiter(void *arg)
{
    struct wake_ctx *c = arg;
    uint32_t me = atomic_fetch_add(&c->next_index, 1);
    slotkit_pool *pool = xp_child_open(&c->attach);
    double give_up = mono_now() + 15.0;
    uint64_t baseline = slotkit_notify_generation(pool);
    bool announced = false;
    for (;;) {
        /* SPEC §5 pattern: capture, check, wait. */
        uint64_t gen = slotkit_notify_generation(pool);
        if (gen != baseline) {
            if (atomic_load(&c->committing) != 0) {
                break;
            }
            baseline = gen;
        }
        XP_CHECK(mono_now() < give_up,
                 "waiter: the generation did not change within 15 s "
                 "(%u waits)",
                 (unsigned)atomic_load(&c->waits[me]));
        if (!announced) {
            announced = true;
            xp_bump(&c->waiting);
        }
        atomic_fetch_add(&c->waits[me], 1);
        slotkit_wait_for_change(pool, gen, 5000000000ull);
    }
    atomic_store(&c->seen_ns[me], mono_ns());
    slotkit_pool_close(pool);
    return 0;
}

void xp_expect_wakeups(slotkit_pool *pool, const slotkit_config *created, unsigned n_waiters)
{
    cr_assert_leq(child_count + n_waiters, (size_t)XP_MAX_CHILDREN, "test bug: too many children");
    struct wake_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(created);
    c->slot = must_reserve(pool, 0);
    pid_t pids[XP_MAX_CHILDREN];
    for (unsigned i = 0; i < n_waiters; i++) {
        pids[i] = xp_spawn(wake_waiter, c);
    }
    xp_expect_flag(0, &c->waiting, n_waiters, 10.0, "block in wait_for_change");
    /* Let the last of them get from its announcement into the wait. */
    sleep_s(0.2);
    atomic_store(&c->commit_ns, mono_ns());
    xp_post(&c->committing, 1);
    uint8_t byte = 0x42;
    (void)must_commit(pool, c->slot, &byte, 1);
    for (unsigned i = 0; i < n_waiters; i++) {
        xp_expect_exit_ok(pids[i], 10.0);
    }
    uint64_t committed = atomic_load(&c->commit_ns);
    for (unsigned i = 0; i < n_waiters; i++) {
        uint64_t seen = atomic_load(&c->seen_ns[i]);
        cr_assert_geq(seen, committed, "waiter %u saw the change before the commit", i);
        double late = (double)(seen - committed) / 1e9;
        cr_assert_lt(late, XP_LOST_WAKEUP_S,
                     "lost wakeup: waiter %u (another process) saw the commit only after %.3f s "
                     "(%u waits)",
                     i, late, (unsigned)atomic_load(&c->waits[i]));
    }
}
