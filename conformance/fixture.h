/*
 * Shared fixture of the slotkit conformance suite.
 *
 * Criterion runs every test in a fresh process (fork + exec of this binary,
 * bypassing main), so nothing parsed by main survives into a test: the backend
 * travels in the environment variable SLOTKIT_BACKEND and every suite's .init
 * (conf_setup) loads it again. Pools opened through this header are closed by
 * the suite's .fini (conf_teardown), also when an assertion fails mid-test.
 *
 * Rule IDs refer to docs/SPEC.md; a test for R-FOO-3 is foo::r_foo_3.
 */
#ifndef SLOTKIT_CONFORMANCE_FIXTURE_H
#define SLOTKIT_CONFORMANCE_FIXTURE_H

/* First: util.h sets the feature-test macros before any system header. */
#include "util.h"

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "slotkit/slotkit.h"
#include "stress_checks.h"

/* Environment variable naming the backend; built-in name or plug-in path. */
#define CONF_BACKEND_ENV "SLOTKIT_BACKEND"
#define CONF_DEFAULT_BACKEND "inmem"

/* Default per-test timeouts (seconds): a hanging backend fails its test, not the run. */
#define CONF_TIMEOUT_S 10.0
#define CONF_SLOW_TIMEOUT_S 30.0

/* Every suite uses the same fixture; only the timeout differs. */
#define CONF_SUITE(suite_name, timeout_s) \
    TestSuite(suite_name, .init = conf_setup, .fini = conf_teardown, .timeout = (timeout_s))

/* The backend under test, loaded by conf_setup in this test process. */
extern const slotkit_backend *conf_backend;

void conf_setup(void);
void conf_teardown(void);

/* Name of the backend under test as given by the environment (or the default). */
const char *conf_backend_spec(void);

/* ---- capabilities ---------------------------------------------------- */

bool has_caps(uint32_t mask);
/* Skips the test unless the backend has every capability in mask. */
void require_caps(uint32_t mask);
/* Skips the test when the backend has the capability (for `default` tests). */
void require_lacking_cap(uint32_t cap);
const char *cap_name(uint32_t cap);

/* ---- pools ------------------------------------------------------------- */

/* A CREATE config with a pool name unique to this process and test. */
slotkit_config conf_config(size_t slot_count, size_t slot_capacity);
/* Opens (asserting OK) and registers the pool for closing in .fini. */
slotkit_pool *open_pool_with(const slotkit_config *config);
slotkit_pool *open_pool(size_t slot_count, size_t slot_capacity);
/* Pool whose first commit returns first_sequence_number. */
slotkit_pool *open_pool_from_sn(size_t slot_count, size_t slot_capacity, uint32_t first_sn);
/* Registers a pool the test opened itself, for closing in .fini. */
void adopt_pool(slotkit_pool *pool);
/* Closes a registered pool before the test ends. */
void close_pool(slotkit_pool *pool);
/* A pool name unique to this process and test, for pools opened elsewhere. */
const char *unique_pool_name(void);

/* Runs a check of stress_checks.h in this test, skipping it when the
 * backend lacks a capability it needs. */
void run_stress_check(uint32_t required_caps, stress_fn check);

/* A row of stress_checks.h as a Criterion test of the same suite and name. */
#define CONF_STRESS_TEST(suite_name, test_name, caps, check, text) \
    Test(suite_name, test_name, .description = text) { run_stress_check((caps), check); }

/* ---- status assertions --------------------------------------------------- */

#define expect_status(expr, expected)                                                                     \
    do {                                                                                                  \
        slotkit_status conf_got_ = (expr);                                                                \
        slotkit_status conf_want_ = (expected);                                                           \
        cr_assert_eq(conf_got_, conf_want_, "%s returned %s, expected %s", #expr, status_name(conf_got_), \
                     status_name(conf_want_));                                                            \
    } while (0)

#define expect_ok(expr) expect_status((expr), SLOTKIT_OK)

/* ---- operations that must succeed ------------------------------------------ */

