/*
 * R-POSIX-9 and R-POSIX-10 (docs/SPEC.md): nothing the POSIX backend reads
 * from shared memory after attach is trusted as a size, index or wait.
 *
 * Each test forges words of a live pool's segment the way a corrupt or
 * hostile peer could (ref/common/slot_table_layout.h gives the layout), then
 * calls the public API and expects a status, in time, with a reason in
 * slotkit_last_error(). A crash or an access outside the mapping fails the
 * test (the asan build runs these too), and so does a hang (each test has a
 * timeout well above the backend's 1 s limit on waiting for a peer).
 *
 * A peer "stuck holding" something is a forked child stopped with SIGSTOP
 * whose identity the test writes into the word: the backend cannot tell it
 * from a peer stopped at that very instruction, and needs no test hook.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

#include "common/proc_identity.h"
#include "common/shm_segment.h"
#include "common/slot_table_layout.h"
#include "posix/posix.h"
#include "posix/segment.h"
#include "slotkit/slotkit.h"

/* ---- fixture: names and pools are tests/posix/fixture's; the stopped
 * children are this file's, killed in .fini before the pools close ---- */

#define MAX_CHILDREN 8
static pid_t children[MAX_CHILDREN];

static void shm_values_fini(void)
{
    for (size_t i = 0; i < MAX_CHILDREN; i++) {
        if (children[i] > 0) {
            kill(children[i], SIGKILL);
            waitpid(children[i], NULL, 0);
            children[i] = 0;
        }
    }
    fixture_fini();
}

/* Longest a call may take when it gives up on a peer: the backend's 1 s
 * limit, plus slack for a loaded machine and the asan build. */
#define GIVE_UP_MS 4000u

TestSuite(shm_values, .fini = shm_values_fini, .timeout = 30.0);

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A second, independent mapping of the pool's segment: the forger's. */
struct forger {
    unsigned char *base;
    size_t size;
    struct shm_segment_header *header;
    struct slot_table *table;
};

static struct forger map_forger(const char *name)
{
    size_t size = 0;
    unsigned char *base = map_segment(name, &size);
    struct forger f = {base, size, (struct shm_segment_header *)base, (struct slot_table *)(base + POSIX_TABLE_OFFSET)};
    return f;
}

static struct slot_control *control(const struct forger *f, uint32_t index)
{
    return (struct slot_control *)((unsigned char *)f->table + HEADER_BYTES + (size_t)index * CONTROL_STRIDE);
}

static _Atomic uint64_t *holder(const struct forger *f, uint32_t index)
{
    const size_t holders = HEADER_BYTES + (size_t)f->table->slot_count * CONTROL_STRIDE;
    return &((struct slot_holder *)((unsigned char *)f->table + holders + (size_t)index * HOLDER_STRIDE))->record;
}

/* The call failed with `want`, and the library's detail says why. */
static void expect_status(slotkit_status st, slotkit_status want, const char *what, const char *word)
{
    cr_assert_eq(st, want, "%s returned %s, expected %s", what, slotkit_strerror(st), slotkit_strerror(want));
    const slotkit_error *e = slotkit_last_error();
    cr_assert_eq(e->status, want, "%s: last error has status %d", what, (int)e->status);
    cr_assert(strstr(e->message, word), "%s: the message lacks '%s': %s", what, word, e->message);
}

/* A child that lives, stopped, until the test kills it (or dies with it). */
static pid_t stopped_child(uint64_t *out_identity)
{
    pid_t parent = getpid();
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(0);
        for (;;) pause();
    }
    for (size_t i = 0; i < MAX_CHILDREN; i++) {
        if (children[i] == 0) {
            children[i] = child;
            break;
        }
    }
    cr_assert_eq(kill(child, SIGSTOP), 0);
    int status = 0;
    cr_assert_eq(waitpid(child, &status, WUNTRACED), child);
    cr_assert(WIFSTOPPED(status), "child did not stop");
    uint64_t token = 0;
    cr_assert(proc_start_token(child, &token, NULL), "no /proc/%d/stat", (int)child);
    *out_identity = ((uint64_t)(uint32_t)child << 32) | (token & 0xFFFFFFFFu);
    return child;
}

