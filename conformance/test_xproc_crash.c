/*
 * Cross-process crashes: R-XPROC-7..9 (capability CROSS_PROCESS).
 *
 * A child attaches, gets into the state under test, says so through shared
 * memory, and is killed with SIGKILL (so it runs no cleanup at all). The
 * verdict is the pool's state afterwards, read by the parent: which slots are
 * reservable, which headers and SNs it shows, whether waiters still wake.
 * A backend that wedges (a lock left behind by the dead process) makes one
 * of those calls hang, and the suite's .timeout fails the test.
 */
#include "xproc_child.h"

#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define CHILD_S 10.0
/* Kills at random points per test: more rounds, more chances to hit a critical section. */
#define X_CRASH_ROUNDS 8u

/* Children under test stay in here until they are killed. */
static _Noreturn void sleep_until_killed(void)
{
    for (;;) {
        pause();
    }
}

/* ---- R-XPROC-7: a dead reader wedges nothing after disconnect ------------------------ */

#define X7_SLOTS 4
#define X7_READER 2u
#define X7_MASK ((1u << 0) | (1u << X7_READER))

struct x7_ctx {
    slotkit_config attach;
    slotkit_handle handle[X7_SLOTS];
    bool in_place;
    xp_flag ready;
};

/* Reader 2: marks sample 0, starts on sample 1 (holding a zero-copy pointer
 * to it when the backend has them) and dies before marking the rest. */
static int x7_reader(void *arg)
{
    struct x7_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    slotkit_slot_header header;
    uint8_t buf[8];
    XP_CHECK_STATUS(slotkit_read(pool, c->handle[0], &header, buf, sizeof buf), SLOTKIT_OK);
    XP_CHECK_STATUS(slotkit_mark_read(pool, c->handle[0], X7_READER), SLOTKIT_OK);
    XP_CHECK_STATUS(slotkit_read(pool, c->handle[1], &header, buf, sizeof buf), SLOTKIT_OK);
    if (c->in_place) {
        const void *p;
        size_t n;
        XP_CHECK_STATUS(slotkit_slot_read_ptr(pool, c->handle[1], &p, &n), SLOTKIT_OK);
    }
    xp_post(&c->ready, 1);
    sleep_until_killed();
}

Test(xproc, r_xproc_7,
     .description = "R-XPROC-7: a reader process SIGKILLed while holding unread samples: after "
                    "mark_reader_disconnected the writer recycles every one of them")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(X7_SLOTS, 8);
    slotkit_pool *pool = open_pool_with(&created);
    struct x7_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    c->in_place = has_caps(SLOTKIT_CAP_IN_PLACE);
    for (size_t i = 0; i < X7_SLOTS; i++) {
        (void)publish_byte(pool, X7_MASK, (uint8_t)i, &c->handle[i]);
        expect_ok(slotkit_mark_read(pool, c->handle[i], 0)); /* only reader 2 holds them */
    }
    pid_t kid = xp_spawn(x7_reader, c);
    xp_expect_flag(kid, &c->ready, 1, CHILD_S, "read and hold its samples");
    expect_header(pool, c->handle[0], 0, 1, X7_MASK); /* its one mark counted */
    xp_kill_and_reap(kid);

    /* The dead reader's samples are still pending for it ... */
    for (size_t i = 1; i < X7_SLOTS; i++) {
        expect_header(pool, c->handle[i], (uint32_t)i, 1, 1u << 0);
    }
    /* ... until the writer disconnects it: then nothing waits for it. */
    expect_ok(slotkit_mark_reader_disconnected(pool, X7_READER));
    for (size_t i = 0; i < X7_SLOTS; i++) {
        expect_header(pool, c->handle[i], (uint32_t)i, 1, X7_MASK);
    }
    if (has_caps(SLOTKIT_CAP_NEXT_UNREAD)) {
        expect_nothing_unread(pool, X7_READER);
    }
    expect_free_slots(pool, X7_SLOTS);
    expect_next_sn(pool, X7_SLOTS);
}

