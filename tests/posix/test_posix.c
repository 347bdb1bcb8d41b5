/*
 * Tests of the POSIX backend's own rules (R-POSIX-*, docs/SPEC.md)
 * and of its crash recovery. They look at the segment layout
 * (ref/posix/segment.h) to corrupt headers on purpose.
 *
 * Every name is unique to the test process (pid + test name), and the
 * suite's .fini unlinks every name a test used, also when it failed.
 * Forked children never return into Criterion: they end with _exit (or
 * SYS_exit under seccomp).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "posix/posix.h"
#include "posix/segment.h"
#include "slotkit/posix.h"
#include "slotkit/slotkit.h"

TestSuite(posix, .fini = fixture_fini, .timeout = 30.0);
/* The backend's side of the crash rules; conformance/test_xproc_crash.c has
 * the backend-agnostic ones. */
TestSuite(xproc, .fini = fixture_fini, .timeout = 60.0);

/* ---- R-POSIX-1: names and mode ----------------------------------------- */

Test(posix, r_posix_1, .description = "R-POSIX-1: a pool named N lives in /dev/shm/slotkit-N")
{
    const char *name = fresh_name("plain");
    must_create(name, 2, 8);
    char path[512];
    snprintf(path, sizeof path, "/dev/shm/slotkit-%s", name);
    cr_assert_eq(access(path, F_OK), 0, "%s does not exist", path);

    /* A leading '/' names the same pool; a leading "slotkit-" is not doubled. */
    char with_slash[200];
    snprintf(with_slash, sizeof with_slash, "/%s", name);
    must_open(with_slash, SLOTKIT_ROLE_ATTACH, 0, 0);
    char with_prefix[200];
    snprintf(with_prefix, sizeof with_prefix, "slotkit-%s", name);
    must_open(with_prefix, SLOTKIT_ROLE_ATTACH, 0, 0);
}

Test(posix, r_posix_1__bad_names, .description = "R-POSIX-1: names outside [A-Za-z0-9._-]{1,200} are INVALID_ARGUMENT")
{
    char too_long[202];
    memset(too_long, 'a', 201);
    too_long[201] = '\0';
    const char *bad[] = {NULL,          "",   "/",     "a/b",    "a b",      "a\nb",
                         "caf\xc3\xa9", "x*", "..\\x", too_long, "slotkit-", "//x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int role = SLOTKIT_ROLE_CREATE; role <= SLOTKIT_ROLE_ATTACH; role++) {
            slotkit_config config = make_config(bad[i], (slotkit_role)role, 2, 8);
            slotkit_pool *pool = NULL;
            slotkit_error err;
            slotkit_status st = try_open(&config, &pool, &err);
            cr_assert_eq(st, SLOTKIT_INVALID_ARGUMENT, "name #%zu (role %d) returned %s: %s", i, role,
                         slotkit_strerror(st), err.message);
        }
    }
    /* Exactly 200 characters is fine. */
    char longest[201];
    memset(longest, 'b', 200);
    longest[200] = '\0';
    int n = snprintf(longest, sizeof longest, "skp-%ld-", (long)getpid());
    longest[n] = 'b';
    char longest_shm[POSIX_SHM_NAME_SIZE];
    snprintf(longest_shm, sizeof longest_shm, "/slotkit-%s", longest);
    register_shm_name(longest_shm);
    must_create(longest, 1, 0);
    cr_assert(shm_exists(longest));
}

Test(posix, r_posix_1__mode_0600, .description = "R-POSIX-1: segments are created with mode 0600")
{
    const char *name = fresh_name("mode");
    mode_t old_umask = umask(0); /* the backend must not depend on the umask */
    slotkit_config config = make_config(name, SLOTKIT_ROLE_CREATE, 2, 8);
    slotkit_pool *pool = NULL;
    slotkit_error err;
    slotkit_status st = try_open(&config, &pool, &err);
    umask(old_umask);
    cr_assert_eq(st, SLOTKIT_OK, "%s", err.message);
    char path[512];
    snprintf(path, sizeof path, "/dev/shm/slotkit-%s", name);
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    cr_assert_eq(sb.st_mode & 07777, 0600, "mode is %o", (unsigned)(sb.st_mode & 07777));
}

