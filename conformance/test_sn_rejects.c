/* R-SEQ-2, one rejected commit path per test: each rejected call (made three
 * times) is followed by a good commit whose SN must be the next one. The
 * counter sits at the 2^32 wrap, so a consumed SN shows as 1 instead of 0.
 * (test_seq.c lumps several paths into one test and can skip one: a stale
 * handle is tried only when the backend reserves another slot.) */
#include "fixture.h"

#define REJ_SLOTS 4
#define REJ_CAPACITY 8
#define REJ_FIRST_SN 0xFFFFFFFFu
#define REJ_TRIES 3

/* A pool whose first sample (sn FFFFFFFF, pending for reader 0 so its slot
 * stays COMMITTED) is already published; *sample is its handle. */
static slotkit_pool *rejects_pool(slotkit_handle *sample)
{
    slotkit_pool *pool = open_pool_from_sn(REJ_SLOTS, REJ_CAPACITY, REJ_FIRST_SN);
    cr_assert_eq(publish_byte(pool, 0x1, 0xA1, sample), REJ_FIRST_SN);
    return pool;
}

static void expect_rejected_commit(slotkit_pool *pool, slotkit_handle h, size_t len, slotkit_status want)
{
    uint8_t bytes[REJ_CAPACITY + 1] = {0};
    for (int i = 0; i < REJ_TRIES; i++) {
        uint32_t sn = 0;
        expect_status(slotkit_commit(pool, h, bytes, len, &sn), want);
    }
}

static void expect_rejected_in_place(slotkit_pool *pool, slotkit_handle h, size_t len, slotkit_status want)
{
    for (int i = 0; i < REJ_TRIES; i++) {
        uint32_t sn = 0;
        expect_status(slotkit_commit_in_place(pool, h, len, &sn), want);
    }
}

/* The good commit after the rejections: the next SN, nothing consumed. */
static void expect_good_commit(slotkit_pool *pool, slotkit_handle loan, const char *path)
{
    uint8_t byte = 0xB2;
    uint32_t sn = must_commit(pool, loan, &byte, 1);
    cr_assert_eq(sn, REJ_FIRST_SN + 1u,
                 "after %d rejected commits (%s) the next commit got sn %u, expected %u: the "
                 "rejections consumed %u sequence numbers",
                 REJ_TRIES, path, sn, REJ_FIRST_SN + 1u, sn - (REJ_FIRST_SN + 1u));
}

static void expect_good_in_place(slotkit_pool *pool, slotkit_handle loan, const char *path)
{
    uint32_t sn = 0;
    expect_ok(slotkit_commit_in_place(pool, loan, 1, &sn));
    cr_assert_eq(sn, REJ_FIRST_SN + 1u,
                 "after %d rejected commit_in_place calls (%s) the next one got sn %u, expected "
                 "%u",
                 REJ_TRIES, path, sn, REJ_FIRST_SN + 1u);
}

Test(seq, r_seq_2__rejected_too_large,
     .description = "R-SEQ-2: commits with len > capacity (SAMPLE_TOO_LARGE) consume no SN")
{
    slotkit_handle sample;
    slotkit_pool *pool = rejects_pool(&sample);
    slotkit_handle loan = must_reserve(pool, 0);
    expect_rejected_commit(pool, loan, REJ_CAPACITY + 1, SLOTKIT_SAMPLE_TOO_LARGE);
    expect_good_commit(pool, loan, "len > capacity");
}

Test(seq, r_seq_2__rejected_foreign_segment,
     .description = "R-SEQ-2: commits of a handle with another pool's segment_id consume no SN")
{
    slotkit_handle sample;
    slotkit_pool *pool = rejects_pool(&sample);
    slotkit_handle loan = must_reserve(pool, 0);
    expect_rejected_commit(pool, foreign_handle(loan), 1, SLOTKIT_OUT_OF_BOUNDS);
    expect_good_commit(pool, loan, "foreign segment_id");
}

Test(seq, r_seq_2__rejected_index_out_of_range,
     .description = "R-SEQ-2: commits of slot_index >= slot_count consume no SN")
{
    slotkit_handle sample;
    slotkit_pool *pool = rejects_pool(&sample);
    slotkit_handle loan = must_reserve(pool, 0);
    slotkit_handle past_end = loan, far = loan;
    past_end.slot_index = REJ_SLOTS;
    far.slot_index = UINT32_MAX;
    expect_rejected_commit(pool, past_end, 1, SLOTKIT_OUT_OF_BOUNDS);
    expect_rejected_commit(pool, far, 1, SLOTKIT_OUT_OF_BOUNDS);
    expect_good_commit(pool, loan, "slot_index out of range");
}

