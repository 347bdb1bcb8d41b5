/* Finding backends: built-ins, plug-ins by name, plug-ins by path. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "inmem/inmem.h"
#include "posix/posix.h"
#include "slotkit/slotkit.h"

#ifndef SLOTKIT_PLUGIN_DIR
#define SLOTKIT_PLUGIN_DIR "/usr/local/lib/slotkit"
#endif

typedef const slotkit_backend *(*builtin_fn)(void);
static const builtin_fn builtins[] = {slotkit_inmem_backend, slotkit_posix_backend};
#define BUILTIN_COUNT (sizeof builtins / sizeof builtins[0])

size_t slotkit_builtin_count(void) { return BUILTIN_COUNT; }

const slotkit_backend *slotkit_builtin(size_t index) { return index < BUILTIN_COUNT ? builtins[index]() : NULL; }

static bool valid_backend_name(const char *name)
{
    if (name == NULL || name[0] == '\0' || strlen(name) > 64) return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-')) return false;
    return true;
}

/* A capability and its entries must agree: the suite skips by capability
 * while the library calls by entry. */
static bool caps_match(bool has_cap, int entries_present, int entries_total)
{
    return has_cap ? entries_present == entries_total : entries_present == 0;
}

size_t slotkit_ops_size(uint32_t level)
{
    if (level < SLOTKIT_ABI_MIN_VERSION || level > SLOTKIT_ABI_VERSION) return 0;
    return level == 1 ? SLOTKIT_OPS_SIZE_LEVEL1 : sizeof(slotkit_ops);
}

void slotkit_ops_upgrade(const slotkit_ops *table, slotkit_ops *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out, table, slotkit_ops_size(table->abi_version)); /* fields past the level stay absent */
    out->abi_version = SLOTKIT_ABI_VERSION;
}

slotkit_status slotkit_backend_validate(const slotkit_backend *b, slotkit_error *err)
{
    if (b == NULL) return slotkit_set_error(err, SLOTKIT_INVALID_ARGUMENT, "backend descriptor is NULL");
    if (slotkit_ops_size(b->abi_version) == 0)
        return slotkit_set_error(err, SLOTKIT_INCOMPATIBLE,
                                 "backend was built for slotkit ABI %u, this slotkit loads ABI levels %u to %u",
                                 b->abi_version, SLOTKIT_ABI_MIN_VERSION, SLOTKIT_ABI_VERSION);
    if (!valid_backend_name(b->name))
        return slotkit_set_error(err, SLOTKIT_INVALID_ARGUMENT, "backend name must be 1-64 characters of [a-z0-9_-]");
    const char *name = b->name;
    if (b->version == NULL || b->open == NULL || b->close == NULL || b->ops == NULL)
        return slotkit_set_error(err, SLOTKIT_INVALID_ARGUMENT,
                                 "backend '%s': version, open, close and ops must all be set", name);
    const slotkit_ops *o = b->ops;
    if (o->abi_version != b->abi_version)
        return slotkit_set_error(err, SLOTKIT_INCOMPATIBLE, "backend '%s': ops table is ABI %u, its descriptor %u",
                                 name, o->abi_version, b->abi_version);
    /* Only a level-2 table has the field: a level-1 one ends before it. */
    if (o->abi_version >= 2 && o->reserved_level2 != NULL)
        return slotkit_set_error(err, SLOTKIT_INCOMPATIBLE, "backend '%s': reserved_level2 must be NULL", name);
    if (!o->reserve_slot || !o->commit_slot || !o->discard_slot || !o->read_slot || !o->mark_read ||
        !o->mark_reader_disconnected || !o->slot_count || !o->slot_total_size || !o->slot_capacity)
        return slotkit_set_error(err, SLOTKIT_INVALID_ARGUMENT,
                                 "backend '%s': a required operation is missing from its ops table", name);
    uint32_t caps = b->capabilities;
    if (caps & ~SLOTKIT_CAP_ALL_KNOWN)
        return slotkit_set_error(err, SLOTKIT_INCOMPATIBLE, "backend '%s': unknown capability bits 0x%x", name,
                                 caps & ~SLOTKIT_CAP_ALL_KNOWN);
    int in_place = !!o->slot_data_ptr + !!o->commit_in_place + !!o->slot_read_ptr;
    int notify = !!o->notify_generation + !!o->wait_for_change;
    if (!caps_match(caps & SLOTKIT_CAP_IN_PLACE, in_place, 3) || !caps_match(caps & SLOTKIT_CAP_NOTIFY, notify, 2) ||
        !caps_match(caps & SLOTKIT_CAP_TYPE_HASH, !!o->type_hash, 1) ||
        !caps_match(caps & SLOTKIT_CAP_NEXT_UNREAD, !!o->next_unread_slot, 1))
        return slotkit_set_error(err, SLOTKIT_INVALID_ARGUMENT,
                                 "backend '%s': capability flags disagree with its optional operations", name);
    return SLOTKIT_OK;
}

