/* Mark read and recycling: R-MARK-*, R-RECYCLE-*. */
#include "fixture.h"

#include <string.h>

CONF_SUITE(mark, CONF_TIMEOUT_S);
CONF_SUITE(recycle, CONF_TIMEOUT_S);

/* Indices just past the 32 readers, and ones a shift or a u8 cast would fold
 * onto a real reader (32 -> 0, 256 -> 0, 0x100000001 is not representable). */
static const uint32_t bad_readers[] = {32, 33, 63, 64, 256, 0x80000000u, 0xFFFFFFFFu};
#define BAD_READER_COUNT (sizeof bad_readers / sizeof bad_readers[0])

Test(mark, r_mark_1__mark_read,
     .description = "R-MARK-1: mark_read with reader_index >= 32 is OUT_OF_BOUNDS, no state "
                    "change")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0xFFFFFFFFu, 1, &handle);
    uint64_t gen = generation(pool);
    for (size_t i = 0; i < BAD_READER_COUNT; i++) {
        expect_status(slotkit_mark_read(pool, handle, bad_readers[i]), SLOTKIT_OUT_OF_BOUNDS);
    }
    expect_generation_unchanged(pool, gen);
    /* A folded index would have marked reader 0 or 1 here. */
    expect_header(pool, handle, sn, 1, 0);
    expect_no_free_slot_for(pool, 0xFFFFFFFFu);
}

Test(mark, r_mark_1__disconnect,
     .description = "R-MARK-1: mark_reader_disconnected with reader_index >= 32 is "
                    "OUT_OF_BOUNDS, no state change")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x1, 1, &handle);
    uint64_t gen = generation(pool);
    for (size_t i = 0; i < BAD_READER_COUNT; i++) {
        expect_status(slotkit_mark_reader_disconnected(pool, bad_readers[i]), SLOTKIT_OUT_OF_BOUNDS);
    }
    expect_generation_unchanged(pool, gen);
    expect_header(pool, handle, sn, 1, 0);
    expect_no_free_slot_for(pool, 0x1);
}

Test(mark, r_mark_1__disconnect_loan,
     .description = "R-MARK-1: a rejected disconnect does not drop a reader from an "
                    "outstanding loan")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle loan = must_reserve(pool, 0x1);
    expect_status(slotkit_mark_reader_disconnected(pool, 32), SLOTKIT_OUT_OF_BOUNDS);
    uint8_t byte = 1;
    uint32_t sn = must_commit(pool, loan, &byte, 1);
    /* Reader 0 must still be waited for. */
    expect_header(pool, loan, sn, 1, 0);
    expect_no_free_slot_for(pool, 0x1);
}

Test(mark, r_mark_1__next_unread, .description = "R-MARK-1: next_unread_slot with reader_index >= 32 is OUT_OF_BOUNDS")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x1, 1, &handle);
    uint64_t gen = generation(pool);
    for (size_t i = 0; i < BAD_READER_COUNT; i++) {
        bool found = false;
        slotkit_handle out;
        expect_status(slotkit_next_unread(pool, bad_readers[i], &found, &out), SLOTKIT_OUT_OF_BOUNDS);
    }
    expect_generation_unchanged(pool, gen);
    expect_header(pool, handle, sn, 1, 0);
}

Test(mark, r_mark_2__free, .description = "R-MARK-2: mark_read of a FREE slot is OUT_OF_BOUNDS")
{
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle loan = must_reserve(pool, 0x1);
    expect_ok(slotkit_discard(pool, loan));
    uint64_t gen = generation(pool);
    for (uint32_t i = 0; i < 2; i++) {
        slotkit_handle handle = {.segment_id = loan.segment_id, .slot_index = i};
        expect_status(slotkit_mark_read(pool, handle, 0), SLOTKIT_OUT_OF_BOUNDS);
    }
    expect_generation_unchanged(pool, gen);
    expect_free_slots(pool, 2);
}

Test(mark, r_mark_2__loaned,
     .description = "R-MARK-2: mark_read of a LOANED slot is OUT_OF_BOUNDS and does not "
                    "pre-mark the coming sample")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle loan = must_reserve(pool, 0x1);
    uint64_t gen = generation(pool);
    expect_status(slotkit_mark_read(pool, loan, 0), SLOTKIT_OUT_OF_BOUNDS);
    expect_generation_unchanged(pool, gen);
    uint8_t byte = 1;
    uint32_t sn = must_commit(pool, loan, &byte, 1);
    expect_header(pool, loan, sn, 1, 0);
    expect_no_free_slot_for(pool, 0x1);
}

