/* Time, the histogram, and peers (threads or forked processes) of the benchmarks. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* ---- time ---- */

static double ns_per_tick = 1.0;
static bool use_tsc;

/* The TSC costs ~8 ns to read here against ~17 ns for clock_gettime, and a
 * round trip is timed with one read: the smaller the read, the less it adds.
 * Every figure and its limit are timed the same way, so the ratios are fair. */
void clock_init(void)
{
#if defined(__x86_64__)
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[4096];
    bool constant = false, nonstop = false;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "flags", 5) != 0) continue;
        constant = strstr(line, " constant_tsc") != NULL;
        nonstop = strstr(line, " nonstop_tsc") != NULL;
        break;
    }
    if (f) fclose(f);
    if (constant && nonstop) {
        uint64_t n0 = monotonic_ns(), t0 = __builtin_ia32_rdtsc();
        while (monotonic_ns() - n0 < 20000000u) {}
        uint64_t n1 = monotonic_ns(), t1 = __builtin_ia32_rdtsc();
        ns_per_tick = (double)(n1 - n0) / (double)(t1 - t0);
        use_tsc = true;
    }
#endif
}

uint64_t ticks_now(void)
{
#if defined(__x86_64__)
    if (use_tsc) return __builtin_ia32_rdtsc();
#endif
    return monotonic_ns();
}

double ticks_to_ns(uint64_t ticks) { return (double)ticks * ns_per_tick; }
const char *clock_source(void) { return use_tsc ? "tsc" : "clock_monotonic"; }

/* ---- histogram ---- */

void hist_reset(hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

static size_t bucket_of(uint64_t v)
{
    if (v < HIST_LINEAR) return (size_t)v;
    unsigned k = 63u - (unsigned)__builtin_clzll(v); /* >= 7 */
    size_t sub = (size_t)(v >> (k - HIST_SUB_BITS)) & ((1u << HIST_SUB_BITS) - 1u);
    size_t i = HIST_LINEAR + (size_t)(k - 7u) * (1u << HIST_SUB_BITS) + sub;
    return i < HIST_BUCKETS ? i : HIST_BUCKETS - 1;
}

/* Highest value that falls in bucket i. */
static double bucket_top(size_t i)
{
    if (i < HIST_LINEAR) return (double)i;
    size_t j = i - HIST_LINEAR;
    unsigned k = (unsigned)(j >> HIST_SUB_BITS) + 7u;
    uint64_t sub = j & ((1u << HIST_SUB_BITS) - 1u);
    uint64_t lo = (1ull << k) | (sub << (k - HIST_SUB_BITS));
    return (double)(lo + (1ull << (k - HIST_SUB_BITS)) - 1u);
}

void hist_record(hist *h, uint64_t v)
{
    h->buckets[bucket_of(v)]++;
    h->count++;
    h->sum += (double)v;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
}

double hist_percentile(const hist *h, double p)
{
    if (h->count == 0) return 0.0;
    uint64_t want = (uint64_t)ceil(p / 100.0 * (double)h->count);
    if (want < 1) want = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= want) {
            double top = bucket_top(i);
            return top < (double)h->max ? top : (double)h->max;
        }
    }
    return (double)h->max;
}

void hist_merge(hist *into, const hist *from)
{
    for (size_t i = 0; i < HIST_BUCKETS; i++) into->buckets[i] += from->buckets[i];
    into->count += from->count;
    into->sum += from->sum;
    if (from->min < into->min) into->min = from->min;
    if (from->max > into->max) into->max = from->max;
}

/* ---- peers ---- */

