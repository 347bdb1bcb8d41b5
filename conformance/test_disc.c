/* Disconnect: R-DISC-*. */
#include "fixture.h"

#include <string.h>

CONF_SUITE(disc, CONF_TIMEOUT_S);

Test(disc, r_disc_1,
     .description = "R-DISC-1: after mark_reader_disconnected(r) no committed sample waits for "
                    "r")
{
    slotkit_pool *pool = open_pool(3, 8);
    slotkit_handle only_r, r_and_other, other_only;
    uint32_t sn_a = publish_byte(pool, 0x4, 1, &only_r);      /* reader 2 */
    uint32_t sn_b = publish_byte(pool, 0x5, 2, &r_and_other); /* readers 0, 2 */
    uint32_t sn_c = publish_byte(pool, 0x1, 3, &other_only);  /* reader 0 */
    expect_no_free_slot_under(pool, 0x5);
    expect_ok(slotkit_mark_reader_disconnected(pool, 2));
    expect_header(pool, only_r, sn_a, 1, 0x4);
    expect_header(pool, r_and_other, sn_b, 1, 0x4);
    expect_header(pool, other_only, sn_c, 1, 0);
    /* Only the slot that waited for reader 2 alone is reservable. */
    slotkit_handle loan = must_reserve(pool, 0);
    cr_assert_eq(loan.slot_index, only_r.slot_index,
                 "reserve lent slot %u, expected the slot that waited only for reader 2 (%u)", loan.slot_index,
                 only_r.slot_index);
    expect_no_free_slot_under(pool, 0x5);
    expect_ok(slotkit_discard(pool, loan));
    /* Reader 0 finishing the shared sample now frees it. */
    expect_ok(slotkit_mark_read(pool, r_and_other, 0));
    expect_free_slots_under(pool, 0x1, 2);
}

Test(disc, r_disc_1__partially_read,
     .description = "R-DISC-1: disconnecting the last pending reader recycles a partly read "
                    "sample")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x3, 1, &handle);
    expect_ok(slotkit_mark_read(pool, handle, 0));
    expect_no_free_slot_under(pool, 0x3);
    expect_ok(slotkit_mark_reader_disconnected(pool, 1));
    expect_header(pool, handle, sn, 1, 0x3);
    (void)must_reserve(pool, 0);
}

Test(disc, r_disc_1__idempotent,
     .description = "R-DISC-1: disconnecting a reader twice, or one nothing waits for, is OK")
{
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x1, 1, &handle);
    expect_ok(slotkit_mark_reader_disconnected(pool, 7));
    expect_ok(slotkit_mark_reader_disconnected(pool, 7));
    expect_header(pool, handle, sn, 1, 0);
    expect_free_slots_under(pool, 0x1, 1);
}

Test(disc, r_disc_1__not_delivered, .description = "R-DISC-1: next_unread_slot(r) finds nothing after r's disconnect")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(3, 8);
    slotkit_handle first;
    (void)publish_byte(pool, 0x3, 1, &first);
    (void)publish_byte(pool, 0x3, 2, NULL);
    expect_ok(slotkit_mark_reader_disconnected(pool, 1));
    expect_nothing_unread(pool, 1);
    /* Reader 0 is unaffected. */
    expect_next_unread_is(pool, 0, first, 0);
}

Test(disc, r_disc_2,
     .description = "R-DISC-2: a sample reserved with r before r's disconnect and committed "
                    "after does not wait for r")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle loan = must_reserve(pool, 0x3);
    expect_ok(slotkit_mark_reader_disconnected(pool, 1));
    uint8_t byte = 4;
    uint32_t sn = must_commit(pool, loan, &byte, 1);
    /* Header right after commit is {sn, len, 0, 0} (R-COMMIT-1); reader 1 is
     * simply not in the wait set. */
    expect_header(pool, loan, sn, 1, 0);
    expect_no_free_slot_for(pool, 0x3);
    expect_ok(slotkit_mark_read(pool, loan, 0));
    (void)must_reserve(pool, 0);
}

Test(disc, r_disc_2__only_reader,
     .description = "R-DISC-2: a loan whose only reader disconnected is recyclable at commit")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle loan = must_reserve(pool, 0x8);
    expect_ok(slotkit_mark_reader_disconnected(pool, 3));
    uint8_t byte = 4;
    (void)must_commit(pool, loan, &byte, 1);
    (void)must_reserve(pool, 0);
}

Test(disc, r_disc_2__not_delivered, .description = "R-DISC-2: next_unread_slot(r) skips a sample whose loan lost r")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle loan = must_reserve(pool, 0x3);
    expect_ok(slotkit_mark_reader_disconnected(pool, 1));
    uint8_t byte = 4;
    uint32_t sn = must_commit(pool, loan, &byte, 1);
    expect_nothing_unread(pool, 1);
    expect_next_unread_is(pool, 0, loan, sn);
}

Test(disc, r_disc_3,
     .description = "R-DISC-3: a reused reader index starts fresh: a sample reserved after the "
                    "disconnect waits for it")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle old_sample;
    (void)publish_byte(pool, 0x2, 1, &old_sample);
    expect_ok(slotkit_mark_reader_disconnected(pool, 1));
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x2, 2, &handle);
    cr_assert_eq(handle.slot_index, old_sample.slot_index);
    /* Not sticky: the new sample must wait for the reconnected reader 1. */
    expect_header(pool, handle, sn, 1, 0);
    expect_no_free_slot_for(pool, 0x2);
    expect_ok(slotkit_mark_read(pool, handle, 1));
    (void)must_reserve(pool, 0);
}

Test(disc, r_disc_3__disconnect_before_reserve,
     .description = "R-DISC-3: a disconnect with no samples does not exempt the reader from "
                    "later ones")
{
    slotkit_pool *pool = open_pool(1, 8);
    expect_ok(slotkit_mark_reader_disconnected(pool, 4));
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x10, 1, &handle);
    expect_header(pool, handle, sn, 1, 0);
    expect_no_free_slot_for(pool, 0x10);
}

Test(disc, r_disc_3__next_unread,
     .description = "R-DISC-3: after reconnect, next_unread_slot(r) returns only samples "
                    "committed after the disconnect")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(3, 8);
    slotkit_handle before;
    (void)publish_byte(pool, 0x3, 1, &before); /* readers 0 and 1 */
    expect_ok(slotkit_mark_reader_disconnected(pool, 1));
    slotkit_handle after;
    uint32_t sn_after = publish_byte(pool, 0x3, 2, &after);
    expect_next_unread_is(pool, 1, after, sn_after);
    expect_ok(slotkit_mark_read(pool, after, 1));
    expect_nothing_unread(pool, 1);
    /* Reader 0 still has both, oldest first. */
    expect_next_unread_is(pool, 0, before, 0);
}
