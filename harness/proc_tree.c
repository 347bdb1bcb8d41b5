/* Finding and killing process trees through /proc (proc_tree.h). */
#include "proc_tree.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

typedef struct proc_link {
    pid_t pid, ppid;
} proc_link;

bool proc_tree_become_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0; }

/* Parent pid from /proc/PID/stat: the field after the ")" that ends comm. */
static pid_t parent_of(const char *pid_dir)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", pid_dir);
    FILE *f = fopen(path, "re");
    if (f == NULL) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *close_paren = strrchr(buf, ')');
    long ppid = -1;
    if (close_paren == NULL || sscanf(close_paren + 1, " %*c %ld", &ppid) != 1) return -1;
    return (pid_t)ppid;
}

/* Every process's (pid, ppid); *count set. */
static proc_link *snapshot(size_t *count)
{
    size_t cap = 256, n = 0;
    proc_link *links = malloc(cap * sizeof *links);
    DIR *d = opendir("/proc");
    for (struct dirent *e; links && d && (e = readdir(d)) != NULL;) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0) continue;
        pid_t ppid = parent_of(e->d_name);
        if (ppid < 0) continue;
        if (n == cap) {
            proc_link *grown = realloc(links, (cap *= 2) * sizeof *links);
            if (grown == NULL) break;
            links = grown;
        }
        links[n++] = (proc_link){(pid_t)pid, ppid};
    }
    if (d) closedir(d);
    *count = n;
    return links;
}

/* Kills root and, breadth first, all its descendants in the snapshot. */
static void kill_subtree(const proc_link *links, size_t count, pid_t root)
{
    pid_t *queue = malloc((count + 1) * sizeof *queue);
    if (queue == NULL) {
        kill(root, SIGKILL);
        return;
    }
    size_t head = 0, tail = 0;
    queue[tail++] = root;
    while (head < tail) {
        pid_t p = queue[head++];
        kill(p, SIGKILL);
        for (size_t i = 0; i < count && tail <= count; i++)
            if (links[i].ppid == p) queue[tail++] = links[i].pid;
    }
    free(queue);
}

void proc_tree_kill(pid_t root)
{
    size_t count;
    proc_link *links = snapshot(&count);
    kill_subtree(links ? links : (proc_link[]){{0, 0}}, links ? count : 0, root);
    free(links);
}

size_t proc_tree_kill_orphans(const pid_t *keep, size_t nkeep)
{
    size_t count, found = 0;
    proc_link *links = snapshot(&count);
    if (links == NULL) return 0;
    pid_t self = getpid();
    for (size_t i = 0; i < count; i++) {
        if (links[i].ppid != self) continue;
        bool kept = false;
        for (size_t k = 0; k < nkeep; k++) kept |= keep[k] == links[i].pid;
        if (kept) continue;
        kill_subtree(links, count, links[i].pid);
        found++;
    }
    free(links);
    return found;
}