struct x7b_ctx {
    slotkit_config attach;
    _Atomic uint32_t consumed;
    xp_flag started;
};

/* Reader 2 in a loop: wait, next_unread, read, check, mark, as fast as it can. */
static int x7_busy_reader(void *arg)
{
    struct x7b_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    xp_bump(&c->started);
    for (;;) {
        uint64_t gen = slotkit_notify_generation(pool);
        bool found = false;
        slotkit_handle h;
        XP_CHECK_STATUS(slotkit_next_unread(pool, X7_READER, &found, &h), SLOTKIT_OK);
        if (!found) {
            slotkit_wait_for_change(pool, gen, 1000000000ull);
            continue;
        }
        slotkit_slot_header header;
        uint8_t buf[8];
        XP_CHECK_STATUS(slotkit_read(pool, h, &header, buf, sizeof buf), SLOTKIT_OK);
        XP_CHECK(header.sample_size == 4 && pattern_ok(buf, 4, header.sequence_number),
                 "reader: sample sn %u has a bad payload", header.sequence_number);
        XP_CHECK_STATUS(slotkit_mark_read(pool, h, X7_READER), SLOTKIT_OK);
        atomic_fetch_add(&c->consumed, 1);
    }
}

/* Publishes reader-2 samples (payload seeded by the SN, which this process
 * predicts since it is the only writer) until the reader has consumed
 * `until`, waiting for space as in SPEC §5. */
static void x7_feed(slotkit_pool *pool, struct x7b_ctx *c, uint32_t *next_sn, uint32_t until)
{
    double deadline = mono_now() + CHILD_S;
    while (atomic_load(&c->consumed) < until) {
        uint64_t gen = slotkit_notify_generation(pool);
        slotkit_handle h;
        slotkit_status st = slotkit_reserve(pool, 1u << X7_READER, &h);
        if (st == SLOTKIT_NO_FREE_SLOT) {
            cr_assert_lt(mono_now(), deadline, "reader consumed only %u of %u samples in %.0f s",
                         (unsigned)atomic_load(&c->consumed), until, CHILD_S);
            slotkit_wait_for_change(pool, gen, 200000000ull);
            continue;
        }
        expect_ok(st);
        uint8_t payload[4];
        fill_pattern(payload, sizeof payload, *next_sn);
        cr_assert_eq(must_commit(pool, h, payload, sizeof payload), *next_sn);
        (*next_sn)++;
    }
}

Test(xproc, r_xproc_7__killed_while_reading,
     .description = "R-XPROC-7: a reader process killed at a random point of a busy "
                    "wait/next_unread/read/mark loop: after disconnect every slot is reservable "
                    "(8 rounds, index reused)")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS | SLOTKIT_CAP_NOTIFY | SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_config created = conf_config(X7_SLOTS, 8);
    slotkit_pool *pool = open_pool_with(&created);
    struct x7b_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    uint64_t rng = ((uint64_t)getpid() * 0x9E3779B97F4A7C15ull) | 1u;
    uint32_t next_sn = 0;
    for (uint32_t round = 0; round < X_CRASH_ROUNDS; round++) {
        atomic_store(&c->consumed, 0);
        pid_t kid = xp_spawn(x7_busy_reader, c);
        xp_expect_flag(kid, &c->started, round + 1, CHILD_S, "attach");
        x7_feed(pool, c, &next_sn, 20 + (uint32_t)(rng_next(&rng) % 40));
        /* One more burst without waiting, so the reader is busy when it dies. */
        slotkit_handle h;
        /* Bounded: a backend that lends past its slot count cannot loop here. */
        for (int burst = 0; burst <= X7_SLOTS && slotkit_reserve(pool, 1u << X7_READER, &h) == SLOTKIT_OK; burst++) {
            uint8_t payload[4];
            fill_pattern(payload, sizeof payload, next_sn);
            cr_assert_eq(must_commit(pool, h, payload, sizeof payload), next_sn);
            next_sn++;
        }
        random_delay(&rng, 200000);
        xp_kill_and_reap(kid);

        expect_ok(slotkit_mark_reader_disconnected(pool, X7_READER));
        expect_nothing_unread(pool, X7_READER);
        expect_free_slots(pool, X7_SLOTS);
    }
    expect_next_sn(pool, next_sn);
}

