/* The supervisor of a conformance run (conform_runner.h). */
#include "conform_runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "proc_tree.h"

/* Output of one test kept for its detail: the tail, not the flood. */
#define OUTPUT_TAIL 1024
/* A record file is read up to this size; anything longer is not the suite's. */
#define RECORDS_MAX (64 * 1024)
#define MAX_JOBS 64

typedef struct running_test {
    pid_t pid;
    size_t index;
    int output_fd;
    double started, deadline;
    bool killed_at_deadline;
    char tail[OUTPUT_TAIL];
    size_t tail_len;
} running_test;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- one test process ------------------------------------------------------ */

/* Errors of the dynamic loader itself, not of any backend: glibc's rtld reads
 * whole words past a string's end when it expands $ORIGIN in a plug-in's
 * RUNPATH. Written beside the records and passed to valgrind. */
static const char memcheck_suppressions[] =
    "{\n  rtld-dst-expansion-8\n  Memcheck:Addr8\n  fun:strncmp\n  fun:is_dst\n}\n"
    "{\n  rtld-dst-expansion-4\n  Memcheck:Addr4\n  fun:strncmp\n  fun:is_dst\n}\n"
    "{\n  rtld-dst-expansion-cond\n  Memcheck:Cond\n  fun:strncmp\n  fun:is_dst\n}\n";

static void suppressions_path(const char *dir, char *out, size_t size) { snprintf(out, size, "%s/memcheck.supp", dir); }

static int write_suppressions(const char *dir)
{
    char path[PATH_MAX];
    suppressions_path(dir, path, sizeof path);
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(memcheck_suppressions, f) < 0 || fclose(f) != 0)
        return cli_fail("conform: cannot write %s: %s", path, strerror(errno));
    return 0;
}

static void record_path(const char *dir, size_t index, char *out, size_t size)
{
    snprintf(out, size, "%s/%zu.rec", dir, index);
}

/* Child side: own process group, output into the pipe, exec the suite on one test. */
static void exec_test(const conform_test *t, const runner_options *o, const char *records, int out_fd)
{
    setpgid(0, 0);
    dup2(out_fd, STDOUT_FILENO);
    dup2(out_fd, STDERR_FILENO);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    setenv(REPORT_RECORD_ENV, records, 1);
    char filter[512], timeout[64];
    snprintf(filter, sizeof filter, "--filter=%s/%s", t->suite, t->name);
    snprintf(timeout, sizeof timeout, "--timeout=%g", o->test_timeout_s);
    char log_file[PATH_MAX + 32], suppressions[PATH_MAX + 32], path[PATH_MAX];
    snprintf(log_file, sizeof log_file, "--log-file=%s.vg.%%p", records);
    suppressions_path(o->work_dir, path, sizeof path);
    snprintf(suppressions, sizeof suppressions, "--suppressions=%s", path);
    char *argv[16];
    int n = 0;
    if (o->memcheck != NULL) {
        argv[n++] = (char *)o->memcheck;
        argv[n++] = "--quiet";
        argv[n++] = "--trace-children=yes";
        argv[n++] = "--error-exitcode=99";
        argv[n++] = log_file;
        argv[n++] = suppressions;
    }
    argv[n++] = (char *)o->suite_path;
    argv[n++] = filter;
    argv[n++] = "--jobs=1";
    argv[n++] = timeout;
    argv[n] = NULL;
    execv(argv[0], argv);
    dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static int launch(running_test *slot, conform_test *tests, size_t index, const runner_options *o, const char *dir)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return cli_fail("conform: pipe: %s", strerror(errno));
    char records[PATH_MAX];
    record_path(dir, index, records, sizeof records);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]), close(fds[1]);
        return cli_fail("conform: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        exec_test(&tests[index], o, records, fds[1]);
    }
    setpgid(pid, pid); /* also here: no race with the first kill(-pgid) */
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    *slot = (running_test){.pid = pid, .index = index, .output_fd = fds[0], .started = now_s()};
    slot->deadline = slot->started + o->test_timeout_s;
    return 0;
}

/* Keeps the last OUTPUT_TAIL bytes of a test's output; the rest is dropped. */
static void drain(running_test *slot)
{
    char buf[8192];
    for (;;) {
        ssize_t n = read(slot->output_fd, buf, sizeof buf);
        if (n <= 0) return;
        size_t take = (size_t)n < OUTPUT_TAIL ? (size_t)n : OUTPUT_TAIL;
        if (slot->tail_len + take > OUTPUT_TAIL) {
            size_t drop = slot->tail_len + take - OUTPUT_TAIL;
            memmove(slot->tail, slot->tail + drop, slot->tail_len - drop);
            slot->tail_len -= drop;
        }
        memcpy(slot->tail + slot->tail_len, buf + (size_t)n - take, take);
        slot->tail_len += take;
    }
}