static void commit_text(slotkit_pool *pool, const char *text, slotkit_handle *out_handle, uint32_t *out_sn)
{
    cr_assert_eq(slotkit_reserve(pool, 0, out_handle), SLOTKIT_OK);
    cr_assert_eq(slotkit_commit(pool, *out_handle, text, strlen(text), out_sn), SLOTKIT_OK);
}

/* ---- R-POSIX-9: sizes, indices and geometry ------------------------------ */

Test(shm_values, r_posix_9__size_word,
     .description = "R-POSIX-9: a forged size word is never a length (read_slot, slot_read_ptr)")
{
    const char *name = fresh_name("size");
    slotkit_pool *creator = must_open(name, SLOTKIT_ROLE_CREATE, 2, 64);
    slotkit_pool *reader = must_open(name, SLOTKIT_ROLE_ATTACH, 0, 0);
    slotkit_handle h;
    uint32_t sn;
    commit_text(creator, "hello", &h, &sn);
    struct forger f = map_forger(name);
    struct slot_control *c = control(&f, h.slot_index);

    /* 200,000 bytes would be a copy far out of this ~1 KiB segment. */
    static char buf[1 << 18];
    const uint32_t forged[] = {200000u, UINT32_MAX, 65u};
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        atomic_store(&c->size, forged[i]);
        slotkit_slot_header header;
        memset(&header, 0xAB, sizeof header);
        expect_status(slotkit_read(reader, h, &header, buf, sizeof buf), SLOTKIT_LOCK_POISONED, "read_slot",
                      "size word");
        cr_assert_eq(header.sample_size, 0, "read_slot reported size %u", header.sample_size);
        const void *ptr = NULL;
        size_t len = 12345;
        expect_status(slotkit_slot_read_ptr(reader, h, &ptr, &len), SLOTKIT_LOCK_POISONED, "slot_read_ptr",
                      "size word");
        cr_assert_eq(len, 12345, "slot_read_ptr handed out a length");
    }
    /* Exactly the capacity is a legitimate size. */
    atomic_store(&c->size, 64u);
    slotkit_slot_header header;
    cr_assert_eq(slotkit_read(reader, h, &header, buf, sizeof buf), SLOTKIT_OK);
    cr_assert_eq(header.sample_size, 64);
    /* Restored, the sample reads back, and the pin taken above was released. */
    atomic_store(&c->size, 5u);
    cr_assert_eq(slotkit_read(reader, h, &header, buf, sizeof buf), SLOTKIT_OK);
    cr_assert_eq(memcmp(buf, "hello", 5), 0);
    cr_assert_eq(atomic_load(&c->state) >> ST_PINS_SHIFT & ST_PINS_MAX, 0, "a pin was left");
    munmap(f.base, f.size);
}

/* [ptr, ptr + len) lies inside one mapping of the pool's segment in this
 * process (every process maps the segment at its own address). */
static bool inside_segment(const void *ptr, size_t len, const char *name)
{
    char path[POSIX_SHM_NAME_SIZE + 16];
    snprintf(path, sizeof path, "/dev/shm/slotkit-%s", name);
    FILE *maps = fopen("/proc/self/maps", "r");
    cr_assert_not_null(maps);
    char line[1024];
    bool inside = false;
    while (!inside && fgets(line, sizeof line, maps)) {
        unsigned long start = 0, end = 0;
        const char *where = strchr(line, '/');
        if (sscanf(line, "%lx-%lx", &start, &end) == 2 && where && strncmp(where, path, strlen(path)) == 0 &&
            where[strlen(path)] == '\n')
            inside = (uintptr_t)ptr >= start && (uintptr_t)ptr + len <= end;
    }
    fclose(maps);
    return inside;
}

