/* Sequence numbers: R-SEQ-*. */
#include "fixture.h"

#include <string.h>

CONF_SUITE(seq, CONF_TIMEOUT_S);

/* Publishes `count` mask-0 samples and checks their SNs run from `first`. */
static void expect_consecutive(slotkit_pool *pool, uint32_t first, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        uint32_t sn = publish_byte(pool, 0, (uint8_t)i, NULL);
        uint32_t expected = first + i; /* wraps modulo 2^32 by C's unsigned rules */
        cr_assert_eq(sn, expected, "commit #%u returned sn %u (0x%08x), expected %u (0x%08x)", i, sn, sn, expected,
                     expected);
    }
}

Test(seq, r_seq_1, .description = "R-SEQ-1: the first commit returns 0 by default; each next one previous + 1")
{
    slotkit_pool *pool = open_pool(2, 8);
    expect_consecutive(pool, 0, 100);
}

Test(seq, r_seq_5, .description = "R-SEQ-5: the first commit returns config.first_sequence_number")
{
    slotkit_pool *pool = open_pool_from_sn(2, 8, 123456789u);
    expect_consecutive(pool, 123456789u, 10);
}

Test(seq, r_seq_1__header_matches,
     .description = "R-SEQ-1: the header of each sample carries the SN its commit returned")
{
    slotkit_pool *pool = open_pool(4, 8);
    slotkit_handle handles[4];
    for (uint32_t i = 0; i < 4; i++) {
        uint32_t sn = publish_byte(pool, 0x1, (uint8_t)i, &handles[i]);
        cr_assert_eq(sn, i);
    }
    for (uint32_t i = 0; i < 4; i++) {
        expect_header(pool, handles[i], i, 1, 0);
    }
}

Test(seq, r_seq_1__per_pool, .description = "R-SEQ-1: each pool counts its own sequence numbers")
{
    slotkit_pool *a = open_pool(2, 8);
    slotkit_pool *b = open_pool(2, 8);
    cr_assert_eq(publish_byte(a, 0, 1, NULL), 0u);
    cr_assert_eq(publish_byte(a, 0, 1, NULL), 1u);
    cr_assert_eq(publish_byte(b, 0, 1, NULL), 0u);
    cr_assert_eq(publish_byte(a, 0, 1, NULL), 2u);
    cr_assert_eq(publish_byte(b, 0, 1, NULL), 1u);
}

Test(seq, r_seq_5__per_pool, .description = "R-SEQ-5: each pool starts where its own config says")
{
    slotkit_pool *a = open_pool(2, 8);
    slotkit_pool *b = open_pool_from_sn(2, 8, 50);
    cr_assert_eq(publish_byte(a, 0, 1, NULL), 0u);
    cr_assert_eq(publish_byte(b, 0, 1, NULL), 50u);
    cr_assert_eq(publish_byte(a, 0, 1, NULL), 1u);
    cr_assert_eq(publish_byte(b, 0, 1, NULL), 51u);
}

Test(seq, r_seq_1__mixed_in_place, .description = "R-SEQ-1: copy and in-place commits share one counter")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(2, 8);
    cr_assert_eq(publish_byte(pool, 0, 1, NULL), 0u);
    for (uint32_t i = 0; i < 3; i++) {
        slotkit_handle handle = must_reserve(pool, 0);
        void *ptr = NULL;
        size_t capacity = 0;
        expect_ok(slotkit_slot_data_ptr(pool, handle, &ptr, &capacity));
        memset(ptr, 0x11, 4);
        uint32_t sn = 0;
        expect_ok(slotkit_commit_in_place(pool, handle, 4, &sn));
        cr_assert_eq(sn, 1 + i, "commit_in_place returned sn %u, expected %u", sn, 1 + i);
    }
    cr_assert_eq(publish_byte(pool, 0, 1, NULL), 4u);
}

Test(seq, r_seq_2__too_large, .description = "R-SEQ-2: a SAMPLE_TOO_LARGE commit consumes no sequence number")
{
    slotkit_pool *pool = open_pool(2, 8);
    cr_assert_eq(publish_byte(pool, 0, 1, NULL), 0u);
    slotkit_handle handle = must_reserve(pool, 0);
    uint8_t big[9] = {0};
    uint32_t sn = 0;
    for (int i = 0; i < 3; i++) {
        expect_status(slotkit_commit(pool, handle, big, sizeof big, &sn), SLOTKIT_SAMPLE_TOO_LARGE);
    }
    cr_assert_eq(must_commit(pool, handle, big, 8), 1u);
}