slotkit_handle must_reserve(slotkit_pool *pool, slotkit_reader_mask mask);
uint32_t must_commit(slotkit_pool *pool, slotkit_handle handle, const void *bytes, size_t len);
/* reserve + commit; returns the sequence number, the handle in *out_handle (may be NULL). */
uint32_t publish(slotkit_pool *pool, slotkit_reader_mask mask, const void *bytes, size_t len,
                 slotkit_handle *out_handle);
/* Publishes one byte derived from tag (handy when contents do not matter). */
uint32_t publish_byte(slotkit_pool *pool, slotkit_reader_mask mask, uint8_t tag, slotkit_handle *out_handle);
slotkit_slot_header must_read_header(slotkit_pool *pool, slotkit_handle handle);
void expect_header(slotkit_pool *pool, slotkit_handle handle, uint32_t sn, uint32_t size, uint32_t reader_mask);
/* Reads the sample and compares its bytes and length. */
void expect_sample(slotkit_pool *pool, slotkit_handle handle, const void *bytes, size_t len);
/* Expects NO_FREE_SLOT from a reserve under mask. */
void expect_no_free_slot_under(slotkit_pool *pool, slotkit_reader_mask mask);
/* The same under mask 0: for a pool whose slots are all on loan, or where the
 * test does not know the mask of the samples it holds. */
void expect_no_free_slot(slotkit_pool *pool);
/* Expects NO_FREE_SLOT under the samples' publishing mask, then under mask 0.
 * The mask of a reserve does not matter (R-RESERVE-1): a backend that judges
 * reservability by it fails under mask 0 only, and the failure says so; the
 * rules that call this list R-RESERVE-1 as a prerequisite, so such a backend
 * is named once, at r_reserve_1__other_mask. (R-RECYCLE-1's tests, on which
 * most rules rest, use expect_no_free_slot_under with the samples' mask.) */
void expect_no_free_slot_for(slotkit_pool *pool, slotkit_reader_mask publishing_mask);

/* ---- "no state change" probes (docs/SPEC.md, conventions) ----------- */

/* The generation, or 0 on a backend without NOTIFY (no state to compare then). */
uint64_t generation(slotkit_pool *pool);
/* Asserts the generation did not move (only meaningful with NOTIFY). */
void expect_generation_unchanged(slotkit_pool *pool, uint64_t before);
void expect_generation_advanced(slotkit_pool *pool, uint64_t before, const char *what);
/* Counts reservable slots by reserving (mask 0) until NO_FREE_SLOT, then
 * discarding them. Destroys recyclable samples (reserve may take them) and
 * moves the generation, so call it after everything else has been checked. */
size_t count_free_slots(slotkit_pool *pool);
void expect_free_slots(slotkit_pool *pool, size_t expected);
/* The same, reserving under mask: for rules that stay off R-RESERVE-1 (the
 * mask of a reserve does not matter) and count while samples are pending. */
size_t count_free_slots_under(slotkit_pool *pool, slotkit_reader_mask mask);
void expect_free_slots_under(slotkit_pool *pool, slotkit_reader_mask mask, size_t expected);
/* Commits a 1-byte mask-0 probe sample and returns its sequence number:
 * consumes a sequence number, so it is the last check of a test. */
uint32_t probe_next_sn(slotkit_pool *pool);
void expect_next_sn(slotkit_pool *pool, uint32_t expected);

/* ---- next_unread helpers -------------------------------------------------- */

/* next_unread; asserts OK and returns found. */
bool next_unread(slotkit_pool *pool, uint32_t reader, slotkit_handle *out_handle);
void expect_nothing_unread(slotkit_pool *pool, uint32_t reader);
/* next_unread must find the sample in `handle` (same slot) with sequence sn. */
void expect_next_unread_is(slotkit_pool *pool, uint32_t reader, slotkit_handle handle, uint32_t sn);

#endif /* SLOTKIT_CONFORMANCE_FIXTURE_H */