Test(posix, r_posix_1__exclusive,
     .description = "R-POSIX-1: CREATE is O_EXCL: an existing name is EEXIST, pool untouched")
{
    const char *name = fresh_name("excl");
    slotkit_pool *first = must_create(name, 2, 8);
    slotkit_handle h;
    cr_assert_eq(slotkit_reserve(first, 0, &h), SLOTKIT_OK);
    uint32_t sn = 0;
    cr_assert_eq(slotkit_commit(first, h, "ab", 2, &sn), SLOTKIT_OK);

    slotkit_config config = make_config(name, SLOTKIT_ROLE_CREATE, 4, 16);
    slotkit_pool *second = NULL;
    slotkit_error err;
    cr_assert_eq(try_open(&config, &second, &err), SLOTKIT_SYSTEM_ERROR, "%s", err.message);
    cr_assert_eq(err.sys_errno, EEXIST);

    slotkit_slot_header header;
    char buf[8];
    cr_assert_eq(slotkit_read(first, h, &header, buf, sizeof buf), SLOTKIT_OK);
    cr_assert_eq(header.sample_size, 2);
    cr_assert_eq(memcmp(buf, "ab", 2), 0);
    slotkit_pool *attached = must_open(name, SLOTKIT_ROLE_ATTACH, 0, 0);
    size_t count = 0;
    cr_assert_eq(slotkit_slot_count(attached, &count), SLOTKIT_OK);
    cr_assert_eq(count, 2);
}

/* ---- R-POSIX-2: attach validates before trusting ----------------------- */

Test(posix, r_posix_2__truncated, .description = "R-POSIX-2: a truncated segment is INCOMPATIBLE at attach")
{
    const char *name = fresh_name("trunc");
    slotkit_pool *creator = must_create(name, 4, 256);
    int fd = shm_open(shm_name_of(name), O_RDWR, 0);
    cr_assert_geq(fd, 0);
    /* Header intact, table cut short. */
    cr_assert_eq(ftruncate(fd, (off_t)(POSIX_TABLE_OFFSET + 256)), 0);
    expect_attach_incompatible(name, "truncated", NULL);
    /* Shorter than the header itself. */
    cr_assert_eq(ftruncate(fd, 16), 0);
    expect_attach_incompatible(name, "smaller than a segment header", NULL);
    close(fd);
    /* The creator's mapping now lies past the object's end: close only. */
    forget(creator);
    slotkit_pool_close(creator);
}

/* Corrupts one header field of a fresh pool and expects attach to refuse. */
#define CORRUPT_AND_EXPECT(tag, mutate, word)                      \
    do {                                                           \
        const char *name_ = fresh_name(tag);                       \
        must_create(name_, 4, 100);                                \
        size_t size_ = 0;                                          \
        struct shm_segment_header *h = map_segment(name_, &size_); \
        mutate;                                                    \
        munmap(h, size_);                                          \
        expect_attach_incompatible(name_, word, NULL);             \
    } while (0)

Test(posix, r_posix_2__wrong_magic, .description = "R-POSIX-2: a wrong magic is INCOMPATIBLE")
{
    CORRUPT_AND_EXPECT("magic", atomic_store(&h->magic, 0x1234567890ull), "magic");
}

Test(posix, r_posix_2__layout_version, .description = "R-POSIX-2: another segment layout version is INCOMPATIBLE")
{
    CORRUPT_AND_EXPECT("layout", h->layout_version += 1, "layout version");
}

Test(posix, r_posix_2__abi_version, .description = "R-POSIX-2: another ABI version is INCOMPATIBLE")
{
    CORRUPT_AND_EXPECT("abi", h->abi_version += 1, "ABI version");
}

Test(posix, r_posix_2__stride, .description = "R-POSIX-2: an inconsistent slot stride is INCOMPATIBLE")
{
    CORRUPT_AND_EXPECT("stride", h->slot_stride += 64, "stride");
}

