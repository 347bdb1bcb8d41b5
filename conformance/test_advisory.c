/*
 * SHOULD-level rules. Their tests assert like any other, but carry the
 * `__should` suffix: the harness reports a violation as "warn", which does
 * not make a backend non-conformant.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "fixture.h"

Test(arg, r_arg_2__should, .description = "R-ARG-2: NULL buffers are fine at length 0, rejected otherwise")
{
    slotkit_pool *pool = open_pool(2, 16);
    slotkit_handle h = must_reserve(pool, 0x1);
    uint32_t sn;
    expect_status(slotkit_commit(pool, h, NULL, 4, &sn), SLOTKIT_INVALID_ARGUMENT);
    expect_ok(slotkit_commit(pool, h, NULL, 0, &sn));
    slotkit_slot_header header;
    expect_ok(slotkit_read(pool, h, &header, NULL, 0));
    cr_assert_eq(header.sample_size, 0);
    cr_assert_eq(header.sequence_number, sn);
}

Test(inplace, r_inplace_6__should, .description = "R-INPLACE-6: in-place pointers are 16-byte aligned")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(4, 20); /* an odd capacity, so a lazy layout would misalign */
    slotkit_handle loans[4];
    for (int i = 0; i < 4; i++) {
        loans[i] = must_reserve(pool, 0x1);
        void *p;
        size_t capacity;
        expect_ok(slotkit_slot_data_ptr(pool, loans[i], &p, &capacity));
        cr_assert_eq((uintptr_t)p % 16, 0, "slot %u payload at %p", loans[i].slot_index, p);
        uint32_t sn;
        expect_ok(slotkit_commit_in_place(pool, loans[i], 3, &sn));
        const void *rp;
        size_t len;
        expect_ok(slotkit_slot_read_ptr(pool, loans[i], &rp, &len));
        cr_assert_eq((uintptr_t)rp % 16, 0, "slot %u read pointer at %p", loans[i].slot_index, rp);
    }
}

Test(notify, r_notify_6__should, .description = "R-NOTIFY-6: reserve, reads and next_unread leave the generation")
{
    require_caps(SLOTKIT_CAP_NOTIFY);
    slotkit_pool *pool = open_pool(4, 16);
    slotkit_handle published;
    publish_byte(pool, 0x1, 7, &published);
    uint64_t before = generation(pool);
    slotkit_handle loan = must_reserve(pool, 0x1);
    slotkit_slot_header header;
    uint8_t buf[16];
    expect_ok(slotkit_read(pool, published, &header, buf, sizeof buf));
    if (has_caps(SLOTKIT_CAP_IN_PLACE)) {
        void *wp;
        const void *rp;
        size_t n;
        expect_ok(slotkit_slot_data_ptr(pool, loan, &wp, &n));
        expect_ok(slotkit_slot_read_ptr(pool, published, &rp, &n));
    }
    if (has_caps(SLOTKIT_CAP_NEXT_UNREAD)) expect_next_unread_is(pool, 0, published, header.sequence_number);
    expect_generation_unchanged(pool, before);
}

static double thread_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(notify, r_notify_7__should, .description = "R-NOTIFY-7: wait_for_change blocks instead of polling")
{
    require_caps(SLOTKIT_CAP_NOTIFY);
    slotkit_pool *pool = open_pool(2, 16);
    uint64_t gen = generation(pool);
    double cpu_before = thread_cpu_seconds();
    slotkit_wait_for_change(pool, gen, 300u * 1000u * 1000u);
    double cpu_spent = thread_cpu_seconds() - cpu_before;
    /* A blocked thread uses next to no CPU; a polling one burns most of the 300 ms. */
    cr_assert_lt(cpu_spent, 0.1, "waiting 300 ms used %.3f s of CPU", cpu_spent);
}
