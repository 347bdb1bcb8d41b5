/*
 * Tests of the segment rules shared by the posix pool and the iceoryx2
 * accounting (ref/common/shm_segment): who may attach (R-POSIX-6), what
 * `slotkit clean` makes of every kind (R-POSIX-7), and a creator killed in
 * the middle of CREATE (R-POSIX-8). Suite `posix` (declared in
 * test_posix.c, with the fixture's .fini).
 *
 * Forked children never return into Criterion: they end with _exit.
 */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/shm_segment.h"
#include "common/slot_table.h"
#include "fixture.h"
#include "posix/posix.h"
#include "posix/segment.h"
#include "slotkit/posix.h"
#include "slotkit/slotkit.h"

/* ---- helpers ------------------------------------------------------------- */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void chmod_segment(const char *shm_name, mode_t mode)
{
    char path[300];
    snprintf(path, sizeof path, "/dev/shm%s", shm_name);
    cr_assert_eq(chmod(path, mode), 0, "chmod %s: %s", path, strerror(errno));
}

/* In a forked child that may outlive a failed test: dies with the test
 * process, so no stray process holds the runner's output open. */
static void die_with_parent(pid_t parent)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(3);
}

/* An accounting segment name unique to this process and tag, registered for
 * unlinking. */
static const char *fresh_acct_name(unsigned tag)
{
    static char names[8][48];
    static unsigned next;
    char *name = names[next++ % 8];
    snprintf(name, sizeof names[0], SHM_IOX2_ACCT_PREFIX "%016llx",
             (unsigned long long)(((uint64_t)getpid() << 24) ^ 0x5e600000000000ull ^ tag));
    register_shm_name(name);
    return name;
}

/*
 * Makes a segment of `kind` with this module's own steps (create, table,
 * header), published or not, and unmaps it: what a creator of that kind
 * leaves when it stops at that point. Usable in a forked child (no asserts
 * there: false on failure).
 */
static bool make_segment(const shm_segment_kind *kind, const char *shm_name, bool publish)
{
    slotkit_config config;
    memset(&config, 0, sizeof config);
    config.name = shm_name;
    config.role = SLOTKIT_ROLE_CREATE;
    config.slot_count = 2;
    config.slot_capacity = 64;
    size_t table_bytes = 0;
    if (slot_table_size(config.slot_count, config.slot_capacity, &table_bytes, NULL) != SLOTKIT_OK) return false;
    const size_t total = kind->table_offset + table_bytes;
    shm_segment seg;
    slotkit_error err;
    if (shm_segment_create(kind, shm_name, shm_name, total, &seg, &err) != SLOTKIT_OK) return false;
    struct shm_segment_header *h = seg.base;
    slot_table_view view;
    (void)slot_table_init((char *)seg.base + kind->table_offset, config.slot_count, config.slot_capacity, 0, 42u, NULL,
                          true, &view);
    shm_segment_init_header(kind, h, &config, total, 42u);
    if (publish) shm_segment_publish(kind, h);
    munmap(seg.base, seg.bytes);
    return true;
}

/* Runs make_segment in a child that then exits (a creator that died) or,
 * with stay, stops until killed (a live creator). Returns the child's pid
 * (0 when it exited after succeeding). */
static pid_t make_segment_in_child(const shm_segment_kind *kind, const char *shm_name, bool publish, bool stay)
{
    int ready[2];
    cr_assert_eq(pipe(ready), 0);
    const pid_t parent = getpid();
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        die_with_parent(parent);
        close(ready[0]);
        char ok = make_segment(kind, shm_name, publish) ? 'y' : 'n';
        if (write(ready[1], &ok, 1) != 1 || ok != 'y' || !stay) _exit(ok == 'y' ? 0 : 1);
        for (;;) pause();
    }
    close(ready[1]);
    char ok = 0;
    cr_assert_eq(read(ready[0], &ok, 1), 1, "the creating child died");
    close(ready[0]);
    cr_assert_eq(ok, 'y', "the child could not make %s", shm_name);
    if (stay) return child;
    int status = 0;
    cr_assert_eq(waitpid(child, &status, 0), child);
    return 0;
}

