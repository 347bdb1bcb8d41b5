/* The fixture of tests/posix: see fixture.h. */
#include "fixture.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "posix/posix.h"
#include "posix/segment.h"

static void remove_throwaway_user(void);

/* ---- fixture: names and pools cleaned up in .fini ----------------------- */

#define MAX_NAMES 32
#define MAX_POOLS 16
/* shm names: "/slotkit-...", "/slotkit.iox2acct-..." */
static char used_names[MAX_NAMES][POSIX_SHM_NAME_SIZE];
static unsigned used_name_count;
static slotkit_pool *open_pools[MAX_POOLS];

void fixture_fini(void)
{
    for (size_t i = 0; i < MAX_POOLS; i++) {
        if (open_pools[i]) slotkit_pool_close(open_pools[i]);
        open_pools[i] = NULL;
    }
    for (unsigned i = 0; i < used_name_count; i++) shm_unlink(used_names[i]);
    used_name_count = 0;
    remove_throwaway_user();
}

const char *fresh_name(const char *tag)
{
    static char names[MAX_NAMES][160];
    cr_assert_lt(used_name_count, MAX_NAMES, "test uses too many names");
    char *name = names[used_name_count];
    snprintf(name, sizeof names[0], "skp-%ld-%.40s-%.40s-%u", (long)getpid(),
             criterion_current_test ? criterion_current_test->name : "t", tag, used_name_count);
    snprintf(used_names[used_name_count], sizeof used_names[0], "/slotkit-%s", name);
    used_name_count++;
    return name;
}

void register_shm_name(const char *shm_name)
{
    cr_assert_lt(used_name_count, MAX_NAMES, "test uses too many names");
    snprintf(used_names[used_name_count++], sizeof used_names[0], "%s", shm_name);
}

void release_last_name(void)
{
    if (used_name_count > 0) used_name_count--;
}

const char *shm_name_of(const char *pool_name)
{
    static char buf[POSIX_SHM_NAME_SIZE];
    cr_assert(posix_shm_name(pool_name, buf, NULL), "bad test name %s", pool_name);
    return buf;
}

slotkit_config make_config(const char *name, slotkit_role role, size_t count, size_t cap)
{
    slotkit_config config;
    memset(&config, 0, sizeof config);
    config.name = name;
    config.role = role;
    config.slot_count = count;
    config.slot_capacity = cap;
    return config;
}

void adopt(slotkit_pool *pool)
{
    for (size_t i = 0; i < MAX_POOLS; i++) {
        if (!open_pools[i]) {
            open_pools[i] = pool;
            return;
        }
    }
    slotkit_pool_close(pool);
    cr_assert_fail("too many pools");
}

void forget(slotkit_pool *pool)
{
    for (size_t i = 0; i < MAX_POOLS; i++)
        if (open_pools[i] == pool) open_pools[i] = NULL;
}

slotkit_status try_open(const slotkit_config *config, slotkit_pool **out, slotkit_error *err)
{
    memset(err, 0, sizeof *err);
    *out = NULL;
    slotkit_status st = slotkit_pool_open(slotkit_posix_backend(), config, out, err);
    if (st == SLOTKIT_OK) adopt(*out);
    return st;
}

slotkit_pool *must_open(const char *name, slotkit_role role, size_t count, size_t cap)
{
    slotkit_config config = make_config(name, role, count, cap);
    slotkit_pool *pool = NULL;
    slotkit_error err;
    slotkit_status st = try_open(&config, &pool, &err);
    cr_assert_eq(st, SLOTKIT_OK, "open(%s, role %d) returned %s: %s", name, (int)role, slotkit_strerror(st),
                 err.message);
    return pool;
}

slotkit_pool *must_create(const char *name, size_t count, size_t cap)
{
    return must_open(name, SLOTKIT_ROLE_CREATE, count, cap);
}