Test(posix, r_posix_2__geometry, .description = "R-POSIX-2: a slot count that does not fit the mapping is INCOMPATIBLE")
{
    CORRUPT_AND_EXPECT("count-up", h->slot_count += 1, "geometry");
    CORRUPT_AND_EXPECT("count-zero", h->slot_count = 0, "geometry");
    CORRUPT_AND_EXPECT("capacity", h->slot_capacity = UINT64_MAX, "geometry");
    CORRUPT_AND_EXPECT("offset", h->table_offset = 64, "offsets");
}

Test(posix, r_posix_2__header_vs_table,
     .description = "R-POSIX-2: a header that disagrees with its slot table is INCOMPATIBLE")
{
    CORRUPT_AND_EXPECT("segid", h->segment_id ^= 1u, "disagree");
    CORRUPT_AND_EXPECT("hash", h->has_type_hash = 1, "disagree");
    CORRUPT_AND_EXPECT("table-magic", memset((char *)h + POSIX_TABLE_OFFSET, 0xA5, 4), "slot table");
}

Test(posix, r_posix_2__foreign_object,
     .description = "R-POSIX-2: a non-slotkit shm object under a slotkit name is INCOMPATIBLE")
{
    /* Some other program's object, full of text. */
    const char *name = fresh_name("foreign");
    int fd = shm_open(shm_name_of(name), O_RDWR | O_CREAT | O_EXCL, 0600);
    cr_assert_geq(fd, 0, "%s", strerror(errno));
    char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = "not a slotkit segment "[i % 22];
    cr_assert_eq(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    close(fd);
    expect_attach_incompatible(name, "not a slotkit segment", NULL);

    /* A tiny one. An empty one is R-POSIX-8's (no creator recorded). */
    const char *tiny = fresh_name("tiny");
    fd = shm_open(shm_name_of(tiny), O_RDWR | O_CREAT | O_EXCL, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "hi", 2), 2);
    close(fd);
    expect_attach_incompatible(tiny, "smaller than a segment header", NULL);
}

/* ---- R-POSIX-3: stale segments ------------------------------------------- */

struct clean_seen {
    const char *shm_name;
    const char *state; /* what the report said about shm_name */
};

static void remember_state(const slotkit_segment_report *segment, void *ctx)
{
    struct clean_seen *seen = ctx;
    for (; seen->shm_name; seen++)
        if (strcmp(seen->shm_name, segment->shm_name) == 0) seen->state = segment->state;
}

