/*
 * Runs the native iceoryx2 peer (native_peer.h) as a child process and reads
 * the one JSON line it prints. The peer pins its own two threads; this thread
 * (on CPU A) only waits for it, so it measures on a quiet pair of CPUs.
 */
#include "native_peer.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define PEER_TIMEOUT_NS 60000000000ull

static char peer_path[PATH_MAX];
static const char *peer_missing; /* NULL: found */

static void locate(void)
{
    static bool done;
    if (done) return;
    done = true;
    const char *env = getenv("SLOTKIT_IOX2_PEER");
    if (env && env[0]) {
        snprintf(peer_path, sizeof peer_path, "%s", env);
    } else {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        snprintf(peer_path, sizeof peer_path, "%.*s/slotkit-iox2-peer", PATH_MAX - 32, exe);
    }
    if (access(peer_path, X_OK) != 0)
        peer_missing = "not built (slotkit-iox2-peer is built with the iceoryx2 part: cargo, Rust 1.89+)";
}

bool native_peer_available(const char **why)
{
    locate();
    if (why) *why = peer_missing;
    return peer_missing == NULL;
}

const char *native_peer_version(void) { return native_peer_available(NULL) ? "iceoryx2 0.10.0" : "not built"; }

/* Reads the child's stdout until EOF or the deadline; false on timeout. */
static bool read_all(int fd, char *buf, size_t len, uint64_t deadline)
{
    size_t used = 0;
    for (;;) {
        uint64_t now = monotonic_ns();
        if (now > deadline) return false;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        ssize_t n = read(fd, buf + used, len - 1 - used);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || (used += (size_t)n) == len - 1) break;
    }
    buf[used] = '\0';
    return true;
}

/* Runs the peer with argv, its stdout into out; false + why. */
static bool run_peer(char *const argv[], char *out, size_t len, char *why, size_t why_len)
{
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(why, why_len, "pipe: %s", strerror(errno));
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        fprintf(stderr, "slotkit-bench: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    bool read_ok = pid > 0 && read_all(fds[0], out, len, monotonic_ns() + PEER_TIMEOUT_NS);
    close(fds[0]);
    int status = 0;
    if (pid > 0 && !read_ok) kill(pid, SIGKILL);
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (pid > 0 && read_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
    snprintf(why, why_len, "%s: %s", argv[0],
             pid < 0             ? "fork failed"
             : !read_ok          ? "no answer within 60 s (killed)"
             : WIFEXITED(status) ? "failed (its message is on stderr)"
                                 : "died of a signal");
    return false;
}

static double field(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v)) return NAN;
    return json_object_get_double(v);
}

/* Runs one measurement; fills *out from the peer's JSON. */
static bool measure(char *const argv[], native_peer_figure *out)
{
    *out = (native_peer_figure){NAN, NAN, NAN, NAN, -1, -1, ""};
    if (!native_peer_available(NULL)) {
        snprintf(out->why, sizeof out->why, "%s", peer_missing);
        return false;
    }
    char text[4096];
    if (!run_peer(argv, text, sizeof text, out->why, sizeof out->why)) return false;
    json_object *o = json_tokener_parse(text);
    if (o == NULL || !json_object_is_type(o, json_type_object)) {
        snprintf(out->why, sizeof out->why, "the peer's answer is not a JSON object");
        json_object_put(o);
        return false;
    }
    out->p50_ns = field(o, "p50_ns");
    out->mean_ns = field(o, "mean_ns");
    out->samples_per_s = field(o, "samples_per_s");
    out->bytes_per_s = field(o, "bytes_per_s");
    out->cpu_a = (int)field(o, "cpu_a");
    out->cpu_b = (int)field(o, "cpu_b");
    json_object_put(o);
    return true;
}

bool native_peer_latency(size_t size, int cpu_a, int cpu_b, int64_t round_trips, int64_t warmup,
                         native_peer_figure *out)
{
    locate();
    char s[32], cpus[32], n[32], w[32], tick[48];
    snprintf(s, sizeof s, "%zu", size < 16 ? 16 : size); /* the peer stamps 8 bytes at each end */
    snprintf(cpus, sizeof cpus, "%d,%d", cpu_a, cpu_b);
    snprintf(n, sizeof n, "%lld", (long long)round_trips);
    snprintf(w, sizeof w, "%lld", (long long)warmup);
    /* The same clock as the backend's figures: the TSC with this run's calibration. */
    snprintf(tick, sizeof tick, "%.9f", strcmp(clock_source(), "tsc") == 0 ? ticks_to_ns(1000000000u) / 1e9 : 0.0);
    char *const argv[] = {peer_path,  "latency", "--size",        s,    "--cpus", cpus, "--round-trips", n,
                          "--warmup", w,         "--ns-per-tick", tick, NULL};
    return measure(argv, out);
}

bool native_peer_throughput(size_t size, int cpu_a, int cpu_b, int64_t samples, int buffer, native_peer_figure *out)
{
    locate();
    char s[32], cpus[32], n[32], b[32];
    snprintf(s, sizeof s, "%zu", size < 16 ? 16 : size);
    snprintf(cpus, sizeof cpus, "%d,%d", cpu_a, cpu_b);
    snprintf(n, sizeof n, "%lld", (long long)samples);
    snprintf(b, sizeof b, "%d", buffer);
    char *const argv[] = {peer_path, "throughput", "--size", s, "--cpus", cpus, "--samples", n, "--buffer", b, NULL};
    return measure(argv, out);
}