void expect_attach_incompatible(const char *name, const char *word1, const char *word2)
{
    slotkit_config config = make_config(name, SLOTKIT_ROLE_ATTACH, 0, 0);
    slotkit_pool *pool = NULL;
    slotkit_error err;
    slotkit_status st = try_open(&config, &pool, &err);
    cr_assert_eq(st, SLOTKIT_INCOMPATIBLE, "attach returned %s (%s), expected INCOMPATIBLE", slotkit_strerror(st),
                 err.message);
    cr_assert_eq(err.status, SLOTKIT_INCOMPATIBLE);
    cr_assert_null(strchr(err.message, '\n'), "message is not one line: %s", err.message);
    cr_assert(err.message[0] != '\0', "empty message");
    if (word1) cr_assert_not_null(strstr(err.message, word1), "message lacks '%s': %s", word1, err.message);
    if (word2) cr_assert_not_null(strstr(err.message, word2), "message lacks '%s': %s", word2, err.message);
}

void *map_segment(const char *name, size_t *out_size)
{
    int fd = shm_open(shm_name_of(name), O_RDWR, 0);
    cr_assert_geq(fd, 0, "shm_open: %s", strerror(errno));
    struct stat st;
    cr_assert_eq(fstat(fd, &st), 0);
    void *base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    cr_assert_neq(base, MAP_FAILED, "mmap: %s", strerror(errno));
    *out_size = (size_t)st.st_size;
    return base;
}

bool shm_exists(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "/dev/shm%s", shm_name_of(name));
    return access(path, F_OK) == 0;
}

/* ---- a /dev/shm of its own --------------------------------------------- */

bool private_dev_shm(void)
{
    static bool done;
    if (done) return true;
    if (geteuid() != 0 || unshare(CLONE_NEWNS) != 0) return false;
    /* Keep the new mount out of the parent namespace, then hide the shared
     * /dev/shm under a fresh, world-writable (sticky) tmpfs. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=512m") != 0)
        return false;
    done = true;
    return true;
}

/* ---- a second user ------------------------------------------------------ */

static char user_name[32]; /* non-empty: useradd'ed by this process */
static pid_t user_child_pid;

void user_child(pid_t pid) { user_child_pid = pid; }

/* Runs argv (no shell) with its output discarded; its exit status, or -1. */
static int run_quietly(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int null_fd = open("/dev/null", O_WRONLY);
        if (null_fd >= 0) {
            dup2(null_fd, STDOUT_FILENO);
            dup2(null_fd, STDERR_FILENO);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void remove_throwaway_user(void)
{
    if (user_child_pid > 0) {
        kill(user_child_pid, SIGKILL);
        while (waitpid(user_child_pid, NULL, 0) < 0 && errno == EINTR) {}
        user_child_pid = 0;
    }
    if (user_name[0] == '\0') return;
    char *argv[] = {"userdel", user_name, NULL};
    (void)run_quietly(argv);
    user_name[0] = '\0';
}

/* Users of this suite whose test process died before its .fini ran. */
static void remove_orphaned_users(void)
{
    char names[8][32];
    int count = 0;
    setpwent();
    for (const struct passwd *pw; count < 8 && (pw = getpwent()) != NULL;) {
        long pid = 0;
        char rest = 0;
        if (sscanf(pw->pw_name, "sktest%ld%c", &pid, &rest) == 1 && pid > 0 && kill((pid_t)pid, 0) != 0 &&
            errno == ESRCH)
            snprintf(names[count++], sizeof names[0], "%s", pw->pw_name);
    }
    endpwent();
    for (int i = 0; i < count; i++) {
        char *argv[] = {"userdel", names[i], NULL};
        (void)run_quietly(argv);
    }
}

bool throwaway_user(uid_t *uid, gid_t *gid, const char **why)
{
    if (geteuid() != 0) {
        *why = "acting as a second local user needs root (useradd, setuid); run as root to check it";
        return false;
    }
    if (user_name[0] == '\0') {
        remove_orphaned_users();
        snprintf(user_name, sizeof user_name, "sktest%ld", (long)getpid());
        char *argv[] = {"useradd", "--system",          "--no-create-home", "--user-group",
                        "--shell", "/usr/sbin/nologin", user_name,          NULL};
        if (run_quietly(argv) != 0) {
            user_name[0] = '\0';
            *why = "useradd failed (is it installed?)";
            return false;
        }
    }
    const struct passwd *pw = getpwnam(user_name);
    if (!pw || pw->pw_uid == 0) {
        *why = "the throwaway user has no passwd entry";
        return false;
    }
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    return true;
}

bool become_user(uid_t uid, gid_t gid)
{
    return setgroups(0, NULL) == 0 && setgid(gid) == 0 && setuid(uid) == 0 && geteuid() == uid;
}
