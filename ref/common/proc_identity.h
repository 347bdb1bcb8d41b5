/*
 * Process identities for shared-memory crash recovery.
 *
 * A pid alone cannot tell "the process that took this loan" from "a new
 * process that was given the same pid later", so an identity pairs the pid
 * with the process start time (field 22 of /proc/<pid>/stat, clock ticks
 * since boot). Both fit in one 64-bit word, so a lock word or a per-slot
 * record can name its holder with a single atomic store:
 *     bits 32..63  pid
 *     bits  0..31  low 32 bits of the start time (0 = unknown)
 *
 * The calling process's own identity is cached, so the hot paths of the
 * slot table read it without a system call (R-POSIX-5). A fork handler
 * refreshes the cache in the child; a child made by raw clone()/vfork()
 * without the handler would keep its parent's identity.
 */
#ifndef SLOTKIT_REF_PROC_IDENTITY_H
#define SLOTKIT_REF_PROC_IDENTITY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The cached identity (0 until the first call) and its slow path. */
extern _Atomic uint64_t proc_identity_cached;
uint64_t proc_identity_first(void);

/* This process's identity; never 0. A plain atomic load after the first
 * call, inline: the hot paths of a shared slot table ask for it. */
static inline uint64_t proc_identity_self(void)
{
    const uint64_t id = atomic_load_explicit(&proc_identity_cached, memory_order_relaxed);
    return id != 0 ? id : proc_identity_first();
}

static inline pid_t proc_identity_pid(uint64_t id) { return (pid_t)(id >> 32); }

/*
 * Reads field 22 (start time) of /proc/<pid>/stat. Returns false when the
 * process does not exist (or /proc cannot be read). *out_exited (may be
 * NULL) is set when the process has exited but is not reaped yet (zombie).
 */
bool proc_start_token(pid_t pid, uint64_t *out_token, bool *out_exited);

/*
 * The process recorded as (pid, token) is gone: no such pid, an exited
 * (zombie) process, or a process whose start time differs (pid reused).
 * Only the bits of token_mask are compared; a token of 0 is not compared.
 * Unknown answers (EPERM, unreadable /proc) count as alive: recovery must
 * never take something from a live process. Costs a kill(2) and a read of
 * /proc, so it is for slow paths only. Preserves errno.
 */
bool proc_is_dead(pid_t pid, uint64_t token, uint64_t token_mask);

/* proc_is_dead for a packed identity; an identity of 0 is never dead. */
bool proc_identity_is_dead(uint64_t id);

/*
 * A 48-bit form, to share a 64-bit word with 16 bits of other data:
 * 22 bits of pid (Linux pids stay below 2^22) and the low 26 bits of the
 * start time. Never 0 for a real process.
 */
#define PROC_IDENTITY48_MASK ((1ull << 48) - 1u)
#define PROC_IDENTITY48_TOKEN_BITS 26

static inline uint64_t proc_identity_pack48(uint64_t id)
{
    const uint64_t pid = (id >> 32) & ((1ull << 22) - 1u);
    const uint64_t token = id & ((1ull << PROC_IDENTITY48_TOKEN_BITS) - 1u);
    return (pid << PROC_IDENTITY48_TOKEN_BITS) | token;
}

/* proc_is_dead for a 48-bit identity; 0 is never dead. */
bool proc_identity48_is_dead(uint64_t id48);

#ifdef __cplusplus
}
#endif

#endif /* SLOTKIT_REF_PROC_IDENTITY_H */
