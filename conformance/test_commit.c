/* Commit: R-COMMIT-*. */
#include "fixture.h"

#include <string.h>

CONF_SUITE(commit, CONF_TIMEOUT_S);

Test(commit, r_commit_1,
     .description = "R-COMMIT-1: commit publishes the bytes; read returns them and header "
                    "{sn, len, 0, 0}")
{
    slotkit_pool *pool = open_pool(2, 32);
    uint8_t payload[20];
    fill_pattern(payload, sizeof payload, 1);
    slotkit_handle handle = must_reserve(pool, 0x3);
    uint32_t sn = must_commit(pool, handle, payload, sizeof payload);
    cr_assert_eq(sn, 0u, "first commit returned sn %u, expected 0", sn);
    expect_header(pool, handle, 0, sizeof payload, 0);
    expect_sample(pool, handle, payload, sizeof payload);
}

Test(commit, r_commit_1__bytes_copied,
     .description = "R-COMMIT-1: the sample is a copy; changing the caller's buffer later does "
                    "not change it")
{
    slotkit_pool *pool = open_pool(1, 16);
    uint8_t payload[16];
    fill_pattern(payload, sizeof payload, 2);
    uint8_t expected[16];
    memcpy(expected, payload, sizeof payload);
    slotkit_handle handle;
    (void)publish(pool, 0x1, payload, sizeof payload, &handle);
    memset(payload, 0, sizeof payload);
    expect_sample(pool, handle, expected, sizeof expected);
}

Test(commit, r_recycle_1__reused_slot_new_header,
     .description = "R-RECYCLE-1: a recycled slot publishes the new bytes and a fresh header")
{
    slotkit_pool *pool = open_pool(1, 16);
    uint8_t old_payload[16], new_payload[5];
    fill_pattern(old_payload, sizeof old_payload, 3);
    fill_pattern(new_payload, sizeof new_payload, 4);
    slotkit_handle first;
    (void)publish(pool, 0x3, old_payload, sizeof old_payload, &first);
    expect_ok(slotkit_mark_read(pool, first, 0));
    expect_ok(slotkit_mark_read(pool, first, 1));
    slotkit_handle second;
    uint32_t sn = publish(pool, 0x3, new_payload, sizeof new_payload, &second);
    cr_assert_eq(sn, 1u);
    /* reader_mask must start from 0 again, size must be the new one. */
    expect_header(pool, second, 1, sizeof new_payload, 0);
    expect_sample(pool, second, new_payload, sizeof new_payload);
}

Test(commit, r_commit_2__never_reserved,
     .description = "R-COMMIT-2: commit of a never-reserved slot is OUT_OF_BOUNDS, no state "
                    "change, no SN consumed")
{
    slotkit_pool *pool = open_pool(4, 16);
    slotkit_handle loan = must_reserve(pool, 0x1);
    slotkit_handle never = loan;
    never.slot_index = loan.slot_index == 0 ? 1 : 0;
    uint64_t gen = generation(pool);
    uint8_t byte = 1;
    uint32_t sn = 0;
    expect_status(slotkit_commit(pool, never, &byte, 1, &sn), SLOTKIT_OUT_OF_BOUNDS);
    expect_generation_unchanged(pool, gen);
    uint8_t buf[16];
    slotkit_slot_header header;
    expect_status(slotkit_read(pool, never, &header, buf, sizeof buf), SLOTKIT_OUT_OF_BOUNDS);
    cr_assert_eq(must_commit(pool, loan, &byte, 1), 0u, "a sequence number was consumed");
    /* The rejected slot did not become a sample or a loan: 3 slots free. */
    expect_free_slots(pool, 3);
}

Test(commit, r_commit_2__already_committed,
     .description = "R-COMMIT-2: a second commit on the same handle is OUT_OF_BOUNDS, sample "
                    "unchanged, no SN consumed")
{
    slotkit_pool *pool = open_pool(2, 16);
    const char first[] = "first";
    slotkit_handle handle;
    uint32_t sn = publish(pool, 0x1, first, sizeof first, &handle);
    uint64_t gen = generation(pool);
    const char second[] = "second!";
    uint32_t sn2 = 0;
    expect_status(slotkit_commit(pool, handle, second, sizeof second, &sn2), SLOTKIT_OUT_OF_BOUNDS);
    expect_generation_unchanged(pool, gen);
    expect_header(pool, handle, sn, sizeof first, 0);
    expect_sample(pool, handle, first, sizeof first);
    /* Still pending for reader 0, so only the other slot is free. */
    expect_free_slots(pool, 1);
    expect_next_sn(pool, sn + 1);
}

