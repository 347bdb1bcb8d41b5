/*
 * Calling an open backend instance: NULL out-pointer checks, the contract's
 * defaults for optional entries, and error detail. Everything else is the
 * backend's job, so the conformance suite sees the backend's own behaviour.
 */
#include <stdlib.h>

#include "error.h"
#include "slotkit/slotkit.h"

struct slotkit_pool {
    const slotkit_backend *backend;
    slotkit_instance *instance;
    /* A copy of the backend's table, upgraded to this level when it is an
     * older one: a call loads its entry from here, one load instead of two. */
    slotkit_ops ops;
};

slotkit_status slotkit_pool_open(const slotkit_backend *backend, const slotkit_config *config, slotkit_pool **out,
                                 slotkit_error *err)
{
    slotkit_error local;
    if (err == NULL) err = &local;
    if (backend == NULL || config == NULL || out == NULL)
        return slotkit_set_error(err, SLOTKIT_INVALID_ARGUMENT, "NULL backend, config or out pointer");
    slotkit_status status = slotkit_backend_validate(backend, err);
    if (status != SLOTKIT_OK) return status;
    slotkit_pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL) return slotkit_set_error(err, SLOTKIT_SYSTEM_ERROR, "out of memory");
    slotkit_error backend_err = {0};
    status = backend->open(config, &pool->instance, &backend_err);
    if (status != SLOTKIT_OK) {
        free(pool);
        if (backend_err.status == SLOTKIT_OK) backend_err.status = status;
        if (backend_err.message[0] == '\0') slotkit_set_error(&backend_err, status, "%s", slotkit_strerror(status));
        *err = backend_err;
        slotkit_record_detail(err);
        return status;
    }
    pool->backend = backend;
    slotkit_ops_upgrade(backend->ops, &pool->ops); /* a plain copy at this level */
    *out = pool;
    return SLOTKIT_OK;
}

void slotkit_pool_close(slotkit_pool *pool)
{
    if (pool == NULL) return;
    pool->backend->close(pool->instance);
    free(pool);
}

const slotkit_backend *slotkit_pool_backend(const slotkit_pool *pool) { return pool->backend; }

/* The hot paths return OK; record detail only on failure, without a call. */
static inline slotkit_status recorded(slotkit_status status)
{
    return __builtin_expect(status == SLOTKIT_OK, 1) ? status : slotkit_record(status);
}

/* A NULL pool or out-pointer is the caller's bug: report it, touch nothing. */
#define REQUIRE(cond)                                                 \
    do {                                                              \
        if (!(cond)) return slotkit_record(SLOTKIT_INVALID_ARGUMENT); \
    } while (0)

slotkit_status slotkit_reserve(slotkit_pool *pool, slotkit_reader_mask active_readers_mask, slotkit_handle *out_handle)
{
    REQUIRE(pool != NULL && out_handle != NULL);
    return recorded(pool->ops.reserve_slot(pool->instance, active_readers_mask, out_handle));
}

/* A commit failed: SampleTooLarge carries both sizes so callers can report
 * them. Out of line, so that the commits' success path stays a bare call. */
__attribute__((noinline, cold)) static slotkit_status commit_failed(slotkit_pool *pool, slotkit_status status,
                                                                    size_t len)
{
    slotkit_record(status);
    if (status == SLOTKIT_SAMPLE_TOO_LARGE) {
        slotkit_error detail = *slotkit_last_error();
        detail.sample_size = len;
        detail.slot_capacity = pool->ops.slot_capacity(pool->instance);
        slotkit_record_detail(&detail);
    }
    return status;
}

slotkit_status slotkit_commit(slotkit_pool *pool, slotkit_handle handle, const void *bytes, size_t len,
                              uint32_t *out_sequence)
{
    REQUIRE(pool != NULL && out_sequence != NULL && (bytes != NULL || len == 0));
    slotkit_status status = pool->ops.commit_slot(pool->instance, handle, bytes, len, out_sequence);
    return __builtin_expect(status == SLOTKIT_OK, 1) ? status : commit_failed(pool, status, len);
}

slotkit_status slotkit_discard(slotkit_pool *pool, slotkit_handle handle)
{
    REQUIRE(pool != NULL);
    return recorded(pool->ops.discard_slot(pool->instance, handle));
}

