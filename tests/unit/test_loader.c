/* The loader's answers to missing, foreign and broken plug-ins. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slotkit/slotkit.h"

static const char *plugin(const char *name)
{
    static char path[4096];
    const char *dir = getenv("SLOTKIT_TEST_PLUGINS");
    cr_assert_not_null(dir, "SLOTKIT_TEST_PLUGINS must point at build/<variant>/test-plugins");
    snprintf(path, sizeof path, "%s/libslotkit_%s.so", dir, name);
    return path;
}

Test(loader, builtin_inmem_is_the_default)
{
    cr_assert_geq(slotkit_builtin_count(), 1);
    cr_assert_str_eq(slotkit_builtin(0)->name, "inmem");
    const slotkit_backend *b = NULL;
    slotkit_error err;
    cr_assert_eq(slotkit_backend_load("inmem", &b, &err), SLOTKIT_OK, "%s", err.message);
    cr_assert_eq(b, slotkit_builtin(0));
}

Test(loader, missing_file)
{
    const slotkit_backend *b = NULL;
    slotkit_error err;
    cr_assert_eq(slotkit_backend_load("/nonexistent/libslotkit_x.so", &b, &err), SLOTKIT_SYSTEM_ERROR);
    cr_assert_eq(err.sys_errno, ENOENT);
    cr_assert_not_null(strstr(err.message, "cannot read plug-in"), "%s", err.message);
    cr_assert_null(b);
}

Test(loader, not_a_shared_object)
{
    const slotkit_backend *b = NULL;
    slotkit_error err;
    cr_assert_eq(slotkit_backend_load("/etc/hostname", &b, &err), SLOTKIT_INCOMPATIBLE);
    cr_assert_not_null(strstr(err.message, "cannot load plug-in"), "%s", err.message);
}

Test(loader, missing_entry_symbol)
{
    const slotkit_backend *b = NULL;
    slotkit_error err;
    cr_assert_eq(slotkit_backend_load(plugin("nosymbol"), &b, &err), SLOTKIT_INCOMPATIBLE);
    cr_assert_not_null(strstr(err.message, "does not export slotkit_backend_entry"), "%s", err.message);
}

Test(loader, abi_mismatch)
{
    const slotkit_backend *b = NULL;
    slotkit_error err;
    cr_assert_eq(slotkit_backend_load(plugin("badabi"), &b, &err), SLOTKIT_INCOMPATIBLE);
    cr_assert_not_null(strstr(err.message, "built for slotkit ABI 3, this slotkit loads ABI levels 1 to 2"), "%s",
                       err.message);
}

Test(loader, capabilities_disagree_with_entries)
{
    const slotkit_backend *b = NULL;
    slotkit_error err;
    cr_assert_eq(slotkit_backend_load(plugin("badcaps"), &b, &err), SLOTKIT_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(err.message, "capability flags disagree"), "%s", err.message);
}

Test(loader, unknown_name)
{
    const slotkit_backend *b = NULL;
    slotkit_error err;
    cr_assert_eq(slotkit_backend_load("nosuchbackend", &b, &err), SLOTKIT_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(err.message, "unknown backend 'nosuchbackend'"), "%s", err.message);
    cr_assert_eq(slotkit_backend_load("../evil", &b, &err), SLOTKIT_SYSTEM_ERROR, "a path is a path");
}

Test(loader, plugin_by_name_from_search_path)
{
    setenv("SLOTKIT_PLUGIN_PATH", getenv("SLOTKIT_TEST_PLUGINS"), 1);
    const slotkit_backend *b = NULL;
    slotkit_error err;
    cr_assert_eq(slotkit_backend_load("refuses", &b, &err), SLOTKIT_OK, "%s", err.message);
    cr_assert_str_eq(b->name, "refuses");
}

Test(loader, backend_that_refuses_to_open)
{
    const slotkit_backend *b = NULL;
    slotkit_error err;
    cr_assert_eq(slotkit_backend_load(plugin("refuses"), &b, &err), SLOTKIT_OK, "%s", err.message);
    slotkit_config config = {.slot_count = 4, .slot_capacity = 8};
    slotkit_pool *pool = (slotkit_pool *)0x1;
    cr_assert_eq(slotkit_pool_open(b, &config, &pool, &err), SLOTKIT_SYSTEM_ERROR);
    cr_assert_eq(pool, (slotkit_pool *)0x1, "a failed open leaves *out untouched");
    cr_assert_eq(err.sys_errno, 13);
    cr_assert_str_eq(err.message, "stub backend: permission denied on /dev/stub");
    cr_assert_str_eq(slotkit_last_error()->message, err.message);
}

Test(loader, validate_null) { cr_assert_eq(slotkit_backend_validate(NULL, NULL), SLOTKIT_INVALID_ARGUMENT); }

Test(status, every_status_has_its_own_text)
{
    for (int a = 0; a < SLOTKIT_STATUS_COUNT; a++) {
        cr_assert_gt(strlen(slotkit_strerror((slotkit_status)a)), 0);
        for (int b = 0; b < a; b++)
            cr_assert_str_neq(slotkit_strerror((slotkit_status)a), slotkit_strerror((slotkit_status)b));
    }
    cr_assert_str_eq(slotkit_strerror((slotkit_status)999), "unknown slotkit status");
}

/* An older level's table is read only up to its own size; later fields are absent. */
Test(loader, older_level_tables_are_upgraded_without_reading_past_them)
{
    struct {
        slotkit_ops level1;
        unsigned char poison[sizeof(slotkit_ops)];
    } block;
    memset(&block, 0xA5, sizeof block); /* what a reader past the level would see */
    memset(&block.level1, 0, SLOTKIT_OPS_SIZE_LEVEL1);
    block.level1.abi_version = 1;
    slotkit_ops up;
    slotkit_ops_upgrade(&block.level1, &up);
    cr_assert_eq(up.abi_version, SLOTKIT_ABI_VERSION);
    cr_assert_null(up.reserved_level2, "a field the level lacks must read as absent, not as the bytes after it");
    cr_assert_eq(slotkit_ops_size(1), SLOTKIT_OPS_SIZE_LEVEL1);
    cr_assert_eq(slotkit_ops_size(SLOTKIT_ABI_VERSION), sizeof(slotkit_ops));
    cr_assert_eq(slotkit_ops_size(0), 0);
    cr_assert_eq(slotkit_ops_size(SLOTKIT_ABI_VERSION + 1), 0);
}

Test(loader, a_level1_plugin_loads_as_the_current_level)
{
    char path[512];
    const char *dir = getenv("SLOTKIT_CONF_PLUGINS");
    if (dir == NULL) cr_skip_test("SLOTKIT_CONF_PLUGINS not set (the build's conform-plugins directory)");
    snprintf(path, sizeof path, "%s/libslotkit_level1.so", dir);
    const slotkit_backend *b = NULL;
    slotkit_error err;
    cr_assert_eq(slotkit_backend_load(path, &b, &err), SLOTKIT_OK, "%s", err.message);
    cr_assert_eq(b->abi_version, SLOTKIT_ABI_VERSION);
    cr_assert_eq(b->ops->abi_version, SLOTKIT_ABI_VERSION);
    cr_assert_null(b->ops->reserved_level2);
}