static void kill_and_reap(pid_t pid)
{
    kill(pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
}

/* What slotkit_posix_clean said about one shm name. */
struct clean_look {
    const char *shm_name;
    char state[32];
    char kind[32];
    char detail[600];
};

static void remember(const slotkit_segment_report *segment, void *ctx)
{
    struct clean_look *look = ctx;
    for (; look->shm_name; look++) {
        if (strcmp(look->shm_name, segment->shm_name) == 0) {
            snprintf(look->state, sizeof look->state, "%s", segment->state);
            snprintf(look->kind, sizeof look->kind, "%s", segment->kind);
            snprintf(look->detail, sizeof look->detail, "%s", segment->detail);
        }
    }
}

/* Runs clean over looks (terminated by a NULL shm_name), states reset first. */
static void run_clean(bool remove, struct clean_look *looks)
{
    for (struct clean_look *l = looks; l->shm_name; l++) snprintf(l->state, sizeof l->state, "(not listed)");
    slotkit_posix_clean(remove, remember, looks);
}

static bool dev_shm_exists(const char *shm_name);

static void expect_look(const struct clean_look *look, const char *state, const char *kind, const char *word)
{
    /* On a shared /dev/shm (not root) another test's clean may remove a
     * stale segment first; it is gone either way. */
    if (strcmp(state, SLOTKIT_POSIX_REMOVED) == 0 && strcmp(look->state, "(not listed)") == 0 && !private_dev_shm() &&
        !dev_shm_exists(look->shm_name))
        return;
    cr_assert_str_eq(look->state, state, "%s: state '%s', expected '%s' (%s)", look->shm_name, look->state, state,
                     look->detail);
    if (kind) cr_assert_str_eq(look->kind, kind, "%s: kind '%s', expected '%s'", look->shm_name, look->kind, kind);
    if (word)
        cr_assert_not_null(strstr(look->detail, word), "%s: detail lacks '%s': %s", look->shm_name, word, look->detail);
}

static bool dev_shm_exists(const char *shm_name)
{
    char path[300];
    struct stat st;
    snprintf(path, sizeof path, "/dev/shm%s", shm_name);
    return lstat(path, &st) == 0;
}

/* ---- R-POSIX-6: who may attach ------------------------------------------ */

Test(posix, r_posix_6__mode,
     .description = "R-POSIX-6: a segment of this user with a mode other than 0600 is refused "
                    "(INCOMPATIBLE, owner and mode named); at 0600 again it attaches")
{
    const mode_t modes[] = {0666, 0644, 0660, 0604, 0700, 0400, 0640};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        const char *name = fresh_name("mode");
        must_create(name, 2, 16);
        chmod_segment(shm_name_of(name), modes[i]);
        char mode_text[32], uid_text[32];
        snprintf(mode_text, sizeof mode_text, "mode %04o", (unsigned)modes[i]);
        snprintf(uid_text, sizeof uid_text, "uid %u", (unsigned)geteuid());
        expect_attach_incompatible(name, mode_text, uid_text);
        chmod_segment(shm_name_of(name), 0600);
        must_open(name, SLOTKIT_ROLE_ATTACH, 0, 0);
    }
    /* A squatter's world-writable segment under the name: CREATE says whose. */
    const char *name = fresh_name("squat");
    int fd = shm_open(shm_name_of(name), O_RDWR | O_CREAT | O_EXCL, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(fchmod(fd, 0666), 0);
    close(fd);
    slotkit_config config = make_config(name, SLOTKIT_ROLE_CREATE, 2, 16);
    slotkit_pool *pool = NULL;
    slotkit_error err;
    cr_assert_eq(try_open(&config, &pool, &err), SLOTKIT_SYSTEM_ERROR, "%s", err.message);
    cr_assert_eq(err.sys_errno, EEXIST);
    cr_assert_not_null(strstr(err.message, "mode 0666"), "CREATE's message: %s", err.message);
    expect_attach_incompatible(name, "mode 0666", NULL);
}

/* What the second user's child reports back. */
struct other_user_report {
    int created;       /* both pools made */
    int attach_status; /* its ATTACH of our pool */
    char attach_message[160];
};

/* As the other user: makes pool `open_name` (then mode 0666) and
 * `private_name` (0600), tries to attach our `ours`, reports, and waits for
 * the parent to let go; exits without closing (its pools stay behind). */
static void other_user_child(uid_t uid, gid_t gid, const char *open_name, const char *private_name, const char *ours,
                             int report_fd, int hold_fd)
{
    struct other_user_report report;
    memset(&report, 0, sizeof report);
    report.attach_status = -1;
    if (become_user(uid, gid)) {
        slotkit_pool *a = NULL, *b = NULL, *c = NULL;
        slotkit_config config = make_config(open_name, SLOTKIT_ROLE_CREATE, 2, 16);
        slotkit_error err;
        bool made = slotkit_pool_open(slotkit_posix_backend(), &config, &a, &err) == SLOTKIT_OK;
        config.name = private_name;
        made = made && slotkit_pool_open(slotkit_posix_backend(), &config, &b, &err) == SLOTKIT_OK;
        int fd = shm_open(shm_name_of(open_name), O_RDWR, 0);
        made = made && fd >= 0 && fchmod(fd, 0666) == 0;
        if (fd >= 0) close(fd);
        report.created = made;
        config = make_config(ours, SLOTKIT_ROLE_ATTACH, 0, 0);
        report.attach_status = (int)slotkit_pool_open(slotkit_posix_backend(), &config, &c, &err);
        snprintf(report.attach_message, sizeof report.attach_message, "%s", err.message);
    }
    if (write(report_fd, &report, sizeof report) != (ssize_t)sizeof report) _exit(2);
    char byte;
    while (read(hold_fd, &byte, 1) > 0) {}
    _exit(0);
}

Test(posix, r_posix_6__other_user,
     .description = "R-POSIX-6/7: another user's segment under our name (mode 0666 or 0600) is refused "
                    "at ATTACH and CREATE, and listed as foreign by clean, never removed")
{
    (void)private_dev_shm(); /* clean removes what is stale: only ours */
    uid_t uid;
    gid_t gid;
    const char *why = NULL;
    if (!throwaway_user(&uid, &gid, &why)) cr_skip_test("%s", why);
    const char *open_name = fresh_name("theirs-0666");
    const char *private_name = fresh_name("theirs-0600");
    const char *ours = fresh_name("ours");
    must_create(ours, 2, 16);

    int report_pipe[2], hold_pipe[2];
    cr_assert_eq(pipe(report_pipe), 0);
    cr_assert_eq(pipe(hold_pipe), 0);
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        close(report_pipe[0]);
        close(hold_pipe[1]);
        other_user_child(uid, gid, open_name, private_name, ours, report_pipe[1], hold_pipe[0]);
    }
    user_child(child);
    close(report_pipe[1]);
    close(hold_pipe[0]);
    struct other_user_report report;
    cr_assert_eq(read(report_pipe[0], &report, sizeof report), (ssize_t)sizeof report, "child died");
    close(report_pipe[0]);
    cr_assert(report.created, "the other user could not create its pools");

    /* It cannot use ours (0600, not its own). */
    char ours_uid[32], their_uid[32];
    snprintf(ours_uid, sizeof ours_uid, "uid %u", (unsigned)geteuid());
    snprintf(their_uid, sizeof their_uid, "uid %u", (unsigned)uid);
    cr_assert_eq(report.attach_status, SLOTKIT_INCOMPATIBLE, "its attach of our pool: %d (%s)", report.attach_status,
                 report.attach_message);
    cr_assert_not_null(strstr(report.attach_message, ours_uid), "%s", report.attach_message);

    /* We use neither of its pools, live creator or not. */
    for (int round = 0; round < 2; round++) {
        expect_attach_incompatible(open_name, their_uid, "mode 0666");
        expect_attach_incompatible(private_name, their_uid, "mode 0600");
        slotkit_config config = make_config(open_name, SLOTKIT_ROLE_CREATE, 2, 16);
        slotkit_pool *pool = NULL;
        slotkit_error err;
        cr_assert_eq(try_open(&config, &pool, &err), SLOTKIT_SYSTEM_ERROR, "%s", err.message);
        cr_assert_eq(err.sys_errno, EEXIST);
        cr_assert_not_null(strstr(err.message, their_uid), "CREATE's message: %s", err.message);

        char open_shm[POSIX_SHM_NAME_SIZE], private_shm[POSIX_SHM_NAME_SIZE];
        snprintf(open_shm, sizeof open_shm, "%s", shm_name_of(open_name));
        snprintf(private_shm, sizeof private_shm, "%s", shm_name_of(private_name));
        struct clean_look looks[] = {{.shm_name = open_shm}, {.shm_name = private_shm}, {0}};
        char how[300];
        snprintf(how, sizeof how, "remove it as %s or root with rm /dev/shm%s", their_uid, open_shm);
        run_clean(true, looks);
        expect_look(&looks[0], SLOTKIT_POSIX_FOREIGN, "posix pool", how);
        expect_look(&looks[0], SLOTKIT_POSIX_FOREIGN, NULL, "mode 0666");
        expect_look(&looks[1], SLOTKIT_POSIX_FOREIGN, "posix pool", their_uid);
        cr_assert(dev_shm_exists(open_shm) && dev_shm_exists(private_shm), "clean removed another user's");
        if (round == 0) {
            /* Let the other user's process die: its pools are stale now, and still not ours. */
            close(hold_pipe[1]);
            int status = 0;
            cr_assert_eq(waitpid(child, &status, 0), child);
            user_child(0);
        }
    }
}

