/* Handles: R-HANDLE-*. Every operation that takes a handle is tried with a
 * handle of another instance and with an out-of-range slot index. */
#include "fixture.h"

#include <string.h>

CONF_SUITE(handle, CONF_TIMEOUT_S);

enum handle_op {
    OP_COMMIT,
    OP_DISCARD,
    OP_READ,
    OP_MARK_READ,
    OP_SLOT_DATA_PTR,
    OP_COMMIT_IN_PLACE,
    OP_SLOT_READ_PTR,
};

/* The bad handle aims at a slot where accepting it would visibly do
 * something: the live loan for loan operations, the pending sample otherwise. */
static bool op_targets_loan(enum handle_op op)
{
    return op == OP_COMMIT || op == OP_DISCARD || op == OP_SLOT_DATA_PTR || op == OP_COMMIT_IN_PLACE;
}

static bool op_needs_in_place(enum handle_op op)
{
    return op == OP_SLOT_DATA_PTR || op == OP_COMMIT_IN_PLACE || op == OP_SLOT_READ_PTR;
}

static const char *op_name(enum handle_op op)
{
    switch (op) {
    case OP_COMMIT: return "commit_slot";
    case OP_DISCARD: return "discard_slot";
    case OP_READ: return "read_slot";
    case OP_MARK_READ: return "mark_read";
    case OP_SLOT_DATA_PTR: return "slot_data_ptr";
    case OP_COMMIT_IN_PLACE: return "commit_in_place";
    case OP_SLOT_READ_PTR: return "slot_read_ptr";
    }
    return "?";
}

static slotkit_status apply_op(slotkit_pool *pool, enum handle_op op, slotkit_handle handle)
{
    static const uint8_t bytes[3] = {'x', 'y', 'z'};
    uint8_t buf[64];
    slotkit_slot_header header;
    uint32_t sn = 0;
    void *ptr = NULL;
    const void *read_ptr = NULL;
    size_t len = 0;
    switch (op) {
    case OP_COMMIT: return slotkit_commit(pool, handle, bytes, sizeof bytes, &sn);
    case OP_DISCARD: return slotkit_discard(pool, handle);
    case OP_READ: return slotkit_read(pool, handle, &header, buf, sizeof buf);
    case OP_MARK_READ: return slotkit_mark_read(pool, handle, 0);
    case OP_SLOT_DATA_PTR: return slotkit_slot_data_ptr(pool, handle, &ptr, &len);
    case OP_COMMIT_IN_PLACE: return slotkit_commit_in_place(pool, handle, 3, &sn);
    case OP_SLOT_READ_PTR: return slotkit_slot_read_ptr(pool, handle, &read_ptr, &len);
    }
    return SLOTKIT_OK;
}

/* 4 slots: one live loan and one sample pending for reader 0. */
struct scene {
    slotkit_pool *pool;
    slotkit_handle loan;
    slotkit_handle sample;
    uint32_t sample_sn;
    uint64_t generation;
};

static const uint8_t scene_payload[3] = {'a', 'b', 'c'};

/* A scene whose every slot held a full, non-zero sample first: an index one
 * past the end that reads a neighbour's bytes then does not look FREE. */
static struct scene make_filled_scene(void)
{
    struct scene s;
    s.pool = open_pool(4, 16);
    uint8_t ones[16];
    memset(ones, 0xFF, sizeof ones);
    for (int i = 0; i < 4; i++) (void)publish(s.pool, 0, ones, sizeof ones, NULL);
    s.sample_sn = publish(s.pool, 0x1, scene_payload, sizeof scene_payload, &s.sample);
    s.loan = must_reserve(s.pool, 0x1);
    s.generation = generation(s.pool);
    return s;
}

static struct scene make_scene(void)
{
    struct scene s;
    s.pool = open_pool(4, 16);
    s.sample_sn = publish(s.pool, 0x1, scene_payload, sizeof scene_payload, &s.sample);
    s.loan = must_reserve(s.pool, 0x1);
    s.generation = generation(s.pool);
    return s;
}

