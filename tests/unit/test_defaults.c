/* The library's defaults for optional entries a backend leaves NULL, its
 * argument checks, and the error detail it records. */
#include <criterion/criterion.h>
#include <string.h>

#include "slotkit/slotkit.h"

/* A one-slot backend with only the required entries, enough to reach the wrappers. */
struct slotkit_instance {
    int loaned;
};
static struct slotkit_instance the_instance;

static slotkit_status fake_reserve(slotkit_instance *i, slotkit_reader_mask m, slotkit_handle *h)
{
    (void)m;
    if (i->loaned) return SLOTKIT_NO_FREE_SLOT;
    i->loaned = 1;
    *h = (slotkit_handle){.segment_id = 7, .slot_index = 0};
    return SLOTKIT_OK;
}
static slotkit_status fake_commit(slotkit_instance *i, slotkit_handle h, const void *b, size_t n, uint32_t *s)
{
    (void)i;
    (void)h;
    (void)b;
    (void)s;
    return n > 8 ? SLOTKIT_SAMPLE_TOO_LARGE : SLOTKIT_OK;
}
static slotkit_status fake_discard(slotkit_instance *i, slotkit_handle h)
{
    (void)h;
    i->loaned = 0;
    return SLOTKIT_OK;
}
static slotkit_status fake_read(slotkit_instance *i, slotkit_handle h, slotkit_slot_header *o, void *b, size_t n)
{
    (void)i;
    (void)h;
    (void)o;
    (void)b;
    (void)n;
    return SLOTKIT_OUT_OF_BOUNDS;
}
static slotkit_status fake_mark(slotkit_instance *i, slotkit_handle h, uint32_t r)
{
    (void)i;
    (void)h;
    (void)r;
    return SLOTKIT_OK;
}
static slotkit_status fake_disc(slotkit_instance *i, uint32_t r)
{
    (void)i;
    (void)r;
    return SLOTKIT_OK;
}
static slotkit_status fake_count(slotkit_instance *i, size_t *n)
{
    (void)i;
    *n = 1;
    return SLOTKIT_OK;
}
static size_t fake_total(slotkit_instance *i)
{
    (void)i;
    return 64;
}
static size_t fake_capacity(slotkit_instance *i)
{
    (void)i;
    return 8;
}
static slotkit_status fake_open(const slotkit_config *c, slotkit_instance **o, slotkit_error *e)
{
    (void)c;
    (void)e;
    the_instance.loaned = 0;
    *o = &the_instance;
    return SLOTKIT_OK;
}
static void fake_close(slotkit_instance *i) { (void)i; }

static const slotkit_ops fake_ops = {.abi_version = SLOTKIT_ABI_VERSION,
                                     .reserve_slot = fake_reserve,
                                     .commit_slot = fake_commit,
                                     .discard_slot = fake_discard,
                                     .read_slot = fake_read,
                                     .mark_read = fake_mark,
                                     .mark_reader_disconnected = fake_disc,
                                     .slot_count = fake_count,
                                     .slot_total_size = fake_total,
                                     .slot_capacity = fake_capacity};
static const slotkit_backend fake = {.abi_version = SLOTKIT_ABI_VERSION,
                                     .name = "fake",
                                     .version = "1",
                                     .open = fake_open,
                                     .close = fake_close,
                                     .ops = &fake_ops};

static slotkit_pool *open_fake(void)
{
    slotkit_config config = {.slot_count = 1, .slot_capacity = 8};
    slotkit_pool *pool = NULL;
    slotkit_error err;
    cr_assert_eq(slotkit_pool_open(&fake, &config, &pool, &err), SLOTKIT_OK, "%s", err.message);
    return pool;
}

Test(defaults, in_place_entries_report_unsupported)
{
    slotkit_pool *pool = open_fake();
    slotkit_handle h = {.segment_id = 7};
    void *wp;
    const void *rp;
    size_t n;
    uint32_t sn;
    cr_assert_eq(slotkit_slot_data_ptr(pool, h, &wp, &n), SLOTKIT_IN_PLACE_UNSUPPORTED);
    cr_assert_eq(slotkit_commit_in_place(pool, h, 1, &sn), SLOTKIT_IN_PLACE_UNSUPPORTED);
    cr_assert_eq(slotkit_slot_read_ptr(pool, h, &rp, &n), SLOTKIT_IN_PLACE_UNSUPPORTED);
    slotkit_pool_close(pool);
}

Test(defaults, no_pending_sample_no_hash_no_notify)
{
    slotkit_pool *pool = open_fake();
    bool found = true;
    slotkit_handle h;
    cr_assert_eq(slotkit_next_unread(pool, 3, &found, &h), SLOTKIT_OK);
    cr_assert(!found);
    cr_assert_eq(slotkit_next_unread(pool, 32, &found, &h), SLOTKIT_OUT_OF_BOUNDS);
    uint8_t hash[16];
    cr_assert(!slotkit_type_hash(pool, hash));
    cr_assert_eq(slotkit_notify_generation(pool), 0);
    slotkit_wait_for_change(pool, 0, 60ull * 1000000000ull); /* returns at once, or the test times out */
    slotkit_pool_close(pool);
}

Test(defaults, null_out_pointers_are_rejected_without_calling_the_backend)
{
    slotkit_pool *pool = open_fake();
    cr_assert_eq(slotkit_reserve(pool, 1, NULL), SLOTKIT_INVALID_ARGUMENT);
    cr_assert_eq(the_instance.loaned, 0, "the backend was not called");
    cr_assert_eq(slotkit_last_error()->status, SLOTKIT_INVALID_ARGUMENT);
    slotkit_handle h;
    cr_assert_eq(slotkit_commit(pool, h, NULL, 4, &(uint32_t){0}), SLOTKIT_INVALID_ARGUMENT);
    cr_assert_eq(slotkit_slot_count(pool, NULL), SLOTKIT_INVALID_ARGUMENT);
    cr_assert_eq(slotkit_reserve(NULL, 1, &h), SLOTKIT_INVALID_ARGUMENT);
    slotkit_pool_close(pool);
}

Test(defaults, sample_too_large_carries_both_sizes)
{
    slotkit_pool *pool = open_fake();
    slotkit_handle h;
    cr_assert_eq(slotkit_reserve(pool, 1, &h), SLOTKIT_OK);
    uint8_t bytes[20] = {0};
    uint32_t sn;
    cr_assert_eq(slotkit_commit(pool, h, bytes, sizeof bytes, &sn), SLOTKIT_SAMPLE_TOO_LARGE);
    const slotkit_error *e = slotkit_last_error();
    cr_assert_eq(e->status, SLOTKIT_SAMPLE_TOO_LARGE);
    cr_assert_eq(e->sample_size, 20);
    cr_assert_eq(e->slot_capacity, 8);
    slotkit_pool_close(pool);
}