Test(mark, r_mark_3__outside_wait_set,
     .description = "R-MARK-3: mark_read by a reader outside the wait set is OK and changes "
                    "nothing")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x1, 1, &handle);
    uint64_t gen = generation(pool);
    for (uint32_t reader = 1; reader < 32; reader++) {
        expect_ok(slotkit_mark_read(pool, handle, reader));
    }
    expect_generation_unchanged(pool, gen);
    expect_header(pool, handle, sn, 1, 0);
    expect_no_free_slot_for(pool, 0x1);
}

Test(mark, r_mark_3__twice, .description = "R-MARK-3: a second mark_read by the same reader is OK and changes nothing")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x3, 1, &handle);
    expect_ok(slotkit_mark_read(pool, handle, 0));
    uint64_t gen = generation(pool);
    expect_ok(slotkit_mark_read(pool, handle, 0));
    expect_generation_unchanged(pool, gen);
    expect_header(pool, handle, sn, 1, 0x1);
    /* Reader 1 still pending: the second mark did not count as reader 1's. */
    expect_no_free_slot_for(pool, 0x3);
}

Test(mark, r_mark_3__after_disconnect,
     .description = "R-MARK-3: mark_read by a reader disconnected from the sample is OK and "
                    "changes nothing")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x3, 1, &handle);
    expect_ok(slotkit_mark_reader_disconnected(pool, 1));
    uint64_t gen = generation(pool);
    expect_ok(slotkit_mark_read(pool, handle, 1));
    expect_generation_unchanged(pool, gen);
    expect_header(pool, handle, sn, 1, 0x2);
    expect_no_free_slot_for(pool, 0x3);
}

Test(recycle, r_recycle_1, .description = "R-RECYCLE-1: one reader: not reservable until the reader marks; then it is")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x1, 1, &handle);
    expect_no_free_slot_under(pool, 0x1);
    expect_ok(slotkit_mark_read(pool, handle, 0));
    expect_header(pool, handle, sn, 1, 0x1);
    slotkit_handle again = must_reserve(pool, 0x1);
    cr_assert_eq(again.slot_index, handle.slot_index);
}

Test(recycle, r_recycle_1__high_reader, .description = "R-RECYCLE-1: the same with reader 31 (the top bit)")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x80000000u, 1, &handle);
    expect_no_free_slot_under(pool, 0x80000000u);
    expect_ok(slotkit_mark_read(pool, handle, 31));
    expect_header(pool, handle, sn, 1, 0x80000000u);
    (void)must_reserve(pool, 0);
}

Test(recycle, r_recycle_1__ring,
     .description = "R-RECYCLE-1: a pool keeps recycling: 1000 samples through 3 slots, one "
                    "reader")
{
    slotkit_pool *pool = open_pool(3, 8);
    for (uint32_t i = 0; i < 1000; i++) {
        slotkit_handle handle;
        uint32_t sn = publish_byte(pool, 0x1, (uint8_t)i, &handle);
        cr_assert_eq(sn, i);
        expect_ok(slotkit_mark_read(pool, handle, 0));
    }
    expect_free_slots(pool, 3);
}

Test(recycle, r_recycle_2,
     .description = "R-RECYCLE-2: two readers: not reservable after one mark, reservable after "
                    "both")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x6, 1, &handle); /* readers 1 and 2 */
    expect_ok(slotkit_mark_read(pool, handle, 2));
    expect_no_free_slot_for(pool, 0x6);
    expect_header(pool, handle, sn, 1, 0x4);
    expect_ok(slotkit_mark_read(pool, handle, 1));
    expect_header(pool, handle, sn, 1, 0x6);
    (void)must_reserve(pool, 0x6);
}

Test(recycle, r_recycle_3,
     .description = "R-RECYCLE-3: 32 readers (mask 0xFFFFFFFF): reservable only after the 32nd "
                    "mark")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0xFFFFFFFFu, 1, &handle);
    uint32_t done = 0;
    /* Mark in a scrambled order, so no backend can rely on counting up. */
    for (uint32_t i = 0; i < 31; i++) {
        uint32_t reader = (i * 7u + 3u) % 32u;
        expect_ok(slotkit_mark_read(pool, handle, reader));
        done |= 1u << reader;
        expect_no_free_slot_for(pool, 0xFFFFFFFFu);
        expect_header(pool, handle, sn, 1, done);
    }
    uint32_t last = (31u * 7u + 3u) % 32u;
    cr_assert_eq(done | (1u << last), 0xFFFFFFFFu, "test bug: marking order is not a permutation");
    expect_ok(slotkit_mark_read(pool, handle, last));
    expect_header(pool, handle, sn, 1, 0xFFFFFFFFu);
    (void)must_reserve(pool, 0);
}