/* ---- judging one finished test ------------------------------------------------ */

static int severity(const char *status)
{
    static const char *const order[] = {"PASSED", "SKIPPED", "FAILED", "CRASHED", "TIMEOUT"};
    for (int i = 0; i < 5; i++)
        if (strcmp(status, order[i]) == 0) return i;
    return -1;
}

static test_outcome outcome_of_status(const char *status)
{
    switch (severity(status)) {
    case 0: return OUTCOME_PASSED;
    case 1: return OUTCOME_SKIPPED;
    case 3: return OUTCOME_CRASHED;
    case 4: return OUTCOME_TIMEOUT;
    default: return OUTCOME_FAILED;
    }
}

/* The worst well-formed record for this test; false when there is none. */
static bool read_records(const char *path, const conform_test *t, report_record *worst)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return false;
    char *buf = malloc(RECORDS_MAX + 1);
    ssize_t n = buf ? read(fd, buf, RECORDS_MAX) : -1;
    close(fd);
    bool found = false;
    if (n > 0) {
        buf[n] = '\0';
        report_record rec;
        for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            if (!report_parse(line, &rec) || strcmp(rec.suite, t->suite) != 0 || strcmp(rec.test, t->name) != 0)
                continue;
            if (!found || severity(rec.status) > severity(worst->status)) *worst = rec;
            found = true;
        }
    }
    free(buf);
    return found;
}

/* Valgrind's first reported error for this test, if any ("" when clean). */
static void memcheck_errors(const char *records, char *out, size_t size);

static void judge(conform_test *t, const running_test *slot, int wait_status, const char *dir, const runner_options *o)
{
    char records[PATH_MAX], tail[OUTPUT_TAIL + 1];
    record_path(dir, slot->index, records, sizeof records);
    memcpy(tail, slot->tail, slot->tail_len);
    tail[slot->tail_len] = '\0';
    char escaped_tail[sizeof t->detail / 2];
    report_escape(tail, escaped_tail, sizeof escaped_tail);
    t->seconds = now_s() - slot->started;
    report_record rec;
    if (slot->killed_at_deadline) {
        t->outcome = OUTCOME_TIMEOUT;
        snprintf(t->detail, sizeof t->detail, "killed after %.0f s with everything it started", o->test_timeout_s);
    } else if (read_records(records, t, &rec)) {
        t->outcome = outcome_of_status(rec.status);
        snprintf(t->detail, sizeof t->detail, "%s", rec.message);
    } else if (WIFSIGNALED(wait_status)) {
        t->outcome = OUTCOME_CRASHED;
        snprintf(t->detail, sizeof t->detail, "the test process died of signal %d; output: %s", WTERMSIG(wait_status),
                 escaped_tail);
    } else {
        t->outcome = OUTCOME_CRASHED;
        snprintf(t->detail, sizeof t->detail, "no result recorded (exit status %d); output: %s",
                 WEXITSTATUS(wait_status), escaped_tail);
    }
    char memcheck[256];
    if (o->memcheck != NULL && t->outcome != OUTCOME_TIMEOUT &&
        (memcheck_errors(records, memcheck, sizeof memcheck), memcheck[0])) {
        t->outcome = OUTCOME_FAILED;
        snprintf(t->detail, sizeof t->detail, "(memcheck) %s", memcheck);
    }
    if (o->verbose)
        fprintf(stderr, "[%s] %s::%s (%.2f s) %s\n%s", outcome_name(t->outcome), t->suite, t->name, t->seconds,
                t->detail, escaped_tail);
}

/* First line of the first error in one valgrind log (lines "==PID== text"). */
static bool first_error(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) return false;
    char line[512];
    bool found = false;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        const char *text = strstr(line, "== ");
        if (strncmp(line, "==", 2) != 0 || text == NULL) continue;
        text += 3;
        if (*text == '\0' || *text == '\n' || *text == ' ') continue;
        line[strcspn(line, "\n")] = '\0';
        char where[256] = "";
        if (fgets(where, sizeof where, f) != NULL) where[strcspn(where, "\n")] = '\0';
        const char *at = strstr(where, "at 0x");
        char raw[800];
        snprintf(raw, sizeof raw, "%s%s%s", text, at ? " " : "", at ? at : "");
        report_escape(raw, out, size);
        found = true;
    }
    fclose(f);
    return found;
}