Test(posix, r_posix_6__not_followed,
     .description = "R-POSIX-6: a symbolic link or a FIFO under a pool's name is refused at once, "
                    "never followed or blocked on; CREATE leaves the link's target untouched")
{
    const char *target = fresh_name("target");
    slotkit_pool *pool = must_create(target, 2, 16);
    const char *link_name = fresh_name("link");
    char link_path[300], target_path[300], fifo_path[300];
    snprintf(link_path, sizeof link_path, "/dev/shm%s", shm_name_of(link_name));
    snprintf(target_path, sizeof target_path, "/dev/shm%s", shm_name_of(target));
    cr_assert_eq(symlink(target_path, link_path), 0, "%s", strerror(errno));
    expect_attach_incompatible(link_name, "symbolic link", NULL);
    slotkit_config config = make_config(link_name, SLOTKIT_ROLE_CREATE, 4, 32);
    slotkit_pool *other = NULL;
    slotkit_error err;
    cr_assert_eq(try_open(&config, &other, &err), SLOTKIT_SYSTEM_ERROR, "%s", err.message);
    cr_assert_eq(err.sys_errno, EEXIST);
    size_t count = 0;
    cr_assert_eq(slotkit_slot_count(pool, &count), SLOTKIT_OK);
    cr_assert_eq(count, 2, "CREATE through a link changed the target");

    const char *fifo_name = fresh_name("fifo");
    snprintf(fifo_path, sizeof fifo_path, "/dev/shm%s", shm_name_of(fifo_name));
    cr_assert_eq(mkfifo(fifo_path, 0600), 0, "%s", strerror(errno));
    const uint64_t start = now_ms();
    expect_attach_incompatible(fifo_name, "not a regular file", NULL);
    cr_assert_lt(now_ms() - start, 1000, "attach of a FIFO took %llu ms", (unsigned long long)(now_ms() - start));
}

