/*
 * Cross-process: R-XPROC-1..6 and 10..12 (capability CROSS_PROCESS). The
 * crash rules (R-XPROC-7..9) are in test_xproc_crash.c.
 *
 * The test process creates the pool; forked children (xproc_child.h) attach
 * to it by name and report through MAP_SHARED memory created before the fork.
 * Children never assert: they _exit() with a code and a message, and the
 * parent asserts on those and on what it sees in the pool itself.
 */
#include "xproc_child.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

TestSuite(xproc, .init = conf_setup, .fini = xp_teardown, .timeout = CONF_SLOW_TIMEOUT_S);

/* Longest a child step may take before the test fails (a hang, not slowness). */
#define CHILD_S 10.0

static const uint8_t HASH_A[16] = {0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
                                   0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF};
static const uint8_t HASH_B[16] = {0x0B, 0x1B, 0x2B, 0x3B, 0x4B, 0x5B, 0x6B, 0x7B,
                                   0x8B, 0x9B, 0xAB, 0xBB, 0xCB, 0xDB, 0xEB, 0xFB};

/* ---- R-XPROC-1: geometry and type hash ----------------------------------------- */

struct geom_ctx {
    slotkit_config attach;
    slotkit_status count_status;
    size_t count, capacity, total;
    bool has_hash;
    uint8_t hash[16];
};

static int child_geometry(void *arg)
{
    struct geom_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    c->count_status = slotkit_slot_count(pool, &c->count);
    c->capacity = slotkit_slot_capacity(pool);
    c->total = slotkit_slot_total_size(pool);
    c->has_hash = slotkit_type_hash(pool, c->hash);
    slotkit_pool_close(pool);
    return 0;
}

/* Creates (count, capacity, hash), lets a child attach with the given geometry,
 * and checks what it reports against the creator's configuration. */
static void check_attached_geometry(size_t count, size_t capacity, const uint8_t *hash, size_t attach_count,
                                    size_t attach_capacity)
{
    /* Without TYPE_HASH a backend may refuse a hash (UNSUPPORTED, an option it does not offer):
     * the geometry is checked without one, so that refusal is not counted against R-XPROC-1. */
    if (!has_caps(SLOTKIT_CAP_TYPE_HASH)) hash = NULL;
    slotkit_config created = conf_config(count, capacity);
    created.type_hash = hash;
    (void)open_pool_with(&created);
    struct geom_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    c->attach.slot_count = attach_count;
    c->attach.slot_capacity = attach_capacity;
    xp_expect_exit_ok(xp_spawn(child_geometry, c), CHILD_S);

    expect_ok(c->count_status);
    cr_assert_eq(c->count, count, "attacher: slot_count %zu, expected %zu", c->count, count);
    cr_assert_eq(c->capacity, capacity,
                 "attacher: slot_capacity %zu, expected the configured %zu (padded would be %zu)", c->capacity,
                 capacity, SLOTKIT_SLOT_TOTAL_SIZE(capacity) - 16);
    cr_assert_eq(c->total, SLOTKIT_SLOT_TOTAL_SIZE(capacity), "attacher: slot_total_size %zu, expected %zu", c->total,
                 SLOTKIT_SLOT_TOTAL_SIZE(capacity));
    if (!has_caps(SLOTKIT_CAP_TYPE_HASH)) {
        return;
    }
    if (hash == NULL) {
        cr_assert(!c->has_hash, "attacher reports a type hash; the pool was created without");
    } else {
        cr_assert(c->has_hash, "attacher reports no type hash; the pool was created with one");
        cr_assert_arr_eq(c->hash, hash, 16, "attacher reports another type hash");
    }
}

Test(xproc, r_xproc_1,
     .description = "R-XPROC-1: an attacher (geometry 0) sees the creator's slot_count, "
                    "configured slot_capacity, slot_total_size and type hash")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    check_attached_geometry(5, 100, HASH_A, 0, 0);
}

Test(xproc, r_xproc_1__equal_geometry,
     .description = "R-XPROC-1: an attacher giving the pool's own geometry sees the same")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    check_attached_geometry(3, 48, HASH_B, 3, 48);
}

Test(xproc, r_xproc_1__no_type_hash,
     .description = "R-XPROC-1: a pool created without a type hash has none in the attacher; "
                    "capacity 0 carries over")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS | SLOTKIT_CAP_TYPE_HASH);
    check_attached_geometry(2, 0, NULL, 0, 0);
}

/* ---- R-XPROC-2: samples, headers and SNs are the same everywhere ------------ */

#define X2_CAPACITY 64
#define X2_SAMPLES 6
/* Lengths include 0 and the full capacity. */
static const size_t x2_len[X2_SAMPLES] = {0, 1, 7, 31, X2_CAPACITY, 17};
/* The pool's counter starts just before the wrap: one counter, wrapping, in every process. */
#define X2_FIRST_SN 0xFFFFFFFDu

struct x2_ctx {
    slotkit_config attach;
    slotkit_handle handle[X2_SAMPLES]; /* written by whoever committed */
    uint32_t sn[X2_SAMPLES];
    slotkit_slot_header seen[X2_SAMPLES]; /* headers as the other process read them */
    bool bytes_ok[X2_SAMPLES];
    slotkit_handle parent_handle;
    uint32_t parent_sn;
    slotkit_slot_header parent_seen; /* the parent's sample as the child read it */
    slotkit_slot_header after_mark;  /* child's sample 0 after the parent marked it */
    xp_flag published, marked;
};

static uint64_t x2_seed(size_t i) { return 0x5EED0000u + i; }

/* Reads a sample in a child and records header and whether the bytes match. */
static void x2_child_read(slotkit_pool *pool, slotkit_handle h, size_t len, uint64_t seed, slotkit_slot_header *seen,
                          bool *bytes_ok)
{
    uint8_t buf[X2_CAPACITY + 1];
    memset(buf, 0xEE, sizeof buf);
    XP_CHECK_STATUS(slotkit_read(pool, h, seen, buf, sizeof buf), SLOTKIT_OK);
    *bytes_ok = pattern_ok(buf, len, seed);
}

static int x2_reader_child(void *arg)
{
    struct x2_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    for (size_t i = 0; i < X2_SAMPLES; i++) {
        x2_child_read(pool, c->handle[i], x2_len[i], x2_seed(i), &c->seen[i], &c->bytes_ok[i]);
    }
    slotkit_pool_close(pool);
    return 0;
}

static void x2_expect_seen(const struct x2_ctx *c, const char *who)
{
    for (size_t i = 0; i < X2_SAMPLES; i++) {
        const slotkit_slot_header *h = &c->seen[i];
        cr_assert(h->sequence_number == c->sn[i] && h->sample_size == x2_len[i] && h->reader_mask == 0 &&
                      h->reserved == 0,
                  "%s: sample %zu header {%u, %u, 0x%x, %u}, expected {%u, %zu, 0x0, 0}", who, i, h->sequence_number,
                  h->sample_size, h->reader_mask, h->reserved, c->sn[i], x2_len[i]);
        cr_assert(c->bytes_ok[i], "%s: sample %zu (len %zu) bytes differ from the committed ones", who, i, x2_len[i]);
    }
}