/* Every operation, through an attacher whose segment's geometry was forged
 * after it attached: it must go on using the geometry it validated. */
static void use_every_operation(slotkit_pool *pool, size_t slots, size_t cap, const char *name)
{
    size_t count = 0;
    cr_assert_eq(slotkit_slot_count(pool, &count), SLOTKIT_OK);
    cr_assert_eq(count, slots);
    cr_assert_eq(slotkit_slot_capacity(pool), cap);
    cr_assert_eq(slotkit_slot_total_size(pool), SLOTKIT_SLOT_TOTAL_SIZE(cap));

    slotkit_handle loans[8];
    for (size_t i = 0; i < slots; i++) {
        cr_assert_eq(slotkit_reserve(pool, 1u, &loans[i]), SLOTKIT_OK, "reserve %zu", i);
        cr_assert_lt(loans[i].slot_index, slots);
        void *ptr = NULL;
        size_t capacity = 0;
        cr_assert_eq(slotkit_slot_data_ptr(pool, loans[i], &ptr, &capacity), SLOTKIT_OK);
        cr_assert_eq(capacity, cap);
        cr_assert(inside_segment(ptr, capacity, name), "slot_data_ptr %p is outside the segment", ptr);
        memset(ptr, 'x', capacity);
    }
    slotkit_handle extra;
    cr_assert_eq(slotkit_reserve(pool, 0, &extra), SLOTKIT_NO_FREE_SLOT);
    static char payload[4096];
    uint32_t sn;
    cr_assert_eq(slotkit_commit(pool, loans[0], payload, cap + 1, &sn), SLOTKIT_SAMPLE_TOO_LARGE);
    cr_assert_eq(slotkit_commit(pool, loans[0], payload, cap, &sn), SLOTKIT_OK);
    cr_assert_eq(slotkit_commit_in_place(pool, loans[1], cap, &sn), SLOTKIT_OK);
    for (size_t i = 2; i < slots; i++) cr_assert_eq(slotkit_discard(pool, loans[i]), SLOTKIT_OK);

    slotkit_handle past_end = {loans[0].segment_id, (uint32_t)slots};
    slotkit_slot_header header;
    cr_assert_eq(slotkit_read(pool, past_end, &header, payload, sizeof payload), SLOTKIT_OUT_OF_BOUNDS);
    bool found = false;
    slotkit_handle next;
    cr_assert_eq(slotkit_next_unread(pool, 0, &found, &next), SLOTKIT_OK);
    cr_assert(found);
    cr_assert_eq(slotkit_read(pool, next, &header, payload, sizeof payload), SLOTKIT_OK);
    cr_assert_eq(header.sample_size, cap);
    const void *rptr = NULL;
    size_t len = 0;
    cr_assert_eq(slotkit_slot_read_ptr(pool, next, &rptr, &len), SLOTKIT_OK);
    cr_assert(inside_segment(rptr, len, name), "slot_read_ptr %p is outside the segment", rptr);
    cr_assert_eq(slotkit_mark_read(pool, next, 0), SLOTKIT_OK);
    cr_assert_eq(slotkit_mark_reader_disconnected(pool, 0), SLOTKIT_OK);
    cr_assert_eq(slotkit_reserve(pool, 0, &extra), SLOTKIT_OK);
    cr_assert_eq(slotkit_discard(pool, extra), SLOTKIT_OK);
}

