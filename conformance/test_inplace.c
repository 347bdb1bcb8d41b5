/* In place: R-INPLACE-* (capability IN_PLACE). */
#include "fixture.h"

#include <string.h>

CONF_SUITE(inplace, CONF_TIMEOUT_S);

static void *must_data_ptr(slotkit_pool *pool, slotkit_handle loan, size_t *out_capacity)
{
    void *ptr = NULL;
    size_t capacity = 0;
    expect_ok(slotkit_slot_data_ptr(pool, loan, &ptr, &capacity));
    cr_assert_not_null(ptr, "slot_data_ptr returned OK and a NULL pointer");
    if (out_capacity != NULL) {
        *out_capacity = capacity;
    }
    return ptr;
}

static uint32_t must_commit_in_place(slotkit_pool *pool, slotkit_handle loan, size_t len)
{
    uint32_t sn = 0;
    slotkit_status st = slotkit_commit_in_place(pool, loan, len, &sn);
    cr_assert_eq(st, SLOTKIT_OK, "commit_in_place(len %zu) returned %s", len, status_name(st));
    return sn;
}

Test(inplace, r_inplace_1,
     .description = "R-INPLACE-1: slot_data_ptr of a live loan gives a writable pointer to "
                    "capacity bytes")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(2, 100);
    slotkit_handle loan = must_reserve(pool, 0x1);
    size_t capacity = 0;
    uint8_t *ptr = must_data_ptr(pool, loan, &capacity);
    cr_assert_eq(capacity, 100u, "slot_data_ptr capacity %zu, expected 100", capacity);
    /* Every one of the capacity bytes is writable (ASan checks the bounds). */
    fill_pattern(ptr, capacity, 21);
    uint32_t sn = must_commit_in_place(pool, loan, capacity);
    uint8_t expected[100];
    fill_pattern(expected, sizeof expected, 21);
    expect_header(pool, loan, sn, 100, 0);
    expect_sample(pool, loan, expected, sizeof expected);
}

Test(inplace, r_inplace_1__stable_pointer,
     .description = "R-INPLACE-1: asking twice for the same loan gives the same region")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(2, 32);
    slotkit_handle loan = must_reserve(pool, 0x1);
    uint8_t *first = must_data_ptr(pool, loan, NULL);
    memset(first, 0x3C, 32);
    uint8_t *second = must_data_ptr(pool, loan, NULL);
    cr_assert_eq((void *)first, (void *)second, "slot_data_ptr moved from %p to %p", (void *)first, (void *)second);
}

Test(inplace, r_inplace_1__distinct_loans, .description = "R-INPLACE-1: two live loans get non-overlapping regions")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(2, 48);
    slotkit_handle a = must_reserve(pool, 0x1);
    slotkit_handle b = must_reserve(pool, 0x1);
    uint8_t *pa = must_data_ptr(pool, a, NULL);
    uint8_t *pb = must_data_ptr(pool, b, NULL);
    memset(pa, 0xAA, 48);
    memset(pb, 0xBB, 48);
    must_commit_in_place(pool, a, 48);
    must_commit_in_place(pool, b, 48);
    uint8_t expect_a[48], expect_b[48];
    memset(expect_a, 0xAA, sizeof expect_a);
    memset(expect_b, 0xBB, sizeof expect_b);
    expect_sample(pool, a, expect_a, sizeof expect_a);
    expect_sample(pool, b, expect_b, sizeof expect_b);
}

Test(inplace, r_inplace_2,
     .description = "R-INPLACE-2: slot_data_ptr of a FREE, committed or discarded slot is "
                    "OUT_OF_BOUNDS")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(3, 16);
    void *ptr = NULL;
    size_t capacity = 0;
    slotkit_handle committed;
    (void)publish_byte(pool, 0x1, 1, &committed);
    expect_status(slotkit_slot_data_ptr(pool, committed, &ptr, &capacity), SLOTKIT_OUT_OF_BOUNDS);
    slotkit_handle discarded = must_reserve(pool, 0x1);
    expect_ok(slotkit_discard(pool, discarded));
    expect_status(slotkit_slot_data_ptr(pool, discarded, &ptr, &capacity), SLOTKIT_OUT_OF_BOUNDS);
    /* A slot never lent: neither committed's nor discarded's index, if distinct. */
    for (uint32_t i = 0; i < 3; i++) {
        if (i != committed.slot_index) {
            slotkit_handle free_slot = {.segment_id = committed.segment_id, .slot_index = i};
            expect_status(slotkit_slot_data_ptr(pool, free_slot, &ptr, &capacity), SLOTKIT_OUT_OF_BOUNDS);
        }
    }
}