Test(xproc, r_xproc_2__creator_writes,
     .description = "R-XPROC-2: samples committed by the creator are read by an attacher with "
                    "the same bytes, headers and SNs")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(8, X2_CAPACITY);
    created.first_sequence_number = X2_FIRST_SN;
    slotkit_pool *pool = open_pool_with(&created);
    struct x2_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    uint8_t bytes[X2_CAPACITY];
    for (size_t i = 0; i < X2_SAMPLES; i++) {
        fill_pattern(bytes, x2_len[i], x2_seed(i));
        c->sn[i] = publish(pool, 0x1, bytes, x2_len[i], &c->handle[i]);
        cr_assert_eq(c->sn[i], X2_FIRST_SN + (uint32_t)i);
    }
    xp_expect_exit_ok(xp_spawn(x2_reader_child, c), CHILD_S);
    x2_expect_seen(c, "attacher");
}

static int x2_writer_child(void *arg)
{
    struct x2_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    uint8_t bytes[X2_CAPACITY];
    /* The creator's sample, as this process sees it. */
    bool ok = false;
    x2_child_read(pool, c->parent_handle, 3, x2_seed(99), &c->parent_seen, &ok);
    XP_CHECK(ok, "attacher: the creator's sample has other bytes");
    for (size_t i = 0; i < X2_SAMPLES; i++) {
        fill_pattern(bytes, x2_len[i], x2_seed(i));
        XP_CHECK_STATUS(slotkit_reserve(pool, 0x1, &c->handle[i]), SLOTKIT_OK);
        XP_CHECK_STATUS(slotkit_commit(pool, c->handle[i], bytes, x2_len[i], &c->sn[i]), SLOTKIT_OK);
    }
    xp_post(&c->published, 1);
    /* The parent marks sample 0 as reader 0; that must show here too. */
    xp_child_await(&c->marked, 1, CHILD_S, "the creator's mark");
    bool ignored;
    x2_child_read(pool, c->handle[0], x2_len[0], x2_seed(0), &c->after_mark, &ignored);
    slotkit_pool_close(pool);
    return 0;
}

Test(xproc, r_xproc_2__attacher_writes,
     .description = "R-XPROC-2: an attacher writes too: its samples read identically in the "
                    "creator, and SNs come from one counter shared by both processes")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(8, X2_CAPACITY);
    created.first_sequence_number = X2_FIRST_SN;
    slotkit_pool *pool = open_pool_with(&created);
    struct x2_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    uint8_t bytes[X2_CAPACITY];
    fill_pattern(bytes, 3, x2_seed(99));
    c->parent_sn = publish(pool, 0x1, bytes, 3, &c->parent_handle);
    cr_assert_eq(c->parent_sn, X2_FIRST_SN);

    pid_t child = xp_spawn(x2_writer_child, c);
    xp_expect_flag(child, &c->published, 1, CHILD_S, "publish its samples");
    for (size_t i = 0; i < X2_SAMPLES; i++) {
        cr_assert_eq(c->sn[i], X2_FIRST_SN + 1 + (uint32_t)i,
                     "attacher's commit %zu got SN %u, expected %u (one counter per pool)", i, c->sn[i],
                     X2_FIRST_SN + 1 + (uint32_t)i);
        fill_pattern(bytes, x2_len[i], x2_seed(i));
        expect_header(pool, c->handle[i], c->sn[i], (uint32_t)x2_len[i], 0);
        expect_sample(pool, c->handle[i], bytes, x2_len[i]);
    }
    expect_ok(slotkit_mark_read(pool, c->handle[0], 0));
    xp_post(&c->marked, 1);
    xp_expect_exit_ok(child, CHILD_S);

    const slotkit_slot_header *p = &c->parent_seen;
    cr_assert(p->sequence_number == X2_FIRST_SN && p->sample_size == 3 && p->reader_mask == 0 && p->reserved == 0,
              "attacher read the creator's sample as {%u, %u, 0x%x, %u}, expected {%u, 3, 0, 0}", p->sequence_number,
              p->sample_size, p->reader_mask, p->reserved, X2_FIRST_SN);
    cr_assert_eq(c->after_mark.reader_mask, 0x1u,
                 "attacher sees reader_mask 0x%x after the creator's mark, expected 0x1", c->after_mark.reader_mask);
    /* Back in the creator, the counter continues after the attacher's commits. */
    expect_next_sn(pool, X2_FIRST_SN + 1 + X2_SAMPLES);
}

/* ---- R-XPROC-3: loans are exclusive across processes ----------------------------- */

#define X3_SLOTS 3
#define X3_RACERS 3 /* the creator and two attachers */
#define X3_MAX_LOANS 100000u
#define X3_SECONDS 1.5

struct x3_ctx {
    slotkit_config attach;
    xp_flag ready, go;
    double stop_at;
    _Atomic int32_t holder[X3_SLOTS]; /* racer id + 1 while it holds the slot */
    _Atomic uint32_t loans[X3_RACERS];
    _Atomic uint32_t overlaps; /* loans taken while another racer held one */
    atomic_flag failure_claimed;
    char failure[200];
};

/* One racer: reserve, claim the slot in the shared table, let time pass, give
 * it back. A second holder of a slot finds the claim of the first. Returns
 * false with ctx->failure on a violation. */
static bool x3_race(slotkit_pool *pool, struct x3_ctx *c, int id)
{
    uint64_t rng = 0x9E3779B97F4A7C15ull * (uint64_t)(id + 1);
    int32_t me = id + 1;
    while (atomic_load(&c->loans[id]) < X3_MAX_LOANS && mono_now() < c->stop_at) {
        slotkit_handle h;
        slotkit_status st = slotkit_reserve(pool, 0, &h);
        if (st == SLOTKIT_NO_FREE_SLOT) {
            sched_yield();
            continue;
        }
        const char *why = NULL;
        int32_t other = 0;
        if (st != SLOTKIT_OK) {
            why = "reserve failed";
        } else if (h.slot_index >= X3_SLOTS) {
            why = "reserve returned a slot index out of range";
        } else if (!atomic_compare_exchange_strong(&c->holder[h.slot_index], &other, me)) {
            why = "slot loaned while another process held it";
        }
        if (why == NULL) {
            for (unsigned s = 0; s < X3_SLOTS; s++) {
                if (s != h.slot_index && atomic_load(&c->holder[s]) != 0) {
                    atomic_fetch_add(&c->overlaps, 1);
                    break;
                }
            }
            random_delay(&rng, 300);
            int32_t mine = me;
            if (!atomic_compare_exchange_strong(&c->holder[h.slot_index], &mine, 0)) {
                why = "slot claimed by another process during this loan";
                other = mine;
            } else {
                /* Alternate the two ways a loan ends; mask 0 recycles at once. */
                uint8_t byte = (uint8_t)me;
                uint32_t sn;
                st = (rng & 1) ? slotkit_commit(pool, h, &byte, 1, &sn) : slotkit_discard(pool, h);
                if (st != SLOTKIT_OK) {
                    why = "ending this process's own live loan failed";
                }
            }
        }
        if (why != NULL) {
            if (!atomic_flag_test_and_set(&c->failure_claimed)) {
                snprintf(c->failure, sizeof c->failure,
                         "racer %d, loan %u, slot %u: %s (status %s, other holder: racer %d)", id,
                         (unsigned)atomic_load(&c->loans[id]), h.slot_index, why, status_name(st), (int)other - 1);
            }
            return false;
        }
        atomic_fetch_add(&c->loans[id], 1);
    }
    return true;
}

