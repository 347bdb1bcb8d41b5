/* Discard: R-DISCARD-*. */
#include "fixture.h"

#include <string.h>

CONF_SUITE(discard, CONF_TIMEOUT_S);

Test(discard, r_discard_1,
     .description = "R-DISCARD-1: discard of a live loan frees the slot, publishes nothing, "
                    "consumes no SN")
{
    slotkit_pool *pool = open_pool(2, 16);
    slotkit_handle loan = must_reserve(pool, 0x1);
    expect_ok(slotkit_discard(pool, loan));
    uint8_t buf[16];
    slotkit_slot_header header;
    expect_status(slotkit_read(pool, loan, &header, buf, sizeof buf), SLOTKIT_OUT_OF_BOUNDS);
    expect_free_slots(pool, 2);
    expect_next_sn(pool, 0);
}

Test(discard, r_discard_1__one_slot_cycle, .description = "R-DISCARD-1: reserve/discard can repeat forever on one slot")
{
    slotkit_pool *pool = open_pool(1, 16);
    for (int i = 0; i < 1000; i++) {
        slotkit_handle loan = must_reserve(pool, 0x1);
        expect_ok(slotkit_discard(pool, loan));
    }
    expect_next_sn(pool, 0);
}

Test(discard, r_next_3__discarded_loan, .description = "R-NEXT-3: next_unread_slot finds nothing for a discarded loan")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(2, 16);
    slotkit_handle loan = must_reserve(pool, 0x1);
    expect_ok(slotkit_discard(pool, loan));
    expect_nothing_unread(pool, 0);
}

Test(discard, r_read_3__discarded_after_recycle,
     .description = "R-READ-3: discarding a loan of a recycled slot does not bring the old "
                    "sample back")
{
    slotkit_pool *pool = open_pool(1, 16);
    slotkit_handle first;
    (void)publish_byte(pool, 0x1, 0x42, &first);
    expect_ok(slotkit_mark_read(pool, first, 0));
    slotkit_handle loan = must_reserve(pool, 0x1);
    cr_assert_eq(loan.slot_index, first.slot_index);
    expect_ok(slotkit_discard(pool, loan));
    uint8_t buf[16];
    slotkit_slot_header header;
    expect_status(slotkit_read(pool, first, &header, buf, sizeof buf), SLOTKIT_OUT_OF_BOUNDS);
    if (has_caps(SLOTKIT_CAP_NEXT_UNREAD)) {
        expect_nothing_unread(pool, 0);
    }
    expect_next_sn(pool, 1);
}

Test(discard, r_discard_2__never_reserved,
     .description = "R-DISCARD-2: discard of a never-reserved slot is OUT_OF_BOUNDS, no state "
                    "change")
{
    slotkit_pool *pool = open_pool(3, 16);
    slotkit_handle loan = must_reserve(pool, 0x1);
    slotkit_handle never = loan;
    never.slot_index = loan.slot_index == 0 ? 1 : 0;
    uint64_t gen = generation(pool);
    expect_status(slotkit_discard(pool, never), SLOTKIT_OUT_OF_BOUNDS);
    expect_generation_unchanged(pool, gen);
    cr_assert_eq(must_commit(pool, loan, "x", 1), 0u);
    expect_free_slots(pool, 2);
}

Test(discard, r_discard_2__committed,
     .description = "R-DISCARD-2: discard of a committed sample is OUT_OF_BOUNDS; the sample "
                    "stays")
{
    slotkit_pool *pool = open_pool(2, 16);
    const char payload[] = "keep me";
    slotkit_handle sample;
    uint32_t sn = publish(pool, 0x1, payload, sizeof payload, &sample);
    uint64_t gen = generation(pool);
    expect_status(slotkit_discard(pool, sample), SLOTKIT_OUT_OF_BOUNDS);
    expect_generation_unchanged(pool, gen);
    expect_header(pool, sample, sn, sizeof payload, 0);
    expect_sample(pool, sample, payload, sizeof payload);
    if (has_caps(SLOTKIT_CAP_NEXT_UNREAD)) {
        expect_next_unread_is(pool, 0, sample, sn);
    }
    /* Still pending for reader 0: only one slot is free. */
    expect_free_slots(pool, 1);
    expect_next_sn(pool, sn + 1);
}

Test(discard, r_discard_2__twice,
     .description = "R-DISCARD-2: a second discard of the same loan is OUT_OF_BOUNDS, no state "
                    "change")
{
    slotkit_pool *pool = open_pool(2, 16);
    slotkit_handle loan = must_reserve(pool, 0x1);
    expect_ok(slotkit_discard(pool, loan));
    uint64_t gen = generation(pool);
    expect_status(slotkit_discard(pool, loan), SLOTKIT_OUT_OF_BOUNDS);
    expect_generation_unchanged(pool, gen);
    expect_free_slots(pool, 2);
}