Test(inplace, r_inplace_3,
     .description = "R-INPLACE-3: commit_in_place is byte-for-byte and SN-for-SN identical to "
                    "commit_slot")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    static const size_t lengths[] = {0, 1, 17, 64};
    /* Two pools run the same history, one copying, one in place. */
    slotkit_pool *by_copy = open_pool_from_sn(2, 64, 0xFFFFFFFEu);
    slotkit_pool *in_place = open_pool_from_sn(2, 64, 0xFFFFFFFEu);
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        uint8_t payload[64];
        fill_pattern(payload, lengths[i], 30 + i);
        slotkit_handle hc;
        uint32_t sn_copy = publish(by_copy, 0x1, payload, lengths[i], &hc);

        slotkit_handle hp = must_reserve(in_place, 0x1);
        size_t capacity = 0;
        uint8_t *ptr = must_data_ptr(in_place, hp, &capacity);
        memcpy(ptr, payload, lengths[i]);
        uint32_t sn_place = must_commit_in_place(in_place, hp, lengths[i]);

        cr_assert_eq(sn_place, sn_copy, "len %zu: in-place sn %u, copy sn %u", lengths[i], sn_place, sn_copy);
        slotkit_slot_header copy_header = must_read_header(by_copy, hc);
        slotkit_slot_header place_header = must_read_header(in_place, hp);
        cr_assert(memcmp(&copy_header, &place_header, sizeof copy_header) == 0,
                  "len %zu: headers differ: copy {%u,%u,%u,%u}, in place {%u,%u,%u,%u}", lengths[i],
                  copy_header.sequence_number, copy_header.sample_size, copy_header.reader_mask, copy_header.reserved,
                  place_header.sequence_number, place_header.sample_size, place_header.reader_mask,
                  place_header.reserved);
        expect_sample(in_place, hp, payload, lengths[i]);
        expect_ok(slotkit_mark_read(by_copy, hc, 0));
        expect_ok(slotkit_mark_read(in_place, hp, 0));
    }
}

Test(inplace, r_inplace_3__shorter_than_written,
     .description = "R-INPLACE-3: commit_in_place(len) publishes only the first len bytes")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(1, 32);
    slotkit_handle loan = must_reserve(pool, 0x1);
    uint8_t *ptr = must_data_ptr(pool, loan, NULL);
    fill_pattern(ptr, 32, 40);
    uint8_t expected[32];
    fill_pattern(expected, sizeof expected, 40);
    uint32_t sn = must_commit_in_place(pool, loan, 10);
    expect_header(pool, loan, sn, 10, 0);
    uint8_t buf[32];
    memset(buf, 0xEE, sizeof buf);
    slotkit_slot_header header;
    expect_ok(slotkit_read(pool, loan, &header, buf, sizeof buf));
    cr_assert(memcmp(buf, expected, 10) == 0, "first 10 bytes differ");
    for (size_t i = 10; i < sizeof buf; i++) {
        cr_assert_eq(buf[i], 0xEE, "read copied byte %zu past the committed length 10", i);
    }
}

Test(inplace, r_inplace_4,
     .description = "R-INPLACE-4: commit_in_place len > capacity is SAMPLE_TOO_LARGE, sizes in "
                    "the detail, loan stays live")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool_from_sn(1, 24, 9);
    slotkit_handle loan = must_reserve(pool, 0x1);
    uint8_t *ptr = must_data_ptr(pool, loan, NULL);
    fill_pattern(ptr, 24, 41);
    uint64_t gen = generation(pool);
    uint32_t sn = 0;
    expect_status(slotkit_commit_in_place(pool, loan, 25, &sn), SLOTKIT_SAMPLE_TOO_LARGE);
    const slotkit_error *err = slotkit_last_error();
    cr_assert_eq(err->status, SLOTKIT_SAMPLE_TOO_LARGE);
    cr_assert_eq(err->sample_size, 25u, "last_error sample_size %llu, expected 25",
                 (unsigned long long)err->sample_size);
    cr_assert_eq(err->slot_capacity, 24u, "last_error slot_capacity %llu, expected 24",
                 (unsigned long long)err->slot_capacity);
    expect_generation_unchanged(pool, gen);
    /* Still live, bytes still there, SN not consumed. */
    sn = must_commit_in_place(pool, loan, 24);
    cr_assert_eq(sn, 9u, "sn %u after SAMPLE_TOO_LARGE, expected 9", sn);
    uint8_t expected[24];
    fill_pattern(expected, sizeof expected, 41);
    expect_sample(pool, loan, expected, sizeof expected);
}

