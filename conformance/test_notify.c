/* Notify: R-NOTIFY-* (capability NOTIFY). Timing assertions are one-sided
 * and generous: the suite runs on shared 2-core machines, under sanitizers. */
#include "fixture.h"

#include <string.h>

CONF_SUITE(notify, CONF_SLOW_TIMEOUT_S);

#define NS_PER_S 1000000000ull
/* "Returns at once" means well under this, on a loaded 2-core box under sanitizers. */
#define LOST_WAKEUP_S 1.0
#define LONG_WAIT_NS (5 * NS_PER_S)

/* ---- R-NOTIFY-1 ------------------------------------------------------------ */

Test(notify, r_notify_1__commit, .description = "R-NOTIFY-1: the generation advances on every successful commit")
{
    require_caps(SLOTKIT_CAP_NOTIFY);
    slotkit_pool *pool = open_pool(4, 8);
    for (int i = 0; i < 4; i++) {
        slotkit_handle loan = must_reserve(pool, 0x1);
        uint64_t before = slotkit_notify_generation(pool);
        uint8_t byte = (uint8_t)i;
        (void)must_commit(pool, loan, &byte, 1);
        expect_generation_advanced(pool, before, "commit_slot");
    }
}

Test(notify, r_notify_1__commit_in_place, .description = "R-NOTIFY-1: the generation advances on commit_in_place")
{
    require_caps(SLOTKIT_CAP_NOTIFY | SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle loan = must_reserve(pool, 0x1);
    uint64_t before = slotkit_notify_generation(pool);
    uint32_t sn = 0;
    expect_ok(slotkit_commit_in_place(pool, loan, 0, &sn));
    expect_generation_advanced(pool, before, "commit_in_place");
}

Test(notify, r_notify_1__discard, .description = "R-NOTIFY-1: the generation advances on discard")
{
    require_caps(SLOTKIT_CAP_NOTIFY);
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle loan = must_reserve(pool, 0x1);
    uint64_t before = slotkit_notify_generation(pool);
    expect_ok(slotkit_discard(pool, loan));
    expect_generation_advanced(pool, before, "discard_slot");
}

Test(notify, r_notify_1__mark_read,
     .description = "R-NOTIFY-1: the generation advances on a mark_read that marks, freeing or "
                    "not")
{
    require_caps(SLOTKIT_CAP_NOTIFY);
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle handle;
    (void)publish_byte(pool, 0x3, 1, &handle);
    uint64_t before = slotkit_notify_generation(pool);
    expect_ok(slotkit_mark_read(pool, handle, 0)); /* reader 1 still pending */
    expect_generation_advanced(pool, before, "mark_read (not yet recyclable)");
    before = slotkit_notify_generation(pool);
    expect_ok(slotkit_mark_read(pool, handle, 1)); /* now recyclable */
    expect_generation_advanced(pool, before, "mark_read (recyclable)");
}

Test(notify, r_notify_1__disconnect, .description = "R-NOTIFY-1: the generation advances on mark_reader_disconnected")
{
    require_caps(SLOTKIT_CAP_NOTIFY);
    slotkit_pool *pool = open_pool(2, 8);
    (void)publish_byte(pool, 0x2, 1, NULL);
    uint64_t before = slotkit_notify_generation(pool);
    expect_ok(slotkit_mark_reader_disconnected(pool, 1));
    expect_generation_advanced(pool, before, "mark_reader_disconnected");
}

/* ---- R-NOTIFY-2 / R-NOTIFY-3 --------------------------------------------- */

Test(notify, r_notify_2,
     .description = "R-NOTIFY-2: wait_for_change returns at once when the generation already "
                    "differs")
{
    require_caps(SLOTKIT_CAP_NOTIFY);
    slotkit_pool *pool = open_pool(2, 8);
    uint64_t captured = slotkit_notify_generation(pool);
    (void)publish_byte(pool, 0x1, 1, NULL);
    double start = mono_now();
    slotkit_wait_for_change(pool, captured, LONG_WAIT_NS);
    double waited = mono_now() - start;
    cr_assert_lt(waited, LOST_WAKEUP_S, "wait_for_change(stale generation) blocked %.3f s", waited);
}

Test(notify, r_notify_2__any_other_value,
     .description = "R-NOTIFY-2: any 'last' other than the current generation returns at once")
{
    require_caps(SLOTKIT_CAP_NOTIFY);
    slotkit_pool *pool = open_pool(2, 8);
    uint64_t now = slotkit_notify_generation(pool);
    /* now ^ 2^32 differs only in the high half: a wait that compares 32 bits sleeps. */
    const uint64_t others[] = {now + 1, now + 1000, now - 1, UINT64_MAX, now ^ (1ull << 32), now + (1ull << 32)};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        double start = mono_now();
        slotkit_wait_for_change(pool, others[i], LONG_WAIT_NS);
        double waited = mono_now() - start;
        cr_assert_lt(waited, LOST_WAKEUP_S, "wait_for_change(last=%llu, generation %llu) blocked %.3f s",
                     (unsigned long long)others[i], (unsigned long long)now, waited);
    }
}

Test(notify, r_notify_3,
     .description = "R-NOTIFY-3: with no change, wait_for_change returns after the timeout, not "
                    "before")
{
    require_caps(SLOTKIT_CAP_NOTIFY);
    slotkit_pool *pool = open_pool(2, 8);
    static const double timeouts[] = {0.05, 0.3};
    for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
        uint64_t gen = slotkit_notify_generation(pool);
        double start = mono_now();
        slotkit_wait_for_change(pool, gen, (uint64_t)(timeouts[i] * 1e9));
        double waited = mono_now() - start;
        cr_assert_geq(waited, timeouts[i], "wait_for_change(%.3f s) returned after %.6f s", timeouts[i], waited);
        cr_assert_lt(waited, timeouts[i] + 5.0, "wait_for_change(%.3f s) took %.3f s", timeouts[i], waited);
    }
}

Test(notify, r_notify_3__zero_timeout, .description = "R-NOTIFY-3: a zero timeout returns promptly")
{
    require_caps(SLOTKIT_CAP_NOTIFY);
    slotkit_pool *pool = open_pool(2, 8);
    uint64_t gen = slotkit_notify_generation(pool);
    double start = mono_now();
    slotkit_wait_for_change(pool, gen, 0);
    double waited = mono_now() - start;
    cr_assert_lt(waited, LOST_WAKEUP_S, "wait_for_change(timeout 0) blocked %.3f s", waited);
}

/* ---- threaded checks: stress_notify.c, listed in stress_checks.h -------------- */

STRESS_NOTIFY_CHECKS(CONF_STRESS_TEST)
