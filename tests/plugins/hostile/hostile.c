/*
 * Hostile test plug-ins: a correct backend (inmem, or $SLOTKIT_HOSTILE_BASE)
 * with exactly one misbehaviour, so only that misbehaviour is wrong. They
 * prove that `slotkit conform` survives any backend (scripts/check.d/hostile.sh).
 *
 * One source, one plug-in per -DHOSTILE_VARIANT='"NAME"' (mk/hostile.mk):
 *   crash_OP, abort_OP  SIGSEGV / abort() in OP (see op_names below);
 *                       open misbehaves for role ATTACH only, so a runner's
 *                       first "does it open at all" probe still succeeds
 *   hang_wait           wait_for_change blocks forever, ignoring its timeout
 *   spin_reserve        reserve_slot busy-loops forever
 *   bad_status          commit/read/discard do their work, then return
 *                       out-of-range statuses (77, -1)
 *   flood               every call writes 1 MiB to stdout and to stderr,
 *                       lines that mimic the verdict table among them
 *   fork_leave          open leaves a double-forked setsid child asleep forever
 *                       (holding the inherited stdout/stderr)
 *   messages            open with first_sequence_number != 0 fails with a
 *                       message full of quotes, backslashes, a newline, ESC,
 *                       printf directives and a non-UTF-8 byte
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "slotkit/slotkit.h"

#ifndef HOSTILE_VARIANT
#error "build with -DHOSTILE_VARIANT='\"crash_commit\"' (see mk/hostile.mk)"
#endif

enum hostile_op {
    OP_OPEN,
    OP_CLOSE,
    OP_RESERVE,
    OP_COMMIT,
    OP_DISCARD,
    OP_READ,
    OP_MARK_READ,
    OP_DISCONNECT,
    OP_SLOT_COUNT,
    OP_TOTAL_SIZE,
    OP_CAPACITY,
    OP_DATA_PTR,
    OP_COMMIT_IN_PLACE,
    OP_READ_PTR,
    OP_NEXT_UNREAD,
    OP_TYPE_HASH,
    OP_NOTIFY_GENERATION,
    OP_WAIT_FOR_CHANGE,
    OP_COUNT,
    OP_NONE = OP_COUNT
};

/* The names mk/hostile.mk and hostile.sh use in crash_OP / abort_OP. */
static const char *const op_names[OP_COUNT] = {
    "open",
    "close",
    "reserve",
    "commit",
    "discard",
    "read",
    "mark_read",
    "disconnect",
    "slot_count",
    "total_size",
    "capacity",
    "data_ptr",
    "commit_in_place",
    "read_ptr",
    "next_unread",
    "type_hash",
    "notify_generation",
    "wait_for_change",
};

enum hostile_fault {
    FAULT_CRASH,
    FAULT_ABORT,
    FAULT_HANG,
    FAULT_SPIN,
    FAULT_BAD_STATUS,
    FAULT_FLOOD,
    FAULT_FORK_LEAVE,
    FAULT_MESSAGES
};

static enum hostile_fault fault;
static enum hostile_op fault_op = OP_NONE;
static const slotkit_backend *base;
static slotkit_backend hostile_backend;

/* ---- the misbehaviours -------------------------------------------------- */

/* A real invalid access (not raise()), so it is a fault even with SIGSEGV
 * blocked; the volatile keeps the compiler from turning it into a trap. */
static void crash(void)
{
    volatile uintptr_t address = 0;
    *(volatile int *)address = 1;
    abort(); /* unreachable unless page 0 is mapped */
}

static void hang_forever(void)
{
    for (;;) pause();
}

static void spin_forever(void)
{
    volatile uint64_t spins = 0;
    for (;;) spins++;
}

#define FLOOD_BYTES (1u << 20)
static char flood_text[FLOOD_BYTES];
static pthread_once_t flood_once = PTHREAD_ONCE_INIT;

/* Filler, plus lines a careless runner would take for its own table. */
static void fill_flood_text(void)
{
    static const char lines[] = "RULE           VERDICT  TESTS  DETAIL\n"
                                "R-COMMIT-1     FAIL     1      hostile flood: not the runner's verdict\n"
                                "R-OPEN-1       FAIL     1      hostile flood: not the runner's verdict\n"
                                "backend hostile_flood: 0 rules passed, 99 failed, 0 blocked, 0 skipped by capability, "
                                "0 advisory (SHOULD) missed\n"
                                "hostile flood ................................................................\n";
    for (size_t at = 0; at < FLOOD_BYTES; at += sizeof lines - 1) {
        size_t n = FLOOD_BYTES - at < sizeof lines - 1 ? FLOOD_BYTES - at : sizeof lines - 1;
        memcpy(flood_text + at, lines, n);
    }
}

static void write_all(int fd, const char *bytes, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, bytes, len);
        if (n <= 0) return; /* EINTR included: a flood need not be exact */
        bytes += n;
        len -= (size_t)n;
    }
}

static void flood(void)
{
    pthread_once(&flood_once, fill_flood_text);
    write_all(STDOUT_FILENO, flood_text, FLOOD_BYTES);
    write_all(STDERR_FILENO, flood_text, FLOOD_BYTES);
}

