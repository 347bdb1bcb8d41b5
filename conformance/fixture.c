#include "fixture.h"

#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "op_recorder.h"
#include "prereqs.h"
#include "report_record.h"

const slotkit_backend *conf_backend;
/* The test process itself (forked children must not run its teardown checks). */
static pid_t fixture_pid;

/* With $SLOTKIT_CONF_OPS_DUMP set, appends "suite/test mask" of the operations
 * the test called: the data to write prerequisite declarations from. */
static void dump_used_ops(uint32_t used)
{
    const char *path = getenv("SLOTKIT_CONF_OPS_DUMP");
    if (path == NULL || criterion_current_test == NULL) return;
    FILE *f = fopen(path, "a");
    if (f == NULL) return;
    fprintf(f, "%s/%s 0x%05x\n", criterion_current_suite->name, criterion_current_test->name, (unsigned)used);
    fclose(f);
}

/* Pools opened by this test process; .fini closes what is left. */
#define MAX_OPEN_POOLS 16
static slotkit_pool *open_pools[MAX_OPEN_POOLS];

/* Pool names must outlive open(); a small ring is plenty per test. */
#define NAME_LEN 128
static char pool_names[MAX_OPEN_POOLS][NAME_LEN];
static unsigned pool_name_counter;

const char *conf_backend_spec(void)
{
    const char *spec = getenv(CONF_BACKEND_ENV);
    return (spec != NULL && spec[0] != '\0') ? spec : CONF_DEFAULT_BACKEND;
}

void conf_setup(void)
{
    const char *spec = conf_backend_spec();
    slotkit_error err;
    memset(&err, 0, sizeof err);
    const slotkit_backend *backend = NULL;
    slotkit_status st = slotkit_backend_load(spec, &backend, &err);
    /* A backend that does not load is broken, not "skipped". */
    cr_assert_eq(st, SLOTKIT_OK, "cannot load backend '%s': %s (%s)", spec, status_name(st), err.message);
    cr_assert_not_null(backend, "slotkit_backend_load('%s') returned OK but no backend", spec);
    /* Tests see a recording proxy, so prereqs_check knows what they called. */
    conf_backend = op_recorder_wrap(backend);
    fixture_pid = getpid();
}

/* Fails the test when it called an operation its rule does not declare as
 * reachable through its prerequisites (the graph cannot drift from the code). */
static void check_declared_prerequisites(void)
{
    char rule[48], why[320];
    if (criterion_current_test == NULL || !prereqs_rule_of_test(criterion_current_test->name, rule, sizeof rule))
        return;
    uint32_t used = op_recorder_used();
    dump_used_ops(used);
    if (prereqs_check(rule, used, why, sizeof why)) return;
    /* Criterion ignores a failed assertion in .fini; the record is what counts. */
    report_append("FAILED", criterion_current_suite->name, criterion_current_test->name, 0, why);
    cr_log_error("%s", why);
}

void conf_teardown(void)
{
    for (size_t i = 0; i < MAX_OPEN_POOLS; i++) {
        if (open_pools[i] != NULL) {
            slotkit_pool_close(open_pools[i]);
            open_pools[i] = NULL;
        }
    }
    /* Last: a failed check ends the teardown. */
    if (getpid() == fixture_pid) check_declared_prerequisites();
}

/* ---- capabilities ---------------------------------------------------- */

const char *cap_name(uint32_t cap)
{
    switch (cap) {
    case SLOTKIT_CAP_CROSS_PROCESS: return "CROSS_PROCESS";
    case SLOTKIT_CAP_IN_PLACE: return "IN_PLACE";
    case SLOTKIT_CAP_NOTIFY: return "NOTIFY";
    case SLOTKIT_CAP_TYPE_HASH: return "TYPE_HASH";
    case SLOTKIT_CAP_NEXT_UNREAD: return "NEXT_UNREAD";
    default: return "UNKNOWN";
    }
}

bool has_caps(uint32_t mask)
{
    cr_assert_not_null(conf_backend, "backend not loaded (suite without conf_setup?)");
    return (conf_backend->capabilities & mask) == mask;
}

void require_caps(uint32_t mask)
{
    for (uint32_t bit = 1; bit != 0 && bit <= mask; bit <<= 1) {
        if ((mask & bit) != 0 && !has_caps(bit)) {
            cr_skip_test("requires capability %s", cap_name(bit));
        }
    }
}

void require_lacking_cap(uint32_t cap)
{
    if (has_caps(cap)) {
        cr_skip_test("backend has capability %s; default not applicable", cap_name(cap));
    }
}

/* ---- pools ------------------------------------------------------------- */