/* A current-level copy of an older plug-in's descriptor, so every reader of
 * backend->ops (the library, the suite's proxy) sees a whole table. Kept for
 * the life of the process, like the plug-in. */
static const slotkit_backend *upgraded(const slotkit_backend *old)
{
    struct upgraded_backend {
        slotkit_backend backend;
        slotkit_ops ops;
    } *copy = calloc(1, sizeof *copy);
    if (copy == NULL) return NULL;
    copy->backend = *old;
    slotkit_ops_upgrade(old->ops, &copy->ops);
    copy->backend.abi_version = SLOTKIT_ABI_VERSION;
    copy->backend.ops = &copy->ops;
    return &copy->backend;
}

static slotkit_status load_plugin(const char *path, const slotkit_backend **out, slotkit_error *err)
{
    if (access(path, R_OK) != 0) {
        slotkit_status s =
            slotkit_set_error(err, SLOTKIT_SYSTEM_ERROR, "cannot read plug-in '%s': %s", path, strerror(errno));
        if (err) err->sys_errno = errno;
        return s;
    }
    /* Plug-ins stay loaded for the life of the process: descriptors are static. */
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL)
        return slotkit_set_error(err, SLOTKIT_INCOMPATIBLE, "cannot load plug-in '%s': %s", path, dlerror());
    slotkit_entry_fn entry;
    void *sym = dlsym(lib, SLOTKIT_ENTRY_SYMBOL);
    if (sym == NULL) {
        dlclose(lib);
        return slotkit_set_error(err, SLOTKIT_INCOMPATIBLE, "'%s' is not a slotkit plug-in: it does not export %s()",
                                 path, SLOTKIT_ENTRY_SYMBOL);
    }
    memcpy(&entry, &sym, sizeof entry); /* object→function pointer, as POSIX allows */
    const slotkit_backend *backend = entry();
    if (backend == NULL) {
        dlclose(lib);
        return slotkit_set_error(err, SLOTKIT_INVALID_ARGUMENT, "plug-in '%s': %s() returned NULL", path,
                                 SLOTKIT_ENTRY_SYMBOL);
    }
    slotkit_error why;
    if (slotkit_backend_validate(backend, &why) != SLOTKIT_OK) {
        dlclose(lib);
        return slotkit_set_error(err, why.status, "plug-in '%s': %s", path, why.message);
    }
    *out = backend->abi_version == SLOTKIT_ABI_VERSION ? backend : upgraded(backend);
    return *out ? SLOTKIT_OK : slotkit_set_error(err, SLOTKIT_SYSTEM_ERROR, "out of memory");
}

/* libslotkit_<name>.so in each directory of $SLOTKIT_PLUGIN_PATH, then the install dir. */
static bool find_plugin(const char *name, char *path, size_t path_size)
{
    const char *env = getenv("SLOTKIT_PLUGIN_PATH");
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s%s%s", env ? env : "", env ? ":" : "", SLOTKIT_PLUGIN_DIR);
    for (char *save = NULL, *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        if (dir[0] == '\0') continue;
        snprintf(path, path_size, "%s/libslotkit_%s.so", dir, name);
        if (access(path, R_OK) == 0) return true;
    }
    return false;
}

slotkit_status slotkit_backend_load(const char *name_or_path, const slotkit_backend **out, slotkit_error *err)
{
    slotkit_error local;
    if (err == NULL) err = &local;
    if (name_or_path == NULL || name_or_path[0] == '\0' || out == NULL)
        return slotkit_set_error(err, SLOTKIT_INVALID_ARGUMENT, "no backend name or path given");
    if (strchr(name_or_path, '/') != NULL) return load_plugin(name_or_path, out, err);
    for (size_t i = 0; i < BUILTIN_COUNT; i++) {
        const slotkit_backend *b = builtins[i]();
        if (strcmp(b->name, name_or_path) == 0) {
            slotkit_status s = slotkit_backend_validate(b, err);
            if (s == SLOTKIT_OK) *out = b;
            return s;
        }
    }
    char path[PATH_MAX];
    if (!valid_backend_name(name_or_path) || !find_plugin(name_or_path, path, sizeof path))
        return slotkit_set_error(err, SLOTKIT_INVALID_ARGUMENT,
                                 "unknown backend '%s': not built in, and no libslotkit_%s.so in "
                                 "$SLOTKIT_PLUGIN_PATH or %s (give a path to load a plug-in file)",
                                 name_or_path, name_or_path, SLOTKIT_PLUGIN_DIR);
    return load_plugin(path, out, err);
}
