/*
 * Thread pinning and NUMA memory binding with read-back. mbind() and
 * move_pages() are called directly (numaif.h) rather than through
 * numa_tonode_memory()/numa_interleave_memory(): those return void and only
 * print on failure, and a benchmark must know, and say, that a binding failed.
 */
#include "numa_mem.h"

#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static numa_mem_status say(numa_mem_status st, char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static numa_mem_status say(numa_mem_status st, char *msg, size_t len, const char *fmt, ...)
{
    if (msg && len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, len, fmt, ap);
        va_end(ap);
    }
    return st;
}

static numa_mem_status no_numa(char *msg, size_t len)
{
    return say(NUMA_MEM_NOT_APPLICABLE, msg, len, "not applicable: no NUMA support (numa_available() < 0)");
}

bool numa_mem_available(void) { return numa_available() >= 0; }

int numa_mem_node_of_cpu(int cpu)
{
    if (cpu < 0 || !numa_mem_available() || cpu >= numa_num_possible_cpus()) return -1;
    return numa_node_of_cpu(cpu);
}

numa_mem_status numa_mem_pin_thread(int cpu, int *cpu_used, char *msg, size_t msg_len)
{
    if (cpu_used) *cpu_used = -1;
    if (cpu < 0) return say(NUMA_MEM_ERROR, msg, msg_len, "CPU %d: not a CPU number", cpu);

    /* Dynamically sized, so CPU numbers beyond CPU_SETSIZE (1024) work too. */
    size_t ncpus = (size_t)cpu + 1;
    cpu_set_t *set = CPU_ALLOC(ncpus);
    if (!set) return say(NUMA_MEM_ERROR, msg, msg_len, "CPU_ALLOC(%zu) failed", ncpus);
    size_t size = CPU_ALLOC_SIZE(ncpus);
    CPU_ZERO_S(size, set);
    CPU_SET_S((size_t)cpu, size, set);
    /* pid 0 = the calling thread only, not the whole process. */
    int rc = sched_setaffinity(0, size, set);
    int err = errno;
    CPU_FREE(set);
    if (rc != 0)
        return say(NUMA_MEM_ERROR, msg, msg_len, "sched_setaffinity(CPU %d): %s%s", cpu, strerror(err),
                   err == EINVAL ? " (CPU offline, absent or outside this process's cpuset)" : "");

    /* The kernel migrates the thread before sched_setaffinity returns, so the
     * read-back must already agree; if not, say so rather than report the ask. */
    int used = sched_getcpu();
    if (used < 0) return say(NUMA_MEM_ERROR, msg, msg_len, "sched_getcpu: %s", strerror(errno));
    if (cpu_used) *cpu_used = used;
    if (used != cpu) return say(NUMA_MEM_ERROR, msg, msg_len, "pinned to CPU %d but running on CPU %d", cpu, used);
    return say(NUMA_MEM_OK, msg, msg_len, "running on CPU %d", used);
}

/* Checks a node number against this machine and this process's cpuset. */
static numa_mem_status check_node(int node, char *msg, size_t len)
{
    int max = numa_max_node();
    if (node < 0 || node > max)
        return say(NUMA_MEM_ERROR, msg, len, "NUMA node %d does not exist here (nodes 0-%d)", node, max);
    struct bitmask *allowed = numa_get_mems_allowed();
    bool ok = allowed && numa_bitmask_isbitset(allowed, (unsigned)node);
    if (allowed) numa_bitmask_free(allowed);
    if (!ok) return say(NUMA_MEM_ERROR, msg, len, "NUMA node %d is not allowed for this process (cpuset)", node);
    return NUMA_MEM_OK;
}

/* The node mask of a placement, after checking its nodes; NULL with msg set. */
static struct bitmask *mask_of(const int *nodes, size_t count, char *msg, size_t msg_len)
{
    if (count == 0) {
        say(NUMA_MEM_ERROR, msg, msg_len, "no NUMA node given");
        return NULL;
    }
    for (size_t i = 0; i < count; i++)
        if (check_node(nodes[i], msg, msg_len) != NUMA_MEM_OK) return NULL;
    struct bitmask *mask = numa_allocate_nodemask();
    if (!mask) {
        say(NUMA_MEM_ERROR, msg, msg_len, "numa_allocate_nodemask failed");
        return NULL;
    }
    for (size_t i = 0; i < count; i++) numa_bitmask_setbit(mask, (unsigned)nodes[i]);
    return mask;
}