/* ---- R-XPROC-8: a dead process's loan is reclaimed --------------------------------- */

#define X8_SLOTS 3
#define X8_MAX_LOANS 4

struct x8_ctx {
    slotkit_config attach;
    size_t loans; /* how many the child takes */
    slotkit_handle loan[X8_MAX_LOANS];
    bool in_place;
    xp_flag ready;
};

/* Takes c->loans loans, half-fills the first in place if it can, and dies holding them. */
static int x8_loaner(void *arg)
{
    struct x8_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    for (size_t i = 0; i < c->loans; i++) {
        XP_CHECK_STATUS(slotkit_reserve(pool, 0x1, &c->loan[i]), SLOTKIT_OK);
    }
    if (c->in_place) {
        void *p;
        size_t cap;
        XP_CHECK_STATUS(slotkit_slot_data_ptr(pool, c->loan[0], &p, &cap), SLOTKIT_OK);
        memset(p, 0xDD, cap / 2);
    }
    xp_post(&c->ready, 1);
    sleep_until_killed();
}

Test(xproc, r_xproc_8,
     .description = "R-XPROC-8: a writer process SIGKILLed holding a loan: when the pool is "
                    "otherwise full its slot is reservable again, no sample published, no SN "
                    "consumed")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(X8_SLOTS, 16);
    slotkit_pool *pool = open_pool_with(&created);
    slotkit_handle sample[2];
    for (uint32_t i = 0; i < 2; i++) {
        cr_assert_eq(publish_byte(pool, 0x1, (uint8_t)i, &sample[i]), i);
    }
    struct x8_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    c->loans = 1;
    c->in_place = has_caps(SLOTKIT_CAP_IN_PLACE);
    pid_t kid = xp_spawn(x8_loaner, c);
    xp_expect_flag(kid, &c->ready, 1, CHILD_S, "take its loan");
    /* While the holder lives, its loan is its own (R-XPROC-3). */
    expect_no_free_slot_for(pool, 0x1);
    xp_kill_and_reap(kid);

    /* No sample was published by the dead loan. */
    slotkit_slot_header header;
    uint8_t buf[32];
    expect_status(slotkit_read(pool, c->loan[0], &header, buf, sizeof buf), SLOTKIT_OUT_OF_BOUNDS);
    if (has_caps(SLOTKIT_CAP_NEXT_UNREAD)) {
        expect_next_unread_is(pool, 0, sample[0], 0);
    }
    /* The pool is otherwise full: the reserve must reclaim the dead loan. */
    slotkit_handle h = must_reserve(pool, 0x1);
    cr_assert_eq(h.slot_index, c->loan[0].slot_index,
                 "reserve returned slot %u; only the dead loan's slot %u was reclaimable", h.slot_index,
                 c->loan[0].slot_index);
    uint8_t byte = 0x99;
    cr_assert_eq(must_commit(pool, h, &byte, 1), 2u, "the dead loan consumed a sequence number");
    expect_sample(pool, h, &byte, 1);
    expect_header(pool, sample[0], 0, 1, 0);
    expect_header(pool, sample[1], 1, 1, 0);
    expect_no_free_slot_for(pool, 0x1);
}

