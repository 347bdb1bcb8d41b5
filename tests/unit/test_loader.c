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
    cr_assert_not_null(strstr(err.message, "built for slotkit ABI 2, this slotkit speaks ABI 1"), "%s",
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
