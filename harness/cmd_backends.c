/* `slotkit backends`: what can be tested here, and with which capabilities. */
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* --names: one loadable spec per line (built-in name or plug-in path), for scripts. */
static bool names_only;

static void print_row(const slotkit_backend *b, const char *origin)
{
    if (names_only) {
        printf("%s\n", origin[0] == '/' ? origin : b->name);
        return;
    }
    char caps[128];
    cli_format_caps(b->capabilities, caps, sizeof caps);
    printf("%-14s %-26s %-52s %s\n", b->name, b->version, caps, origin);
}

/* Every libslotkit_*.so in the plug-in search path. A broken one is listed with its reason. */
static void list_plugin_dirs(void)
{
    const char *env = getenv("SLOTKIT_PLUGIN_PATH");
    char dirs[8192];
    snprintf(dirs, sizeof dirs, "%s", env ? env : "");
    for (char *save = NULL, *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        DIR *d = opendir(dir);
        if (d == NULL) continue;
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            size_t len = strlen(e->d_name);
            if (strncmp(e->d_name, "libslotkit_", 11) != 0 || len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
                continue;
            char path[PATH_MAX], real[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (realpath(path, real) == NULL) continue;
            const slotkit_backend *b;
            slotkit_error err;
            if (slotkit_backend_load(real, &b, &err) == SLOTKIT_OK)
                print_row(b, real);
            else if (!names_only)
                printf("%-14s %-26s %-52s %s (unusable: %s)\n", "?", "?", "-", real, err.message);
        }
        closedir(d);
    }
}

int cmd_backends(int argc, char **argv)
{
    static const struct option options[] = {{"backend", required_argument, NULL, 'b'},
                                            {"names", no_argument, NULL, 'n'},
                                            {"help", no_argument, NULL, 'h'},
                                            {0, 0, 0, 0}};
    const char *extra[32];
    int extra_count = 0;
    for (int opt; (opt = getopt_long(argc, argv, "b:nh", options, NULL)) != -1;) {
        if (opt == 'n') {
            names_only = true;
        } else if (opt == 'b' && extra_count < 32) {
            extra[extra_count++] = optarg;
        } else if (opt == 'h') {
            printf("usage: slotkit backends [--names] [--backend NAME|PATH.so]...\n\n"
                   "Lists the built-in backends, every plug-in (libslotkit_<name>.so) found in\n"
                   "$SLOTKIT_PLUGIN_PATH and the install directory, and each --backend given,\n"
                   "with version and capabilities. Fails if a given backend cannot be loaded.\n\n"
                   "  --names   only one loadable name or plug-in path per line (for scripts)\n");
            return 0;
        } else {
            return 2;
        }
    }
    if (optind < argc) return cli_fail("backends: unexpected argument '%s' (see --help)", argv[optind]);
    if (!names_only) printf("%-14s %-26s %-52s %s\n", "NAME", "VERSION", "CAPABILITIES", "WHERE");
    for (size_t i = 0; i < slotkit_builtin_count(); i++)
        print_row(slotkit_builtin(i), i == 0 ? "built-in (default)" : "built-in");
    list_plugin_dirs();
    int status = 0;
    for (int i = 0; i < extra_count; i++) {
        const slotkit_backend *b = cli_load_backend(extra[i]);
        if (b == NULL)
            status = 2;
        else
            print_row(b, extra[i]);
    }
    return status;
}