static int x3_child(void *arg)
{
    struct x3_ctx *c = arg;
    int id = (int)atomic_load(&c->ready) + 1; /* racer 0 is the creator */
    slotkit_pool *pool = xp_child_open(&c->attach);
    xp_bump(&c->ready);
    xp_child_await(&c->go, 1, CHILD_S, "the start signal");
    if (!x3_race(pool, c, id)) {
        xp_child_fail("%s", c->failure);
    }
    slotkit_pool_close(pool);
    return 0;
}

Test(xproc, r_xproc_3,
     .description = "R-XPROC-3: three processes reserving concurrently never hold one slot at "
                    "once (shared holder table, racing delays)")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(X3_SLOTS, 8);
    slotkit_pool *pool = open_pool_with(&created);
    struct x3_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    atomic_flag_clear(&c->failure_claimed);
    pid_t kids[X3_RACERS - 1];
    for (int i = 0; i < X3_RACERS - 1; i++) {
        kids[i] = xp_spawn(x3_child, c);
        /* One at a time, so each child takes the next racer id. */
        xp_expect_flag(kids[i], &c->ready, (uint32_t)i + 1, CHILD_S, "attach");
    }
    c->stop_at = mono_now() + X3_SECONDS;
    xp_post(&c->go, 1);
    bool ok = x3_race(pool, c, 0);
    for (int i = 0; i < X3_RACERS - 1; i++) {
        xp_expect_exit_ok(kids[i], X3_SECONDS + CHILD_S);
    }
    cr_assert(ok, "%s", c->failure);
    cr_log_info("loans per racer: %u %u %u; %u taken while another was held", (unsigned)c->loans[0],
                (unsigned)c->loans[1], (unsigned)c->loans[2], (unsigned)c->overlaps);
    for (int i = 0; i < X3_RACERS; i++) {
        /* Each racer really took part, or the race proved nothing. */
        cr_assert_geq(atomic_load(&c->loans[i]), 20u, "racer %d took only %u loans", i,
                      (unsigned)atomic_load(&c->loans[i]));
    }
    /* Every loan ended: all slots reservable, none leaked or held twice. */
    expect_free_slots(pool, X3_SLOTS);
}

/* ---- R-XPROC-4: marks count from every process ----------------------------------- */

#define X4_SLOTS 3

struct x4_ctx {
    slotkit_config attach;
    slotkit_handle handle[X4_SLOTS]; /* samples, oldest first */
    uint32_t sn[X4_SLOTS];
    xp_flag attached, go[2], done[2];
    uint32_t reader[2];
    bool use_next_unread;
};

/* Reader child k: marks every sample as reader c->reader[k], found through
 * next_unread (in SN order) when the backend has it, else by handle. */
static int x4_reader_child(void *arg)
{
    struct x4_ctx *c = arg;
    int k = (int)atomic_load(&c->attached);
    uint32_t r = c->reader[k];
    slotkit_pool *pool = xp_child_open(&c->attach);
    xp_bump(&c->attached);
    xp_child_await(&c->go[k], 1, CHILD_S, "its turn");
    for (size_t i = 0; i < X4_SLOTS; i++) {
        slotkit_handle h = c->handle[i];
        if (c->use_next_unread) {
            bool found = false;
            XP_CHECK_STATUS(slotkit_next_unread(pool, r, &found, &h), SLOTKIT_OK);
            XP_CHECK(found && same_handle(h, c->handle[i]),
                     "reader %u: next_unread found=%d slot %u, expected slot %u (sn %u)", r, (int)found, h.slot_index,
                     c->handle[i].slot_index, c->sn[i]);
        }
        slotkit_slot_header header;
        uint8_t buf[16];
        XP_CHECK_STATUS(slotkit_read(pool, h, &header, buf, sizeof buf), SLOTKIT_OK);
        XP_CHECK(header.sequence_number == c->sn[i], "reader %u: slot %u has sn %u, expected %u", r, h.slot_index,
                 header.sequence_number, c->sn[i]);
        XP_CHECK_STATUS(slotkit_mark_read(pool, h, r), SLOTKIT_OK);
    }
    if (c->use_next_unread) {
        bool found = true;
        slotkit_handle h;
        XP_CHECK_STATUS(slotkit_next_unread(pool, r, &found, &h), SLOTKIT_OK);
        XP_CHECK(!found, "reader %u: next_unread still finds slot %u after marking all", r, h.slot_index);
    }
    xp_post(&c->done[k], 1);
    slotkit_pool_close(pool);
    return 0;
}

Test(xproc, r_xproc_4,
     .description = "R-XPROC-4: readers in two other processes mark (found via next_unread); "
                    "the creator's slots become reservable only after both")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(X4_SLOTS, 16);
    slotkit_pool *pool = open_pool_with(&created);
    struct x4_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    c->reader[0] = 1;
    c->reader[1] = 30;
    c->use_next_unread = has_caps(SLOTKIT_CAP_NEXT_UNREAD);
    const slotkit_reader_mask mask = (1u << 1) | (1u << 30);
    for (size_t i = 0; i < X4_SLOTS; i++) {
        c->sn[i] = publish_byte(pool, mask, (uint8_t)i, &c->handle[i]);
    }
    expect_no_free_slot_for(pool, mask);
    pid_t kid[2];
    for (int k = 0; k < 2; k++) {
        kid[k] = xp_spawn(x4_reader_child, c);
        xp_expect_flag(kid[k], &c->attached, (uint32_t)k + 1, CHILD_S, "attach");
    }

    xp_post(&c->go[0], 1);
    xp_expect_flag(kid[0], &c->done[0], 1, CHILD_S, "mark as reader 1");
    for (size_t i = 0; i < X4_SLOTS; i++) {
        expect_header(pool, c->handle[i], c->sn[i], 1, 1u << 1);
    }
    expect_no_free_slot_for(pool, mask); /* reader 30 still pending everywhere */

    xp_post(&c->go[1], 1);
    xp_expect_flag(kid[1], &c->done[1], 1, CHILD_S, "mark as reader 30");
    for (size_t i = 0; i < X4_SLOTS; i++) {
        expect_header(pool, c->handle[i], c->sn[i], 1, mask);
    }
    xp_expect_exit_ok(kid[0], CHILD_S);
    xp_expect_exit_ok(kid[1], CHILD_S);
    expect_free_slots(pool, X4_SLOTS);
}

struct x4d_ctx {
    slotkit_config attach;
};

static int x4_disconnect_child(void *arg)
{
    struct x4d_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    XP_CHECK_STATUS(slotkit_mark_reader_disconnected(pool, 3), SLOTKIT_OK);
    slotkit_pool_close(pool);
    return 0;
}