Test(posix, r_posix_6__iceoryx2_accounting,
     .description = "R-POSIX-6: the iceoryx2 accounting segment is attached by the same rules: mode "
                    "0666 refused, 0600 accepted; an accounting segment is no posix pool")
{
    const char *acct = fresh_acct_name(1);
    cr_assert(make_segment(&shm_kind_iox2_accounting, acct, true));
    slotkit_config config = make_config("x", SLOTKIT_ROLE_ATTACH, 0, 0);
    shm_segment seg;
    slotkit_error err;
    cr_assert_eq(shm_segment_attach(&shm_kind_iox2_accounting, acct, "x", &config, NULL, NULL, &seg, &err), SLOTKIT_OK,
                 "%s", err.message);
    munmap(seg.base, seg.bytes);
    chmod_segment(acct, 0666);
    cr_assert_eq(shm_segment_attach(&shm_kind_iox2_accounting, acct, "x", &config, NULL, NULL, &seg, &err),
                 SLOTKIT_INCOMPATIBLE, "%s", err.message);
    cr_assert_not_null(strstr(err.message, "mode 0666"), "%s", err.message);

    /* The accounting's magic under a posix pool's name. */
    const char *name = fresh_name("acct-as-pool");
    cr_assert(make_segment(&shm_kind_iox2_accounting, shm_name_of(name), true));
    expect_attach_incompatible(name, "iceoryx2 accounting", "not a posix pool");
}

