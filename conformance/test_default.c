/* Defaults of optional operations: R-DEFAULT-*. Each test applies only to a
 * backend that lacks the capability; one that has it is tested by the
 * capability's own suite instead. */
#include "fixture.h"

#include <string.h>

CONF_SUITE(default, CONF_TIMEOUT_S);

Test(default, r_default_1,
     .description = "R-DEFAULT-1: without IN_PLACE, slot_data_ptr, commit_in_place and "
                    "slot_read_ptr are IN_PLACE_UNSUPPORTED")
{
    require_lacking_cap(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(2, 16);
    slotkit_handle sample;
    uint32_t sn = publish_byte(pool, 0x1, 1, &sample);
    slotkit_handle loan = must_reserve(pool, 0x1);
    void *ptr = NULL;
    const void *read_ptr = NULL;
    size_t len = 0;
    uint32_t in_place_sn = 0;
    expect_status(slotkit_slot_data_ptr(pool, loan, &ptr, &len), SLOTKIT_IN_PLACE_UNSUPPORTED);
    expect_status(slotkit_commit_in_place(pool, loan, 1, &in_place_sn), SLOTKIT_IN_PLACE_UNSUPPORTED);
    expect_status(slotkit_slot_read_ptr(pool, sample, &read_ptr, &len), SLOTKIT_IN_PLACE_UNSUPPORTED);
    /* A failed commit consumes no SN (R-SEQ-2) and the loan is still live. */
    uint8_t byte = 2;
    cr_assert_eq(must_commit(pool, loan, &byte, 1), sn + 1);
}

Test(default, r_default_2,
     .description = "R-DEFAULT-2: without NEXT_UNREAD, next_unread_slot is OK with found = "
                    "false")
{
    require_lacking_cap(SLOTKIT_CAP_NEXT_UNREAD);
    slotkit_pool *pool = open_pool(2, 16);
    (void)publish_byte(pool, 0x1, 1, NULL); /* pending, yet not reported */
    bool found = true;
    slotkit_handle handle;
    expect_ok(slotkit_next_unread(pool, 0, &found, &handle));
    cr_assert(!found, "next_unread reported a sample without NEXT_UNREAD");
}

Test(default, r_default_3, .description = "R-DEFAULT-3: without TYPE_HASH, type_hash is false")
{
    require_lacking_cap(SLOTKIT_CAP_TYPE_HASH);
    static const uint8_t hash[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    slotkit_config config = conf_config(2, 16);
    config.type_hash = hash;
    /* Offering a hash to such a backend may be refused as an unsupported
     * option; either way it must not report one. */
    slotkit_pool *pool = NULL;
    slotkit_error err;
    memset(&err, 0, sizeof err);
    slotkit_status st = slotkit_pool_open(conf_backend, &config, &pool, &err);
    cr_assert(st == SLOTKIT_OK || st == SLOTKIT_UNSUPPORTED, "open with a type hash returned %s (%s)", status_name(st),
              err.message);
    if (st == SLOTKIT_OK) {
        adopt_pool(pool);
    } else {
        config.type_hash = NULL;
        pool = open_pool_with(&config);
    }
    uint8_t out[16];
    cr_assert(!slotkit_type_hash(pool, out), "type_hash returned true without TYPE_HASH");
}

Test(default, r_default_4,
     .description = "R-DEFAULT-4: without NOTIFY, notify_generation is 0 and wait_for_change "
                    "returns at once")
{
    require_lacking_cap(SLOTKIT_CAP_NOTIFY);
    slotkit_pool *pool = open_pool(2, 16);
    cr_assert_eq(slotkit_notify_generation(pool), 0u);
    (void)publish_byte(pool, 0x1, 1, NULL);
    cr_assert_eq(slotkit_notify_generation(pool), 0u, "generation moved without NOTIFY");
    double start = mono_now();
    slotkit_wait_for_change(pool, 0, 3000000000ull); /* 3 s, unchanged generation */
    double waited = mono_now() - start;
    cr_assert_lt(waited, 1.0, "wait_for_change blocked %.3f s without NOTIFY", waited);
}