const char *unique_pool_name(void)
{
    /* A cross-process backend turns this into a real OS name; tests run in
     * parallel, so pid + test name keeps them apart. */
    char *name = pool_names[pool_name_counter % MAX_OPEN_POOLS];
    const char *suite = criterion_current_suite ? criterion_current_suite->name : "nosuite";
    const char *test = criterion_current_test ? criterion_current_test->name : "notest";
    snprintf(name, NAME_LEN, "skc-%ld-%.24s-%.48s-%u", (long)getpid(), suite, test, pool_name_counter);
    pool_name_counter++;
    return name;
}

slotkit_config conf_config(size_t slot_count, size_t slot_capacity)
{
    const char *name = unique_pool_name();
    slotkit_config config;
    memset(&config, 0, sizeof config);
    config.slot_count = slot_count;
    config.slot_capacity = slot_capacity;
    config.name = name;
    config.type_hash = NULL;
    config.role = SLOTKIT_ROLE_CREATE;
    config.first_sequence_number = 0;
    return config;
}

slotkit_pool *open_pool_with(const slotkit_config *config)
{
    slotkit_error err;
    memset(&err, 0, sizeof err);
    slotkit_pool *pool = NULL;
    slotkit_status st = slotkit_pool_open(conf_backend, config, &pool, &err);
    cr_assert_eq(st, SLOTKIT_OK, "open(count=%zu, capacity=%zu, first_sn=%u) returned %s: %s", config->slot_count,
                 config->slot_capacity, config->first_sequence_number, status_name(st), err.message);
    cr_assert_not_null(pool, "open returned OK but no pool");
    adopt_pool(pool);
    return pool;
}

void adopt_pool(slotkit_pool *pool)
{
    for (size_t i = 0; i < MAX_OPEN_POOLS; i++) {
        if (open_pools[i] == NULL) {
            open_pools[i] = pool;
            return;
        }
    }
    slotkit_pool_close(pool);
    cr_assert_fail("test opened more than %d pools", MAX_OPEN_POOLS);
}

slotkit_pool *open_pool(size_t slot_count, size_t slot_capacity)
{
    slotkit_config config = conf_config(slot_count, slot_capacity);
    return open_pool_with(&config);
}

slotkit_pool *open_pool_from_sn(size_t slot_count, size_t slot_capacity, uint32_t first_sn)
{
    slotkit_config config = conf_config(slot_count, slot_capacity);
    config.first_sequence_number = first_sn;
    return open_pool_with(&config);
}

void close_pool(slotkit_pool *pool)
{
    for (size_t i = 0; i < MAX_OPEN_POOLS; i++) {
        if (open_pools[i] == pool) {
            open_pools[i] = NULL;
            slotkit_pool_close(pool);
            return;
        }
    }
    cr_assert_fail("close_pool: pool was not opened by the fixture");
}

void run_stress_check(uint32_t required_caps, stress_fn check)
{
    require_caps(required_caps);
    stress_result res = check(conf_backend, unique_pool_name());
    if (res.info[0] != '\0') {
        cr_log_info("%s", res.info);
    }
    cr_assert(res.ok, "%s", res.message);
}

/* ---- operations that must succeed ------------------------------------------ */

slotkit_handle must_reserve(slotkit_pool *pool, slotkit_reader_mask mask)
{
    slotkit_handle handle;
    memset(&handle, 0, sizeof handle);
    slotkit_status st = slotkit_reserve(pool, mask, &handle);
    cr_assert_eq(st, SLOTKIT_OK, "reserve(mask=0x%08x) returned %s, expected OK", (unsigned)mask, status_name(st));
    return handle;
}

uint32_t must_commit(slotkit_pool *pool, slotkit_handle handle, const void *bytes, size_t len)
{
    uint32_t sn = 0;
    slotkit_status st = slotkit_commit(pool, handle, bytes, len, &sn);
    cr_assert_eq(st, SLOTKIT_OK, "commit(slot %u, len %zu) returned %s, expected OK", handle.slot_index, len,
                 status_name(st));
    return sn;
}

uint32_t publish(slotkit_pool *pool, slotkit_reader_mask mask, const void *bytes, size_t len,
                 slotkit_handle *out_handle)
{
    slotkit_handle handle = must_reserve(pool, mask);
    uint32_t sn = must_commit(pool, handle, bytes, len);
    if (out_handle != NULL) {
        *out_handle = handle;
    }
    return sn;
}

uint32_t publish_byte(slotkit_pool *pool, slotkit_reader_mask mask, uint8_t tag, slotkit_handle *out_handle)
{
    return publish(pool, mask, &tag, 1, out_handle);
}