Test(posix, r_posix_3,
     .description = "R-POSIX-3: a dead creator's segment is stale at attach and create; clean "
                    "removes it")
{
    (void)private_dev_shm(); /* clean removes what is stale: only ours */
    const char *stale = fresh_name("stale");
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        /* Create and die without closing, as a crash would. */
        slotkit_config config = make_config(stale, SLOTKIT_ROLE_CREATE, 2, 16);
        slotkit_pool *pool = NULL;
        slotkit_error err;
        _exit(slotkit_pool_open(slotkit_posix_backend(), &config, &pool, &err) == SLOTKIT_OK ? 0 : 1);
    }
    int status = 0;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child could not create the pool");
    cr_assert(shm_exists(stale), "the crashed creator's segment should still exist");

    expect_attach_incompatible(stale, "stale", "slotkit clean");
    /* A CREATE of the name says the same, rather than EEXIST (R-XPROC-13). */
    slotkit_config again = make_config(stale, SLOTKIT_ROLE_CREATE, 2, 16);
    slotkit_pool *none = NULL;
    slotkit_error err;
    slotkit_status st = try_open(&again, &none, &err);
    cr_assert_eq(st, SLOTKIT_INCOMPATIBLE, "create over a stale segment returned %s (%s)", slotkit_strerror(st),
                 err.message);
    cr_assert(strstr(err.message, "stale") && strstr(err.message, "slotkit clean"),
              "create's message lacks 'stale' or 'slotkit clean': %s", err.message);
    cr_assert(shm_exists(stale), "create removed the stale segment itself");

    const char *live = fresh_name("live");
    must_create(live, 2, 16);
    const char *foreign = fresh_name("foreign");
    int fd = shm_open(shm_name_of(foreign), O_RDWR | O_CREAT | O_EXCL, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd,
                       "hello, world, this is not a slotkit segment at all........."
                       "..........................................................",
                       118),
                 118);
    close(fd);

    char stale_shm[POSIX_SHM_NAME_SIZE], live_shm[POSIX_SHM_NAME_SIZE], foreign_shm[POSIX_SHM_NAME_SIZE];
    snprintf(stale_shm, sizeof stale_shm, "%s", shm_name_of(stale));
    snprintf(live_shm, sizeof live_shm, "%s", shm_name_of(live));
    snprintf(foreign_shm, sizeof foreign_shm, "%s", shm_name_of(foreign));

    /* Listing only. */
    struct clean_seen seen[] = {{stale_shm, NULL}, {live_shm, NULL}, {foreign_shm, NULL}, {0}};
    cr_assert_eq(slotkit_posix_clean(false, remember_state, seen), 0);
    cr_assert_str_eq(seen[0].state ? seen[0].state : "(none)", SLOTKIT_POSIX_STALE);
    cr_assert_str_eq(seen[1].state ? seen[1].state : "(none)", SLOTKIT_POSIX_LIVE);
    cr_assert_str_eq(seen[2].state ? seen[2].state : "(none)", SLOTKIT_POSIX_FOREIGN);
    cr_assert(shm_exists(stale));

    /* Removing: only the stale one goes. */
    struct clean_seen seen2[] = {{stale_shm, NULL}, {live_shm, NULL}, {foreign_shm, NULL}, {0}};
    cr_assert_geq(slotkit_posix_clean(true, remember_state, seen2), 1);
    cr_assert_str_eq(seen2[0].state ? seen2[0].state : "(none)", SLOTKIT_POSIX_REMOVED);
    cr_assert_str_eq(seen2[1].state ? seen2[1].state : "(none)", SLOTKIT_POSIX_LIVE);
    cr_assert_str_eq(seen2[2].state ? seen2[2].state : "(none)", SLOTKIT_POSIX_FOREIGN);
    cr_assert_not(shm_exists(stale), "clean did not remove the stale segment");
    cr_assert(shm_exists(live), "clean removed a live segment");
    cr_assert(shm_exists(foreign), "clean removed a foreign object");

    /* The name is free again. */
    must_create(stale, 2, 16);
}

/* ---- R-POSIX-4: payload alignment --------------------------------------- */

Test(posix, r_posix_4, .description = "R-POSIX-4: every payload starts on a 64-byte boundary")
{
    const size_t capacities[] = {0, 1, 15, 48, 63, 64, 100, 1024, 4097};
    for (size_t c = 0; c < sizeof capacities / sizeof capacities[0]; c++) {
        const char *name = fresh_name("align");
        slotkit_pool *pool = must_create(name, 5, capacities[c]);
        size_t size = 0;
        char *base = map_segment(name, &size); /* page-aligned like every mapping */
        for (int i = 0; i < 5; i++) {
            slotkit_handle h;
            cr_assert_eq(slotkit_reserve(pool, 0, &h), SLOTKIT_OK);
            void *ptr = NULL;
            size_t cap = 0;
            cr_assert_eq(slotkit_slot_data_ptr(pool, h, &ptr, &cap), SLOTKIT_OK);
            cr_assert_eq(cap, capacities[c]);
            cr_assert_eq((uintptr_t)ptr % 64u, 0, "capacity %zu slot %u: payload at %p", capacities[c], h.slot_index,
                         ptr);
            /* Same offset in an independent mapping of the segment. */
            (void)base;
        }
        munmap(base, size);
        forget(pool);
        slotkit_pool_close(pool);
        release_last_name(); /* closed by its creator: the name is gone, reuse the entry */
    }
}

/* ---- R-POSIX-5: no system call on the uncontended path ------------------- */

