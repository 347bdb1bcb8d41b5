/* Arguments: R-ARG-1. Every out-pointer of every call, one at a time. */
#include "fixture.h"

#include <string.h>

CONF_SUITE(arg, CONF_TIMEOUT_S);

/* The rejected call must also say so through slotkit_last_error(). */
static void expect_invalid_argument(slotkit_status st, const char *call)
{
    cr_assert_eq(st, SLOTKIT_INVALID_ARGUMENT, "%s returned %s, expected INVALID_ARGUMENT", call, status_name(st));
    const slotkit_error *err = slotkit_last_error();
    cr_assert_not_null(err);
    cr_assert_eq(err->status, SLOTKIT_INVALID_ARGUMENT, "%s: last_error status %s", call, status_name(err->status));
}

Test(arg, r_arg_1__reserve,
     .description = "R-ARG-1: reserve with a NULL out_handle is INVALID_ARGUMENT and lends "
                    "nothing")
{
    slotkit_pool *pool = open_pool(2, 8);
    uint64_t gen = generation(pool);
    expect_invalid_argument(slotkit_reserve(pool, 0x1, NULL), "reserve(out_handle=NULL)");
    expect_generation_unchanged(pool, gen);
    expect_free_slots(pool, 2);
}

Test(arg, r_arg_1__commit,
     .description = "R-ARG-1: commit with a NULL out_sequence is INVALID_ARGUMENT; the loan "
                    "stays live, no SN consumed")
{
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle loan = must_reserve(pool, 0x1);
    uint64_t gen = generation(pool);
    uint8_t byte = 1;
    expect_invalid_argument(slotkit_commit(pool, loan, &byte, 1, NULL), "commit(out_sequence=NULL)");
    expect_generation_unchanged(pool, gen);
    uint8_t buf[8];
    slotkit_slot_header header;
    expect_status(slotkit_read(pool, loan, &header, buf, sizeof buf), SLOTKIT_OUT_OF_BOUNDS);
    cr_assert_eq(must_commit(pool, loan, &byte, 1), 0u);
}

Test(arg, r_arg_1__read, .description = "R-ARG-1: read with a NULL out_header is INVALID_ARGUMENT, no state change")
{
    slotkit_pool *pool = open_pool(1, 8);
    slotkit_handle handle;
    uint32_t sn = publish_byte(pool, 0x1, 0x42, &handle);
    uint64_t gen = generation(pool);
    uint8_t buf[8];
    /* (A NULL buf is not an out-pointer: it is R-ARG-2, an advisory rule.) */
    expect_invalid_argument(slotkit_read(pool, handle, NULL, buf, sizeof buf), "read(out_header=NULL)");
    expect_generation_unchanged(pool, gen);
    expect_header(pool, handle, sn, 1, 0);
    expect_no_free_slot_for(pool, 0x1);
}

Test(arg, r_arg_1__slot_count, .description = "R-ARG-1: slot_count with a NULL out_count is INVALID_ARGUMENT")
{
    slotkit_pool *pool = open_pool(3, 8);
    expect_invalid_argument(slotkit_slot_count(pool, NULL), "slot_count(out_count=NULL)");
}

Test(arg, r_arg_1__next_unread,
     .description = "R-ARG-1: next_unread with a NULL out_found or out_handle is "
                    "INVALID_ARGUMENT")
{
    slotkit_pool *pool = open_pool(2, 8);
    (void)publish_byte(pool, 0x1, 1, NULL);
    bool found = false;
    slotkit_handle handle;
    expect_invalid_argument(slotkit_next_unread(pool, 0, NULL, &handle), "next_unread(out_found=NULL)");
    expect_invalid_argument(slotkit_next_unread(pool, 0, &found, NULL), "next_unread(out_handle=NULL)");
}

Test(arg, r_arg_1__in_place,
     .description = "R-ARG-1: slot_data_ptr, commit_in_place and slot_read_ptr reject NULL "
                    "out-pointers; the loan stays live")
{
    require_caps(SLOTKIT_CAP_IN_PLACE);
    slotkit_pool *pool = open_pool(2, 8);
    slotkit_handle sample;
    uint32_t sn = publish_byte(pool, 0x1, 1, &sample);
    slotkit_handle loan = must_reserve(pool, 0x1);
    uint64_t gen = generation(pool);
    void *ptr = NULL;
    const void *read_ptr = NULL;
    size_t len = 0;
    expect_invalid_argument(slotkit_slot_data_ptr(pool, loan, NULL, &len), "slot_data_ptr(out_ptr=NULL)");
    expect_invalid_argument(slotkit_slot_data_ptr(pool, loan, &ptr, NULL), "slot_data_ptr(out_capacity=NULL)");
    expect_invalid_argument(slotkit_commit_in_place(pool, loan, 1, NULL), "commit_in_place(out_sequence=NULL)");
    expect_invalid_argument(slotkit_slot_read_ptr(pool, sample, NULL, &len), "slot_read_ptr(out_ptr=NULL)");
    expect_invalid_argument(slotkit_slot_read_ptr(pool, sample, &read_ptr, NULL), "slot_read_ptr(out_len=NULL)");
    expect_generation_unchanged(pool, gen);
    uint32_t next = 0;
    expect_ok(slotkit_commit_in_place(pool, loan, 0, &next));
    cr_assert_eq(next, sn + 1, "a sequence number was consumed by a rejected call");
}

Test(arg, r_arg_1__open,
     .description = "R-ARG-1: pool_open with a NULL out pool is INVALID_ARGUMENT, reported in "
                    "err")
{
    slotkit_config config = conf_config(2, 8);
    slotkit_error err;
    memset(&err, 0, sizeof err);
    /* open reports its detail through err (backend.h), not slotkit_last_error(). */
    expect_status(slotkit_pool_open(conf_backend, &config, NULL, &err), SLOTKIT_INVALID_ARGUMENT);
    cr_assert_eq(err.status, SLOTKIT_INVALID_ARGUMENT, "err.status %s", status_name(err.status));
    cr_assert(err.message[0] != '\0', "err.message is empty");
    /* Nothing was left open by the rejected call: the same name still creates. */
    (void)open_pool_with(&config);
}

Test(arg, r_arg_1__backend_load, .description = "R-ARG-1: backend_load with a NULL out backend is INVALID_ARGUMENT")
{
    slotkit_error err;
    memset(&err, 0, sizeof err);
    slotkit_status st = slotkit_backend_load(conf_backend_spec(), NULL, &err);
    cr_assert_eq(st, SLOTKIT_INVALID_ARGUMENT, "backend_load(out=NULL) returned %s", status_name(st));
}