Test(xproc, r_xproc_4__disconnect,
     .description = "R-XPROC-4: mark_reader_disconnected in another process frees the creator's "
                    "samples and removes the reader from its live loan")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(2, 8);
    slotkit_pool *pool = open_pool_with(&created);
    slotkit_handle sample;
    uint32_t sn = publish_byte(pool, 1u << 3, 7, &sample);
    slotkit_handle loan = must_reserve(pool, 1u << 3); /* pool now full */
    struct x4d_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    xp_expect_exit_ok(xp_spawn(x4_disconnect_child, c), CHILD_S);

    expect_header(pool, sample, sn, 1, 1u << 3);
    uint8_t byte = 8;
    (void)must_commit(pool, loan, &byte, 1); /* reserved with reader 3, committed after */
    if (has_caps(SLOTKIT_CAP_NEXT_UNREAD)) {
        expect_nothing_unread(pool, 3);
    }
    expect_free_slots(pool, 2);
}

#define X4W_SLOTS 4

struct x4w_ctx {
    slotkit_config attach;
    slotkit_handle handle[X4W_SLOTS];
    xp_flag full, marked;
    uint32_t reserved_again;
};

/* The writer is the attacher here: it fills the pool, then must get every
 * slot back once the creator (reader 0) has marked. */
static int x4_writer_child(void *arg)
{
    struct x4w_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    for (size_t i = 0; i < X4W_SLOTS; i++) {
        uint8_t byte = (uint8_t)i;
        uint32_t sn;
        XP_CHECK_STATUS(slotkit_reserve(pool, 0x1, &c->handle[i]), SLOTKIT_OK);
        XP_CHECK_STATUS(slotkit_commit(pool, c->handle[i], &byte, 1, &sn), SLOTKIT_OK);
    }
    slotkit_handle h;
    XP_CHECK_STATUS(slotkit_reserve(pool, 0x1, &h), SLOTKIT_NO_FREE_SLOT);
    xp_post(&c->full, 1);
    xp_child_await(&c->marked, 1, CHILD_S, "the creator's marks");
    slotkit_handle again[X4W_SLOTS];
    for (size_t i = 0; i < X4W_SLOTS; i++) {
        XP_CHECK_STATUS(slotkit_reserve(pool, 0, &again[i]), SLOTKIT_OK);
        c->reserved_again++;
    }
    for (size_t i = 0; i < X4W_SLOTS; i++) {
        XP_CHECK_STATUS(slotkit_discard(pool, again[i]), SLOTKIT_OK);
    }
    slotkit_pool_close(pool);
    return 0;
}

Test(xproc, r_xproc_4__writer_in_other_process,
     .description = "R-XPROC-4: a writer in another process gets its slots back once the "
                    "creator, as reader, marks them")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(X4W_SLOTS, 8);
    slotkit_pool *pool = open_pool_with(&created);
    struct x4w_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    pid_t kid = xp_spawn(x4_writer_child, c);
    xp_expect_flag(kid, &c->full, 1, CHILD_S, "fill the pool");
    for (size_t i = 0; i < X4W_SLOTS; i++) {
        slotkit_handle h = c->handle[i];
        if (has_caps(SLOTKIT_CAP_NEXT_UNREAD)) {
            /* Samples of another process, in its commit order. */
            expect_next_unread_is(pool, 0, c->handle[i], (uint32_t)i);
        }
        expect_header(pool, h, (uint32_t)i, 1, 0);
        expect_ok(slotkit_mark_read(pool, h, 0));
    }
    xp_post(&c->marked, 1);
    xp_expect_exit_ok(kid, CHILD_S);
    cr_assert_eq(c->reserved_again, X4W_SLOTS);
}

/* ---- R-XPROC-5: handles travel between processes of one pool ------------------- */

struct x5_ctx {
    slotkit_config attach;
    slotkit_handle parent_loan, parent_sample;
    uint32_t loan_sn; /* the child's commit of the parent's loan */
    slotkit_handle child_loan;
    slotkit_slot_header sample_seen;
    xp_flag done, release;
};

#define X5_BYTES "from the child"

static int x5_child(void *arg)
{
    struct x5_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    /* Reserve first: after the mark below, the creator's sample is recyclable. */
    XP_CHECK_STATUS(slotkit_reserve(pool, 0, &c->child_loan), SLOTKIT_OK);
    XP_CHECK_STATUS(slotkit_commit(pool, c->parent_loan, X5_BYTES, sizeof X5_BYTES, &c->loan_sn), SLOTKIT_OK);
    uint8_t buf[32];
    XP_CHECK_STATUS(slotkit_read(pool, c->parent_sample, &c->sample_seen, buf, sizeof buf), SLOTKIT_OK);
    XP_CHECK_STATUS(slotkit_mark_read(pool, c->parent_sample, 0), SLOTKIT_OK);
    xp_post(&c->done, 1);
    /* Stay alive: the parent commits this process's loan while it lives. */
    xp_child_await(&c->release, 1, CHILD_S, "the parent's release");
    slotkit_pool_close(pool);
    return 0;
}

Test(xproc, r_xproc_5,
     .description = "R-XPROC-5: handles are valid in every process of the pool: commit, read "
                    "and mark with the creator's handles, and the reverse; one segment_id")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(4, 32);
    slotkit_pool *pool = open_pool_with(&created);
    struct x5_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    c->parent_loan = must_reserve(pool, 0x2);
    uint32_t sample_sn = publish_byte(pool, 0x1, 0x33, &c->parent_sample);
    pid_t kid = xp_spawn(x5_child, c);
    xp_expect_flag(kid, &c->done, 1, CHILD_S, "use the creator's handles");

    cr_assert_eq(c->loan_sn, sample_sn + 1, "child's commit of the creator's loan got SN %u", c->loan_sn);
    expect_header(pool, c->parent_loan, c->loan_sn, sizeof X5_BYTES, 0);
    expect_sample(pool, c->parent_loan, X5_BYTES, sizeof X5_BYTES);
    cr_assert(c->sample_seen.sequence_number == sample_sn && c->sample_seen.sample_size == 1,
              "child read the creator's sample as sn %u size %u", c->sample_seen.sequence_number,
              c->sample_seen.sample_size);
    expect_header(pool, c->parent_sample, sample_sn, 1, 0x1); /* the child's mark */
    cr_assert_eq(c->child_loan.segment_id, c->parent_loan.segment_id,
                 "segment_id differs between processes of one pool (0x%llx vs 0x%llx)",
                 (unsigned long long)c->child_loan.segment_id, (unsigned long long)c->parent_loan.segment_id);
    uint8_t byte = 0x44;
    uint32_t sn = must_commit(pool, c->child_loan, &byte, 1);
    cr_assert_eq(sn, sample_sn + 2);
    expect_sample(pool, c->child_loan, &byte, 1);
    xp_post(&c->release, 1);
    xp_expect_exit_ok(kid, CHILD_S);
}

/* A loan of one process that another process ends, by commit or discard,
 * is ended in every process: once the sample is recyclable, each process
 * can reserve every slot again (upstream POSIX kept loans in a table local
 * to each process, so the creator's slot stayed loaned there). */
#define X5R_SLOTS 4u

struct x5r_ctx {
    slotkit_config attach;
    slotkit_handle committed, discarded; /* the creator's loans */
    uint32_t sn;
    xp_flag ended, checked;
};

/* Reserves under 0x1 until NO_FREE_SLOT (at most slots + 1 times), discards
 * the loans again and returns how many it got; UINT32_MAX on another status. */
