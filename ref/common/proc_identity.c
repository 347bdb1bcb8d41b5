/* Process identities: see proc_identity.h. */
#include "common/proc_identity.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

/*
 * Parses /proc/<pid>/stat with open/read only (no stdio), so it is safe in a
 * fork handler. The command name (field 2) may contain spaces and ')', so
 * the fields are counted from the last ')'.
 */
bool proc_start_token(pid_t pid, uint64_t *out_token, bool *out_exited)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[1024];
    ssize_t got = 0;
    for (;;) {
        ssize_t n = read(fd, buf + got, sizeof buf - 1 - (size_t)got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += n;
        if ((size_t)got == sizeof buf - 1) break;
    }
    close(fd);
    if (got <= 0) return false;
    buf[got] = '\0';

    const char *close_paren = NULL;
    for (const char *p = buf; *p; p++)
        if (*p == ')') close_paren = p;
    if (!close_paren || close_paren[1] != ' ') return false;

    /* After ") ": field 3 (state) is token 0, field 22 (starttime) token 19. */
    const char *p = close_paren + 2;
    char state = *p;
    for (int field = 0; field < 19; field++) {
        while (*p && *p != ' ') p++;
        if (*p != ' ') return false;
        p++;
    }
    uint64_t token = 0;
    if (*p < '0' || *p > '9') return false;
    for (; *p >= '0' && *p <= '9'; p++) token = token * 10u + (uint64_t)(*p - '0');

    if (out_token) *out_token = token;
    if (out_exited) *out_exited = (state == 'Z' || state == 'X' || state == 'x');
    return true;
}

bool proc_is_dead(pid_t pid, uint64_t token, uint64_t token_mask)
{
    if (pid <= 0) return false; /* no record, not a dead process */
    const int saved = errno;
    bool dead = false;
    if (kill(pid, 0) != 0 && errno == ESRCH) {
        dead = true;
    } else {
        uint64_t now = 0;
        bool exited = false;
        errno = 0;
        if (proc_start_token(pid, &now, &exited)) {
            dead = exited || ((token & token_mask) != 0 && (now & token_mask) != (token & token_mask));
        } else if (errno == ENOENT) {
            dead = true; /* exited between kill() and open() */
        }
    }
    errno = saved;
    return dead;
}

bool proc_identity_is_dead(uint64_t id)
{
    if (id == 0) return false;
    return proc_is_dead(proc_identity_pid(id), id & 0xFFFFFFFFu, 0xFFFFFFFFu);
}

bool proc_identity48_is_dead(uint64_t id48)
{
    if (id48 == 0) return false;
    const uint64_t token_mask = (1ull << PROC_IDENTITY48_TOKEN_BITS) - 1u;
    return proc_is_dead((pid_t)(id48 >> PROC_IDENTITY48_TOKEN_BITS), id48 & token_mask, token_mask);
}

/* ---- the cached identity of this process ------------------------------ */

_Atomic uint64_t proc_identity_cached;

static uint64_t compute_identity(void)
{
    pid_t pid = getpid();
    uint64_t token = 0;
    (void)proc_start_token(pid, &token, NULL); /* unknown token stays 0 */
    return ((uint64_t)(uint32_t)pid << 32) | (token & 0xFFFFFFFFu);
}

/* In the child of fork(): the cached identity is the parent's. */
static void refresh_after_fork(void)
{
    const int saved = errno;
    atomic_store_explicit(&proc_identity_cached, compute_identity(), memory_order_relaxed);
    errno = saved;
}

static pthread_once_t identity_once = PTHREAD_ONCE_INIT;

static void init_identity(void)
{
    (void)pthread_atfork(NULL, NULL, refresh_after_fork);
    atomic_store_explicit(&proc_identity_cached, compute_identity(), memory_order_relaxed);
}

uint64_t proc_identity_first(void)
{
    const int saved = errno;
    pthread_once(&identity_once, init_identity);
    errno = saved;
    return atomic_load_explicit(&proc_identity_cached, memory_order_relaxed);
}
