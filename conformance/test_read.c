/* Read: R-READ-*. */
#include "fixture.h"

#include <string.h>

CONF_SUITE(read, CONF_TIMEOUT_S);

#define GUARD_BYTE 0xEE

static bool all_bytes_are(const uint8_t *buf, size_t from, size_t to, uint8_t value)
{
    for (size_t i = from; i < to; i++) {
        if (buf[i] != value) {
            return false;
        }
    }
    return true;
}

Test(read, r_read_1,
     .description = "R-READ-1: read_slot copies exactly sample_size bytes and reports the "
                    "header")
{
    slotkit_pool *pool = open_pool(2, 64);
    uint8_t payload[37];
    fill_pattern(payload, sizeof payload, 11);
    slotkit_handle handle;
    uint32_t sn = publish(pool, 0x1, payload, sizeof payload, &handle);
    uint8_t buf[128];
    memset(buf, GUARD_BYTE, sizeof buf);
    slotkit_slot_header header;
    memset(&header, 0xA5, sizeof header);
    expect_ok(slotkit_read(pool, handle, &header, buf, sizeof buf));
    cr_assert_eq(header.sequence_number, sn);
    cr_assert_eq(header.sample_size, sizeof payload);
    cr_assert_eq(header.reader_mask, 0u);
    cr_assert_eq(header.reserved, 0u);
    cr_assert(memcmp(buf, payload, sizeof payload) == 0, "payload bytes differ");
    /* Not a byte more, even though capacity and buf_len are larger. */
    cr_assert(all_bytes_are(buf, sizeof payload, sizeof buf, GUARD_BYTE),
              "read_slot wrote past sample_size into the caller's buffer");
}

Test(read, r_read_1__exact_buffer, .description = "R-READ-1: a buffer of exactly sample_size bytes is enough")
{
    slotkit_pool *pool = open_pool(1, 64);
    uint8_t payload[64];
    fill_pattern(payload, sizeof payload, 12);
    slotkit_handle handle;
    uint32_t sn = publish(pool, 0x1, payload, sizeof payload, &handle);
    uint8_t buf[64];
    slotkit_slot_header header;
    expect_ok(slotkit_read(pool, handle, &header, buf, sizeof buf));
    cr_assert_eq(header.sequence_number, sn);
    cr_assert_eq(header.sample_size, 64u);
    cr_assert(memcmp(buf, payload, sizeof payload) == 0, "payload bytes differ");
}

Test(read, r_read_1__repeatable, .description = "R-READ-1: a sample can be read any number of times, always the same")
{
    slotkit_pool *pool = open_pool(1, 32);
    uint8_t payload[32];
    fill_pattern(payload, sizeof payload, 13);
    slotkit_handle handle;
    uint32_t sn = publish(pool, 0x3, payload, sizeof payload, &handle);
    for (int i = 0; i < 5; i++) {
        expect_header(pool, handle, sn, sizeof payload, 0);
        expect_sample(pool, handle, payload, sizeof payload);
    }
}

Test(read, r_read_2,
     .description = "R-READ-2: header.reader_mask = wait-set readers that are done; 0 after "
                    "commit; reserved 0")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x15, 1, &handle); /* readers 0, 2, 4 */
    expect_header(pool, handle, sn, 1, 0);
    expect_ok(slotkit_mark_read(pool, handle, 2));
    expect_header(pool, handle, sn, 1, 0x04);
    expect_ok(slotkit_mark_read(pool, handle, 4));
    expect_header(pool, handle, sn, 1, 0x14);
    /* Reader 1 is not in the wait set: its mark shows nowhere. */
    expect_ok(slotkit_mark_read(pool, handle, 1));
    expect_header(pool, handle, sn, 1, 0x14);
}

Test(read, r_read_2__disconnect_counts_as_done,
     .description = "R-READ-2: a reader disconnected after commit shows as done in "
                    "header.reader_mask")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x3, 1, &handle);
    expect_ok(slotkit_mark_reader_disconnected(pool, 1));
    expect_header(pool, handle, sn, 1, 0x2);
}

Test(read, r_read_3__free, .description = "R-READ-3: read_slot of a FREE (never used) slot is OUT_OF_BOUNDS")
{
    slotkit_pool *pool = open_pool(3, 8);
    slotkit_handle loan = must_reserve(pool, 0);
    expect_ok(slotkit_discard(pool, loan));
    uint8_t buf[8];
    slotkit_slot_header header;
    for (uint32_t i = 0; i < 3; i++) {
        slotkit_handle handle = {.segment_id = loan.segment_id, .slot_index = i};
        expect_status(slotkit_read(pool, handle, &header, buf, sizeof buf), SLOTKIT_OUT_OF_BOUNDS);
    }
}

Test(read, r_read_3__loaned, .description = "R-READ-3: read_slot of a LOANED slot is OUT_OF_BOUNDS")
{
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle loan = must_reserve(pool, 0x1);
    uint8_t buf[8];
    slotkit_slot_header header;
    expect_status(slotkit_read(pool, loan, &header, buf, sizeof buf), SLOTKIT_OUT_OF_BOUNDS);
}