static uint32_t x5r_reservable(slotkit_pool *pool, uint32_t slots)
{
    slotkit_handle loans[X5R_SLOTS + 1];
    uint32_t taken = 0;
    slotkit_status st = SLOTKIT_OK;
    while (taken <= slots && (st = slotkit_reserve(pool, 0x1, &loans[taken])) == SLOTKIT_OK) taken++;
    for (uint32_t i = 0; i < taken; i++)
        if (slotkit_discard(pool, loans[i]) != SLOTKIT_OK) return UINT32_MAX;
    return st == SLOTKIT_OK || st == SLOTKIT_NO_FREE_SLOT ? taken : UINT32_MAX;
}

static int x5_ending_child(void *arg)
{
    struct x5r_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    XP_CHECK_STATUS(slotkit_commit(pool, c->committed, X5_BYTES, sizeof X5_BYTES, &c->sn), SLOTKIT_OK);
    XP_CHECK_STATUS(slotkit_discard(pool, c->discarded), SLOTKIT_OK);
    xp_post(&c->ended, 1);
    xp_child_await(&c->checked, 1, CHILD_S, "the creator's check");
    uint32_t reservable = x5r_reservable(pool, X5R_SLOTS);
    XP_CHECK(reservable == X5R_SLOTS,
             "attacher: %u of %u slots reservable after it committed one of the creator's loans and discarded the "
             "other, and the sample was read (UINT32_MAX: a reserve or discard failed)",
             reservable, X5R_SLOTS);
    slotkit_pool_close(pool);
    return 0;
}

Test(xproc, r_xproc_5__ended_elsewhere,
     .description = "R-XPROC-5: a loan that another process commits or discards is released in every "
                    "process: the creator and the attacher can reserve every slot again")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(X5R_SLOTS, 32);
    slotkit_pool *pool = open_pool_with(&created);
    struct x5r_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    c->committed = must_reserve(pool, 0x1);
    c->discarded = must_reserve(pool, 0x1);
    pid_t kid = xp_spawn(x5_ending_child, c);
    xp_expect_flag(kid, &c->ended, 1, CHILD_S, "commit and discard the creator's loans");

    expect_header(pool, c->committed, c->sn, sizeof X5_BYTES, 0);
    expect_ok(slotkit_mark_read(pool, c->committed, 0)); /* the sample is recyclable now */
    uint32_t reservable = x5r_reservable(pool, X5R_SLOTS);
    cr_assert_eq(reservable, X5R_SLOTS,
                 "creator: %u of %u slots reservable after an attacher committed one of its loans and discarded the "
                 "other, and the sample was read (UINT32_MAX: a reserve or discard failed)",
                 reservable, X5R_SLOTS);
    xp_post(&c->checked, 1);
    xp_expect_exit_ok(kid, CHILD_S);
}

struct x5f_ctx {
    slotkit_config attach; /* pool P */
    slotkit_handle q_loan; /* handles of pool Q */
    slotkit_handle q_sample;
    bool in_place;
};

/* Every handle operation of P with Q's handles must fail, and do nothing. */
static int x5_foreign_child(void *arg)
{
    struct x5f_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    uint8_t byte = 1, buf[16];
    uint32_t sn;
    slotkit_slot_header header;
    XP_CHECK_STATUS(slotkit_commit(pool, c->q_loan, &byte, 1, &sn), SLOTKIT_OUT_OF_BOUNDS);
    XP_CHECK_STATUS(slotkit_discard(pool, c->q_loan), SLOTKIT_OUT_OF_BOUNDS);
    XP_CHECK_STATUS(slotkit_read(pool, c->q_sample, &header, buf, sizeof buf), SLOTKIT_OUT_OF_BOUNDS);
    XP_CHECK_STATUS(slotkit_mark_read(pool, c->q_sample, 0), SLOTKIT_OUT_OF_BOUNDS);
    if (c->in_place) {
        void *wp;
        const void *rp;
        size_t n;
        XP_CHECK_STATUS(slotkit_slot_data_ptr(pool, c->q_loan, &wp, &n), SLOTKIT_OUT_OF_BOUNDS);
        XP_CHECK_STATUS(slotkit_commit_in_place(pool, c->q_loan, 1, &sn), SLOTKIT_OUT_OF_BOUNDS);
        XP_CHECK_STATUS(slotkit_slot_read_ptr(pool, c->q_sample, &rp, &n), SLOTKIT_OUT_OF_BOUNDS);
    }
    slotkit_pool_close(pool);
    return 0;
}

Test(xproc, r_xproc_5__other_pool,
     .description = "R-XPROC-5: in an attacher, a handle of another pool is OUT_OF_BOUNDS for "
                    "every handle operation, and neither pool changes")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config config_p = conf_config(4, 16);
    slotkit_pool *p = open_pool_with(&config_p);
    slotkit_pool *q = open_pool(4, 16);
    struct x5f_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&config_p);
    c->in_place = has_caps(SLOTKIT_CAP_IN_PLACE);
    uint32_t q_sn = publish_byte(q, 0x1, 9, &c->q_sample);
    c->q_loan = must_reserve(q, 0);
    /* Both indexes are valid in P, so only segment_id can reject them. */
    cr_assert_lt(c->q_loan.slot_index, 4u);
    xp_expect_exit_ok(xp_spawn(x5_foreign_child, c), CHILD_S);

    expect_header(q, c->q_sample, q_sn, 1, 0);
    expect_next_sn(q, q_sn + 1); /* Q's loan was still live */
    expect_free_slots(p, 4);     /* P: no loan appeared */
    expect_next_sn(p, 0);        /* P: no SN consumed */
}

/* ---- R-XPROC-6: no lost wakeup across processes ----------------------------------- */

#define X6_ROUNDS 20000u
#define X6_SECONDS 2.0
#define X6_FIRST_SN 0xFFFFFC00u
#define X6_WAIT_NS 5000000000ull

/* A ping-pong over one slot between a writer and a reader child: the reader
 * waits for each commit, the writer waits for each mark (space). */
struct x6_ctx {
    slotkit_config attach;
    slotkit_handle slot;
    double stop_at;
    _Atomic bool stop;                         /* set by a failing side, so the other leaves */
    _Atomic uint32_t commits, marks;           /* events so far */
    _Atomic uint64_t commit_ns[2], mark_ns[2]; /* time of event n, by parity */
    _Atomic uint32_t rounds_done, reader_waits, writer_waits;
    double worst_reader_late, worst_writer_late;
};

static _Noreturn void x6_fail(struct x6_ctx *c, const char *what, unsigned round, slotkit_status st)
{
    atomic_store(&c->stop, true);
    xp_child_fail("round %u: %s (status %s)", round, what, status_name(st));
}

/* After a wait for event n (count > n once it happened): how late was the wake? */
static double x6_late(_Atomic uint32_t *count, _Atomic uint64_t *ns, unsigned n)
{
    if (atomic_load(count) <= n) {
        return 0; /* the event had not happened: waiting on is legitimate */
    }
    uint64_t at = atomic_load(&ns[n & 1u]);
    uint64_t now = (uint64_t)(mono_now() * 1e9);
    return now > at ? (double)(now - at) / 1e9 : 0;
}