Test(shm_values, r_posix_9__geometry_after_attach,
     .description = "R-POSIX-9: geometry forged after attach changes nothing for the attacher")
{
    enum { SLOTS = 4, CAP = 100 };
    const char *name = fresh_name("geom");
    must_open(name, SLOTKIT_ROLE_CREATE, SLOTS, CAP);
    slotkit_pool *attacher = must_open(name, SLOTKIT_ROLE_ATTACH, 0, 0);
    struct forger f = map_forger(name);

    /* The table header's geometry and the segment header's, all at once. */
    f.table->slot_count = 1000000u;
    f.table->capacity = UINT32_MAX;
    f.table->stride = UINT64_MAX / 2u;
    f.table->control_offset = 1u << 30;
    f.table->payload_offset = UINT64_MAX - 63u;
    f.table->total_bytes = 64;
    f.table->segment_id ^= 0x5555u;
    f.table->process_shared = 0;
    f.header->slot_count = 1000000u;
    f.header->slot_capacity = UINT64_MAX;
    f.header->slot_stride = 64;
    use_every_operation(attacher, SLOTS, CAP, name);

    /* A new attacher refuses the forged segment. */
    slotkit_config config;
    memset(&config, 0, sizeof config);
    config.name = name;
    config.role = SLOTKIT_ROLE_ATTACH;
    slotkit_pool *late = NULL;
    slotkit_error err;
    slotkit_status st = slotkit_pool_open(slotkit_posix_backend(), &config, &late, &err);
    cr_assert_eq(st, SLOTKIT_INCOMPATIBLE, "attach to a forged segment returned %s (%s)", slotkit_strerror(st),
                 err.message);
    munmap(f.base, f.size);
}

Test(shm_values, r_posix_9__garbage_control_lines,
     .description = "R-POSIX-9: control lines of all-ones bytes give statuses, no crash, no hang")
{
    enum { SLOTS = 3, CAP = 48 };
    const char *name = fresh_name("ones");
    must_open(name, SLOTKIT_ROLE_CREATE, SLOTS, CAP);
    slotkit_pool *pool = must_open(name, SLOTKIT_ROLE_ATTACH, 0, 0);
    struct forger f = map_forger(name);
    /* COMMITTED, every reader pending, 65535 pins, the highest tag; sequence,
     * size, wait set and holder all ones; the cursor and lock fields too. */
    for (uint32_t i = 0; i < SLOTS; i++) {
        memset(control(&f, i), 0xFF, sizeof(struct slot_control));
        atomic_store(holder(&f, i), UINT64_MAX);
    }
    atomic_store(&f.table->reserve_cursor, UINT32_MAX);
    atomic_store(&f.table->publish_slot, UINT32_MAX - 1u);

    const uint64_t start = now_ms();
    static char buf[1 << 16];
    slotkit_slot_header header;
    slotkit_handle h = {.segment_id = f.header->segment_id, .slot_index = 1};
    slotkit_status st = slotkit_read(pool, h, &header, buf, sizeof buf);
    cr_assert_eq(st, SLOTKIT_LOCK_POISONED, "read_slot returned %s", slotkit_strerror(st));
    const void *ptr = NULL;
    size_t len = 0;
    expect_status(slotkit_slot_read_ptr(pool, h, &ptr, &len), SLOTKIT_LOCK_POISONED, "slot_read_ptr", "size word");
    bool found = false;
    slotkit_handle next;
    cr_assert_eq(slotkit_next_unread(pool, 5, &found, &next), SLOTKIT_OK);
    cr_assert(!found || next.slot_index < SLOTS);
    cr_assert_eq(slotkit_mark_read(pool, h, 3), SLOTKIT_OK);
    uint32_t sn;
    cr_assert_eq(slotkit_commit(pool, h, "x", 1, &sn), SLOTKIT_OUT_OF_BOUNDS);
    cr_assert_eq(slotkit_discard(pool, h), SLOTKIT_OUT_OF_BOUNDS);
    slotkit_handle loan;
    cr_assert_eq(slotkit_reserve(pool, 0, &loan), SLOTKIT_NO_FREE_SLOT); /* all pending */
    for (uint32_t r = 0; r < SLOTKIT_MAX_READERS; r++)
        cr_assert_eq(slotkit_mark_reader_disconnected(pool, r), SLOTKIT_OK);
    /* Now recyclable but "pinned": reserve drops the forged pins after its
     * pin wait, and the pool works again. */
    for (uint32_t i = 0; i < SLOTS; i++) {
        cr_assert_eq(slotkit_reserve(pool, 0, &loan), SLOTKIT_OK, "reserve %u", i);
        cr_assert_lt(loan.slot_index, SLOTS);
        cr_assert_eq(slotkit_commit(pool, loan, "ok", 2, &sn), SLOTKIT_OK);
    }
    cr_assert_lt(now_ms() - start, (uint64_t)GIVE_UP_MS * 3u, "the calls took %llu ms",
                 (unsigned long long)(now_ms() - start));
    munmap(f.base, f.size);
}