/* FNV-1a of the pool name: the adapter's accounting segment name. */
static void iox2_acct_name(const char *pool_name, char *out, size_t size)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const char *s = pool_name; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3u;
    }
    snprintf(out, size, SHM_IOX2_ACCT_PREFIX "%016llx", (unsigned long long)h);
}

/* The iceoryx2 plug-in built beside this test binary, or NULL. */
static const slotkit_backend *iox2_plugin(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return NULL;
    *slash = '\0';
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/../lib/slotkit/libslotkit_iceoryx2.so", exe);
    if (access(path, R_OK) != 0) return NULL;
    const slotkit_backend *backend = NULL;
    slotkit_error err;
    return slotkit_backend_load(path, &backend, &err) == SLOTKIT_OK ? backend : NULL;
}

Test(posix, r_posix_6__iceoryx2_plugin,
     .description = "R-POSIX-6: the iceoryx2 plug-in refuses its accounting segment at mode 0666 "
                    "(owner and mode named) and attaches it at 0600")
{
    const slotkit_backend *iox2 = iox2_plugin();
    if (!iox2) cr_skip_test("the iceoryx2 plug-in is not built beside this binary (no cargo?)");
    const char *name = fresh_name("iox2");
    char acct[64];
    iox2_acct_name(name, acct, sizeof acct);
    register_shm_name(acct);
    slotkit_config config = make_config(name, SLOTKIT_ROLE_CREATE, 2, 16);
    slotkit_pool *creator = NULL, *attacher = NULL;
    slotkit_error err;
    cr_assert_eq(slotkit_pool_open(iox2, &config, &creator, &err), SLOTKIT_OK, "%s", err.message);
    chmod_segment(acct, 0666);
    config.role = SLOTKIT_ROLE_ATTACH;
    slotkit_status st = slotkit_pool_open(iox2, &config, &attacher, &err);
    if (st == SLOTKIT_OK) slotkit_pool_close(attacher);
    chmod_segment(acct, 0600);
    cr_assert_eq(st, SLOTKIT_INCOMPATIBLE, "attach at mode 0666 returned %d: %s", (int)st, err.message);
    cr_assert_not_null(strstr(err.message, "mode 0666"), "%s", err.message);
    st = slotkit_pool_open(iox2, &config, &attacher, &err);
    cr_assert_eq(st, SLOTKIT_OK, "attach at mode 0600: %s", err.message);
    slotkit_pool_close(attacher);
    slotkit_pool_close(creator);
    cr_assert_not(dev_shm_exists(acct), "the creator's close left %s", acct);
}

/* ---- R-POSIX-7: clean knows every kind ---------------------------------- */