/* "No state change": generation, the pending sample, the loan, the next SN,
 * and the number of reservable slots are all as before. */
static void expect_scene_intact(struct scene *s, const char *after)
{
    expect_generation_unchanged(s->pool, s->generation);
    slotkit_slot_header header = must_read_header(s->pool, s->sample);
    cr_assert_eq(header.sequence_number, s->sample_sn, "after %s: sample sn changed", after);
    cr_assert_eq(header.sample_size, sizeof scene_payload, "after %s: sample size changed", after);
    cr_assert_eq(header.reader_mask, 0u, "after %s: sample's reader_mask is 0x%08x, expected 0", after,
                 header.reader_mask);
    expect_sample(s->pool, s->sample, scene_payload, sizeof scene_payload);
    uint32_t sn = 0;
    slotkit_status st = slotkit_commit(s->pool, s->loan, scene_payload, sizeof scene_payload, &sn);
    cr_assert_eq(st, SLOTKIT_OK, "after %s: commit of the untouched loan returned %s", after, status_name(st));
    cr_assert_eq(sn, s->sample_sn + 1, "after %s: loan committed with sn %u, expected %u", after, sn, s->sample_sn + 1);
    /* Both samples still wait for reader 0: 2 of 4 slots left. */
    expect_free_slots(s->pool, 2);
}

static void expect_foreign_rejected(enum handle_op op)
{
    if (op_needs_in_place(op)) {
        require_caps(SLOTKIT_CAP_IN_PLACE);
    }
    struct scene s = make_scene();
    slotkit_handle bad = foreign_handle(op_targets_loan(op) ? s.loan : s.sample);
    slotkit_status st = apply_op(s.pool, op, bad);
    cr_assert_eq(st, SLOTKIT_OUT_OF_BOUNDS, "%s with a foreign segment_id returned %s, expected OUT_OF_BOUNDS",
                 op_name(op), status_name(st));
    expect_scene_intact(&s, op_name(op));
}

static void expect_index_rejected(enum handle_op op)
{
    if (op_needs_in_place(op)) {
        require_caps(SLOTKIT_CAP_IN_PLACE);
    }
    /* slot_count itself (the first invalid index) and the largest index. */
    static const uint32_t bad_indices[] = {4, 5, 0x7FFFFFFFu, 0xFFFFFFFFu};
    struct scene s = make_filled_scene();
    for (size_t i = 0; i < sizeof bad_indices / sizeof bad_indices[0]; i++) {
        slotkit_handle bad = s.loan;
        bad.slot_index = bad_indices[i];
        slotkit_status st = apply_op(s.pool, op, bad);
        cr_assert_eq(st, SLOTKIT_OUT_OF_BOUNDS,
                     "%s with slot_index %u (slot_count 4) returned %s, expected OUT_OF_BOUNDS", op_name(op),
                     bad_indices[i], status_name(st));
    }
    expect_scene_intact(&s, op_name(op));
}

#define HANDLE_1_TEST(variant, op)                                                    \
    Test(handle, r_handle_1__##variant,                                               \
         .description = "R-HANDLE-1: " #variant " rejects a foreign segment_id with " \
                        "OUT_OF_BOUNDS, no state change")                             \
    {                                                                                 \
        expect_foreign_rejected(op);                                                  \
    }

#define HANDLE_2_TEST(variant, op)                                                        \
    Test(handle, r_handle_2__##variant,                                                   \
         .description = "R-HANDLE-2: " #variant " rejects slot_index >= slot_count with " \
                        "OUT_OF_BOUNDS, no state change")                                 \
    {                                                                                     \
        expect_index_rejected(op);                                                        \
    }