static int x6_writer(void *arg)
{
    struct x6_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    uint64_t rng = 0x2545F4914F6CDD1Dull;
    for (unsigned round = 0;; round++) {
        bool last = round + 1 >= X6_ROUNDS || mono_now() > c->stop_at;
        slotkit_handle loan;
        for (;;) {
            if (atomic_load(&c->stop)) {
                _exit(0); /* the reader failed and says why */
            }
            uint64_t gen = slotkit_notify_generation(pool);
            slotkit_status st = slotkit_reserve(pool, 0x1, &loan);
            if (st == SLOTKIT_OK) {
                break;
            }
            if (st != SLOTKIT_NO_FREE_SLOT) {
                x6_fail(c, "writer: reserve failed", round, st);
            }
            atomic_fetch_add(&c->writer_waits, 1);
            slotkit_wait_for_change(pool, gen, X6_WAIT_NS);
            /* Round n needs the reader's mark of round n - 1. */
            double late = round > 0 ? x6_late(&c->marks, c->mark_ns, round - 1) : 0;
            if (late > c->worst_writer_late) {
                c->worst_writer_late = late;
            }
            if (late >= XP_LOST_WAKEUP_S) {
                x6_fail(c, "lost wakeup: the writer slept on after a mark in another process", round, SLOTKIT_OK);
            }
        }
        random_delay(&rng, 3000); /* race the reader's check-then-wait */
        uint8_t kind = last ? 0 : 1;
        uint32_t sn = 0;
        slotkit_status st = slotkit_commit(pool, loan, &kind, 1, &sn);
        if (st != SLOTKIT_OK || sn != X6_FIRST_SN + round) {
            x6_fail(c, "writer: commit failed or returned the wrong SN", round, st);
        }
        atomic_store(&c->commit_ns[round & 1u], (uint64_t)(mono_now() * 1e9));
        atomic_store(&c->commits, round + 1);
        if (last) {
            break;
        }
    }
    slotkit_pool_close(pool);
    return 0;
}

static int x6_reader(void *arg)
{
    struct x6_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    for (unsigned round = 0;; round++) {
        uint8_t kind = 0;
        for (;;) {
            if (atomic_load(&c->stop)) {
                _exit(0);
            }
            uint64_t gen = slotkit_notify_generation(pool);
            slotkit_slot_header header;
            slotkit_status st = slotkit_read(pool, c->slot, &header, &kind, 1);
            if (st == SLOTKIT_OK && header.sequence_number == X6_FIRST_SN + round) {
                break;
            }
            if (st != SLOTKIT_OK && st != SLOTKIT_OUT_OF_BOUNDS) {
                x6_fail(c, "reader: read failed", round, st);
            }
            random_delay(&rng, 1000); /* widen the window between check and wait */
            atomic_fetch_add(&c->reader_waits, 1);
            slotkit_wait_for_change(pool, gen, X6_WAIT_NS);
            double late = x6_late(&c->commits, c->commit_ns, round);
            if (late > c->worst_reader_late) {
                c->worst_reader_late = late;
            }
            if (late >= XP_LOST_WAKEUP_S) {
                x6_fail(c, "lost wakeup: the reader slept on after a commit in another process", round, SLOTKIT_OK);
            }
        }
        random_delay(&rng, 1000);
        slotkit_status st = slotkit_mark_read(pool, c->slot, 0);
        if (st != SLOTKIT_OK) {
            x6_fail(c, "reader: mark_read failed", round, st);
        }
        atomic_store(&c->mark_ns[round & 1u], (uint64_t)(mono_now() * 1e9));
        atomic_store(&c->marks, round + 1);
        atomic_store(&c->rounds_done, round + 1);
        if (kind == 0) {
            break;
        }
    }
    slotkit_pool_close(pool);
    return 0;
}

Test(xproc, r_xproc_6,
     .description = "R-XPROC-6: no lost wakeup across processes: a reader process waits for "
                    "each commit and a writer process for each mark (racing ping-pong)")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS | SLOTKIT_CAP_NOTIFY);
    slotkit_config created = conf_config(1, 8);
    created.first_sequence_number = X6_FIRST_SN;
    slotkit_pool *pool = open_pool_with(&created);
    struct x6_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    /* The only slot's handle; a reserve + discard consumes no SN (R-DISCARD-1). */
    c->slot = must_reserve(pool, 0);
    expect_ok(slotkit_discard(pool, c->slot));
    c->stop_at = mono_now() + X6_SECONDS;
    pid_t reader = xp_spawn(x6_reader, c);
    pid_t writer = xp_spawn(x6_writer, c);
    xp_expect_exit_ok(writer, X6_SECONDS + 2 * CHILD_S);
    xp_expect_exit_ok(reader, CHILD_S);
    cr_assert(!atomic_load(&c->stop), "a child stopped early without a message");
    unsigned rounds = atomic_load(&c->rounds_done);
    cr_log_info("%u rounds; waits: reader %u, writer %u; slowest wake after its event: "
                "reader %.3f s, writer %.3f s",
                rounds, (unsigned)c->reader_waits, (unsigned)c->writer_waits, c->worst_reader_late,
                c->worst_writer_late);
    /* Enough rounds for the race to mean something, even on a slow box. */
    cr_assert_geq(rounds, 50u, "only %u rounds in %.1f s", rounds, X6_SECONDS);
    cr_assert_eq(atomic_load(&c->commits), rounds);
    /* Both processes drew from one counter. */
    expect_next_sn(pool, X6_FIRST_SN + rounds);
}

Test(xproc, r_xproc_6__blocked_waiters,
     .description = "R-XPROC-6: three processes blocked in wait_for_change all wake on one "
                    "commit by the creator, well before their timeout")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS | SLOTKIT_CAP_NOTIFY);
    slotkit_config created = conf_config(2, 8);
    slotkit_pool *pool = open_pool_with(&created);
    xp_expect_wakeups(pool, &created, 3);
    /* And again, with the same pool: waiters come and go. */
    xp_expect_wakeups(pool, &created, 2);
}

/* ---- R-XPROC-10: geometry mismatch at attach ------------------------------------- */

#define X10_COUNT 23
#define X10_CAPACITY 300

/* Attaching with (count, capacity) must fail INCOMPATIBLE, name both
 * geometries (the numbers given as want_*), and change nothing. */
