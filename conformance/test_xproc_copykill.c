/*
 * R-XPROC-7 for a reader killed in the middle of copying a multi-megabyte
 * sample (capability CROSS_PROCESS): whatever the copy left behind (a read
 * pin, a borrowed chunk), the writer's disconnect and reserve return within
 * a bound and the slot is recycled. The writer runs in a child, so a backend
 * that waits forever fails the test with a message instead of hanging it.
 */
#include "xproc_child.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KC_CAPACITY (4u << 20) /* 4 MiB: a copy takes about a millisecond */
#define KC_READER 1u
#define KC_ROUNDS 4u
/* How long the writer's disconnect + reserve may take: generous for a
 * loaded box; a backend that waits for a dead reader never returns. */
#define KC_BOUND_S 5.0
#define CHILD_S 10.0

struct kc_ctx {
    slotkit_config attach;
    slotkit_handle sample;
    _Atomic uint32_t copies; /* reads started by the reader */
    xp_flag started;
    double writer_took;
    slotkit_status disconnect_status, reserve_status;
};

/* Reader KC_READER: copies the sample out, again and again, until killed. */
static int kc_reader(void *arg)
{
    struct kc_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    uint8_t *buf = malloc(KC_CAPACITY);
    XP_CHECK(buf != NULL, "reader: out of memory");
    for (;;) {
        if (atomic_fetch_add(&c->copies, 1) == 1) {
            xp_post(&c->started, 1); /* the first copy is done: it is in the loop */
        }
        slotkit_slot_header header;
        XP_CHECK_STATUS(slotkit_read(pool, c->sample, &header, buf, KC_CAPACITY), SLOTKIT_OK);
    }
}

/* The writer: disconnects the dead reader and takes its slot back. */
static int kc_writer(void *arg)
{
    struct kc_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->attach);
    double start = mono_now();
    c->disconnect_status = slotkit_mark_reader_disconnected(pool, KC_READER);
    slotkit_handle loan;
    c->reserve_status = slotkit_reserve(pool, 1u << KC_READER, &loan);
    c->writer_took = mono_now() - start;
    if (c->reserve_status == SLOTKIT_OK) {
        XP_CHECK_STATUS(slotkit_discard(pool, loan), SLOTKIT_OK);
    }
    slotkit_pool_close(pool);
    return 0;
}

static void kc_publish(slotkit_pool *pool, struct kc_ctx *c, uint32_t round)
{
    uint8_t *bytes = malloc(KC_CAPACITY);
    cr_assert_not_null(bytes);
    fill_pattern(bytes, KC_CAPACITY, round);
    uint32_t sn = publish(pool, 1u << KC_READER, bytes, KC_CAPACITY, &c->sample);
    free(bytes);
    cr_assert_eq(sn, round, "round %u: commit got sn %u", round, sn);
}

Test(xproc, r_xproc_7__killed_mid_copy,
     .description = "R-XPROC-7: a reader process SIGKILLed while copying a 4 MiB sample: the "
                    "writer's disconnect and reserve of that slot return within 5 s (4 rounds)")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    /* One slot: the writer can only get it back from the dead reader. */
    slotkit_config created = conf_config(1, KC_CAPACITY);
    slotkit_pool *pool = open_pool_with(&created);
    struct kc_ctx *c = xp_shared_alloc(sizeof *c);
    c->attach = xp_attach_config(&created);
    uint64_t rng = ((uint64_t)getpid() * 0x9E3779B97F4A7C15ull) | 1u;
    double slowest = 0;
    for (uint32_t round = 0; round < KC_ROUNDS; round++) {
        kc_publish(pool, c, round);
        atomic_store(&c->copies, 0);
        atomic_store(&c->started, 0);
        pid_t reader = xp_spawn(kc_reader, c);
        xp_expect_flag(reader, &c->started, 1, CHILD_S, "start copying");
        /* Anywhere in the loop; a copy is most of it. */
        sleep_s((double)(rng_next(&rng) % 3000u) * 1e-6);
        xp_kill_and_reap(reader);

        xp_expect_exit_ok(xp_spawn(kc_writer, c), CHILD_S + KC_BOUND_S);
        expect_ok(c->disconnect_status);
        cr_assert_eq(c->reserve_status, SLOTKIT_OK,
                     "round %u: reserve of the dead reader's only slot returned %s after the "
                     "disconnect (the reader was killed after %u copies started)",
                     round, status_name(c->reserve_status), (unsigned)atomic_load(&c->copies));
        cr_assert_lt(c->writer_took, KC_BOUND_S,
                     "round %u: disconnect + reserve took %.3f s after the reader died mid-copy", round,
                     c->writer_took);
        slowest = c->writer_took > slowest ? c->writer_took : slowest;
    }
    cr_log_info("%u rounds; the slowest disconnect + reserve took %.3f s", KC_ROUNDS, slowest);
    expect_next_sn(pool, KC_ROUNDS);
}
