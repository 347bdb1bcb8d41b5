/* Type hash: R-HASH-1 (capability TYPE_HASH). */
#include "fixture.h"

#include <string.h>

CONF_SUITE(hash, CONF_TIMEOUT_S);

static slotkit_pool *open_with_hash(const uint8_t *hash)
{
    slotkit_config config = conf_config(2, 16);
    config.type_hash = hash;
    return open_pool_with(&config);
}

static void expect_hash(slotkit_pool *pool, const uint8_t expected[16])
{
    uint8_t out[16];
    memset(out, 0xCC, sizeof out);
    cr_assert(slotkit_type_hash(pool, out), "type_hash returned false for a pool created with "
                                            "a hash");
    for (size_t i = 0; i < 16; i++) {
        cr_assert_eq(out[i], expected[i], "type_hash byte %zu is 0x%02x, expected 0x%02x", i, out[i], expected[i]);
    }
}

Test(hash, r_hash_1, .description = "R-HASH-1: a pool created with a type hash reports exactly those 16 bytes")
{
    require_caps(SLOTKIT_CAP_TYPE_HASH);
    static const uint8_t hash[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                     0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
    slotkit_pool *pool = open_with_hash(hash);
    expect_hash(pool, hash);
}

Test(hash, r_hash_1__without, .description = "R-HASH-1: a pool created without a type hash reports false")
{
    require_caps(SLOTKIT_CAP_TYPE_HASH);
    slotkit_pool *pool = open_with_hash(NULL);
    uint8_t out[16];
    cr_assert(!slotkit_type_hash(pool, out), "type_hash returned true for a pool created "
                                             "without one");
}

Test(hash, r_hash_1__all_zero, .description = "R-HASH-1: an all-zero hash is a hash, not 'no hash'")
{
    require_caps(SLOTKIT_CAP_TYPE_HASH);
    static const uint8_t zeros[16] = {0};
    slotkit_pool *pool = open_with_hash(zeros);
    expect_hash(pool, zeros);
}

Test(hash, r_hash_1__per_pool, .description = "R-HASH-1: each pool reports its own hash")
{
    require_caps(SLOTKIT_CAP_TYPE_HASH);
    uint8_t first[16], second[16];
    fill_pattern(first, sizeof first, 50);
    fill_pattern(second, sizeof second, 51);
    slotkit_pool *a = open_with_hash(first);
    slotkit_pool *b = open_with_hash(second);
    slotkit_pool *none = open_with_hash(NULL);
    expect_hash(a, first);
    expect_hash(b, second);
    uint8_t out[16];
    cr_assert(!slotkit_type_hash(none, out));
}

Test(hash, r_hash_1__copied_at_open,
     .description = "R-HASH-1: the hash is the one given at open, even if the caller's buffer "
                    "changes later")
{
    require_caps(SLOTKIT_CAP_TYPE_HASH);
    uint8_t given[16];
    fill_pattern(given, sizeof given, 52);
    uint8_t expected[16];
    memcpy(expected, given, sizeof given);
    slotkit_pool *pool = open_with_hash(given);
    memset(given, 0, sizeof given);
    expect_hash(pool, expected);
}