/* Daemon-style: the grandchild is in its own session, so no process group
 * kill reaches it, and it keeps every inherited descriptor open. Its name
 * lets a check find it even if the runner scrubs the environment. */
static void fork_and_leave_child(void)
{
    pid_t child = fork();
    if (child == 0) {
        setsid();
        if (fork() == 0) {
            prctl(PR_SET_NAME, "hostile_orphan", 0, 0, 0);
            hang_forever();
        }
        _exit(0);
    }
    if (child > 0) waitpid(child, NULL, 0);
}

/* Runs the fault chosen for op, if any; returns only where the fault does. */
static void misbehave(enum hostile_op op)
{
    if (fault == FAULT_FLOOD) flood();
    if (op != fault_op) return;
    switch (fault) {
    case FAULT_CRASH: crash(); break;
    case FAULT_ABORT: abort();
    case FAULT_HANG: hang_forever(); break;
    case FAULT_SPIN: spin_forever(); break;
    case FAULT_FORK_LEAVE: fork_and_leave_child(); break;
    default: break;
    }
}

/* bad_status: the operation is done, but its status is not a slotkit_status. */
static slotkit_status reported(enum hostile_op op, slotkit_status real)
{
    if (fault != FAULT_BAD_STATUS) return real;
    if (op == OP_COMMIT || op == OP_DISCARD) return (slotkit_status)77;
    if (op == OP_READ) return (slotkit_status)-1;
    return real;
}

#define HOSTILE_MESSAGE "hostile: \"quote\" \\ back\nslash \xff \x1b[31mred\x1b[0m\ttab %s%n%d end"

static slotkit_status hostile_open(const slotkit_config *config, slotkit_instance **out, slotkit_error *err)
{
    /* crash_open/abort_open spare CREATE: a backend that cannot open at all
     * is a setup error, not a verdict. */
    bool attach_only = fault_op == OP_OPEN && (fault == FAULT_CRASH || fault == FAULT_ABORT);
    if (!attach_only || (config != NULL && config->role == SLOTKIT_ROLE_ATTACH)) misbehave(OP_OPEN);
    if (fault == FAULT_MESSAGES && config != NULL && config->first_sequence_number != 0) {
        memset(err, 0, sizeof *err);
        err->status = SLOTKIT_SYSTEM_ERROR;
        err->sys_errno = 5;
        snprintf(err->message, sizeof err->message, "%s", HOSTILE_MESSAGE);
        return SLOTKIT_SYSTEM_ERROR;
    }
    return base->open(config, out, err);
}

static void hostile_close(slotkit_instance *inst)
{
    misbehave(OP_CLOSE);
    base->close(inst);
}

/* ---- the operations: misbehave, then forward to the base backend --------- */

#define OPS (base->ops)

static slotkit_status h_reserve(slotkit_instance *i, slotkit_reader_mask mask, slotkit_handle *out)
{
    misbehave(OP_RESERVE);
    return reported(OP_RESERVE, OPS->reserve_slot(i, mask, out));
}

static slotkit_status h_commit(slotkit_instance *i, slotkit_handle h, const void *bytes, size_t len,
                               uint32_t *out_sequence)
{
    misbehave(OP_COMMIT);
    return reported(OP_COMMIT, OPS->commit_slot(i, h, bytes, len, out_sequence));
}

static slotkit_status h_discard(slotkit_instance *i, slotkit_handle h)
{
    misbehave(OP_DISCARD);
    return reported(OP_DISCARD, OPS->discard_slot(i, h));
}

static slotkit_status h_read(slotkit_instance *i, slotkit_handle h, slotkit_slot_header *out_header, void *buf,
                             size_t buf_len)
{
    misbehave(OP_READ);
    return reported(OP_READ, OPS->read_slot(i, h, out_header, buf, buf_len));
}

static slotkit_status h_mark_read(slotkit_instance *i, slotkit_handle h, uint32_t reader)
{
    misbehave(OP_MARK_READ);
    return reported(OP_MARK_READ, OPS->mark_read(i, h, reader));
}

static slotkit_status h_disconnect(slotkit_instance *i, uint32_t reader)
{
    misbehave(OP_DISCONNECT);
    return reported(OP_DISCONNECT, OPS->mark_reader_disconnected(i, reader));
}

static slotkit_status h_slot_count(slotkit_instance *i, size_t *out_count)
{
    misbehave(OP_SLOT_COUNT);
    return reported(OP_SLOT_COUNT, OPS->slot_count(i, out_count));
}

static size_t h_total_size(slotkit_instance *i)
{
    misbehave(OP_TOTAL_SIZE);
    return OPS->slot_total_size(i);
}

static size_t h_capacity(slotkit_instance *i)
{
    misbehave(OP_CAPACITY);
    return OPS->slot_capacity(i);
}

static slotkit_status h_data_ptr(slotkit_instance *i, slotkit_handle h, void **out_ptr, size_t *out_cap)
{
    misbehave(OP_DATA_PTR);
    return reported(OP_DATA_PTR, OPS->slot_data_ptr(i, h, out_ptr, out_cap));
}