HANDLE_1_TEST(commit, OP_COMMIT)
HANDLE_1_TEST(discard, OP_DISCARD)
HANDLE_1_TEST(read, OP_READ)
HANDLE_1_TEST(mark_read, OP_MARK_READ)
HANDLE_1_TEST(slot_data_ptr, OP_SLOT_DATA_PTR)
HANDLE_1_TEST(commit_in_place, OP_COMMIT_IN_PLACE)
HANDLE_1_TEST(slot_read_ptr, OP_SLOT_READ_PTR)

HANDLE_2_TEST(commit, OP_COMMIT)
HANDLE_2_TEST(discard, OP_DISCARD)
HANDLE_2_TEST(read, OP_READ)
HANDLE_2_TEST(mark_read, OP_MARK_READ)
HANDLE_2_TEST(slot_data_ptr, OP_SLOT_DATA_PTR)
HANDLE_2_TEST(commit_in_place, OP_COMMIT_IN_PLACE)
HANDLE_2_TEST(slot_read_ptr, OP_SLOT_READ_PTR)

Test(handle, r_handle_1__other_pools_handles,
     .description = "R-HANDLE-1: handles issued by another pool are OUT_OF_BOUNDS here")
{
    struct scene s = make_scene();
    /* Same geometry, so only segment_id can tell the handles apart; aim them
     * at this pool's loan and sample. */
    slotkit_pool *other = open_pool(4, 16);
    uint64_t other_segment = must_reserve(other, 0).segment_id;
    slotkit_handle other_loan = {.segment_id = other_segment, .slot_index = s.loan.slot_index};
    slotkit_handle other_sample = {.segment_id = other_segment, .slot_index = s.sample.slot_index};

    uint8_t buf[64];
    slotkit_slot_header header;
    uint32_t sn = 0;
    expect_status(slotkit_commit(s.pool, other_loan, scene_payload, 3, &sn), SLOTKIT_OUT_OF_BOUNDS);
    expect_status(slotkit_discard(s.pool, other_loan), SLOTKIT_OUT_OF_BOUNDS);
    expect_status(slotkit_read(s.pool, other_sample, &header, buf, sizeof buf), SLOTKIT_OUT_OF_BOUNDS);
    expect_status(slotkit_mark_read(s.pool, other_sample, 0), SLOTKIT_OUT_OF_BOUNDS);
    expect_scene_intact(&s, "operations with the other pool's handles");
}

Test(handle, r_handle_3, .description = "R-HANDLE-3: two pools in one process issue different segment_ids")
{
    slotkit_pool *first = open_pool(2, 16);
    slotkit_pool *second = open_pool(2, 16);
    slotkit_handle a = must_reserve(first, 0);
    slotkit_handle b = must_reserve(second, 0);
    cr_assert_neq(a.segment_id, b.segment_id, "both pools issued segment_id %llu", (unsigned long long)a.segment_id);
    /* A pool's handles agree among themselves. */
    slotkit_handle a2 = must_reserve(first, 0);
    cr_assert_eq(a2.segment_id, a.segment_id, "one pool issued segment_ids %llu and %llu",
                 (unsigned long long)a.segment_id, (unsigned long long)a2.segment_id);
}

Test(handle, r_handle_3__after_reopen,
     .description = "R-HANDLE-3: a pool opened after another was closed has a new segment_id")
{
    slotkit_pool *first = open_pool(2, 16);
    slotkit_handle stale = must_reserve(first, 0);
    close_pool(first);
    /* Same geometry, likely the same memory: a stale handle must still not fit. */
    slotkit_pool *second = open_pool(2, 16);
    slotkit_handle fresh = must_reserve(second, 0);
    cr_assert_neq(stale.segment_id, fresh.segment_id, "closed and new pool share segment_id %llu",
                  (unsigned long long)fresh.segment_id);
    uint32_t sn = 0;
    uint8_t byte = 7;
    expect_status(slotkit_commit(second, stale, &byte, 1, &sn), SLOTKIT_OUT_OF_BOUNDS);
}
