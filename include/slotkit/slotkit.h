/*
 * libslotkit: loading backends and calling them.
 *
 * The conformance suite, the benchmarks and the harness reach every backend
 * through this API only, so a third-party plug-in gets exactly what the
 * built-in ones get. The wrappers apply the contract's defaults for optional
 * entries a backend leaves NULL, check NULL out-pointers, and record error
 * detail; every other check is the backend's own (and is what the
 * conformance suite tests).
 */
#ifndef SLOTKIT_SLOTKIT_H
#define SLOTKIT_SLOTKIT_H

#include "slotkit/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SLOTKIT_VERSION "0.1.0"

/* A fixed English description of a status ("no free slot", ...). */
const char *slotkit_strerror(slotkit_status status);

/* Detail of the last failed call made by this thread through this API. */
const slotkit_error *slotkit_last_error(void);

/* Built-in backends, in a fixed order; the first is the embedded default. */
size_t slotkit_builtin_count(void);
const slotkit_backend *slotkit_builtin(size_t index);

/*
 * Find a backend by built-in name ("inmem"), by plug-in name (looked up as
 * libslotkit_<name>.so in $SLOTKIT_PLUGIN_PATH, a ':'-separated list, then in
 * the install directory), or by path (anything containing '/'). Validates the
 * descriptor: ABI version, name, required entries, capabilities consistent
 * with the optional entries. On failure *err has a one-line reason.
 */
slotkit_status slotkit_backend_load(const char *name_or_path, const slotkit_backend **out, slotkit_error *err);

/* Checks a descriptor the way the loader does (for built-ins and tests). */
slotkit_status slotkit_backend_validate(const slotkit_backend *backend, slotkit_error *err);

/* Bytes of slotkit_ops a table of ABI level `level` has; 0 for a level this
 * slotkit does not load. */
size_t slotkit_ops_size(uint32_t level);
/* Copies an older-level table into a current-level one: the fields it lacks
 * are NULL (the contract's defaults). Reads only slotkit_ops_size() bytes. */
void slotkit_ops_upgrade(const slotkit_ops *table, slotkit_ops *out);

/* One open backend instance. */
typedef struct slotkit_pool slotkit_pool;

slotkit_status slotkit_pool_open(const slotkit_backend *backend, const slotkit_config *config, slotkit_pool **out,
                                 slotkit_error *err);
void slotkit_pool_close(slotkit_pool *pool);
const slotkit_backend *slotkit_pool_backend(const slotkit_pool *pool);

/* The 16 operations. Same meaning as the slotkit_ops entries. */
slotkit_status slotkit_reserve(slotkit_pool *, slotkit_reader_mask active_readers_mask, slotkit_handle *out_handle);
slotkit_status slotkit_commit(slotkit_pool *, slotkit_handle, const void *bytes, size_t len, uint32_t *out_sequence);
slotkit_status slotkit_discard(slotkit_pool *, slotkit_handle);
slotkit_status slotkit_read(slotkit_pool *, slotkit_handle, slotkit_slot_header *out_header, void *buf, size_t buf_len);
slotkit_status slotkit_mark_read(slotkit_pool *, slotkit_handle, uint32_t reader_index);
slotkit_status slotkit_mark_reader_disconnected(slotkit_pool *, uint32_t reader_index);
slotkit_status slotkit_slot_count(slotkit_pool *, size_t *out_count);
size_t slotkit_slot_total_size(slotkit_pool *);
size_t slotkit_slot_capacity(slotkit_pool *);
slotkit_status slotkit_slot_data_ptr(slotkit_pool *, slotkit_handle, void **out_ptr, size_t *out_capacity);
slotkit_status slotkit_commit_in_place(slotkit_pool *, slotkit_handle, size_t len, uint32_t *out_sequence);
slotkit_status slotkit_slot_read_ptr(slotkit_pool *, slotkit_handle, const void **out_ptr, size_t *out_len);
slotkit_status slotkit_next_unread(slotkit_pool *, uint32_t reader_index, bool *out_found, slotkit_handle *out_handle);
bool slotkit_type_hash(slotkit_pool *, uint8_t out_hash[16]);
uint64_t slotkit_notify_generation(slotkit_pool *);
void slotkit_wait_for_change(slotkit_pool *, uint64_t last, uint64_t timeout_ns);

#ifdef __cplusplus
}
#endif

#endif /* SLOTKIT_SLOTKIT_H */
