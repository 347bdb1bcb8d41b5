/* Next unread: R-NEXT-* (capability NEXT_UNREAD). */
#include "fixture.h"

#include <string.h>

CONF_SUITE(next, CONF_TIMEOUT_S);

Test(next, r_next_1, .description = "R-NEXT-1: nothing pending for r is OK with found = false")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(2, 8);
    for (uint32_t reader = 0; reader < 32; reader++) {
        expect_nothing_unread(pool, reader);
    }
}

Test(next, r_next_1__all_marked, .description = "R-NEXT-1: after r marked everything, found = false")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(3, 8);
    slotkit_handle a, b;
    (void)publish_byte(pool, 0x3, 1, &a);
    (void)publish_byte(pool, 0x3, 2, &b);
    expect_ok(slotkit_mark_read(pool, a, 0));
    expect_ok(slotkit_mark_read(pool, b, 0));
    expect_nothing_unread(pool, 0);
    /* Reader 1 has not marked: both still pending for it. */
    expect_next_unread_is(pool, 1, a, 0);
}

Test(next, r_next_2,
     .description = "R-NEXT-2: returns r's oldest pending sample in sequence order, whatever "
                    "the slot order")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(4, 8);
    slotkit_handle loans[4];
    for (int i = 0; i < 4; i++) {
        loans[i] = must_reserve(pool, 0x1);
    }
    /* Commit order 2, 0, 3, 1: SN order is unrelated to lending order. */
    static const int commit_order[4] = {2, 0, 3, 1};
    uint32_t sns[4];
    for (int i = 0; i < 4; i++) {
        uint8_t byte = (uint8_t)i;
        sns[i] = must_commit(pool, loans[commit_order[i]], &byte, 1);
        cr_assert_eq(sns[i], (uint32_t)i);
    }
    for (int i = 0; i < 4; i++) {
        slotkit_handle expected = loans[commit_order[i]];
        expect_next_unread_is(pool, 0, expected, sns[i]);
        /* Asking again without marking returns the same sample. */
        expect_next_unread_is(pool, 0, expected, sns[i]);
        expect_ok(slotkit_mark_read(pool, expected, 0));
    }
    expect_nothing_unread(pool, 0);
}

Test(next, r_next_2__after_recycle, .description = "R-NEXT-2: FIFO holds when recycled low slots carry newer samples")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    /* Reader 1 lags behind reader 0; samples only reader 0 waits for recycle
     * quickly and land in low slots with higher SNs. */
    slotkit_pool *pool = open_pool(4, 8);
    slotkit_handle h[4];
    uint32_t sn[4];
    sn[0] = publish_byte(pool, 0x1, 0, &h[0]);
    sn[1] = publish_byte(pool, 0x3, 1, &h[1]); /* also for reader 1 */
    expect_ok(slotkit_mark_read(pool, h[0], 0));
    sn[2] = publish_byte(pool, 0x3, 2, &h[2]); /* may reuse h[0]'s slot */
    sn[3] = publish_byte(pool, 0x3, 3, &h[3]);
    expect_next_unread_is(pool, 1, h[1], sn[1]);
    expect_ok(slotkit_mark_read(pool, h[1], 1));
    expect_next_unread_is(pool, 1, h[2], sn[2]);
    expect_ok(slotkit_mark_read(pool, h[2], 1));
    expect_next_unread_is(pool, 1, h[3], sn[3]);
    expect_ok(slotkit_mark_read(pool, h[3], 1));
    expect_nothing_unread(pool, 1);
    /* Reader 0 never marked 1..3. */
    expect_next_unread_is(pool, 0, h[1], sn[1]);
}

Test(next, r_next_2__per_reader, .description = "R-NEXT-2: each reader has its own FIFO position")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(3, 8);
    slotkit_handle h[3];
    uint32_t sn[3];
    for (int i = 0; i < 3; i++) {
        sn[i] = publish_byte(pool, 0x6, (uint8_t)i, &h[i]); /* readers 1, 2 */
    }
    expect_ok(slotkit_mark_read(pool, h[0], 1));
    expect_ok(slotkit_mark_read(pool, h[1], 1));
    expect_next_unread_is(pool, 1, h[2], sn[2]);
    expect_next_unread_is(pool, 2, h[0], sn[0]);
}

Test(next, r_next_2__skips_marked_in_middle,
     .description = "R-NEXT-2: a sample r marked out of order is skipped; the older one stays "
                    "first")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(3, 8);
    slotkit_handle h[3];
    uint32_t sn[3];
    for (int i = 0; i < 3; i++) {
        sn[i] = publish_byte(pool, 0x1, (uint8_t)i, &h[i]);
    }
    expect_ok(slotkit_mark_read(pool, h[1], 0));
    expect_next_unread_is(pool, 0, h[0], sn[0]);
    expect_ok(slotkit_mark_read(pool, h[0], 0));
    expect_next_unread_is(pool, 0, h[2], sn[2]);
}

Test(next, r_next_3__loaned, .description = "R-NEXT-3: next_unread_slot never returns a LOANED slot")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(2, 8);
    (void)must_reserve(pool, 0x1);
    expect_nothing_unread(pool, 0);
}

Test(next, r_next_3__loaned_recycled_slot, .description = "R-NEXT-3: a re-reserved slot's old sample is not returned")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle old_sample;
    (void)publish_byte(pool, 0x2, 1, &old_sample); /* reader 1 only */
    expect_ok(slotkit_mark_read(pool, old_sample, 1));
    (void)must_reserve(pool, 0x1);
    /* Reader 0 never was in the old wait set and the new sample is not committed. */
    expect_nothing_unread(pool, 0);
    expect_nothing_unread(pool, 1);
}

Test(next, r_next_3__marked, .description = "R-NEXT-3: next_unread_slot never returns a sample r already marked")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle handle;
    (void)publish_byte(pool, 0x3, 1, &handle);
    expect_ok(slotkit_mark_read(pool, handle, 0));
    expect_nothing_unread(pool, 0);
    expect_next_unread_is(pool, 1, handle, 0);
}

Test(next, r_next_3__not_in_wait_set,
     .description = "R-NEXT-3: next_unread_slot never returns a sample whose wait set lacks r")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x2, 1, &handle);
    expect_nothing_unread(pool, 0);
    for (uint32_t reader = 2; reader < 32; reader++) {
        expect_nothing_unread(pool, reader);
    }
    expect_next_unread_is(pool, 1, handle, sn);
}

Test(next, r_next_2__does_not_mark,
     .description = "R-NEXT-2: next_unread_slot only finds the sample; it stays pending until "
                    "marked")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x1, 1, &handle);
    for (int i = 0; i < 3; i++) {
        expect_next_unread_is(pool, 0, handle, sn);
    }
    expect_header(pool, handle, sn, 1, 0);
    expect_no_free_slot_for(pool, 0x1);
}
