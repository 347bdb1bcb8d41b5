/*
 * R-XPROC-13 (capability CROSS_PROCESS): a creator killed with SIGKILL does
 * not take its pool's name with it for good. Once nothing has the pool open
 * any more, a CREATE of the name either recovers it (a fresh pool with the
 * new configuration) or reports the leftover as stale, INCOMPATIBLE, with a
 * message that says so and names `slotkit clean`; after `slotkit clean`
 * (slotkit_posix_clean, what the command runs) the CREATE succeeds.
 */
#include "xproc_child.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "slotkit/posix.h"

#define CHILD_S 10.0
/* The killed creator's pool, and the different one created afterwards. */
#define OLD_SLOTS 2
#define OLD_CAPACITY 8
#define NEW_SLOTS 3
#define NEW_CAPACITY 24
#define NEW_FIRST_SN 1000u

struct x13_ctx {
    slotkit_config create;
    slotkit_config attach;
    bool attacher_too; /* an attacher is killed with it */
    xp_flag ready;
};

static _Noreturn void sleep_until_killed(void)
{
    for (;;) {
        pause();
    }
}

/* Creates the pool, leaves a sample and a live loan in it, and waits to die. */
static int x13_creator(void *arg)
{
    struct x13_ctx *c = arg;
    slotkit_pool *pool = xp_child_open(&c->create);
    slotkit_handle h;
    uint8_t byte = 0x13;
    uint32_t sn = 0;
    XP_CHECK_STATUS(slotkit_reserve(pool, 0x1, &h), SLOTKIT_OK);
    XP_CHECK_STATUS(slotkit_commit(pool, h, &byte, 1, &sn), SLOTKIT_OK);
    XP_CHECK_STATUS(slotkit_reserve(pool, 0x1, &h), SLOTKIT_OK);
    xp_post(&c->ready, 1);
    sleep_until_killed();
}

static int x13_attacher(void *arg)
{
    struct x13_ctx *c = arg;
    (void)xp_child_open(&c->attach);
    xp_post(&c->ready, 2);
    sleep_until_killed();
}

/* CREATE in this process; status and message for the caller to judge. */
static slotkit_status try_create(const slotkit_config *config, slotkit_pool **out, slotkit_error *err)
{
    memset(err, 0, sizeof *err);
    *out = NULL;
    slotkit_status st = slotkit_pool_open(conf_backend, config, out, err);
    if (st == SLOTKIT_OK) {
        adopt_pool(*out);
    }
    return st;
}

/* The pool made after the crash is the new one, with nothing of the old. */
static void expect_fresh_pool(slotkit_pool *pool, const slotkit_config *config)
{
    size_t count = 0;
    expect_ok(slotkit_slot_count(pool, &count));
    cr_assert_eq(count, (size_t)NEW_SLOTS, "recreated pool has %zu slots, expected the new %d", count, NEW_SLOTS);
    cr_assert_eq(slotkit_slot_capacity(pool), (size_t)NEW_CAPACITY,
                 "recreated pool has capacity %zu, expected the new %d", slotkit_slot_capacity(pool), NEW_CAPACITY);
    expect_free_slots(pool, NEW_SLOTS); /* the dead creator's sample and loan are gone */
    slotkit_handle h;
    cr_assert_eq(publish_byte(pool, 0x1, 7, &h), NEW_FIRST_SN,
                 "recreated pool's first commit did not get the configured first SN");
    /* Other processes find the new pool by its name. */
    slotkit_pool *attached = xp_attach_here(config);
    expect_header(attached, h, NEW_FIRST_SN, 1, 0);
}

static void check_recreate_after_kill(bool attacher_too)
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    struct x13_ctx *c = xp_shared_alloc(sizeof *c);
    c->create = conf_config(OLD_SLOTS, OLD_CAPACITY);
    c->attach = xp_attach_config(&c->create);
    pid_t creator = xp_spawn(x13_creator, c);
    xp_expect_flag(creator, &c->ready, 1, CHILD_S, "create the pool");
    pid_t attacher = 0;
    if (attacher_too) {
        attacher = xp_spawn(x13_attacher, c);
        xp_expect_flag(attacher, &c->ready, 2, CHILD_S, "attach");
    }
    xp_kill_and_reap(creator);
    if (attacher_too) {
        xp_kill_and_reap(attacher);
    }

    slotkit_config again = c->create;
    again.slot_count = NEW_SLOTS;
    again.slot_capacity = NEW_CAPACITY;
    again.first_sequence_number = NEW_FIRST_SN;
    slotkit_pool *pool = NULL;
    slotkit_error err;
    slotkit_status st = try_create(&again, &pool, &err);
    if (st == SLOTKIT_INCOMPATIBLE) {
        cr_assert(strstr(err.message, "stale") != NULL && strstr(err.message, "slotkit clean"),
                  "CREATE over a killed creator's pool returned INCOMPATIBLE without saying "
                  "'stale' and 'slotkit clean': %s",
                  err.message);
        (void)slotkit_posix_clean(true, NULL, NULL); /* what `slotkit clean` runs */
        st = try_create(&again, &pool, &err);
        cr_assert_eq(st, SLOTKIT_OK, "CREATE after `slotkit clean` returned %s: %s", status_name(st), err.message);
    }
    cr_assert_eq(st, SLOTKIT_OK,
                 "CREATE of a name whose creator was killed (nothing has the pool open) returned "
                 "%s (errno %d): %s; expected OK, or INCOMPATIBLE naming 'stale' and 'slotkit "
                 "clean'",
                 status_name(st), err.sys_errno, err.message);
    expect_fresh_pool(pool, &again);
}

Test(xproc, r_xproc_13,
     .description = "R-XPROC-13: after the creator is SIGKILLed (holding a sample and a loan), "
                    "CREATE of its name recovers it, or says 'stale' and 'slotkit clean' and "
                    "succeeds after `slotkit clean`")
{
    check_recreate_after_kill(false);
}

Test(xproc, r_xproc_13__attacher_killed_too,
     .description = "R-XPROC-13: the same when an attacher of the pool was SIGKILLed as well")
{
    check_recreate_after_kill(true);
}