static numa_mem_status bind_range(void *addr, size_t len, int mode, const int *nodes, size_t count, char *msg,
                                  size_t msg_len)
{
    if (!numa_mem_available()) return no_numa(msg, msg_len);
    long page = sysconf(_SC_PAGESIZE);
    if (!addr || ((uintptr_t)addr % (uintptr_t)page) != 0)
        return say(NUMA_MEM_ERROR, msg, msg_len, "address %p is not page-aligned (page %ld bytes)", addr, page);
    if (len == 0) return say(NUMA_MEM_ERROR, msg, msg_len, "empty range");
    struct bitmask *mask = mask_of(nodes, count, msg, msg_len);
    if (!mask) return NUMA_MEM_ERROR;
    /* maxnode = size + 1, as libnuma passes it: the kernel reads maxnode - 1 bits. */
    long rc = mbind(addr, len, mode, mask->maskp, mask->size + 1, MPOL_MF_STRICT);
    int err = errno;
    numa_bitmask_free(mask);
    if (rc == 0) return NUMA_MEM_OK;
    if (err == ENOSYS) return no_numa(msg, msg_len);
    if (err == EIO)
        return say(NUMA_MEM_ERROR, msg, msg_len,
                   "mbind: pages already present on other nodes; bind before first touch");
    return say(NUMA_MEM_ERROR, msg, msg_len, "mbind(%p, %zu): %s", addr, len, strerror(err));
}

numa_mem_status numa_mem_bind_node(void *addr, size_t len, int node, char *msg, size_t msg_len)
{
    numa_mem_status st = bind_range(addr, len, MPOL_BIND, &node, 1, msg, msg_len);
    return st == NUMA_MEM_OK ? say(st, msg, msg_len, "bound to node %d", node) : st;
}

numa_mem_status numa_mem_bind_interleave(void *addr, size_t len, const int *nodes, size_t count, char *msg,
                                         size_t msg_len)
{
    numa_mem_status st = bind_range(addr, len, MPOL_INTERLEAVE, nodes, count, msg, msg_len);
    if (st != NUMA_MEM_OK) return st;
    int n = snprintf(msg, msg && msg_len ? msg_len : 0, "interleaved over nodes");
    for (size_t i = 0; msg && i < count && n >= 0 && (size_t)n < msg_len; i++)
        n += snprintf(msg + n, msg_len - (size_t)n, "%s%d", i ? "," : " ", nodes[i]);
    return NUMA_MEM_OK;
}

numa_mem_status numa_mem_apply(void *addr, size_t len, const placement_case *c, char *msg, size_t msg_len)
{
    if (!c->applicable) return say(NUMA_MEM_NOT_APPLICABLE, msg, msg_len, "not applicable: %s", c->reason);
    switch (c->memory) {
    case MEM_WRITER_NODE: return numa_mem_bind_node(addr, len, c->writer_node, msg, msg_len);
    case MEM_READER_NODE: return numa_mem_bind_node(addr, len, c->reader_node, msg, msg_len);
    case MEM_INTERLEAVED: {
        int nodes[2] = {c->writer_node, c->reader_node};
        return numa_mem_bind_interleave(addr, len, nodes, nodes[0] == nodes[1] ? 1 : 2, msg, msg_len);
    }
    default: return say(NUMA_MEM_ERROR, msg, msg_len, "unknown memory placement %d", (int)c->memory);
    }
}

numa_mem_status numa_mem_thread_policy(const placement_case *c, char *msg, size_t msg_len)
{
    if (!c->applicable) return say(NUMA_MEM_NOT_APPLICABLE, msg, msg_len, "not applicable: %s", c->reason);
    if (!numa_mem_available()) return no_numa(msg, msg_len);
    int nodes[2] = {c->memory == MEM_READER_NODE ? c->reader_node : c->writer_node, c->reader_node};
    size_t count = c->memory == MEM_INTERLEAVED && nodes[0] != nodes[1] ? 2 : 1;
    int mode = c->memory == MEM_INTERLEAVED ? MPOL_INTERLEAVE : MPOL_BIND;
    struct bitmask *mask = mask_of(nodes, count, msg, msg_len);
    if (!mask) return NUMA_MEM_ERROR;
    long rc = set_mempolicy(mode, mask->maskp, mask->size + 1);
    int err = errno;
    numa_bitmask_free(mask);
    if (rc != 0) return say(NUMA_MEM_ERROR, msg, msg_len, "set_mempolicy: %s", strerror(err));
    if (count == 2)
        return say(NUMA_MEM_OK, msg, msg_len, "thread memory interleaved over nodes %d,%d", nodes[0], nodes[1]);
    return say(NUMA_MEM_OK, msg, msg_len, "thread memory %s node %d",
               mode == MPOL_BIND ? "bound to" : "interleaved over", nodes[0]);
}