slotkit_status slotkit_read(slotkit_pool *pool, slotkit_handle handle, slotkit_slot_header *out_header, void *buf,
                            size_t buf_len)
{
    REQUIRE(pool != NULL && out_header != NULL && (buf != NULL || buf_len == 0));
    return recorded(pool->ops.read_slot(pool->instance, handle, out_header, buf, buf_len));
}

slotkit_status slotkit_mark_read(slotkit_pool *pool, slotkit_handle handle, uint32_t reader_index)
{
    REQUIRE(pool != NULL);
    return recorded(pool->ops.mark_read(pool->instance, handle, reader_index));
}

slotkit_status slotkit_mark_reader_disconnected(slotkit_pool *pool, uint32_t reader_index)
{
    REQUIRE(pool != NULL);
    return recorded(pool->ops.mark_reader_disconnected(pool->instance, reader_index));
}

slotkit_status slotkit_slot_count(slotkit_pool *pool, size_t *out_count)
{
    REQUIRE(pool != NULL && out_count != NULL);
    return recorded(pool->ops.slot_count(pool->instance, out_count));
}

size_t slotkit_slot_total_size(slotkit_pool *pool) { return pool->ops.slot_total_size(pool->instance); }

size_t slotkit_slot_capacity(slotkit_pool *pool) { return pool->ops.slot_capacity(pool->instance); }

slotkit_status slotkit_slot_data_ptr(slotkit_pool *pool, slotkit_handle handle, void **out_ptr, size_t *out_capacity)
{
    REQUIRE(pool != NULL && out_ptr != NULL && out_capacity != NULL);
    if (pool->ops.slot_data_ptr == NULL) return slotkit_record(SLOTKIT_IN_PLACE_UNSUPPORTED);
    return recorded(pool->ops.slot_data_ptr(pool->instance, handle, out_ptr, out_capacity));
}

slotkit_status slotkit_commit_in_place(slotkit_pool *pool, slotkit_handle handle, size_t len, uint32_t *out_sequence)
{
    REQUIRE(pool != NULL && out_sequence != NULL);
    if (pool->ops.commit_in_place == NULL) return slotkit_record(SLOTKIT_IN_PLACE_UNSUPPORTED);
    slotkit_status status = pool->ops.commit_in_place(pool->instance, handle, len, out_sequence);
    return __builtin_expect(status == SLOTKIT_OK, 1) ? status : commit_failed(pool, status, len);
}

slotkit_status slotkit_slot_read_ptr(slotkit_pool *pool, slotkit_handle handle, const void **out_ptr, size_t *out_len)
{
    REQUIRE(pool != NULL && out_ptr != NULL && out_len != NULL);
    if (pool->ops.slot_read_ptr == NULL) return slotkit_record(SLOTKIT_IN_PLACE_UNSUPPORTED);
    return recorded(pool->ops.slot_read_ptr(pool->instance, handle, out_ptr, out_len));
}

slotkit_status slotkit_next_unread(slotkit_pool *pool, uint32_t reader_index, bool *out_found,
                                   slotkit_handle *out_handle)
{
    REQUIRE(pool != NULL && out_found != NULL && out_handle != NULL);
    if (pool->ops.next_unread_slot == NULL) {
        /* Contract default: nothing pending. Still reject an impossible reader. */
        if (reader_index >= SLOTKIT_MAX_READERS) return slotkit_record(SLOTKIT_OUT_OF_BOUNDS);
        *out_found = false;
        return SLOTKIT_OK;
    }
    return recorded(pool->ops.next_unread_slot(pool->instance, reader_index, out_found, out_handle));
}

bool slotkit_type_hash(slotkit_pool *pool, uint8_t out_hash[16])
{
    if (pool == NULL || out_hash == NULL || pool->ops.type_hash == NULL) return false;
    return pool->ops.type_hash(pool->instance, out_hash);
}

uint64_t slotkit_notify_generation(slotkit_pool *pool)
{
    if (pool == NULL || pool->ops.notify_generation == NULL) return 0;
    return pool->ops.notify_generation(pool->instance);
}

void slotkit_wait_for_change(slotkit_pool *pool, uint64_t last, uint64_t timeout_ns)
{
    if (pool == NULL || pool->ops.wait_for_change == NULL) return;
    pool->ops.wait_for_change(pool->instance, last, timeout_ns);
}