Test(read, r_read_3__previous_sample_gone,
     .description = "R-READ-3: once a slot is reserved again, its previous sample is not "
                    "readable")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle old_sample;
    (void)publish_byte(pool, 0, 0x77, &old_sample); /* mask 0: recyclable at once */
    expect_header(pool, old_sample, 0, 1, 0);
    slotkit_handle loan = must_reserve(pool, 0); /* the sample's mask: R-READ-3 stays off R-RECYCLE-4 */
    cr_assert_eq(loan.slot_index, old_sample.slot_index);
    uint8_t buf[8];
    slotkit_slot_header header;
    expect_status(slotkit_read(pool, old_sample, &header, buf, sizeof buf), SLOTKIT_OUT_OF_BOUNDS);
    /* Discarding the loan leaves the slot FREE, not holding the old sample. */
    expect_ok(slotkit_discard(pool, loan));
    expect_status(slotkit_read(pool, old_sample, &header, buf, sizeof buf), SLOTKIT_OUT_OF_BOUNDS);
}

Test(read, r_read_4,
     .description = "R-READ-4: buf_len < sample_size is INVALID_ARGUMENT, header filled, "
                    "nothing copied")
{
    slotkit_pool *pool = open_pool(1, 32);
    uint8_t payload[20];
    fill_pattern(payload, sizeof payload, 14);
    slotkit_handle handle;
    uint32_t sn = publish(pool, 0x1, payload, sizeof payload, &handle);
    uint8_t buf[32];
    memset(buf, GUARD_BYTE, sizeof buf);
    slotkit_slot_header header;
    memset(&header, 0xA5, sizeof header);
    expect_status(slotkit_read(pool, handle, &header, buf, 19), SLOTKIT_INVALID_ARGUMENT);
    cr_assert_eq(header.sequence_number, sn, "header.sequence_number %u, expected %u", header.sequence_number, sn);
    cr_assert_eq(header.sample_size, 20u, "header.sample_size %u, expected 20", header.sample_size);
    cr_assert_eq(header.reader_mask, 0u);
    cr_assert_eq(header.reserved, 0u);
    cr_assert(all_bytes_are(buf, 0, sizeof buf, GUARD_BYTE), "read_slot copied bytes although buf_len was too short");
}

Test(read, r_read_4__zero_buffer,
     .description = "R-READ-4: buf_len 0 for a non-empty sample is INVALID_ARGUMENT with the "
                    "header filled")
{
    slotkit_pool *pool = open_pool(1, 32);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x1, 5, &handle);
    uint8_t buf[4] = {GUARD_BYTE, GUARD_BYTE, GUARD_BYTE, GUARD_BYTE};
    slotkit_slot_header header;
    memset(&header, 0xA5, sizeof header);
    expect_status(slotkit_read(pool, handle, &header, buf, 0), SLOTKIT_INVALID_ARGUMENT);
    cr_assert_eq(header.sequence_number, sn);
    cr_assert_eq(header.sample_size, 1u);
    cr_assert(all_bytes_are(buf, 0, sizeof buf, GUARD_BYTE), "read_slot wrote into buf");
}

Test(read, r_read_4__no_state_change,
     .description = "R-READ-4: the short-buffer failure leaves the sample pending and intact")
{
    slotkit_pool *pool = open_pool(1, 32);
    uint8_t payload[20];
    fill_pattern(payload, sizeof payload, 15);
    slotkit_handle handle;
    uint32_t sn = publish(pool, 0x1, payload, sizeof payload, &handle);
    uint64_t gen = generation(pool);
    uint8_t buf[8];
    slotkit_slot_header header;
    expect_status(slotkit_read(pool, handle, &header, buf, sizeof buf), SLOTKIT_INVALID_ARGUMENT);
    expect_generation_unchanged(pool, gen);
    expect_header(pool, handle, sn, 20, 0);
    expect_sample(pool, handle, payload, sizeof payload);
    expect_no_free_slot_for(pool, 0x1);
}

Test(read, r_read_5,
     .description = "R-READ-5: read_slot changes no state: no mark, generation unchanged, "
                    "slot still pending")
{
    slotkit_pool *pool = open_pool(1, 16);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x1, 9, &handle);
    uint64_t gen = generation(pool);
    for (int i = 0; i < 3; i++) {
        expect_header(pool, handle, sn, 1, 0);
    }
    expect_generation_unchanged(pool, gen);
    if (has_caps(SLOTKIT_CAP_NEXT_UNREAD)) {
        expect_next_unread_is(pool, 0, handle, sn);
    }
    /* Reading is not marking: the only slot is still taken. */
    expect_no_free_slot_for(pool, 0x1);
    expect_generation_unchanged(pool, gen);
}

Test(read, r_read_5__in_place, .description = "R-READ-5: slot_read_ptr changes no state: no mark, generation unchanged")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(1, 16);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x1, 9, &handle);
    uint64_t gen = generation(pool);
    for (int i = 0; i < 3; i++) {
        const void *ptr = NULL;
        size_t len = 0;
        expect_ok(slotkit_slot_read_ptr(pool, handle, &ptr, &len));
        cr_assert_eq(len, 1u);
    }
    expect_generation_unchanged(pool, gen);
    expect_header(pool, handle, sn, 1, 0);
    expect_no_free_slot_for(pool, 0x1);
}