slotkit_slot_header must_read_header(slotkit_pool *pool, slotkit_handle handle)
{
    size_t capacity = slotkit_slot_capacity(pool);
    /* +1 so a zero-capacity pool still passes a real buffer. */
    unsigned char *buf = malloc(capacity + 1);
    cr_assert_not_null(buf);
    slotkit_slot_header header;
    memset(&header, 0xA5, sizeof header);
    slotkit_status st = slotkit_read(pool, handle, &header, buf, capacity + 1);
    free(buf);
    cr_assert_eq(st, SLOTKIT_OK, "read(slot %u) returned %s, expected OK", handle.slot_index, status_name(st));
    return header;
}

void expect_header(slotkit_pool *pool, slotkit_handle handle, uint32_t sn, uint32_t size, uint32_t reader_mask)
{
    slotkit_slot_header header = must_read_header(pool, handle);
    cr_assert_eq(header.sequence_number, sn, "slot %u: header.sequence_number %u, expected %u", handle.slot_index,
                 header.sequence_number, sn);
    cr_assert_eq(header.sample_size, size, "slot %u: header.sample_size %u, expected %u", handle.slot_index,
                 header.sample_size, size);
    cr_assert_eq(header.reader_mask, reader_mask, "slot %u: header.reader_mask 0x%08x, expected 0x%08x",
                 handle.slot_index, header.reader_mask, reader_mask);
    cr_assert_eq(header.reserved, 0u, "slot %u: header.reserved %u, expected 0", handle.slot_index, header.reserved);
}

void expect_sample(slotkit_pool *pool, slotkit_handle handle, const void *bytes, size_t len)
{
    size_t capacity = slotkit_slot_capacity(pool);
    unsigned char *buf = malloc(capacity + 1);
    cr_assert_not_null(buf);
    memset(buf, 0xEE, capacity + 1);
    slotkit_slot_header header;
    slotkit_status st = slotkit_read(pool, handle, &header, buf, capacity + 1);
    if (st != SLOTKIT_OK) {
        free(buf);
        cr_assert_fail("read(slot %u) returned %s, expected OK", handle.slot_index, status_name(st));
    }
    bool size_ok = header.sample_size == len;
    bool bytes_ok = len == 0 || memcmp(buf, bytes, len) == 0;
    free(buf);
    cr_assert(size_ok, "slot %u: sample_size %u, expected %zu", handle.slot_index, header.sample_size, len);
    cr_assert(bytes_ok, "slot %u: sample bytes differ from the committed ones", handle.slot_index);
}

void expect_no_free_slot_under(slotkit_pool *pool, slotkit_reader_mask mask)
{
    slotkit_handle handle;
    slotkit_status st = slotkit_reserve(pool, mask, &handle);
    if (st == SLOTKIT_OK) {
        /* Give it back so .fini sees a consistent pool; the test fails anyway. */
        slotkit_discard(pool, handle);
    }
    cr_assert_eq(st, SLOTKIT_NO_FREE_SLOT, "reserve(mask=0x%08x) returned %s (slot %u), expected NO_FREE_SLOT", mask,
                 status_name(st), st == SLOTKIT_OK ? handle.slot_index : 0u);
}

void expect_no_free_slot(slotkit_pool *pool) { expect_no_free_slot_under(pool, 0); }

void expect_no_free_slot_for(slotkit_pool *pool, slotkit_reader_mask publishing_mask)
{
    expect_no_free_slot_under(pool, publishing_mask);
    if (publishing_mask == 0) return;
    slotkit_handle handle;
    slotkit_status st = slotkit_reserve(pool, 0, &handle);
    if (st == SLOTKIT_OK) slotkit_discard(pool, handle);
    cr_assert_eq(st, SLOTKIT_NO_FREE_SLOT,
                 "reserve(mask=0x%08x) is NO_FREE_SLOT but reserve(mask=0) returned %s (slot %u): the mask of a "
                 "reserve must not matter (R-RESERVE-1)",
                 publishing_mask, status_name(st), st == SLOTKIT_OK ? handle.slot_index : 0u);
}

/* ---- "no state change" probes ------------------------------------------------ */

uint64_t generation(slotkit_pool *pool) { return has_caps(SLOTKIT_CAP_NOTIFY) ? slotkit_notify_generation(pool) : 0; }

void expect_generation_unchanged(slotkit_pool *pool, uint64_t before)
{
    if (!has_caps(SLOTKIT_CAP_NOTIFY)) {
        return;
    }
    uint64_t now = slotkit_notify_generation(pool);
    cr_assert_eq(now, before,
                 "generation moved from %llu to %llu by an operation that must "
                 "change nothing",
                 (unsigned long long)before, (unsigned long long)now);
}

void expect_generation_advanced(slotkit_pool *pool, uint64_t before, const char *what)
{
    uint64_t now = slotkit_notify_generation(pool);
    /* Equality only (SPEC §1.2, §6): a generation may wrap, so "advanced" is "changed". */
    cr_assert(now != before, "generation %llu -> %llu: did not advance on %s", (unsigned long long)before,
              (unsigned long long)now, what);
}

