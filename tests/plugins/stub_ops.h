/* Required entries for deliberately broken test plug-ins; never called. */
#ifndef SLOTKIT_TEST_STUB_OPS_H
#define SLOTKIT_TEST_STUB_OPS_H
#include "slotkit/backend.h"

static slotkit_status stub_reserve(slotkit_instance *i, slotkit_reader_mask m, slotkit_handle *h)
{
    (void)i;
    (void)m;
    (void)h;
    return SLOTKIT_NO_FREE_SLOT;
}
static slotkit_status stub_commit(slotkit_instance *i, slotkit_handle h, const void *b, size_t n, uint32_t *s)
{
    (void)i;
    (void)h;
    (void)b;
    (void)n;
    (void)s;
    return SLOTKIT_OUT_OF_BOUNDS;
}
static slotkit_status stub_discard(slotkit_instance *i, slotkit_handle h)
{
    (void)i;
    (void)h;
    return SLOTKIT_OUT_OF_BOUNDS;
}
static slotkit_status stub_read(slotkit_instance *i, slotkit_handle h, slotkit_slot_header *o, void *b, size_t n)
{
    (void)i;
    (void)h;
    (void)o;
    (void)b;
    (void)n;
    return SLOTKIT_OUT_OF_BOUNDS;
}
static slotkit_status stub_mark(slotkit_instance *i, slotkit_handle h, uint32_t r)
{
    (void)i;
    (void)h;
    (void)r;
    return SLOTKIT_OUT_OF_BOUNDS;
}
static slotkit_status stub_disc(slotkit_instance *i, uint32_t r)
{
    (void)i;
    (void)r;
    return SLOTKIT_OUT_OF_BOUNDS;
}
static slotkit_status stub_count(slotkit_instance *i, size_t *n)
{
    (void)i;
    *n = 0;
    return SLOTKIT_OK;
}
static size_t stub_size(slotkit_instance *i)
{
    (void)i;
    return 0;
}
static slotkit_status stub_open(const slotkit_config *c, slotkit_instance **o, slotkit_error *e)
{
    (void)c;
    (void)o;
    e->status = SLOTKIT_SYSTEM_ERROR;
    e->sys_errno = 13;
    __builtin_strcpy(e->message, "stub backend: permission denied on /dev/stub");
    return SLOTKIT_SYSTEM_ERROR;
}
static void stub_close(slotkit_instance *i) { (void)i; }

#define STUB_REQUIRED_OPS                                                                                           \
    .reserve_slot = stub_reserve, .commit_slot = stub_commit, .discard_slot = stub_discard, .read_slot = stub_read, \
    .mark_read = stub_mark, .mark_reader_disconnected = stub_disc, .slot_count = stub_count,                        \
    .slot_total_size = stub_size, .slot_capacity = stub_size
#endif