Test(xproc, r_xproc_8__all_slots,
     .description = "R-XPROC-8: a process killed holding every slot: all are reclaimed, and "
                    "SNs continue from the first (no SN consumed across the wrap)")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    const uint32_t first = 0xFFFFFFFEu;
    slotkit_config created = conf_config(X8_MAX_LOANS, 16);
    created.first_sequence_number = first;
    slotkit_pool *pool = open_pool_with(&created);
    struct x8_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    c->loans = X8_MAX_LOANS;
    pid_t kid = xp_spawn(x8_loaner, c);
    xp_expect_flag(kid, &c->ready, 1, CHILD_S, "take every loan");
    expect_no_free_slot(pool);
    xp_kill_and_reap(kid);

    slotkit_handle h[X8_MAX_LOANS];
    for (uint32_t i = 0; i < X8_MAX_LOANS; i++) {
        h[i] = must_reserve(pool, 0x1);
        for (uint32_t j = 0; j < i; j++) {
            cr_assert_neq(h[i].slot_index, h[j].slot_index, "slot %u loaned twice", h[i].slot_index);
        }
    }
    expect_no_free_slot(pool);
    for (uint32_t i = 0; i < X8_MAX_LOANS; i++) {
        uint8_t byte = (uint8_t)i;
        cr_assert_eq(must_commit(pool, h[i], &byte, 1), first + i);
    }
}

struct x8b_ctx {
    slotkit_config attach;
    _Atomic uint32_t attempted, committed; /* commits started / returned OK */
    xp_flag started;
};

/* Reserve and commit (mask 0: recyclable at once) as fast as possible. */
static int x8_busy_writer(void *arg)
{
    struct x8b_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    xp_bump(&c->started);
    for (uint32_t i = 0;; i++) {
        slotkit_handle h;
        XP_CHECK_STATUS(slotkit_reserve(pool, 0, &h), SLOTKIT_OK);
        uint8_t bytes[16];
        fill_pattern(bytes, sizeof bytes, i);
        uint32_t sn;
        atomic_store(&c->attempted, i + 1);
        XP_CHECK_STATUS(slotkit_commit(pool, h, bytes, sizeof bytes, &sn), SLOTKIT_OK);
        atomic_store(&c->committed, i + 1);
    }
}

Test(xproc, r_xproc_8__killed_while_writing,
     .description = "R-XPROC-8: a writer process killed at a random point of a busy "
                    "reserve/commit loop: every slot is reservable again and the SN count is "
                    "the commits that completed (8 rounds)")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(X8_SLOTS, 16);
    slotkit_pool *pool = open_pool_with(&created);
    struct x8b_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    uint64_t rng = ((uint64_t)getpid() * 0xD1B54A32D192ED03ull) | 1u;
    uint32_t base = 0; /* SNs consumed before this round */
    for (uint32_t round = 0; round < X_CRASH_ROUNDS; round++) {
        atomic_store(&c->attempted, 0);
        atomic_store(&c->committed, 0);
        pid_t kid = xp_spawn(x8_busy_writer, c);
        xp_expect_flag(kid, &c->started, round + 1, CHILD_S, "attach");
        /* Let it write a random while, then kill it wherever it is. */
        double until = mono_now() + 0.02 + (double)(rng_next(&rng) % 80) / 1000.0;
        while (mono_now() < until) {
            sched_yield();
        }
        xp_kill_and_reap(kid);
        uint32_t done = atomic_load(&c->committed), tried = atomic_load(&c->attempted);
        cr_assert_gt(done, 0u, "the writer completed no commit before it was killed");

        /* A loan it held is reclaimed when the rest is loaned (count_free_slots
         * reserves until NO_FREE_SLOT), so all slots come back. */
        size_t reservable = count_free_slots(pool);
        cr_assert_eq(reservable, (size_t)X8_SLOTS,
                     "round %u: %zu of %d slots reservable after the writer died (it had "
                     "completed %u commits and %s)",
                     round, reservable, X8_SLOTS, done, tried > done ? "was inside a commit" : "was between commits");
        /* The commit it was in either happened whole or not at all. */
        uint32_t sn = probe_next_sn(pool) - base;
        cr_assert(sn == done || sn == tried,
                  "next SN is base + %u; the dead writer completed %u commits and started %u", sn, done, tried);
        base += sn + 1; /* the probe took one */
    }
}