Test(posix, r_posix_7__every_kind,
     .description = "R-POSIX-7: clean lists stale posix pools and iceoryx2 accounting segments with "
                    "their kind and removes them; live ones stay")
{
    (void)private_dev_shm(); /* clean removes what is stale: only ours */
    const char *pool = fresh_name("dead-pool");
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        slotkit_config config = make_config(pool, SLOTKIT_ROLE_CREATE, 2, 16);
        slotkit_pool *p = NULL;
        slotkit_error err;
        _exit(slotkit_pool_open(slotkit_posix_backend(), &config, &p, &err) == SLOTKIT_OK ? 0 : 1);
    }
    int status = 0;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    const char *dead_acct = fresh_acct_name(2);
    make_segment_in_child(&shm_kind_iox2_accounting, dead_acct, true, false);
    const char *half_acct = fresh_acct_name(3);
    make_segment_in_child(&shm_kind_iox2_accounting, half_acct, false, false);
    const char *live_acct = fresh_acct_name(4);
    cr_assert(make_segment(&shm_kind_iox2_accounting, live_acct, true));

    char pool_shm[POSIX_SHM_NAME_SIZE];
    snprintf(pool_shm, sizeof pool_shm, "%s", shm_name_of(pool));
    struct clean_look looks[] = {
        {.shm_name = pool_shm}, {.shm_name = dead_acct}, {.shm_name = half_acct}, {.shm_name = live_acct}, {0}};
    run_clean(false, looks);
    expect_look(&looks[0], SLOTKIT_POSIX_STALE, "posix pool", "is gone");
    expect_look(&looks[1], SLOTKIT_POSIX_STALE, "iceoryx2 accounting", "is gone");
    expect_look(&looks[2], SLOTKIT_POSIX_STALE, "iceoryx2 accounting", "died before initialising");
    expect_look(&looks[3], SLOTKIT_POSIX_LIVE, "iceoryx2 accounting", NULL);
    run_clean(true, looks);
    for (int i = 0; i < 3; i++) {
        expect_look(&looks[i], SLOTKIT_POSIX_REMOVED, NULL, NULL);
        cr_assert_not(dev_shm_exists(looks[i].shm_name), "%s is still there", looks[i].shm_name);
    }
    expect_look(&looks[3], SLOTKIT_POSIX_LIVE, NULL, NULL);
    cr_assert(dev_shm_exists(live_acct));
}

Test(posix, r_posix_7__foreign_kept,
     .description = "R-POSIX-7: clean lists a segment of mode 0666, another kind's segment under a "
                    "pool name and a name slotkit never makes as foreign, says how to remove "
                    "them, and keeps them even when their creator is dead")
{
    (void)private_dev_shm(); /* clean removes what is stale: only ours */
    const char *opened = fresh_name("0666");
    cr_assert_eq(make_segment_in_child(&shm_kind_posix_pool, shm_name_of(opened), true, false), 0);
    chmod_segment(shm_name_of(opened), 0666);
    const char *other_kind = fresh_name("other-kind");
    make_segment_in_child(&shm_kind_iox2_accounting, shm_name_of(other_kind), true, false);
    const char *odd = SHM_IOX2_ACCT_PREFIX "not-hex";
    register_shm_name(odd);
    int fd = shm_open(odd, O_RDWR | O_CREAT | O_EXCL, 0600);
    cr_assert_geq(fd, 0);
    close(fd);

    char opened_shm[POSIX_SHM_NAME_SIZE], other_shm[POSIX_SHM_NAME_SIZE], how[300];
    snprintf(opened_shm, sizeof opened_shm, "%s", shm_name_of(opened));
    snprintf(other_shm, sizeof other_shm, "%s", shm_name_of(other_kind));
    struct clean_look looks[] = {{.shm_name = opened_shm}, {.shm_name = other_shm}, {.shm_name = odd}, {0}};
    run_clean(true, looks);
    snprintf(how, sizeof how, "rm /dev/shm%s", opened_shm);
    expect_look(&looks[0], SLOTKIT_POSIX_FOREIGN, "posix pool", how);
    expect_look(&looks[0], SLOTKIT_POSIX_FOREIGN, NULL, "mode 0666");
    expect_look(&looks[1], SLOTKIT_POSIX_FOREIGN, "posix pool", "another kind");
    expect_look(&looks[2], SLOTKIT_POSIX_FOREIGN, "iceoryx2 accounting", "a name slotkit does not make");
    for (int i = 0; i < 3; i++) cr_assert(dev_shm_exists(looks[i].shm_name), "clean removed %s", looks[i].shm_name);
}