void *shared_alloc(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void shared_free(void *p, size_t size)
{
    if (p) munmap(p, size);
}

struct thread_start {
    int (*fn)(void *);
    void *arg;
    int result;
};

static void *thread_main(void *p)
{
    struct thread_start *s = p;
    s->result = s->fn(s->arg);
    return s;
}

bool peer_start(peer *p, bool process, int (*fn)(void *), void *arg, char *msg, size_t len)
{
    memset(p, 0, sizeof *p);
    p->process = process;
    if (process) {
        pid_t parent = getpid();
        fflush(NULL); /* no buffered output written twice */
        pid_t pid = fork();
        if (pid < 0) {
            snprintf(msg, len, "fork: %s", strerror(errno));
            return false;
        }
        if (pid == 0) {
            /* A child never outlives the benchmark, even if the parent is killed. */
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent) _exit(4);
            _exit(fn(arg) & 0x7f);
        }
        p->pid = pid;
    } else {
        struct thread_start *s = calloc(1, sizeof *s);
        if (s == NULL) {
            snprintf(msg, len, "out of memory");
            return false;
        }
        s->fn = fn;
        s->arg = arg;
        pthread_t t;
        int rc = pthread_create(&t, NULL, thread_main, s);
        if (rc != 0) {
            free(s);
            snprintf(msg, len, "pthread_create: %s", strerror(rc));
            return false;
        }
        p->thread = (unsigned long)t;
    }
    p->running = true;
    return true;
}

int peer_join(peer *p, double timeout_s, char *msg, size_t len)
{
    if (!p->running) return 0;
    p->running = false;
    if (!p->process) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t)ceil(timeout_s);
        void *ret = NULL;
        int rc = pthread_timedjoin_np((pthread_t)p->thread, &ret, &until);
        if (rc != 0) {
            /* A thread cannot be killed; it is told to stop through its ctl and
             * left detached. The run reports the case failed. */
            pthread_detach((pthread_t)p->thread);
            snprintf(msg, len, "peer thread did not finish in %.0f s", timeout_s);
            return -1;
        }
        struct thread_start *s = ret;
        int result = s->result;
        free(s);
        return result;
    }
    uint64_t deadline = monotonic_ns() + (uint64_t)(timeout_s * 1e9);
    int status = 0;
    for (;;) {
        pid_t r = waitpid(p->pid, &status, WNOHANG);
        if (r == p->pid) break;
        if (r < 0 && errno != EINTR) {
            snprintf(msg, len, "waitpid: %s", strerror(errno));
            return -1;
        }
        if (monotonic_ns() > deadline) {
            kill(p->pid, SIGKILL);
            while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {}
            snprintf(msg, len, "peer process %d did not finish in %.0f s (killed)", (int)p->pid, timeout_s);
            return -1;
        }
        usleep(1000);
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    snprintf(msg, len, "peer process %d died of signal %d", (int)p->pid, WTERMSIG(status));
    return -1;
}

void peer_fail(peer_ctl *ctl, const char *fmt, ...)
{
    if (atomic_load(&ctl->failed)) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctl->msg, sizeof ctl->msg, fmt, ap);
    va_end(ap);
    atomic_store(&ctl->failed, 1);
}

bool peer_place(peer_ctl *ctl, int cpu, const placement_case *pc, const char *what)
{
    char msg[160];
    ctl->cpu_used = place_thread(cpu, pc, msg, sizeof msg);
    if (ctl->cpu_used >= 0) return true;
    peer_fail(ctl, "%s: %s", what, msg);
    return false;
}

bool await_word(_Atomic uint32_t *word, uint32_t value, const peer_ctl *abort_on, double timeout_s)
{
    uint64_t deadline = monotonic_ns() + (uint64_t)(timeout_s * 1e9);
    for (unsigned spins = 0;; spins++) {
        if (atomic_load_explicit(word, memory_order_acquire) >= value) return true;
        if ((spins & 255u) == 255u) {
            if (abort_on && (atomic_load(&abort_on->failed) || atomic_load(&abort_on->stop))) return false;
            if (monotonic_ns() > deadline) return false;
            sched_yield(); /* setup handshakes only: leave the CPU to the peer */
        }
        cpu_relax();
    }
}