static void memcheck_errors(const char *records, char *out, size_t size)
{
    out[0] = '\0';
    const char *slash = strrchr(records, '/');
    char dir[PATH_MAX], prefix[64];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - records), records);
    snprintf(prefix, sizeof prefix, "%s.vg.", slash + 1);
    DIR *d = opendir(dir);
    for (struct dirent *e; d && out[0] == '\0' && (e = readdir(d)) != NULL;) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        first_error(path, out, size);
    }
    if (d) closedir(d);
}

/* ---- the run ------------------------------------------------------------------ */

/* With nothing of ours running: kills and reaps everything reparented here,
 * again while killing one orphan hands its own children to us. */
static void kill_every_orphan(void)
{
    for (int i = 0; i < 50 && proc_tree_kill_orphans(NULL, 0) > 0; i++) {
        while (waitpid(-1, NULL, WNOHANG) > 0) {}
        usleep(2000);
    }
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
}

typedef struct run_state {
    running_test slots[MAX_JOBS];
    size_t active;
    size_t done, selected, failed;
    double budget_end, next_progress;
} run_state;

static void finish(run_state *s, size_t k, int wait_status, conform_test *tests, const char *dir,
                   const runner_options *o)
{
    running_test *slot = &s->slots[k];
    drain(slot);
    close(slot->output_fd);
    kill(-slot->pid, SIGKILL); /* anything left in the test's process group */
    judge(&tests[slot->index], slot, wait_status, dir, o);
    test_outcome out = tests[slot->index].outcome;
    if (out != OUTCOME_PASSED && out != OUTCOME_SKIPPED) {
        s->failed++;
        if (!o->verbose)
            fprintf(stderr, "slotkit: conform: %s::%s %s%s\n", tests[slot->index].suite, tests[slot->index].name,
                    outcome_name(out), test_is_should(&tests[slot->index]) ? " (advisory SHOULD rule)" : "");
    }
    s->done++;
    s->slots[k] = s->slots[--s->active];
}

/* Reaps every exited child: a test's process, or an orphan (ignored). */
static void reap(run_state *s, conform_test *tests, const char *dir, const runner_options *o)
{
    int status;
    for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;)
        for (size_t k = 0; k < s->active; k++)
            if (s->slots[k].pid == pid) {
                finish(s, k, status, tests, dir, o);
                break;
            }
}

/* Kills what outlived its test: orphans reparented here. */
static void sweep_orphans(const run_state *s)
{
    pid_t keep[MAX_JOBS];
    for (size_t k = 0; k < s->active; k++) keep[k] = s->slots[k].pid;
    proc_tree_kill_orphans(keep, s->active);
}

static void enforce_deadlines(run_state *s, double now)
{
    for (size_t k = 0; k < s->active; k++) {
        running_test *slot = &s->slots[k];
        if (slot->killed_at_deadline || (now < slot->deadline && now < s->budget_end)) continue;
        slot->killed_at_deadline = true;
        kill(-slot->pid, SIGKILL);
        proc_tree_kill(slot->pid);
    }
}

static void wait_for_events(run_state *s)
{
    struct pollfd fds[MAX_JOBS];
    for (size_t k = 0; k < s->active; k++) fds[k] = (struct pollfd){.fd = s->slots[k].output_fd, .events = POLLIN};
    poll(fds, s->active, 20);
    for (size_t k = 0; k < s->active; k++)
        if (fds[k].revents & (POLLIN | POLLHUP)) drain(&s->slots[k]);
}

static void progress(run_state *s, double now)
{
    if (now < s->next_progress) return;
    s->next_progress = now + 10;
    fprintf(stderr, "slotkit: conform: %zu/%zu tests done, %zu not passed\n", s->done, s->selected, s->failed);
}