/* ---- R-POSIX-8: a creator killed in the middle of CREATE ---------------- */

/* Attach must fail at once (not after the wait) and call the segment stale. */
static void expect_stale_at_once(const char *name)
{
    const uint64_t start = now_ms();
    expect_attach_incompatible(name, "stale", "slotkit clean");
    cr_assert_lt(now_ms() - start, SHM_SEGMENT_INIT_WAIT_MS / 3, "attach took %llu ms for a dead creator",
                 (unsigned long long)(now_ms() - start));
}

Test(posix, r_posix_8__killed_mid_create,
     .description = "R-POSIX-8: a creator SIGKILLed anywhere after its CREATE began leaves a segment "
                    "that attach calls stale at once and clean removes; the name is free again")
{
    (void)private_dev_shm(); /* clean removes what is stale: only ours */
    enum { ROUNDS = 6 };
    srand((unsigned)getpid());
    for (int round = 0; round < ROUNDS; round++) {
        const char *name = fresh_name("killed");
        char shm_name[POSIX_SHM_NAME_SIZE], path[300];
        snprintf(shm_name, sizeof shm_name, "%s", shm_name_of(name));
        snprintf(path, sizeof path, "/dev/shm%s", shm_name);
        const pid_t parent = getpid();
        pid_t child = fork();
        cr_assert_geq(child, 0);
        if (child == 0) {
            die_with_parent(parent);
            /* 16 x 4 MiB: sizing and preallocating take a while. */
            slotkit_config config = make_config(name, SLOTKIT_ROLE_CREATE, 16, 4u << 20);
            slotkit_pool *p = NULL;
            slotkit_error err;
            (void)slotkit_pool_open(slotkit_posix_backend(), &config, &p, &err);
            for (;;) pause();
        }
        /* Once the object has bytes its creator is recorded: kill it
         * anywhere from there on (round 0 at once). */
        struct stat st;
        const uint64_t deadline = now_ms() + 5000;
        while ((stat(path, &st) != 0 || st.st_size == 0) && now_ms() < deadline) {}
        struct timespec nap = {0, round == 0 ? 0 : (long)(rand() % 20000) * 1000L};
        nanosleep(&nap, NULL);
        kill_and_reap(child);
        cr_assert(dev_shm_exists(shm_name), "round %d: no segment appeared", round);
        expect_stale_at_once(name);
        struct clean_look looks[] = {{.shm_name = shm_name}, {0}};
        run_clean(true, looks);
        expect_look(&looks[0], SLOTKIT_POSIX_REMOVED, "posix pool", NULL);
        slotkit_pool *again = must_create(name, 1, 8);
        forget(again);
        slotkit_pool_close(again);
    }
}

