/*
 * slot_table_peek_header (ref/common/slot_table.h): the unpinned header read
 * the iceoryx2 adapter takes its SNs from. It reports what slot_table_read
 * reports for a committed slot, refuses a slot that is FREE or LOANED
 * (R-READ-3) and a forged size word (R-POSIX-9), and writes nothing to the
 * table (no pin: the state word is unchanged).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/slot_table.h"
#include "common/slot_table_layout.h"

#define SLOTS 2u
#define CAPACITY 64u
#define FIRST_SN 7u

struct table {
    void *mem;
    slot_table_view view;
};

static struct table make_table(void)
{
    size_t bytes = 0;
    const char *why = NULL;
    cr_assert_eq(slot_table_size(SLOTS, CAPACITY, &bytes, &why), SLOTKIT_OK);
    struct table t = {.mem = aligned_alloc(SLOT_TABLE_ALIGN, (bytes + 63u) & ~(size_t)63u)};
    cr_assert_not_null(t.mem);
    cr_assert_not_null(slot_table_init(t.mem, SLOTS, CAPACITY, FIRST_SN, 42u, NULL, true, &t.view));
    return t;
}

static struct slot_control *control(const struct table *t, uint32_t index)
{
    return (struct slot_control *)((unsigned char *)t->mem + HEADER_BYTES + (size_t)index * CONTROL_STRIDE);
}

Test(peek_header, matches_read_and_writes_nothing)
{
    struct table t = make_table();
    slotkit_handle h;
    slotkit_slot_header peeked, read;
    cr_assert_eq(slot_table_reserve(&t.view, 1u, &h), SLOTKIT_OK);
    cr_assert_eq(slot_table_peek_header(&t.view, h, &peeked), SLOTKIT_OUT_OF_BOUNDS, "a LOANED slot has no header");
    uint32_t sn = 0;
    cr_assert_eq(slot_table_commit(&t.view, h, "hello", 5, &sn), SLOTKIT_OK);

    const uint64_t state = atomic_load(&control(&t, h.slot_index)->state);
    cr_assert_eq(slot_table_peek_header(&t.view, h, &peeked), SLOTKIT_OK);
    cr_assert_eq(atomic_load(&control(&t, h.slot_index)->state), state, "the peek changed the state word");
    cr_assert_eq(peeked.sequence_number, FIRST_SN);
    cr_assert_eq(peeked.sample_size, 5u);
    cr_assert_eq(peeked.reader_mask, 0u, "reader 0 has not marked yet");
    cr_assert_eq(slot_table_read(&t.view, h, &read, NULL, 0), SLOTKIT_INVALID_ARGUMENT, "header only, no buffer");
    cr_assert_eq(memcmp(&peeked, &read, sizeof read), 0, "peek and read disagree");

    cr_assert_eq(slot_table_mark_read(&t.view, h, 0), SLOTKIT_OK);
    cr_assert_eq(slot_table_peek_header(&t.view, h, &peeked), SLOTKIT_OK);
    cr_assert_eq(peeked.reader_mask, 1u, "reader 0 is done");
    free(t.mem);
}

Test(peek_header, refuses_free_slots_bad_handles_and_forged_sizes)
{
    struct table t = make_table();
    slotkit_slot_header header;
    const slotkit_handle free_slot = {.segment_id = 42u, .slot_index = 1u};
    cr_assert_eq(slot_table_peek_header(&t.view, free_slot, &header), SLOTKIT_OUT_OF_BOUNDS);
    const slotkit_handle past_end = {.segment_id = 42u, .slot_index = SLOTS};
    cr_assert_eq(slot_table_peek_header(&t.view, past_end, &header), SLOTKIT_OUT_OF_BOUNDS);
    cr_assert_eq(slot_table_peek_header(&t.view, free_slot, NULL), SLOTKIT_INVALID_ARGUMENT);

    slotkit_handle h;
    uint32_t sn = 0;
    cr_assert_eq(slot_table_reserve(&t.view, 0u, &h), SLOTKIT_OK);
    cr_assert_eq(slot_table_commit(&t.view, h, "x", 1, &sn), SLOTKIT_OK);
    atomic_store(&control(&t, h.slot_index)->size, CAPACITY + 1u);
    cr_assert_eq(slot_table_peek_header(&t.view, h, &header), SLOTKIT_LOCK_POISONED, "a size past the capacity");
    free(t.mem);
}
