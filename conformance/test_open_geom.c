/* Lifecycle and geometry: R-OPEN-*, R-GEOM-*. */
#include "fixture.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

CONF_SUITE(open, CONF_TIMEOUT_S);
CONF_SUITE(geom, CONF_TIMEOUT_S);

/* Stands in for "whatever the caller had in *out": must survive a failed open. */
static int untouched_marker;
#define UNTOUCHED_POOL ((slotkit_pool *)(void *)&untouched_marker)

/* Garbage in err, so "fills err" is checked rather than assumed. */
static void poison_error(slotkit_error *err) { memset(err, 0x55, sizeof *err); }

/* A failed open must report its status and a one-line, terminated message. */
static void expect_filled_error(const slotkit_error *err, slotkit_status status)
{
    cr_assert_eq(err->status, status, "err.status is %s, expected %s", status_name(err->status), status_name(status));
    const char *nul = memchr(err->message, '\0', sizeof err->message);
    cr_assert_not_null(nul, "err.message is not NUL-terminated within its 160 bytes");
    cr_assert(err->message[0] != '\0', "err.message is empty");
    cr_assert_null(strchr(err->message, '\n'), "err.message is not one line: '%s'", err->message);
}

Test(open, r_open_4,
     .description = "R-OPEN-4: valid CREATE configurations open and close, "
                    "one at a time and several at once")
{
    static const size_t shapes[][2] = {{1, 0}, {1, 64}, {4, 16}, {32, 4096}};
    slotkit_pool *pools[4];
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < 4; i++) {
            slotkit_config config = conf_config(shapes[i][0], shapes[i][1]);
            slotkit_error err;
            poison_error(&err);
            pools[i] = NULL;
            slotkit_status st = slotkit_pool_open(conf_backend, &config, &pools[i], &err);
            cr_assert_eq(st, SLOTKIT_OK, "open(count=%zu, capacity=%zu) returned %s: %s", shapes[i][0], shapes[i][1],
                         status_name(st), err.message);
            cr_assert_not_null(pools[i], "open returned OK but no pool");
            adopt_pool(pools[i]);
        }
        for (size_t i = 0; i < 4; i++) close_pool(pools[i]);
    }
}

Test(open, r_open_1, .description = "R-OPEN-1: open with slot_count 0 is INVALID_ARGUMENT")
{
    slotkit_config config = conf_config(0, 64);
    slotkit_pool *pool = NULL;
    slotkit_error err;
    poison_error(&err);
    slotkit_status st = slotkit_pool_open(conf_backend, &config, &pool, &err);
    if (st == SLOTKIT_OK) {
        slotkit_pool_close(pool);
    }
    cr_assert_eq(st, SLOTKIT_INVALID_ARGUMENT, "open(slot_count=0) returned %s (%s)", status_name(st),
                 st == SLOTKIT_OK ? "" : err.message);
}

Test(open, r_open_1__capacity_zero, .description = "R-OPEN-1: slot_capacity 0 is valid; only empty samples fit")
{
    slotkit_pool *pool = open_pool(2, 0);
    cr_assert_eq(slotkit_slot_capacity(pool), 0u);
    slotkit_handle handle = must_reserve(pool, 0);
    uint8_t byte = 1;
    uint32_t sn = 0;
    expect_status(slotkit_commit(pool, handle, &byte, 1, &sn), SLOTKIT_SAMPLE_TOO_LARGE);
    sn = must_commit(pool, handle, &byte, 0);
    cr_assert_eq(sn, 0u, "first commit returned sn %u, expected 0", sn);
    expect_header(pool, handle, 0, 0, 0);
}

Test(open, r_open_2, .description = "R-OPEN-2: a failed open leaves *out untouched and fills err")
{
    slotkit_config config = conf_config(0, 64);
    slotkit_pool *pool = UNTOUCHED_POOL;
    slotkit_error err;
    poison_error(&err);
    slotkit_status st = slotkit_pool_open(conf_backend, &config, &pool, &err);
    if (st == SLOTKIT_OK) {
        /* Accepting slot_count 0 is R-OPEN-1's failure, named there; this test needs an open that fails
         * (r_open_2__failed_attach still checks R-OPEN-2 with another one). */
        slotkit_pool_close(pool);
        cr_skip_test("open(slot_count=0) succeeded (R-OPEN-1): no failed open to check here");
    }
    cr_assert_eq(pool, UNTOUCHED_POOL, "failed open wrote %p into *out", (void *)pool);
    expect_filled_error(&err, st);
}