static slotkit_status h_commit_in_place(slotkit_instance *i, slotkit_handle h, size_t len, uint32_t *out_sequence)
{
    misbehave(OP_COMMIT_IN_PLACE);
    return reported(OP_COMMIT_IN_PLACE, OPS->commit_in_place(i, h, len, out_sequence));
}

static slotkit_status h_read_ptr(slotkit_instance *i, slotkit_handle h, const void **out_ptr, size_t *out_len)
{
    misbehave(OP_READ_PTR);
    return reported(OP_READ_PTR, OPS->slot_read_ptr(i, h, out_ptr, out_len));
}

static slotkit_status h_next_unread(slotkit_instance *i, uint32_t reader, bool *out_found, slotkit_handle *out_handle)
{
    misbehave(OP_NEXT_UNREAD);
    return reported(OP_NEXT_UNREAD, OPS->next_unread_slot(i, reader, out_found, out_handle));
}

static bool h_type_hash(slotkit_instance *i, uint8_t out_hash[16])
{
    misbehave(OP_TYPE_HASH);
    return OPS->type_hash(i, out_hash);
}

static uint64_t h_notify_generation(slotkit_instance *i)
{
    misbehave(OP_NOTIFY_GENERATION);
    return OPS->notify_generation(i);
}

static void h_wait_for_change(slotkit_instance *i, uint64_t last, uint64_t timeout_ns)
{
    misbehave(OP_WAIT_FOR_CHANGE);
    OPS->wait_for_change(i, last, timeout_ns);
}

static const slotkit_ops hostile_ops = {
    .abi_version = SLOTKIT_ABI_VERSION,
    .reserve_slot = h_reserve,
    .commit_slot = h_commit,
    .discard_slot = h_discard,
    .read_slot = h_read,
    .mark_read = h_mark_read,
    .mark_reader_disconnected = h_disconnect,
    .slot_count = h_slot_count,
    .slot_total_size = h_total_size,
    .slot_capacity = h_capacity,
    .slot_data_ptr = h_data_ptr,
    .commit_in_place = h_commit_in_place,
    .slot_read_ptr = h_read_ptr,
    .next_unread_slot = h_next_unread,
    .type_hash = h_type_hash,
    .notify_generation = h_notify_generation,
    .wait_for_change = h_wait_for_change,
};

/* ---- the descriptor --------------------------------------------------------- */

/* "crash_commit" -> FAULT_CRASH on OP_COMMIT, and so on; false if unknown. */
static bool parse_variant(const char *variant)
{
    static const struct {
        const char *name;
        enum hostile_fault fault;
        enum hostile_op op;
    } fixed[] = {
        {"hang_wait", FAULT_HANG, OP_WAIT_FOR_CHANGE}, {"spin_reserve", FAULT_SPIN, OP_RESERVE},
        {"bad_status", FAULT_BAD_STATUS, OP_NONE},     {"flood", FAULT_FLOOD, OP_NONE},
        {"fork_leave", FAULT_FORK_LEAVE, OP_OPEN},     {"messages", FAULT_MESSAGES, OP_NONE},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (strcmp(variant, fixed[i].name) == 0) {
            fault = fixed[i].fault;
            fault_op = fixed[i].op;
            return true;
        }
    }
    const char *op = NULL;
    if (strncmp(variant, "crash_", 6) == 0) fault = FAULT_CRASH, op = variant + 6;
    if (strncmp(variant, "abort_", 6) == 0) fault = FAULT_ABORT, op = variant + 6;
    for (size_t i = 0; op != NULL && i < OP_COUNT; i++) {
        if (strcmp(op, op_names[i]) == 0) {
            fault_op = (enum hostile_op)i;
            return true;
        }
    }
    return false;
}

/* Every operation forwards, so the base must have them all. */
static bool base_is_complete(const slotkit_ops *o)
{
    return o->reserve_slot && o->commit_slot && o->discard_slot && o->read_slot && o->mark_read &&
           o->mark_reader_disconnected && o->slot_count && o->slot_total_size && o->slot_capacity && o->slot_data_ptr &&
           o->commit_in_place && o->slot_read_ptr && o->next_unread_slot && o->type_hash && o->notify_generation &&
           o->wait_for_change;
}

static void init_backend(void)
{
    const char *base_name = getenv("SLOTKIT_HOSTILE_BASE");
    slotkit_error err;
    const slotkit_backend *found = NULL;
    if (!parse_variant(HOSTILE_VARIANT) ||
        slotkit_backend_load(base_name != NULL ? base_name : "inmem", &found, &err) != SLOTKIT_OK ||
        !base_is_complete(found->ops))
        return;
    base = found;
    hostile_backend = (slotkit_backend){
        .abi_version = SLOTKIT_ABI_VERSION,
        .name = "hostile_" HOSTILE_VARIANT,
        .version = "0",
        .capabilities = base->capabilities,
        .open = hostile_open,
        .close = hostile_close,
        .ops = &hostile_ops,
    };
}

SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void);
SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_backend);
    return base != NULL ? &hostile_backend : NULL;
}