Test(inplace, r_inplace_4__discard_after,
     .description = "R-INPLACE-4: after SAMPLE_TOO_LARGE in place, discard ends the loan")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(1, 24);
    slotkit_handle loan = must_reserve(pool, 0x1);
    uint32_t sn = 0;
    expect_status(slotkit_commit_in_place(pool, loan, SIZE_MAX, &sn), SLOTKIT_SAMPLE_TOO_LARGE);
    cr_assert_eq(slotkit_last_error()->sample_size, (uint64_t)SIZE_MAX);
    expect_ok(slotkit_discard(pool, loan));
    expect_free_slots(pool, 1);
    expect_next_sn(pool, 0);
}

Test(inplace, r_inplace_4__not_a_loan,
     .description = "R-INPLACE-4: commit_in_place on anything but a live loan is OUT_OF_BOUNDS, "
                    "no SN consumed")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(3, 16);
    slotkit_handle committed;
    uint32_t first = publish_byte(pool, 0x1, 1, &committed);
    slotkit_handle discarded = must_reserve(pool, 0x1);
    expect_ok(slotkit_discard(pool, discarded));
    uint64_t gen = generation(pool);
    uint32_t sn = 0;
    expect_status(slotkit_commit_in_place(pool, committed, 1, &sn), SLOTKIT_OUT_OF_BOUNDS);
    expect_status(slotkit_commit_in_place(pool, discarded, 1, &sn), SLOTKIT_OUT_OF_BOUNDS);
    expect_generation_unchanged(pool, gen);
    expect_header(pool, committed, first, 1, 0);
    expect_next_sn(pool, first + 1);
}

Test(inplace, r_inplace_5,
     .description = "R-INPLACE-5: slot_read_ptr of a committed sample gives its bytes and "
                    "sample_size")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(2, 64);
    uint8_t payload[50];
    fill_pattern(payload, sizeof payload, 42);
    slotkit_handle handle;
    (void)publish(pool, 0x1, payload, sizeof payload, &handle);
    const void *ptr = NULL;
    size_t len = 0;
    expect_ok(slotkit_slot_read_ptr(pool, handle, &ptr, &len));
    cr_assert_not_null(ptr);
    cr_assert_eq(len, sizeof payload, "slot_read_ptr len %zu, expected %zu", len, sizeof payload);
    cr_assert(memcmp(ptr, payload, sizeof payload) == 0, "bytes behind slot_read_ptr differ");
}

Test(inplace, r_inplace_5__zero_length, .description = "R-INPLACE-5: slot_read_ptr of an empty sample reports length 0")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(1, 64);
    uint8_t dummy = 0;
    slotkit_handle handle;
    (void)publish(pool, 0x1, &dummy, 0, &handle);
    const void *ptr = NULL;
    size_t len = 99;
    expect_ok(slotkit_slot_read_ptr(pool, handle, &ptr, &len));
    cr_assert_eq(len, 0u);
}

Test(inplace, r_inplace_5__free_or_loaned,
     .description = "R-INPLACE-5: slot_read_ptr of a FREE or LOANED slot is OUT_OF_BOUNDS")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(2, 16);
    const void *ptr = NULL;
    size_t len = 0;
    slotkit_handle loan = must_reserve(pool, 0x1);
    expect_status(slotkit_slot_read_ptr(pool, loan, &ptr, &len), SLOTKIT_OUT_OF_BOUNDS);
    slotkit_handle free_slot = loan;
    free_slot.slot_index = loan.slot_index == 0 ? 1 : 0;
    expect_status(slotkit_slot_read_ptr(pool, free_slot, &ptr, &len), SLOTKIT_OUT_OF_BOUNDS);
    /* A recycled (mask 0) sample whose slot is lent again is gone too. */
    expect_ok(slotkit_discard(pool, loan));
    slotkit_handle old_sample;
    (void)publish_byte(pool, 0, 1, &old_sample);
    slotkit_handle a = must_reserve(pool, 0);
    slotkit_handle b = must_reserve(pool, 0);
    cr_assert(a.slot_index == old_sample.slot_index || b.slot_index == old_sample.slot_index);
    expect_status(slotkit_slot_read_ptr(pool, old_sample, &ptr, &len), SLOTKIT_OUT_OF_BOUNDS);
}