/* ---- R-POSIX-10: no unbounded wait on another process ---------------------- */

/* A commit while the publish lock word reads `owner`: LOCK_POISONED in time,
 * naming `word`; the loan stays live, and no SN is consumed. */
static void expect_commit_gives_up(slotkit_pool *pool, struct forger *f, uint64_t owner, const char *word,
                                   uint32_t next_sn)
{
    slotkit_handle h;
    cr_assert_eq(slotkit_reserve(pool, 0, &h), SLOTKIT_OK);
    atomic_store(&f->table->publish_owner, owner);
    uint64_t start = now_ms();
    uint32_t sn = 0;
    expect_status(slotkit_commit(pool, h, "abc", 3, &sn), SLOTKIT_LOCK_POISONED, "commit", word);
    uint64_t took = now_ms() - start;
    cr_assert_lt(took, GIVE_UP_MS, "commit gave up after %llu ms", (unsigned long long)took);
    cr_assert_geq(took, 900u, "commit gave up after only %llu ms", (unsigned long long)took);
    /* Committing in place gives up the same way. */
    expect_status(slotkit_commit_in_place(pool, h, 3, &sn), SLOTKIT_LOCK_POISONED, "commit_in_place", word);
    /* The owner lets go: the same loan commits, with the SN nobody consumed. */
    atomic_store(&f->table->publish_owner, 0u);
    cr_assert_eq(slotkit_commit(pool, h, "abc", 3, &sn), SLOTKIT_OK);
    cr_assert_eq(sn, next_sn, "SN %u, expected %u: a failed commit consumed one", sn, next_sn);
}

Test(shm_values, r_posix_10__stopped_lock_owner,
     .description = "R-POSIX-10: a stopped process holding the publish lock stalls commits 1 s, "
                    "then LOCK_POISONED names it")
{
    const char *name = fresh_name("stopped");
    slotkit_pool *creator = must_open(name, SLOTKIT_ROLE_CREATE, 4, 32);
    slotkit_pool *attacher = must_open(name, SLOTKIT_ROLE_ATTACH, 0, 0);
    struct forger f = map_forger(name);
    uint64_t identity = 0;
    pid_t child = stopped_child(&identity);
    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "pid %ld", (long)child);

    expect_commit_gives_up(creator, &f, identity, pid_text, 0);
    expect_commit_gives_up(attacher, &f, identity, pid_text, 1);
    /* The pool is whole: the rest of the slots commit with consecutive SNs. */
    slotkit_handle h;
    uint32_t sn;
    commit_text(creator, "after", &h, &sn);
    cr_assert_eq(sn, 2);
    munmap(f.base, f.size);
}

Test(shm_values, r_posix_10__corrupt_lock_word,
     .description = "R-POSIX-10: a publish lock word naming no process (pid 0, negative, garbage) "
                    "gives LOCK_POISONED in time")
{
    const char *name = fresh_name("lockword");
    slotkit_pool *pool = must_open(name, SLOTKIT_ROLE_CREATE, 2, 16);
    struct forger f = map_forger(name);
    const uint64_t owners[] = {0x0000000012345678ull, 0xFFFFFFFF00000001ull, 0x8000000000000000ull,
                               proc_identity_self()};
    const char *words[] = {"pid 0", "pid -1", "pid -2147483648", "this process"};
    for (uint32_t i = 0; i < sizeof owners / sizeof owners[0]; i++)
        expect_commit_gives_up(pool, &f, owners[i], words[i], i);
    munmap(f.base, f.size);
}