static void check_mismatch(size_t count, size_t capacity, const char *pool_number, const char *asked_number)
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(X10_COUNT, X10_CAPACITY);
    created.type_hash = has_caps(SLOTKIT_CAP_TYPE_HASH) ? HASH_A : NULL;
    slotkit_pool *pool = open_pool_with(&created);
    slotkit_handle sample;
    uint32_t sn = publish_byte(pool, 0x1, 5, &sample);

    slotkit_config attach = xp_attach_config(&created);
    attach.slot_count = count;
    attach.slot_capacity = capacity;
    static int marker;
    slotkit_pool *out = (slotkit_pool *)(void *)&marker;
    slotkit_error err;
    memset(&err, 0x55, sizeof err);
    slotkit_status st = slotkit_pool_open(conf_backend, &attach, &out, &err);
    if (st == SLOTKIT_OK) {
        adopt_pool(out);
    }
    cr_assert_eq(st, SLOTKIT_INCOMPATIBLE,
                 "attach(count %zu, capacity %zu) to a %d x %d pool returned %s, expected "
                 "INCOMPATIBLE",
                 count, capacity, X10_COUNT, X10_CAPACITY, status_name(st));
    cr_assert_eq(out, (slotkit_pool *)(void *)&marker, "failed attach wrote *out");
    cr_assert_eq(err.status, SLOTKIT_INCOMPATIBLE, "err.status is %s", status_name(err.status));
    cr_assert_not_null(memchr(err.message, '\0', sizeof err.message), "err.message is not NUL-terminated");
    cr_assert(strstr(err.message, pool_number) != NULL && strstr(err.message, asked_number) != NULL,
              "message does not name both geometries (pool %s, asked %s): '%s'", pool_number, asked_number,
              err.message);

    /* Nothing changed: the pool, its sample and its counter are as before, and a
     * matching attach still works. */
    size_t n = 0;
    expect_ok(slotkit_slot_count(pool, &n));
    cr_assert_eq(n, (size_t)X10_COUNT);
    cr_assert_eq(slotkit_slot_capacity(pool), (size_t)X10_CAPACITY);
    expect_header(pool, sample, sn, 1, 0);
    slotkit_pool *again = xp_attach_here(&created);
    expect_ok(slotkit_slot_count(again, &n));
    cr_assert_eq(n, (size_t)X10_COUNT);
    cr_assert_eq(slotkit_slot_capacity(again), (size_t)X10_CAPACITY);
    expect_header(again, sample, sn, 1, 0);
    expect_next_sn(again, sn + 1);
}

Test(xproc, r_xproc_10__slot_count,
     .description = "R-XPROC-10: ATTACH with another slot_count is INCOMPATIBLE, the message "
                    "names both, nothing changes")
{
    check_mismatch(37, 0, "23", "37");
}

Test(xproc, r_xproc_10__slot_capacity,
     .description = "R-XPROC-10: ATTACH with another slot_capacity is INCOMPATIBLE, the message "
                    "names both, nothing changes")
{
    check_mismatch(0, 456, "300", "456");
}

Test(xproc, r_xproc_10__padded_capacity,
     .description = "R-XPROC-10: ATTACH with the padded capacity (slot_total_size - 16) is "
                    "INCOMPATIBLE: only the configured capacity matches")
{
    /* round_up(16 + 300, 64) - 16 = 304 */
    check_mismatch(X10_COUNT, 304, "300", "304");
}

Test(xproc, r_xproc_10__both,
     .description = "R-XPROC-10: ATTACH with another slot_count and slot_capacity is "
                    "INCOMPATIBLE")
{
    check_mismatch(37, 456, "23", "456");
}

/* ---- R-XPROC-11: ENOENT and EEXIST ------------------------------------------------ */
/* No test of an ATTACH that overlaps a CREATE (validation report C8): the ABI
 * offers no point at which a CREATE is paused half-way, so a loop of attaches
 * hits that window only by chance and the verdict would change from run to
 * run; and pausing the creator (SIGSTOP) makes INCOMPATIBLE the answer for a
 * posix pool after 3 s (R-POSIX-8). */

/* Opens config, which must fail SYSTEM_ERROR with errno want_errno. */
static void expect_open_errno(const slotkit_config *config, int want_errno)
{
    static int marker;
    slotkit_pool *out = (slotkit_pool *)(void *)&marker;
    slotkit_error err;
    memset(&err, 0x55, sizeof err);
    slotkit_status st = slotkit_pool_open(conf_backend, config, &out, &err);
    if (st == SLOTKIT_OK) {
        adopt_pool(out);
    }
    cr_assert_eq(st, SLOTKIT_SYSTEM_ERROR, "%s of '%s' returned %s, expected SYSTEM_ERROR (%s)",
                 config->role == SLOTKIT_ROLE_ATTACH ? "ATTACH" : "CREATE", config->name, status_name(st),
                 strerror(want_errno));
    cr_assert_eq(out, (slotkit_pool *)(void *)&marker, "failed open wrote *out");
    cr_assert_eq(err.sys_errno, want_errno, "err.sys_errno %d (%s), expected %d (%s)", err.sys_errno,
                 strerror(err.sys_errno), want_errno, strerror(want_errno));
}

Test(xproc, r_xproc_11__enoent,
     .description = "R-XPROC-11: ATTACH of a name that does not exist is SYSTEM_ERROR/ENOENT")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(2, 8); /* a fresh name, never created */
    slotkit_config attach = xp_attach_config(&created);
    expect_open_errno(&attach, ENOENT);
}

/* The pool as created below: 4 x 16, HASH_A, first SN 100, a sample and a loan. */
struct x11_state {
    slotkit_config created;
    slotkit_pool *pool;
    slotkit_handle sample, loan;
};

static struct x11_state x11_setup(void)
{
    struct x11_state s;
    s.created = conf_config(4, 16);
    s.created.type_hash = has_caps(SLOTKIT_CAP_TYPE_HASH) ? HASH_A : NULL; /* see check_attached_geometry */
    s.created.first_sequence_number = 100;
    s.pool = open_pool_with(&s.created);
    cr_assert_eq(publish_byte(s.pool, 0x1, 0x11, &s.sample), 100u);
    s.loan = must_reserve(s.pool, 0x1);
    return s;
}

/* A CREATE of the existing name with everything different. */
static slotkit_config x11_clash(const slotkit_config *created)
{
    slotkit_config clash = conf_config(2, 8);
    clash.name = created->name;
    clash.type_hash = has_caps(SLOTKIT_CAP_TYPE_HASH) ? HASH_B : NULL;
    clash.first_sequence_number = 7;
    return clash;
}

/* The existing pool is untouched: geometry, hash, sample, live loan, counter,
 * as seen by the creator and by a new attacher. */
static void x11_expect_untouched(const struct x11_state *s)
{
    slotkit_pool *att = xp_attach_here(&s->created);
    slotkit_pool *views[2] = {s->pool, att};
    for (int v = 0; v < 2; v++) {
        size_t n = 0;
        expect_ok(slotkit_slot_count(views[v], &n));
        cr_assert_eq(n, 4u, "slot_count %zu after the clashing CREATE", n);
        cr_assert_eq(slotkit_slot_capacity(views[v]), 16u);
        if (has_caps(SLOTKIT_CAP_TYPE_HASH)) {
            uint8_t hash[16];
            cr_assert(slotkit_type_hash(views[v], hash));
            cr_assert_arr_eq(hash, HASH_A, 16, "type hash changed by the clashing CREATE");
        }
        expect_header(views[v], s->sample, 100, 1, 0);
    }
    uint8_t byte = 0x12;
    cr_assert_eq(must_commit(att, s->loan, &byte, 1), 101u, "loan or counter was reset");
}

Test(xproc, r_xproc_11__eexist,
     .description = "R-XPROC-11: CREATE of an existing name is SYSTEM_ERROR/EEXIST, and the "
                    "existing pool is untouched")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    struct x11_state s = x11_setup();
    slotkit_config clash = x11_clash(&s.created);
    expect_open_errno(&clash, EEXIST);
    x11_expect_untouched(&s);
}

struct x11_ctx {
    slotkit_config clash;
    slotkit_status status;
    int sys_errno;
    bool wrote_out;
};