Test(commit, r_commit_2__recycled_sample,
     .description = "R-COMMIT-2: commit on a handle whose sample was recycled (mask 0) is "
                    "OUT_OF_BOUNDS")
{
    slotkit_pool *pool = open_pool(2, 16);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0, 1, &handle);
    uint8_t byte = 2;
    uint32_t sn2 = 0;
    expect_status(slotkit_commit(pool, handle, &byte, 1, &sn2), SLOTKIT_OUT_OF_BOUNDS);
    expect_next_sn(pool, sn + 1);
}

Test(commit, r_commit_2__discarded,
     .description = "R-COMMIT-2: commit of a discarded loan is OUT_OF_BOUNDS, nothing "
                    "published, no SN consumed")
{
    slotkit_pool *pool = open_pool(2, 16);
    slotkit_handle handle = must_reserve(pool, 0x1);
    expect_ok(slotkit_discard(pool, handle));
    uint64_t gen = generation(pool);
    uint8_t byte = 1;
    uint32_t sn = 0;
    expect_status(slotkit_commit(pool, handle, &byte, 1, &sn), SLOTKIT_OUT_OF_BOUNDS);
    expect_generation_unchanged(pool, gen);
    uint8_t buf[16];
    slotkit_slot_header header;
    expect_status(slotkit_read(pool, handle, &header, buf, sizeof buf), SLOTKIT_OUT_OF_BOUNDS);
    expect_free_slots(pool, 2);
    expect_next_sn(pool, 0);
}

Test(commit, r_commit_3,
     .description = "R-COMMIT-3: len > capacity is SAMPLE_TOO_LARGE with sample_size and "
                    "slot_capacity in the error detail")
{
    slotkit_pool *pool = open_pool(2, 32);
    uint8_t payload[33];
    fill_pattern(payload, sizeof payload, 5);
    slotkit_handle handle = must_reserve(pool, 0x1);
    uint64_t gen = generation(pool);
    uint32_t sn = 0xDEADBEEF;
    expect_status(slotkit_commit(pool, handle, payload, 33, &sn), SLOTKIT_SAMPLE_TOO_LARGE);
    const slotkit_error *err = slotkit_last_error();
    cr_assert_not_null(err);
    cr_assert_eq(err->status, SLOTKIT_SAMPLE_TOO_LARGE, "last_error status %s", status_name(err->status));
    cr_assert_eq(err->sample_size, 33u, "last_error sample_size %llu, expected 33",
                 (unsigned long long)err->sample_size);
    cr_assert_eq(err->slot_capacity, 32u, "last_error slot_capacity %llu, expected 32",
                 (unsigned long long)err->slot_capacity);
    expect_generation_unchanged(pool, gen);
    uint8_t buf[64];
    slotkit_slot_header header;
    expect_status(slotkit_read(pool, handle, &header, buf, sizeof buf), SLOTKIT_OUT_OF_BOUNDS);
}

Test(commit, r_commit_3__far_too_large,
     .description = "R-COMMIT-3: a huge len (SIZE_MAX) is SAMPLE_TOO_LARGE, not an overflow")
{
    slotkit_pool *pool = open_pool(2, 32);
    uint8_t payload[32] = {0};
    slotkit_handle handle = must_reserve(pool, 0x1);
    uint32_t sn = 0;
    /* The backend must check len before touching bytes. */
    expect_status(slotkit_commit(pool, handle, payload, SIZE_MAX, &sn), SLOTKIT_SAMPLE_TOO_LARGE);
    cr_assert_eq(slotkit_last_error()->sample_size, (uint64_t)SIZE_MAX);
    cr_assert_eq(slotkit_last_error()->slot_capacity, 32u);
    cr_assert_eq(must_commit(pool, handle, payload, 32), 0u);
}

Test(commit, r_commit_3__smaller_commit_after,
     .description = "R-COMMIT-3: after SAMPLE_TOO_LARGE the loan stays live; a smaller commit "
                    "succeeds with the unconsumed SN")
{
    slotkit_pool *pool = open_pool_from_sn(2, 32, 77);
    uint8_t payload[40];
    fill_pattern(payload, sizeof payload, 6);
    slotkit_handle handle = must_reserve(pool, 0x1);
    uint32_t sn = 0;
    expect_status(slotkit_commit(pool, handle, payload, 40, &sn), SLOTKIT_SAMPLE_TOO_LARGE);
    sn = must_commit(pool, handle, payload, 10);
    cr_assert_eq(sn, 77u, "commit after SAMPLE_TOO_LARGE got sn %u, expected 77", sn);
    expect_header(pool, handle, 77, 10, 0);
    expect_sample(pool, handle, payload, 10);
}