Test(posix, r_posix_5, .description = "R-POSIX-5: an uncontended reserve+commit+read+mark_read makes no syscall")
{
    const char *name = fresh_name("nosys");
    slotkit_pool *writer = must_create(name, 4, 64);
    slotkit_pool *reader = must_open(name, SLOTKIT_ROLE_ATTACH, 0, 0);
    /* One round trip first, so nothing is left to initialise lazily. */
    slotkit_handle h;
    uint32_t sn = 0;
    slotkit_slot_header header;
    char buf[64];
    cr_assert_eq(slotkit_reserve(writer, 1u, &h), SLOTKIT_OK);
    cr_assert_eq(slotkit_commit(writer, h, "warm-up", 7, &sn), SLOTKIT_OK);
    cr_assert_eq(slotkit_read(reader, h, &header, buf, sizeof buf), SLOTKIT_OK);
    cr_assert_eq(slotkit_mark_read(reader, h, 0), SLOTKIT_OK);

    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        /* From here on any syscall but read/write/_exit/sigreturn is SIGKILL. */
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) != 0) syscall(SYS_exit, 2);
        const char payload[32] = "0123456789abcdef0123456789abcde";
        for (uint32_t i = 0; i < 1000; i++) {
            slotkit_handle loan;
            uint32_t seq = 0;
            slotkit_slot_header hdr;
            char copy[64];
            if (slotkit_reserve(writer, 1u, &loan) != SLOTKIT_OK ||
                slotkit_commit(writer, loan, payload, sizeof payload, &seq) != SLOTKIT_OK || seq != sn + 1u + i ||
                slotkit_read(reader, loan, &hdr, copy, sizeof copy) != SLOTKIT_OK ||
                hdr.sample_size != sizeof payload || memcmp(copy, payload, sizeof payload) != 0 ||
                slotkit_mark_read(reader, loan, 0) != SLOTKIT_OK)
                syscall(SYS_exit, 1);
        }
        syscall(SYS_exit, 0);
    }
    int status = 0;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert_not(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                  "the round trip made a system call (killed by seccomp)");
    cr_assert(WIFEXITED(status), "child ended by signal %d", WTERMSIG(status));
    cr_assert_neq(WEXITSTATUS(status), 2, "prctl(SECCOMP_MODE_STRICT) failed");
    cr_assert_eq(WEXITSTATUS(status), 0, "a round trip returned a wrong result");
}

/* ---- crash recovery (R-XPROC-7..9 from the backend's side) -------------- */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void kill_and_reap(pid_t pid)
{
    kill(pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
}

/* Reserves and commits (mask 0) every slot, each within a deadline: proves
 * that nothing is left loaned, COMMITTING, pinned or locked by the dead.
 * SNs must be consecutive from the first (R-SEQ-1, "no SN consumed"). */
static void expect_pool_fully_usable(slotkit_pool *pool, size_t slots, size_t cap)
{
    static char payload[1 << 16];
    uint32_t last = 0;
    bool have_last = false;
    slotkit_handle loans[64];
    cr_assert_leq(slots, 64);
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < slots; i++) {
            const uint64_t deadline = now_ms() + 5000;
            slotkit_status st;
            while ((st = slotkit_reserve(pool, 0, &loans[i])) == SLOTKIT_NO_FREE_SLOT && now_ms() < deadline)
                slotkit_wait_for_change(pool, slotkit_notify_generation(pool), 1000000);
            cr_assert_eq(st, SLOTKIT_OK, "slot %zu of %zu not reservable: %s", i, slots, slotkit_strerror(st));
        }
        for (size_t i = 0; i < slots; i++) {
            uint32_t sn = 0;
            cr_assert_eq(slotkit_commit(pool, loans[i], payload, cap, &sn), SLOTKIT_OK);
            if (have_last) cr_assert_eq(sn, last + 1u, "SN %u after %u: an SN was lost", sn, last);
            last = sn;
            have_last = true;
        }
    }
}

Test(xproc, r_xproc_8__killed_writers, .description = "R-XPROC-8: writers killed at random points leave nothing wedged")
{
    enum { SLOTS = 4, CAP = 16384, WRITERS = 3, ROUNDS = 25 };
    const char *name = fresh_name("killw");
    slotkit_pool *pool = must_create(name, SLOTS, CAP);
    srand((unsigned)getpid());
    for (int round = 0; round < ROUNDS; round++) {
        pid_t kids[WRITERS];
        for (int k = 0; k < WRITERS; k++) {
            kids[k] = fork();
            cr_assert_geq(kids[k], 0);
            if (kids[k] == 0) {
                /* Attach anew (a real peer), then commit as fast as possible. */
                slotkit_config config = make_config(name, SLOTKIT_ROLE_ATTACH, 0, 0);
                slotkit_pool *mine = NULL;
                slotkit_error err;
                if (slotkit_pool_open(slotkit_posix_backend(), &config, &mine, &err) != SLOTKIT_OK) _exit(1);
                static char bytes[CAP];
                for (;;) {
                    slotkit_handle h;
                    uint32_t sn;
                    if (slotkit_reserve(mine, 0, &h) == SLOTKIT_OK) slotkit_commit(mine, h, bytes, sizeof bytes, &sn);
                }
            }
        }
        struct timespec nap = {0, (long)(1 + rand() % 15) * 1000000L};
        nanosleep(&nap, NULL);
        for (int k = 0; k < WRITERS; k++) kill_and_reap(kids[k]);
        expect_pool_fully_usable(pool, SLOTS, CAP);
    }
}