static int x11_child(void *arg)
{
    struct x11_ctx *c = arg;
    static int marker;
    slotkit_pool *out = (slotkit_pool *)(void *)&marker;
    slotkit_error err;
    memset(&err, 0, sizeof err);
    c->status = slotkit_pool_open(conf_backend, &c->clash, &out, &err);
    c->sys_errno = err.sys_errno;
    c->wrote_out = out != (slotkit_pool *)(void *)&marker;
    if (c->status == SLOTKIT_OK) {
        slotkit_pool_close(out);
    }
    return 0;
}

Test(xproc, r_xproc_11__eexist_other_process,
     .description = "R-XPROC-11: CREATE of an existing name from another process is "
                    "SYSTEM_ERROR/EEXIST, and the existing pool is untouched")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    struct x11_state s = x11_setup();
    struct x11_ctx *c = xp_shared_alloc(sizeof *c);
    c->clash = x11_clash(&s.created);
    xp_expect_exit_ok(xp_spawn(x11_child, c), CHILD_S);
    cr_assert_eq(c->status, SLOTKIT_SYSTEM_ERROR, "CREATE in another process returned %s", status_name(c->status));
    cr_assert_eq(c->sys_errno, EEXIST, "err.sys_errno %d (%s), expected EEXIST", c->sys_errno, strerror(c->sys_errno));
    cr_assert(!c->wrote_out, "failed open wrote *out");
    x11_expect_untouched(&s);
}

/* ---- R-XPROC-12: the name lives as long as the creator ---------------------------- */

struct x12_ctx {
    slotkit_config config; /* ATTACH, or CREATE when the child is the creator */
    slotkit_handle sample;
    uint32_t sample_sn;
    xp_flag attached, creator_closed, created, parent_done;
    uint32_t sn_after, mask_after;
};

/* An attacher that outlives the creator: everything keeps working. */
static int x12_survivor(void *arg)
{
    struct x12_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->config);
    xp_post(&c->attached, 1);
    xp_child_await(&c->creator_closed, 1, CHILD_S, "the creator's close");
    slotkit_slot_header header;
    uint8_t buf[8];
    XP_CHECK_STATUS(slotkit_read(pool, c->sample, &header, buf, sizeof buf), SLOTKIT_OK);
    XP_CHECK(header.sequence_number == c->sample_sn && buf[0] == 0x77,
             "after the creator closed: sample sn %u byte 0x%02x", header.sequence_number, buf[0]);
    XP_CHECK_STATUS(slotkit_mark_read(pool, c->sample, 0), SLOTKIT_OK);
    slotkit_handle h;
    XP_CHECK_STATUS(slotkit_reserve(pool, 0x2, &h), SLOTKIT_OK);
    uint8_t byte = 0x78;
    XP_CHECK_STATUS(slotkit_commit(pool, h, &byte, 1, &c->sn_after), SLOTKIT_OK);
    XP_CHECK_STATUS(slotkit_read(pool, h, &header, buf, sizeof buf), SLOTKIT_OK);
    XP_CHECK(header.sequence_number == c->sn_after && buf[0] == 0x78,
             "own sample after the creator closed: sn %u byte 0x%02x", header.sequence_number, buf[0]);
    XP_CHECK_STATUS(slotkit_mark_read(pool, h, 1), SLOTKIT_OK);
    XP_CHECK_STATUS(slotkit_read(pool, h, &header, buf, sizeof buf), SLOTKIT_OK);
    c->mask_after = header.reader_mask;
    slotkit_pool_close(pool);
    return 0;
}

Test(xproc, r_xproc_12__creator_closes,
     .description = "R-XPROC-12: the creator's close removes the name (ATTACH -> ENOENT); an "
                    "attacher in another process keeps working")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(2, 8);
    slotkit_pool *pool = open_pool_with(&created);
    struct x12_ctx *c = xp_shared_alloc(sizeof *c);
    c->config = xp_attach_config(&created);
    c->sample_sn = publish_byte(pool, 0x1, 0x77, &c->sample);
    pid_t kid = xp_spawn(x12_survivor, c);
    xp_expect_flag(kid, &c->attached, 1, CHILD_S, "attach");
    close_pool(pool);
    /* The name is gone although an attacher still has the pool open. */
    slotkit_config attach = xp_attach_config(&created);
    expect_open_errno(&attach, ENOENT);
    xp_post(&c->creator_closed, 1);
    xp_expect_exit_ok(kid, CHILD_S);
    cr_assert_eq(c->sn_after, c->sample_sn + 1);
    cr_assert_eq(c->mask_after, 0x2u);
}

static int x12_attach_and_close(void *arg)
{
    struct x12_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->config);
    slotkit_pool_close(pool);
    return 0;
}

Test(xproc, r_xproc_12__attacher_closes,
     .description = "R-XPROC-12: an attacher's close (in another process or this one) leaves "
                    "the name and the pool in place")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config created = conf_config(2, 8);
    slotkit_pool *pool = open_pool_with(&created);
    slotkit_handle sample;
    uint32_t sn = publish_byte(pool, 0x1, 0x21, &sample);
    struct x12_ctx *c = xp_shared_alloc(sizeof *c);
    c->config = xp_attach_config(&created);
    xp_expect_exit_ok(xp_spawn(x12_attach_and_close, c), CHILD_S);
    slotkit_pool *here = xp_attach_here(&created);
    close_pool(here);
    /* Still attachable, and the pool still holds its sample. */
    slotkit_pool *again = xp_attach_here(&created);
    expect_header(again, sample, sn, 1, 0);
    expect_header(pool, sample, sn, 1, 0);
    expect_next_sn(pool, sn + 1);
}

/* The creator is the child: the parent attaches and must outlive it. */
static int x12_creator_child(void *arg)
{
    struct x12_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->config);
    slotkit_handle h;
    XP_CHECK_STATUS(slotkit_reserve(pool, 0x1, &h), SLOTKIT_OK);
    uint8_t byte = 0x77;
    XP_CHECK_STATUS(slotkit_commit(pool, h, &byte, 1, &c->sample_sn), SLOTKIT_OK);
    c->sample = h;
    xp_post(&c->created, 1);
    xp_child_await(&c->parent_done, 1, CHILD_S, "the attacher");
    slotkit_pool_close(pool);
    return 0;
}

Test(xproc, r_xproc_12__creator_in_other_process,
     .description = "R-XPROC-12: when the creating process closes and exits, the name is gone "
                    "and this process's attachment keeps working")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    struct x12_ctx *c = xp_shared_alloc(sizeof *c);
    slotkit_config created = conf_config(2, 8);
    created.first_sequence_number = 40;
    c->config = created;
    pid_t kid = xp_spawn(x12_creator_child, c);
    xp_expect_flag(kid, &c->created, 1, CHILD_S, "create the pool");
    slotkit_pool *pool = xp_attach_here(&created);
    xp_post(&c->parent_done, 1);
    xp_expect_exit_ok(kid, CHILD_S);

    slotkit_config attach = xp_attach_config(&created);
    expect_open_errno(&attach, ENOENT);
    cr_assert_eq(c->sample_sn, 40u);
    expect_header(pool, c->sample, 40, 1, 0);
    expect_ok(slotkit_mark_read(pool, c->sample, 0));
    slotkit_handle h;
    uint32_t sn = publish_byte(pool, 0x1, 0x79, &h);
    cr_assert_eq(sn, 41u);
    expect_header(pool, h, 41, 1, 0);
}