Test(shm_values, r_posix_10__forged_pin_count,
     .description = "R-POSIX-10: a pin count stuck at 65535 gives LOCK_POISONED in time; reserve "
                    "still recycles the slot")
{
    const char *name = fresh_name("pins");
    slotkit_pool *pool = must_open(name, SLOTKIT_ROLE_CREATE, 1, 64);
    slotkit_pool *reader = must_open(name, SLOTKIT_ROLE_ATTACH, 0, 0);
    slotkit_handle h;
    uint32_t sn;
    commit_text(pool, "pinned", &h, &sn);
    struct forger f = map_forger(name);
    struct slot_control *c = control(&f, h.slot_index);
    atomic_fetch_or(&c->state, ST_PINS_MAX << ST_PINS_SHIFT);

    uint64_t start = now_ms();
    char buf[64];
    slotkit_slot_header header;
    expect_status(slotkit_read(reader, h, &header, buf, sizeof buf), SLOTKIT_LOCK_POISONED, "read_slot", "pin count");
    cr_assert_lt(now_ms() - start, GIVE_UP_MS, "read_slot gave up after %llu ms",
                 (unsigned long long)(now_ms() - start));
    /* The sample waits for nobody: reserve takes the slot, drops the forged
     * pins after its own bounded wait, and the pool goes on. */
    start = now_ms();
    slotkit_handle again;
    cr_assert_eq(slotkit_reserve(pool, 0, &again), SLOTKIT_OK);
    cr_assert_lt(now_ms() - start, GIVE_UP_MS);
    cr_assert_eq(slotkit_commit(pool, again, "next", 4, &sn), SLOTKIT_OK);
    cr_assert_eq(slotkit_read(reader, again, &header, buf, sizeof buf), SLOTKIT_OK);
    cr_assert_eq(memcmp(buf, "next", 4), 0);
    munmap(f.base, f.size);
}

Test(shm_values, r_posix_10__stopped_reserver,
     .description = "R-POSIX-10: a stopped process claiming the only recyclable slot makes reserve "
                    "NO_FREE_SLOT in time, not a spin")
{
    const char *name = fresh_name("claim");
    slotkit_pool *pool = must_open(name, SLOTKIT_ROLE_CREATE, 1, 16);
    slotkit_handle h;
    uint32_t sn;
    commit_text(pool, "old", &h, &sn); /* mask 0: recyclable */
    struct forger f = map_forger(name);
    struct slot_control *c = control(&f, 0);
    /* A read_slot copy in progress (one pin), and a reserver that recorded
     * its claim on the slot and stopped before taking it. */
    uint64_t s = atomic_fetch_add(&c->state, ST_PIN_ONE) + ST_PIN_ONE;
    uint64_t identity = 0;
    stopped_child(&identity);
    const uint64_t tag = (s >> ST_TAG_SHIFT) & ST_TAG_MAX;
    const uint64_t key = (((tag + 1u) & ST_TAG_MAX) << 2) | PHASE_LOANED;
    atomic_store(holder(&f, 0), (key << 48) | proc_identity_pack48(identity));

    uint64_t start = now_ms();
    slotkit_handle loan;
    slotkit_status st = slotkit_reserve(pool, 0, &loan);
    cr_assert_eq(st, SLOTKIT_NO_FREE_SLOT, "reserve returned %s", slotkit_strerror(st));
    cr_assert_lt(now_ms() - start, GIVE_UP_MS, "reserve gave up after %llu ms", (unsigned long long)(now_ms() - start));
    /* The claim goes away (the process dies): the slot is reservable. */
    atomic_store(holder(&f, 0), 0u);
    cr_assert_eq(slotkit_reserve(pool, 0, &loan), SLOTKIT_OK);
    munmap(f.base, f.size);
}