Test(xproc, r_xproc_7__killed_mid_read,
     .description = "R-XPROC-7: readers killed mid-read_slot leave no pin that wedges reserve")
{
    enum { CAP = 1 << 20, READERS = 2, ROUNDS = 10 };
    const char *name = fresh_name("killr");
    slotkit_pool *pool = must_create(name, 1, CAP);
    static char payload[CAP];
    for (int round = 0; round < ROUNDS; round++) {
        slotkit_handle h;
        uint32_t sn;
        const uint64_t deadline = now_ms() + 5000;
        slotkit_status st;
        while ((st = slotkit_reserve(pool, 0, &h)) == SLOTKIT_NO_FREE_SLOT && now_ms() < deadline) {}
        cr_assert_eq(st, SLOTKIT_OK, "round %d: reserve returned %s", round, slotkit_strerror(st));
        cr_assert_eq(slotkit_commit(pool, h, payload, CAP, &sn), SLOTKIT_OK);
        pid_t kids[READERS];
        for (int k = 0; k < READERS; k++) {
            kids[k] = fork();
            cr_assert_geq(kids[k], 0);
            if (kids[k] == 0) {
                static char copy[CAP];
                slotkit_slot_header header;
                for (;;) slotkit_read(pool, h, &header, copy, sizeof copy);
            }
        }
        struct timespec nap = {0, 5000000L};
        nanosleep(&nap, NULL);
        for (int k = 0; k < READERS; k++) kill_and_reap(kids[k]);
    }
    const uint64_t start = now_ms();
    slotkit_handle h;
    cr_assert_eq(slotkit_reserve(pool, 0, &h), SLOTKIT_OK);
    cr_assert_lt(now_ms() - start, 2000, "reserve waited %llu ms for dead pins",
                 (unsigned long long)(now_ms() - start));
    cr_assert_eq(slotkit_discard(pool, h), SLOTKIT_OK);
}

Test(xproc, r_xproc_8__dead_loan_holder,
     .description = "R-XPROC-8: loans of a dead process are reclaimed without an SN")
{
    const char *name = fresh_name("loans");
    slotkit_pool *pool = must_create(name, 3, 32);
    slotkit_handle h;
    uint32_t first = 0;
    cr_assert_eq(slotkit_reserve(pool, 0, &h), SLOTKIT_OK);
    cr_assert_eq(slotkit_commit(pool, h, "x", 1, &first), SLOTKIT_OK);

    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        slotkit_config config = make_config(name, SLOTKIT_ROLE_ATTACH, 0, 0);
        slotkit_pool *mine = NULL;
        slotkit_error err;
        if (slotkit_pool_open(slotkit_posix_backend(), &config, &mine, &err) != SLOTKIT_OK) _exit(1);
        slotkit_handle loan;
        for (int i = 0; i < 3; i++)
            if (slotkit_reserve(mine, 0, &loan) != SLOTKIT_OK) _exit(2);
        _exit(0); /* dies holding every slot */
    }
    int status = 0;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed (%d)", status);

    for (int i = 0; i < 3; i++) cr_assert_eq(slotkit_reserve(pool, 0, &h), SLOTKIT_OK, "slot %d not reclaimed", i);
    uint32_t sn = 0;
    cr_assert_eq(slotkit_commit(pool, h, "y", 1, &sn), SLOTKIT_OK);
    cr_assert_eq(sn, first + 1u, "a reclaimed loan consumed an SN");
}