Test(seq, r_seq_2__rejected_never_reserved,
     .description = "R-SEQ-2: commits of a slot that was never reserved consume no SN")
{
    slotkit_handle sample;
    slotkit_pool *pool = rejects_pool(&sample);
    slotkit_handle loan = must_reserve(pool, 0);
    /* Only two slots were ever reserved: any third one never was. */
    slotkit_handle never = loan;
    for (never.slot_index = 0; never.slot_index == loan.slot_index || never.slot_index == sample.slot_index;
         never.slot_index++) {}
    expect_rejected_commit(pool, never, 1, SLOTKIT_OUT_OF_BOUNDS);
    expect_good_commit(pool, loan, "never reserved");
}

Test(seq, r_seq_2__rejected_already_committed,
     .description = "R-SEQ-2: commits of a slot that is already committed consume no SN")
{
    slotkit_handle sample;
    slotkit_pool *pool = rejects_pool(&sample);
    /* The sample waits for reader 0, so its slot is not reserved again. */
    expect_rejected_commit(pool, sample, 1, SLOTKIT_OUT_OF_BOUNDS);
    slotkit_handle loan = must_reserve(pool, 0x1); /* the sample's mask: R-SEQ-2 stays off R-RESERVE-1 */
    cr_assert_neq(loan.slot_index, sample.slot_index, "reserve lent the slot of a sample that waits for a reader");
    expect_good_commit(pool, loan, "already committed");
}

Test(seq, r_seq_2__rejected_discarded, .description = "R-SEQ-2: commits of a discarded loan consume no SN")
{
    slotkit_handle sample;
    slotkit_pool *pool = rejects_pool(&sample);
    slotkit_handle gone = must_reserve(pool, 0x1);
    expect_ok(slotkit_discard(pool, gone));
    expect_rejected_commit(pool, gone, 1, SLOTKIT_OUT_OF_BOUNDS);
    slotkit_handle loan = must_reserve(pool, 0);
    expect_good_commit(pool, loan, "discarded loan");
}

Test(seq, r_seq_2__rejected_in_place_too_large,
     .description = "R-SEQ-2: commit_in_place with len > capacity (SAMPLE_TOO_LARGE) consumes "
                    "no SN")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_handle sample;
    slotkit_pool *pool = rejects_pool(&sample);
    slotkit_handle loan = must_reserve(pool, 0);
    expect_rejected_in_place(pool, loan, REJ_CAPACITY + 1, SLOTKIT_SAMPLE_TOO_LARGE);
    expect_good_in_place(pool, loan, "len > capacity");
}

Test(seq, r_seq_2__rejected_in_place_committed,
     .description = "R-SEQ-2: commit_in_place of a slot that is already committed consumes no "
                    "SN")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_handle sample;
    slotkit_pool *pool = rejects_pool(&sample);
    expect_rejected_in_place(pool, sample, 1, SLOTKIT_OUT_OF_BOUNDS);
    slotkit_handle loan = must_reserve(pool, 0);
    expect_good_in_place(pool, loan, "already committed");
}

Test(seq, r_seq_2__rejected_in_place_discarded,
     .description = "R-SEQ-2: commit_in_place of a discarded loan consumes no SN")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_handle sample;
    slotkit_pool *pool = rejects_pool(&sample);
    slotkit_handle gone = must_reserve(pool, 0x1);
    expect_ok(slotkit_discard(pool, gone));
    expect_rejected_in_place(pool, gone, 1, SLOTKIT_OUT_OF_BOUNDS);
    slotkit_handle loan = must_reserve(pool, 0);
    expect_good_in_place(pool, loan, "discarded loan");
}

Test(seq, r_seq_2__rejected_in_place_foreign_or_out_of_range,
     .description = "R-SEQ-2: commit_in_place of a foreign or out-of-range handle consumes no SN")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_handle sample;
    slotkit_pool *pool = rejects_pool(&sample);
    slotkit_handle loan = must_reserve(pool, 0), past_end = loan;
    past_end.slot_index = REJ_SLOTS;
    expect_rejected_in_place(pool, foreign_handle(loan), 1, SLOTKIT_OUT_OF_BOUNDS);
    expect_rejected_in_place(pool, past_end, 1, SLOTKIT_OUT_OF_BOUNDS);
    expect_good_in_place(pool, loan, "foreign segment_id, slot_index out of range");
}