Test(open, r_open_2__failed_attach, .description = "R-OPEN-2: a failed attach leaves *out untouched and fills err")
{
    slotkit_config config = conf_config(2, 64);
    config.role = SLOTKIT_ROLE_ATTACH; /* nobody created this name */
    slotkit_pool *pool = UNTOUCHED_POOL;
    slotkit_error err;
    poison_error(&err);
    slotkit_status st = slotkit_pool_open(conf_backend, &config, &pool, &err);
    if (st == SLOTKIT_OK) {
        slotkit_pool_close(pool);
        cr_assert_fail("attach to the never-created pool '%s' succeeded", config.name);
    }
    cr_assert_eq(pool, UNTOUCHED_POOL, "failed attach wrote %p into *out", (void *)pool);
    expect_filled_error(&err, st);
}

Test(open, r_open_3, .description = "R-OPEN-3: role ATTACH on a backend without CROSS_PROCESS is UNSUPPORTED")
{
    if (has_caps(SLOTKIT_CAP_CROSS_PROCESS)) {
        cr_skip_test("backend has capability CROSS_PROCESS; see open::r_open_3__missing_name");
    }
    /* Create first, so "the name does not exist" is not why it fails. */
    slotkit_config created = conf_config(2, 64);
    (void)open_pool_with(&created);
    slotkit_config config = created;
    config.role = SLOTKIT_ROLE_ATTACH;
    slotkit_pool *pool = UNTOUCHED_POOL;
    slotkit_error err;
    poison_error(&err);
    slotkit_status st = slotkit_pool_open(conf_backend, &config, &pool, &err);
    if (st == SLOTKIT_OK) {
        slotkit_pool_close(pool);
    }
    cr_assert_eq(st, SLOTKIT_UNSUPPORTED, "attach returned %s, expected UNSUPPORTED", status_name(st));
    cr_assert_eq(pool, UNTOUCHED_POOL);
    expect_filled_error(&err, SLOTKIT_UNSUPPORTED);
}

Test(open, r_open_3__missing_name,
     .description = "R-OPEN-3: attaching a name that does not exist is SYSTEM_ERROR with ENOENT")
{
    require_caps(SLOTKIT_CAP_CROSS_PROCESS);
    slotkit_config config = conf_config(2, 64);
    config.role = SLOTKIT_ROLE_ATTACH;
    slotkit_pool *pool = UNTOUCHED_POOL;
    slotkit_error err;
    poison_error(&err);
    slotkit_status st = slotkit_pool_open(conf_backend, &config, &pool, &err);
    if (st == SLOTKIT_OK) {
        slotkit_pool_close(pool);
    }
    cr_assert_eq(st, SLOTKIT_SYSTEM_ERROR, "attach of missing '%s' returned %s", config.name, status_name(st));
    cr_assert_eq(pool, UNTOUCHED_POOL);
    expect_filled_error(&err, SLOTKIT_SYSTEM_ERROR);
    cr_assert_eq(err.sys_errno, ENOENT, "err.sys_errno is %d, expected ENOENT (%d)", err.sys_errno, ENOENT);
}

Test(geom, r_geom_1, .description = "R-GEOM-1: slot_count reports the configured slot count")
{
    static const size_t counts[] = {1, 3, 64, 1000};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        slotkit_pool *pool = open_pool(counts[i], 8);
        size_t reported = 0;
        expect_ok(slotkit_slot_count(pool, &reported));
        cr_assert_eq(reported, counts[i], "slot_count reported %zu, configured %zu", reported, counts[i]);
        close_pool(pool);
    }
}

Test(geom, r_geom_1__all_slots_usable,
     .description = "R-GEOM-1: the reported slot count is the number of slots one can loan")
{
    slotkit_pool *pool = open_pool(5, 8);
    expect_free_slots(pool, 5);
}

Test(geom, r_geom_2, .description = "R-GEOM-2: slot_capacity reports the configured capacity, not the padded one")
{
    static const size_t capacities[] = {0, 1, 48, 64, 100, 1024};
    for (size_t i = 0; i < sizeof capacities / sizeof capacities[0]; i++) {
        slotkit_pool *pool = open_pool(2, capacities[i]);
        size_t reported = slotkit_slot_capacity(pool);
        cr_assert_eq(reported, capacities[i], "slot_capacity reported %zu, configured %zu", reported, capacities[i]);
        close_pool(pool);
    }
}

Test(geom, r_geom_3, .description = "R-GEOM-3: slot_total_size = round_up(16 + capacity, 64)")
{
    static const struct {
        size_t capacity, total;
    } cases[] = {{0, 64}, {1, 64}, {48, 64}, {49, 128}, {64, 128}, {100, 128}, {112, 128}, {113, 192}, {1024, 1088}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        slotkit_pool *pool = open_pool(2, cases[i].capacity);
        size_t total = slotkit_slot_total_size(pool);
        cr_assert_eq(total, cases[i].total, "capacity %zu: slot_total_size %zu, expected %zu", cases[i].capacity, total,
                     cases[i].total);
        close_pool(pool);
    }
}
