/*
 * A pool's files: their names (the accounting segment, and the iceoryx2
 * domain's file prefix and root directory, all from a hash of the pool name)
 * and the removal of the iceoryx2 domain's files when the pool is done.
 */
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/shm_segment.h"
#include "iox2_instance.h"

/* FNV-1a: names the pool's files without the pool name's characters (which
 * may include '/') and within the file-name limits. */
static uint64_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3u;
    }
    return h;
}

void domain_names(slotkit_instance *inst, const char *name)
{
    const unsigned long long key = (unsigned long long)name_hash(name);
    snprintf(inst->shm_name, sizeof inst->shm_name, SHM_IOX2_ACCT_PREFIX "%016llx", key);
    /* Per pool: its own file prefix and root directory, so pools and test
     * runs never collide; every process of the pool uses the same. */
    snprintf(inst->prefix, sizeof inst->prefix, "slotkit_iox2_%016llx_", key);
    snprintf(inst->root, sizeof inst->root, "/tmp/slotkit-iox2-%016llx/", key);
}

/* rmdir only: a file iceoryx2 left behind stays visible as residue. */
static int rmdir_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (type == FTW_DP) (void)rmdir(path);
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (type == FTW_DP)
        (void)rmdir(path);
    else
        (void)unlink(path);
    return 0;
}

/* /dev/shm/<prefix>* and the root directory. Only once no live process uses
 * the pool: iceoryx2's own dead-node cleanup cannot see nodes of forked
 * processes as dead (it caches the process's unique id, and a fork inherits
 * it). */
void domain_remove_all(const slotkit_instance *inst)
{
    DIR *d = opendir("/dev/shm");
    if (d) {
        const size_t plen = strlen(inst->prefix);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strncmp(e->d_name, inst->prefix, plen) == 0) {
                char path[512];
                snprintf(path, sizeof path, "/%s", e->d_name);
                (void)shm_unlink(path);
            }
        }
        closedir(d);
    }
    (void)nftw(inst->root, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

void domain_release(const slotkit_instance *inst, bool last_user, bool had_node)
{
    if (inst->root[0] == '\0') return; /* the names were never made */
    if (last_user) {
        domain_remove_all(inst); /* the domain is this pool's alone */
        return;
    }
    if (!had_node) return;
    /* iceoryx2 keeps a per-domain segment and its directories after the last
     * node is gone; remove them when no node is left. close cannot report a
     * failure: the files stay until the pool's last user removes them all. */
    char msg[IOX2_ERR_LEN];
    if (sk_iox2_domain_remove(inst->prefix, inst->root, msg, sizeof msg) == 1)
        (void)nftw(inst->root, rmdir_entry, 8, FTW_DEPTH | FTW_PHYS);
}