Test(commit, r_commit_3__discard_after,
     .description = "R-COMMIT-3: after SAMPLE_TOO_LARGE the loan stays live; discard succeeds, "
                    "no SN consumed")
{
    slotkit_pool *pool = open_pool(1, 32);
    uint8_t payload[64] = {0};
    slotkit_handle handle = must_reserve(pool, 0x1);
    uint32_t sn = 0;
    expect_status(slotkit_commit(pool, handle, payload, 64, &sn), SLOTKIT_SAMPLE_TOO_LARGE);
    expect_ok(slotkit_discard(pool, handle));
    expect_free_slots(pool, 1);
    expect_next_sn(pool, 0);
}

Test(commit, r_commit_3__equal_len, .description = "R-COMMIT-3: len == capacity is accepted")
{
    static const size_t capacities[] = {1, 48, 64, 100};
    for (size_t i = 0; i < sizeof capacities / sizeof capacities[0]; i++) {
        size_t capacity = capacities[i];
        slotkit_pool *pool = open_pool(1, capacity);
        uint8_t payload[100];
        fill_pattern(payload, capacity, 7 + i);
        slotkit_handle handle;
        (void)publish(pool, 0x1, payload, capacity, &handle);
        expect_header(pool, handle, 0, (uint32_t)capacity, 0);
        expect_sample(pool, handle, payload, capacity);
        close_pool(pool);
    }
}

Test(commit, r_commit_4,
     .description = "R-COMMIT-4: a zero-length sample gets a sequence number and is readable "
                    "with sample_size 0")
{
    slotkit_pool *pool = open_pool(2, 16);
    uint8_t dummy = 0xAB;
    slotkit_handle empty;
    uint32_t sn_empty = publish(pool, 0x1, &dummy, 0, &empty);
    slotkit_handle next;
    uint32_t sn_next = publish_byte(pool, 0x1, 1, &next);
    cr_assert_eq(sn_empty, 0u, "zero-length commit got sn %u, expected 0", sn_empty);
    cr_assert_eq(sn_next, 1u, "commit after a zero-length one got sn %u, expected 1", sn_next);
    expect_header(pool, empty, 0, 0, 0);
    /* Nothing is copied out of an empty sample. */
    uint8_t buf[8];
    memset(buf, 0xEE, sizeof buf);
    slotkit_slot_header header;
    expect_ok(slotkit_read(pool, empty, &header, buf, sizeof buf));
    for (size_t i = 0; i < sizeof buf; i++) {
        cr_assert_eq(buf[i], 0xEE, "read of an empty sample wrote buf[%zu]", i);
    }
}

Test(commit, r_commit_4__recycled_like_any_sample,
     .description = "R-COMMIT-4: a zero-length sample's slot is recycled only when its readers "
                    "are done")
{
    slotkit_pool *pool = open_pool(1, 16);
    uint8_t dummy = 0;
    slotkit_handle empty;
    uint32_t sn = publish(pool, 0x1, &dummy, 0, &empty);
    /* A backend that takes "size 0" for "free" would lend the slot here. */
    expect_no_free_slot_for(pool, 0x1);
    expect_header(pool, empty, sn, 0, 0);
    expect_ok(slotkit_mark_read(pool, empty, 0));
    expect_header(pool, empty, sn, 0, 0x1);
    expect_free_slots(pool, 1);
}

Test(commit, r_commit_4__next_unread, .description = "R-COMMIT-4: next_unread_slot delivers a zero-length sample")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(2, 16);
    uint8_t dummy = 0;
    slotkit_handle empty;
    uint32_t sn = publish(pool, 0x1, &dummy, 0, &empty);
    expect_next_unread_is(pool, 0, empty, sn);
    expect_ok(slotkit_mark_read(pool, empty, 0));
    expect_nothing_unread(pool, 0);
}

Test(commit, r_commit_4__in_place, .description = "R-COMMIT-4: a zero-length commit_in_place is a sample too")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(1, 16);
    slotkit_handle handle = must_reserve(pool, 0x1);
    uint32_t sn = 0xDEADBEEF;
    expect_ok(slotkit_commit_in_place(pool, handle, 0, &sn));
    cr_assert_eq(sn, 0u);
    expect_header(pool, handle, 0, 0, 0);
    expect_no_free_slot_for(pool, 0x1);
}