Test(recycle, r_recycle_4, .description = "R-RECYCLE-4: readers outside the wait set never block recycling")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    (void)publish_byte(pool, 0x1, 1, &handle);
    /* Readers 1..31 exist (they may mark, see R-MARK-3) but were not asked to wait. */
    expect_ok(slotkit_mark_read(pool, handle, 5));
    expect_no_free_slot_for(pool, 0x1);
    expect_ok(slotkit_mark_read(pool, handle, 0));
    (void)must_reserve(pool, 0x1);
}

Test(recycle, r_recycle_4__larger_later_mask,
     .description = "R-RECYCLE-4: a done sample is reservable under a larger mask: readers added later were "
                    "never waited for")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    (void)publish_byte(pool, 0x1, 1, &handle);
    expect_ok(slotkit_mark_read(pool, handle, 0));
    slotkit_handle again = must_reserve(pool, 0x3);
    cr_assert_eq(again.slot_index, handle.slot_index);
}

Test(recycle, r_recycle_4__mixed_masks, .description = "R-RECYCLE-4: each sample waits only for its own wait set")
{
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle for_reader_0, for_reader_1;
    (void)publish_byte(pool, 0x1, 1, &for_reader_0);
    (void)publish_byte(pool, 0x2, 2, &for_reader_1);
    expect_no_free_slot_for(pool, 0x1);
    /* Reader 1 finishing its sample frees that slot only. */
    expect_ok(slotkit_mark_read(pool, for_reader_1, 1));
    slotkit_handle loan = must_reserve(pool, 0);
    cr_assert_eq(loan.slot_index, for_reader_1.slot_index, "reserve lent slot %u; only slot %u was recyclable",
                 loan.slot_index, for_reader_1.slot_index);
    expect_no_free_slot_for(pool, 0x1);
}

Test(recycle, r_recycle_5,
     .description = "R-RECYCLE-5: active mask 0: the sample is readable after commit and "
                    "recyclable at once")
{
    slotkit_pool *pool = open_pool(1, 8);
    const char payload[] = "hey";
    slotkit_handle handle;
    uint32_t sn = publish(pool, 0, payload, sizeof payload, &handle);
    expect_header(pool, handle, sn, sizeof payload, 0);
    expect_sample(pool, handle, payload, sizeof payload);
    slotkit_handle again = must_reserve(pool, 0);
    cr_assert_eq(again.slot_index, handle.slot_index);
}

Test(recycle, r_recycle_5__not_delivered, .description = "R-RECYCLE-5: a mask-0 sample is pending for no reader")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(2, 8);
    (void)publish_byte(pool, 0, 1, NULL);
    for (uint32_t reader = 0; reader < 32; reader++) {
        expect_nothing_unread(pool, reader);
    }
}

Test(recycle, r_recycle_6,
     .description = "R-RECYCLE-6: a mark for a re-reserved (LOANED) slot is OUT_OF_BOUNDS and "
                    "never marks the next sample")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle first;
    (void)publish_byte(pool, 0x3, 1, &first);
    expect_ok(slotkit_mark_read(pool, first, 0));
    expect_ok(slotkit_mark_read(pool, first, 1));
    slotkit_handle loan = must_reserve(pool, 0x3);
    cr_assert_eq(loan.slot_index, first.slot_index);
    /* Late marks of the old sample (e.g. a duplicate release) hit the loan. */
    expect_status(slotkit_mark_read(pool, first, 0), SLOTKIT_OUT_OF_BOUNDS);
    expect_status(slotkit_mark_read(pool, first, 1), SLOTKIT_OUT_OF_BOUNDS);
    uint8_t byte = 2;
    uint32_t sn = must_commit(pool, loan, &byte, 1);
    expect_header(pool, loan, sn, 1, 0);
    expect_no_free_slot_for(pool, 0x3);
}

Test(recycle, r_recycle_6__mask_fixed_at_reserve,
     .description = "R-RECYCLE-6: the wait set comes from the reserve mask, not from readers "
                    "that mark later")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x1, 1, &handle);
    /* Reader 3 marking does not join it to the wait set. */
    expect_ok(slotkit_mark_read(pool, handle, 3));
    expect_ok(slotkit_mark_read(pool, handle, 0));
    expect_header(pool, handle, sn, 1, 0x1);
    (void)must_reserve(pool, 0);
}