numa_mem_status numa_mem_thread_policy_reset(char *msg, size_t msg_len)
{
    if (!numa_mem_available()) return no_numa(msg, msg_len);
    if (set_mempolicy(MPOL_DEFAULT, NULL, 0) != 0)
        return say(NUMA_MEM_ERROR, msg, msg_len, "set_mempolicy(MPOL_DEFAULT): %s", strerror(errno));
    return say(NUMA_MEM_OK, msg, msg_len, "thread memory local");
}

numa_mem_status numa_mem_residency_of(const void *addr, size_t len, numa_mem_residency *out, char *msg, size_t msg_len)
{
    memset(out, 0, sizeof *out);
    if (!numa_mem_available()) return no_numa(msg, msg_len);
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t first = (uintptr_t)addr & ~(page - 1);
    uintptr_t end = (uintptr_t)addr + len;
    size_t total = len ? (size_t)((end - first + page - 1) / page) : 0;

    /* In chunks, so a large segment does not need page-count-sized arrays. */
    enum { CHUNK = 512 };
    void *pages[CHUNK];
    int status[CHUNK];
    for (size_t done = 0; done < total;) {
        unsigned long n = total - done < CHUNK ? (unsigned long)(total - done) : CHUNK;
        for (unsigned long i = 0; i < n; i++) pages[i] = (void *)(first + (done + i) * page);
        /* nodes == NULL: query only, nothing moves. */
        if (move_pages(0, n, pages, NULL, status, 0) != 0) {
            int err = errno;
            if (err == ENOSYS) return no_numa(msg, msg_len);
            return say(NUMA_MEM_ERROR, msg, msg_len, "move_pages(%lu pages at %p): %s", n, pages[0], strerror(err));
        }
        for (unsigned long i = 0; i < n; i++) {
            int s = status[i];
            if (s >= 0 && s < NUMA_MEM_MAX_NODES)
                out->on_node[s]++;
            else if (s >= NUMA_MEM_MAX_NODES)
                out->on_higher_node++;
            else if (s == -ENOENT || s == -EFAULT) /* EFAULT: no page table yet (FOLL_DUMP), i.e. never touched */
                out->not_present++;
            else
                out->failed++;
        }
        done += n;
        out->pages = done;
    }
    return NUMA_MEM_OK;
}

int numa_mem_residency_main_node(const numa_mem_residency *r)
{
    int best = -1;
    for (int i = 0; i < NUMA_MEM_MAX_NODES; i++)
        if (r->on_node[i] && (best < 0 || r->on_node[i] > r->on_node[best])) best = i;
    return best;
}

/* Appends "label: P%" with P exact when whole, else to 0.1 %. */
static void append_share(char *buf, size_t len, size_t *used, const char *label, size_t part, size_t whole)
{
    if (*used >= len) return;
    unsigned long long permille = ((unsigned long long)part * 1000 + whole / 2) / whole; /* rounded */
    int n;
    if ((unsigned long long)part * 100 % whole == 0)
        n = snprintf(buf + *used, len - *used, "%s%s: %llu%%", *used ? ", " : "", label,
                     (unsigned long long)part * 100 / whole);
    else
        n = snprintf(buf + *used, len - *used, "%s%s: %llu.%llu%%", *used ? ", " : "", label, permille / 10,
                     permille % 10);
    if (n > 0) *used += (size_t)n;
}

void numa_mem_residency_format(const numa_mem_residency *r, char *buf, size_t len)
{
    if (!buf || !len) return;
    buf[0] = '\0';
    if (r->pages == 0) {
        snprintf(buf, len, "no pages");
        return;
    }
    size_t used = 0;
    char label[32];
    for (int i = 0; i < NUMA_MEM_MAX_NODES; i++)
        if (r->on_node[i]) {
            snprintf(label, sizeof label, "node %d", i);
            append_share(buf, len, &used, label, r->on_node[i], r->pages);
        }
    if (r->on_higher_node) append_share(buf, len, &used, "nodes >= 64", r->on_higher_node, r->pages);
    if (r->not_present) append_share(buf, len, &used, "not present", r->not_present, r->pages);
    if (r->failed) append_share(buf, len, &used, "unknown", r->failed, r->pages);
}