/* Reserves until the backend says NO_FREE_SLOT (or an absurd number of
 * loans: a backend that never stops lending), then discards them. It uses
 * reserve and discard only, so it rests on their rules alone (R-RESERVE-2,
 * R-DISCARD-1); the expected count, which the caller knows, catches
 * over-lending. */
#define FREE_SLOTS_LIMIT 65536u
size_t count_free_slots_under(slotkit_pool *pool, slotkit_reader_mask mask)
{
    size_t cap = 64, taken = 0;
    slotkit_handle *loans = calloc(cap, sizeof *loans);
    cr_assert_not_null(loans);
    slotkit_status st = SLOTKIT_OK;
    while (taken < FREE_SLOTS_LIMIT) {
        if (taken == cap) {
            slotkit_handle *grown = realloc(loans, (cap *= 2) * sizeof *loans);
            cr_assert_not_null(grown);
            loans = grown;
        }
        st = slotkit_reserve(pool, mask, &loans[taken]);
        if (st != SLOTKIT_OK) break;
        taken++;
    }
    for (size_t i = 0; i < taken; i++) {
        slotkit_status dst = slotkit_discard(pool, loans[i]);
        if (dst != SLOTKIT_OK) {
            uint32_t slot = loans[i].slot_index;
            free(loans);
            cr_assert_fail("discard of a probe loan (slot %u) returned %s", slot, status_name(dst));
        }
    }
    free(loans);
    cr_assert_eq(st, SLOTKIT_NO_FREE_SLOT, "reserve returned %s after %zu loans, expected OK or NO_FREE_SLOT",
                 status_name(st), taken);
    return taken;
}

size_t count_free_slots(slotkit_pool *pool) { return count_free_slots_under(pool, 0); }

void expect_free_slots_under(slotkit_pool *pool, slotkit_reader_mask mask, size_t expected)
{
    size_t free_slots = count_free_slots_under(pool, mask);
    cr_assert_eq(free_slots, expected, "%zu slots reservable under mask 0x%08x, expected %zu", free_slots, mask,
                 expected);
}

void expect_free_slots(slotkit_pool *pool, size_t expected) { expect_free_slots_under(pool, 0, expected); }

uint32_t probe_next_sn(slotkit_pool *pool)
{
    slotkit_handle handle;
    slotkit_status st = slotkit_reserve(pool, 0, &handle);
    cr_assert_eq(st, SLOTKIT_OK, "sequence probe: reserve returned %s (test needs a free slot)", status_name(st));
    uint8_t probe = 0x5A;
    uint32_t sn = 0;
    st = slotkit_commit(pool, handle, &probe, 1, &sn);
    cr_assert_eq(st, SLOTKIT_OK, "sequence probe: commit returned %s", status_name(st));
    return sn;
}

void expect_next_sn(slotkit_pool *pool, uint32_t expected)
{
    uint32_t sn = probe_next_sn(pool);
    cr_assert_eq(sn, expected,
                 "next commit got sequence number %u, expected %u "
                 "(a sequence number was consumed or skipped)",
                 sn, expected);
}

/* ---- next_unread helpers -------------------------------------------------- */

bool next_unread(slotkit_pool *pool, uint32_t reader, slotkit_handle *out_handle)
{
    /* Poisoned: a backend that leaves *out_found unwritten when nothing is
     * pending reads as "found" here, and the caller's expectation fails. */
    bool found = true;
    slotkit_handle handle;
    memset(&handle, 0, sizeof handle);
    expect_ok(slotkit_next_unread(pool, reader, &found, &handle));
    if (out_handle != NULL) {
        *out_handle = handle;
    }
    return found;
}

void expect_nothing_unread(slotkit_pool *pool, uint32_t reader)
{
    slotkit_handle handle;
    bool found = next_unread(pool, reader, &handle);
    cr_assert(!found, "next_unread(reader %u) found slot %u, expected nothing pending", reader, handle.slot_index);
}

void expect_next_unread_is(slotkit_pool *pool, uint32_t reader, slotkit_handle expected, uint32_t sn)
{
    slotkit_handle handle;
    bool found = next_unread(pool, reader, &handle);
    cr_assert(found, "next_unread(reader %u) found nothing, expected slot %u (sn %u)", reader, expected.slot_index, sn);
    cr_assert(same_handle(handle, expected), "next_unread(reader %u) returned slot %u, expected slot %u (sn %u)",
              reader, handle.slot_index, expected.slot_index, sn);
    slotkit_slot_header header = must_read_header(pool, handle);
    cr_assert_eq(header.sequence_number, sn, "next_unread(reader %u): sample sn %u, expected %u", reader,
                 header.sequence_number, sn);
}