int runner_run(conform_test *tests, size_t count, const runner_options *o)
{
    char dir[] = "/tmp/slotkit-conform-XXXXXX";
    if (mkdtemp(dir) == NULL) return cli_fail("conform: cannot create a temporary directory: %s", strerror(errno));
    if (!proc_tree_become_subreaper())
        fprintf(stderr, "slotkit: conform: warning: not a subreaper; detached test processes may survive\n");
    runner_options opts = *o;
    opts.work_dir = dir;
    o = &opts;
    if (o->memcheck != NULL && write_suppressions(dir) != 0) {
        rmdir(dir);
        return 2;
    }
    run_state s = {.budget_end = now_s() + o->budget_s};
    s.next_progress = now_s() + 10;
    int jobs = o->jobs < 1 ? 1 : o->jobs > MAX_JOBS ? MAX_JOBS : o->jobs;
    for (size_t i = 0; i < count; i++) s.selected += tests[i].selected;
    size_t next = 0;
    int rc = 0;
    while (rc == 0) {
        double now = now_s();
        while (next < count && (!tests[next].selected || now >= s.budget_end)) next++;
        if (next < count && s.active < (size_t)jobs && now < s.budget_end)
            rc = launch(&s.slots[s.active++], tests, next++, o, dir);
        if (rc != 0) s.active--;
        if (s.active == 0 && next >= count) break;
        if (s.active == (size_t)jobs || next >= count) wait_for_events(&s);
        size_t before = s.done;
        reap(&s, tests, dir, o);
        if (s.done != before) sweep_orphans(&s);
        enforce_deadlines(&s, now_s());
        progress(&s, now_s());
    }
    kill_every_orphan();
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.') unlinkat(dirfd(d), e->d_name, 0);
    if (d) closedir(d);
    rmdir(dir);
    return rc;
}

/* ---- listing ------------------------------------------------------------------ */

static void exec_argv(void *argv)
{
    execv(((char **)argv)[0], argv);
    _exit(127);
}

/* Appends what is readable now on fd to buf (capped); false at end of file. */
static bool read_some(int fd, char *buf, size_t size, size_t *len)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    size_t take = *len + (size_t)n < size - 1 ? (size_t)n : size - 1 - *len;
    memcpy(buf + *len, chunk, take);
    *len += take;
    return true;
}

int runner_capture(void (*child)(void *), void *arg, double limit_s, char *buf, size_t size)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(fds[1], STDOUT_FILENO);
        child(arg);
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    setpgid(pid, pid);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    size_t len = 0;
    int status = 0;
    bool exited = false, open_end = true;
    /* Until the child exits, not until the pipe closes: what it forked may keep the pipe open. */
    for (double end = now_s() + limit_s; !exited && now_s() < end;) {
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        if (open_end && poll(&p, 1, 20) > 0)
            open_end = read_some(fds[0], buf, size, &len);
        else if (!open_end)
            usleep(20000);
        exited = waitpid(pid, &status, WNOHANG) == pid;
    }
    while (exited && open_end && read_some(fds[0], buf, size, &len) && len < size - 1) {
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        if (poll(&p, 1, 0) <= 0) break;
    }
    buf[len] = '\0';
    close(fds[0]);
    kill(-pid, SIGKILL);
    proc_tree_kill(pid);
    if (!exited) waitpid(pid, &status, 0);
    kill_every_orphan(); /* what it detached (we are a subreaper) */
    return exited && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool parse_test_line(char *line, conform_test *t)
{
    char *field[4];
    char *save = NULL;
    for (int i = 0; i < 4; i++) {
        field[i] = strtok_r(i == 0 ? line : NULL, "\t", &save);
        if (field[i] == NULL && i < 3) return false;
    }
    memset(t, 0, sizeof *t);
    snprintf(t->suite, sizeof t->suite, "%s", field[0]);
    snprintf(t->name, sizeof t->name, "%s", field[1]);
    snprintf(t->rule, sizeof t->rule, "%s", field[2]);
    snprintf(t->prereqs, sizeof t->prereqs, "%s", field[3] ? field[3] : "");
    t->selected = true;
    return true;
}

long runner_list_tests(const char *suite_path, conform_test **tests)
{
    size_t size = 1u << 20;
    char *out = malloc(size);
    char *argv[] = {(char *)suite_path, "--list-tests", NULL};
    int status = out ? runner_capture(exec_argv, argv, 60, out, size) : -1;
    if (status != 0) {
        free(out);
        cli_fail("conform: %s --list-tests failed (status %d)", suite_path, status);
        return -1;
    }
    size_t count = 0, cap = 256;
    *tests = malloc(cap * sizeof **tests);
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); *tests && line; line = strtok_r(NULL, "\n", &save)) {
        if (count == cap) *tests = realloc(*tests, (cap *= 2) * sizeof **tests);
        if (*tests && parse_test_line(line, &(*tests)[count])) count++;
    }
    free(out);
    if (*tests == NULL || count == 0) {
        cli_fail("conform: the suite listed no tests");
        return -1;
    }
    return (long)count;
}