/* ---- R-XPROC-9: a process killed inside wait_for_change wedges nobody --------------- */

struct x9_ctx {
    slotkit_config attach;
    xp_flag waiting; /* bumped by every victim before each wait */
};

/* Waits for changes until killed; each change sends it round the loop. */
static int x9_victim(void *arg)
{
    struct x9_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    for (;;) {
        uint64_t gen = slotkit_notify_generation(pool);
        xp_bump(&c->waiting);
        slotkit_wait_for_change(pool, gen, 30000000000ull);
    }
    return 0; /* not reached */
}

/* The survivors' checks: commits, waits and wake-ups across processes. */
static void x9_expect_alive(slotkit_pool *pool, const slotkit_config *created)
{
    uint64_t gen = slotkit_notify_generation(pool);
    slotkit_handle h;
    (void)publish_byte(pool, 0, 1, &h);
    cr_assert_neq(slotkit_notify_generation(pool), gen, "commit did not advance the generation");
    double t0 = mono_now();
    slotkit_wait_for_change(pool, gen, 5000000000ull);
    cr_assert_lt(mono_now() - t0, XP_LOST_WAKEUP_S, "wait on a stale generation blocked");
    gen = slotkit_notify_generation(pool);
    t0 = mono_now();
    slotkit_wait_for_change(pool, gen, 50000000ull);
    cr_assert_geq(mono_now() - t0, 0.05, "wait with no change returned before its timeout");
    xp_expect_wakeups(pool, created, 2);
}

Test(xproc, r_xproc_9,
     .description = "R-XPROC-9: two processes SIGKILLed while blocked in wait_for_change: "
                    "commits, waits and wake-ups of the others go on")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS | SLOTKIT_CAP_NOTIFY);
    slotkit_config created = conf_config(2, 8);
    slotkit_pool *pool = open_pool_with(&created);
    struct x9_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    pid_t v1 = xp_spawn(x9_victim, c);
    pid_t v2 = xp_spawn(x9_victim, c);
    xp_expect_flag(0, &c->waiting, 2, CHILD_S, "start waiting");
    sleep_s(0.2); /* from "about to wait" into the wait */
    xp_kill_and_reap(v1);
    xp_kill_and_reap(v2);
    x9_expect_alive(pool, &created);
}

Test(xproc, r_xproc_9__killed_while_woken,
     .description = "R-XPROC-9: waiter processes killed at random points while the generation "
                    "churns (wake-ups in flight): the others still commit, wait and wake")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS | SLOTKIT_CAP_NOTIFY);
    slotkit_config created = conf_config(2, 8);
    slotkit_pool *pool = open_pool_with(&created);
    struct x9_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    uint64_t rng = ((uint64_t)getpid() * 0xA24BAED4963EE407ull) | 1u;
    for (int round = 0; round < 4; round++) {
        uint32_t before = atomic_load(&c->waiting);
        pid_t v1 = xp_spawn(x9_victim, c);
        pid_t v2 = xp_spawn(x9_victim, c);
        xp_expect_flag(0, &c->waiting, before + 2, CHILD_S, "start waiting");
        /* Churn: every commit wakes both; kill them somewhere in between. */
        unsigned churn = 50 + (unsigned)(rng_next(&rng) % 200);
        for (unsigned i = 0; i < churn; i++) {
            (void)publish_byte(pool, 0, (uint8_t)i, NULL);
            random_delay(&rng, 2000);
        }
        xp_kill_and_reap(v1);
        for (unsigned i = 0; i < 20; i++) {
            (void)publish_byte(pool, 0, (uint8_t)i, NULL);
        }
        xp_kill_and_reap(v2);
    }
    x9_expect_alive(pool, &created);
}