Test(posix, r_posix_8__waits_for_live_creator,
     .description = "R-POSIX-8: attach waits for a live creator that publishes late; one that never "
                    "does is refused after the bound with what to do; once it dies, at once")
{
    (void)private_dev_shm(); /* clean removes what is stale: only ours */
    const char *late = fresh_name("late");
    const pid_t parent = getpid();
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        die_with_parent(parent);
        shm_segment seg;
        slotkit_config config = make_config(late, SLOTKIT_ROLE_CREATE, 2, 16);
        size_t table_bytes = 0;
        slotkit_error err;
        (void)slot_table_size(2, 16, &table_bytes, NULL);
        const size_t total = posix_segment_bytes(table_bytes);
        const char *shm_name = shm_name_of(late);
        if (shm_segment_create(&shm_kind_posix_pool, shm_name, late, total, &seg, &err) != SLOTKIT_OK) _exit(1);
        slot_table_view view;
        slot_table_init((char *)seg.base + POSIX_TABLE_OFFSET, 2, 16, 0, 7u, NULL, true, &view);
        shm_segment_init_header(&shm_kind_posix_pool, seg.base, &config, total, 7u);
        struct timespec nap = {0, 300000000L};
        nanosleep(&nap, NULL);
        shm_segment_publish(&shm_kind_posix_pool, seg.base);
        for (;;) pause();
    }
    uint64_t start = now_ms();
    while (!shm_exists(late) && now_ms() - start < 2000) {}
    start = now_ms();
    must_open(late, SLOTKIT_ROLE_ATTACH, 0, 0);
    cr_assert_geq(now_ms() - start, 150, "attach did not wait for the creator's magic");
    kill_and_reap(child);

    const char *never = fresh_name("never");
    child = make_segment_in_child(&shm_kind_posix_pool, shm_name_of(never), false, true);
    start = now_ms();
    expect_attach_incompatible(never, "not initialised", "slotkit clean");
    const uint64_t waited = now_ms() - start;
    cr_assert_geq(waited, SHM_SEGMENT_INIT_WAIT_MS - 10, "gave up after %llu ms", (unsigned long long)waited);
    cr_assert_lt(waited, SHM_SEGMENT_INIT_WAIT_MS + 2000, "waited %llu ms", (unsigned long long)waited);
    char never_shm[POSIX_SHM_NAME_SIZE];
    snprintf(never_shm, sizeof never_shm, "%s", shm_name_of(never));
    struct clean_look looks[] = {{.shm_name = never_shm}, {0}};
    run_clean(true, looks);
    expect_look(&looks[0], SLOTKIT_POSIX_UNINITIALISED, "posix pool", "still initialising");
    cr_assert(shm_exists(never), "clean removed a live creator's segment");
    kill_and_reap(child);
    expect_stale_at_once(never);
    run_clean(true, looks);
    expect_look(&looks[0], SLOTKIT_POSIX_REMOVED, "posix pool", "died before initialising");
}

Test(posix, r_posix_8__no_creator_recorded,
     .description = "R-POSIX-8: an empty object (no creator recorded) is waited for, then refused; "
                    "clean keeps it while young and removes it once older than the grace")
{
    (void)private_dev_shm(); /* clean removes what is stale: only ours */
    const char *empty = fresh_name("empty");
    int fd = shm_open(shm_name_of(empty), O_RDWR | O_CREAT | O_EXCL, 0600);
    cr_assert_geq(fd, 0);
    const uint64_t start = now_ms();
    expect_attach_incompatible(empty, "not initialised", "no creator recorded");
    cr_assert_geq(now_ms() - start, SHM_SEGMENT_INIT_WAIT_MS - 10);
    char empty_shm[POSIX_SHM_NAME_SIZE];
    snprintf(empty_shm, sizeof empty_shm, "%s", shm_name_of(empty));
    struct clean_look looks[] = {{.shm_name = empty_shm}, {0}};
    run_clean(true, looks);
    expect_look(&looks[0], SLOTKIT_POSIX_UNINITIALISED, "posix pool", "no creator recorded");
    /* Make it older than the grace. */
    struct timespec times[2] = {{time(NULL) - SHM_SEGMENT_UNRECORDED_GRACE_S - 5, 0},
                                {time(NULL) - SHM_SEGMENT_UNRECORDED_GRACE_S - 5, 0}};
    cr_assert_eq(futimens(fd, times), 0, "%s", strerror(errno));
    close(fd);
    run_clean(true, looks);
    expect_look(&looks[0], SLOTKIT_POSIX_REMOVED, "posix pool", "never initialised");
    cr_assert_not(shm_exists(empty));
}