Test(seq, r_seq_2__out_of_bounds,
     .description = "R-SEQ-2: OUT_OF_BOUNDS commits (bad index, foreign, stale) consume no "
                    "sequence number")
{
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle stale;
    cr_assert_eq(publish_byte(pool, 0, 1, &stale), 0u);
    slotkit_handle loan = must_reserve(pool, 0);
    slotkit_handle bad_index = loan;
    bad_index.slot_index = 2;
    uint8_t byte = 3;
    uint32_t sn = 0;
    expect_status(slotkit_commit(pool, bad_index, &byte, 1, &sn), SLOTKIT_OUT_OF_BOUNDS);
    expect_status(slotkit_commit(pool, foreign_handle(loan), &byte, 1, &sn), SLOTKIT_OUT_OF_BOUNDS);
    if (!same_handle(stale, loan)) {
        expect_status(slotkit_commit(pool, stale, &byte, 1, &sn), SLOTKIT_OUT_OF_BOUNDS);
    }
    cr_assert_eq(must_commit(pool, loan, &byte, 1), 1u);
}

Test(seq, r_seq_2__null_out_pointer, .description = "R-SEQ-2: an INVALID_ARGUMENT commit consumes no sequence number")
{
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle loan = must_reserve(pool, 0);
    uint8_t byte = 3;
    expect_status(slotkit_commit(pool, loan, &byte, 1, NULL), SLOTKIT_INVALID_ARGUMENT);
    cr_assert_eq(must_commit(pool, loan, &byte, 1), 0u);
}

Test(seq, r_seq_2__in_place_failures, .description = "R-SEQ-2: failed commit_in_place calls consume no sequence number")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle loan = must_reserve(pool, 0);
    uint32_t sn = 0;
    expect_status(slotkit_commit_in_place(pool, loan, 9, &sn), SLOTKIT_SAMPLE_TOO_LARGE);
    slotkit_handle bad = loan;
    bad.slot_index = 2;
    expect_status(slotkit_commit_in_place(pool, bad, 1, &sn), SLOTKIT_OUT_OF_BOUNDS);
    expect_status(slotkit_commit_in_place(pool, foreign_handle(loan), 1, &sn), SLOTKIT_OUT_OF_BOUNDS);
    expect_ok(slotkit_commit_in_place(pool, loan, 1, &sn));
    cr_assert_eq(sn, 0u, "first successful commit_in_place got sn %u, expected 0", sn);
}

Test(seq, r_seq_3, .description = "R-SEQ-3: sequence numbers wrap modulo 2^32: FFFFFFFE, FFFFFFFF, 0, 1")
{
    slotkit_pool *pool = open_pool_from_sn(2, 8, 0xFFFFFFFEu);
    expect_consecutive(pool, 0xFFFFFFFEu, 4);
}

Test(seq, r_seq_3__headers_across_wrap, .description = "R-SEQ-3: headers read back FFFFFFFF and 0 across the wrap")
{
    slotkit_pool *pool = open_pool_from_sn(2, 8, 0xFFFFFFFFu);
    slotkit_handle before, after;
    cr_assert_eq(publish_byte(pool, 0x1, 1, &before), 0xFFFFFFFFu);
    cr_assert_eq(publish_byte(pool, 0x1, 2, &after), 0u);
    expect_header(pool, before, 0xFFFFFFFFu, 1, 0);
    expect_header(pool, after, 0, 1, 0);
}

Test(seq, r_seq_4,
     .description = "R-SEQ-4: serial arithmetic: across the wrap next_unread_slot returns "
                    "FFFFFFFF before 0")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool_from_sn(4, 8, 0xFFFFFFFEu);
    slotkit_handle handles[4];
    uint32_t sns[4];
    for (int i = 0; i < 4; i++) {
        sns[i] = publish_byte(pool, 0x1, (uint8_t)i, &handles[i]);
    }
    cr_assert_eq(sns[2], 0u);
    /* Oldest first: FFFFFFFE, FFFFFFFF, 0, 1 — a plain '<' would start at 0. */
    for (int i = 0; i < 4; i++) {
        expect_next_unread_is(pool, 0, handles[i], sns[i]);
        expect_ok(slotkit_mark_read(pool, handles[i], 0));
    }
    expect_nothing_unread(pool, 0);
}

Test(seq, r_seq_4__reversed_slots,
     .description = "R-SEQ-4: across the wrap, order follows SNs even when slot order is "
                    "reversed")
{
    require_caps(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool_from_sn(4, 8, 0xFFFFFFFEu);
    slotkit_handle loans[4];
    for (int i = 0; i < 4; i++) {
        loans[i] = must_reserve(pool, 0x1);
    }
    /* Commit in the reverse of the lending order, so SN order differs from
     * the slot order of a backend that lends the lowest index first. */
    uint32_t sns[4];
    for (int i = 3; i >= 0; i--) {
        uint8_t byte = (uint8_t)i;
        sns[i] = must_commit(pool, loans[i], &byte, 1);
    }
    for (int i = 3; i >= 0; i--) {
        expect_next_unread_is(pool, 0, loans[i], sns[i]);
        expect_ok(slotkit_mark_read(pool, loans[i], 0));
    }
    expect_nothing_unread(pool, 0);
}
