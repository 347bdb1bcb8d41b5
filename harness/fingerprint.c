/* Host and build fingerprint from /proc and /sys (see fingerprint.h). */
#include "fingerprint.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "slotkit/slotkit.h"

/* Generated per build variant by mk/harness.mk: commit, compiler, flags. */
#if __has_include("slotkit_build_info.h")
#include "slotkit_build_info.h"
#endif
#ifndef SLOTKIT_BUILD_COMMIT
#define SLOTKIT_BUILD_COMMIT "unknown"
#endif
#ifndef SLOTKIT_BUILD_DIRTY
#define SLOTKIT_BUILD_DIRTY 0
#endif
#ifndef SLOTKIT_BUILD_CFLAGS
#define SLOTKIT_BUILD_CFLAGS "unknown"
#endif
#ifndef SLOTKIT_BUILD_VARIANT
#define SLOTKIT_BUILD_VARIANT "unknown"
#endif
#ifndef SLOTKIT_BUILD_CC
#define SLOTKIT_BUILD_CC "cc"
#endif

unsigned long long fingerprint_hash(const char *text)
{
    unsigned long long h = 1469598103934665603ULL;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        h ^= *c;
        h *= 1099511628211ULL;
    }
    return h;
}

/* First line of a file, trimmed; "" if unreadable. */
static const char *read_line(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL) return buf;
    if (fgets(buf, (int)size, f) == NULL) buf[0] = '\0';
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
    return buf;
}

static long read_long(const char *path, long fallback)
{
    char buf[64];
    read_line(path, buf, sizeof buf);
    return buf[0] ? strtol(buf, NULL, 10) : fallback;
}

/* Value of the first "key<tabs>: value" line of /proc/cpuinfo. */
static void cpuinfo(const char *key, char *out, size_t size)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL) return;
    char line[4096];
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0 || (line[klen] != '\t' && line[klen] != ' ' && line[klen] != ':'))
            continue;
        char *colon = strchr(line, ':');
        if (colon == NULL) continue;
        colon++;
        while (*colon == ' ') colon++;
        colon[strcspn(colon, "\n")] = '\0';
        snprintf(out, size, "%s", colon);
        break;
    }
    fclose(f);
}

/* "0-3,8" → count of CPUs listed; fills cpus[] when given. */
static int parse_cpu_list(const char *list, int *cpus, int max)
{
    int n = 0;
    for (const char *p = list; *p;) {
        char *end;
        long a = strtol(p, &end, 10), b = a;
        if (end == p) break;
        if (*end == '-') b = strtol(end + 1, &end, 10);
        for (long c = a; c <= b; c++) {
            if (cpus && n < max) cpus[n] = (int)c;
            n++;
        }
        p = *end == ',' ? end + 1 : end;
        if (*end != ',') break;
    }
    return n;
}

static json_object *jstr(const char *s) { return json_object_new_string(s ? s : ""); }

static long meminfo_kib(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) return -1;
    char line[256];
    long value = -1;
    while (fgets(line, sizeof line, f)) {
        char *k = strstr(line, key);
        if (k && k[strlen(key)] == ':') {
            value = strtol(k + strlen(key) + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return value;
}

/* THP setting: the bracketed word of "always [madvise] never". */
static void bracketed(const char *path, char *out, size_t size)
{
    char buf[256];
    read_line(path, buf, sizeof buf);
    char *open = strchr(buf, '['), *close = open ? strchr(open, ']') : NULL;
    if (open && close) {
        *close = '\0';
        snprintf(out, size, "%.*s", (int)(size - 1), open + 1);
    } else {
        snprintf(out, size, "%.*s", (int)(size - 1), buf[0] ? buf : "unknown");
    }
}

#define MAX_CPUS 1024

typedef struct topo_summary {
    int pus, cores, packages, nodes, smt_max;
    char l3[128];
} topo_summary;

static json_object *collect_topology(topo_summary *sum, json_object **numa_out, char *numa_summary, size_t ns_size)
{
    char buf[4096], path[256];
    int cpus[MAX_CPUS];
    int ncpu = parse_cpu_list(read_line("/sys/devices/system/cpu/online", buf, sizeof buf), cpus, MAX_CPUS);
    if (ncpu > MAX_CPUS) ncpu = MAX_CPUS;
    json_object *topo = json_object_new_object(), *cpu_arr = json_object_new_array();
    /* Unique (package, core) pairs count cores. */
    long seen_core[MAX_CPUS], seen_pkg[MAX_CPUS];
    int ncores = 0, npkgs = 0;
    json_object *caches = json_object_new_array();
    char seen_cache[64][320];
    int ncache = 0;
    sum->smt_max = 1;
    for (int i = 0; i < ncpu; i++) {
        int c = cpus[i];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/physical_package_id", c);
        long pkg = read_long(path, 0);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/core_id", c);
        long core = read_long(path, c);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", c);
        int siblings = parse_cpu_list(read_line(path, buf, sizeof buf), NULL, 0);
        if (siblings > sum->smt_max) sum->smt_max = siblings;
        long key = pkg * 100000 + core;
        int k;
        for (k = 0; k < ncores && seen_core[k] != key; k++) {}
        if (k == ncores) seen_core[ncores++] = key;
        for (k = 0; k < npkgs && seen_pkg[k] != pkg; k++) {}
        if (k == npkgs) seen_pkg[npkgs++] = pkg;
        /* NUMA node: the nodeN link inside the CPU's directory. */
        long node = 0;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d", c);
        DIR *d = opendir(path);
        for (struct dirent *e; d && (e = readdir(d));)
            if (strncmp(e->d_name, "node", 4) == 0 && isdigit((unsigned char)e->d_name[4])) node = atol(e->d_name + 4);
        if (d) closedir(d);
        long l3 = -1;
        for (int idx = 0; idx < 8; idx++) {
            char level[16], type[32], size[32], shared[256], id[16];
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cache/index%d/level", c, idx);
            if (read_line(path, level, sizeof level)[0] == '\0') break;
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cache/index%d/type", c, idx);
            read_line(path, type, sizeof type);
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cache/index%d/size", c, idx);
            read_line(path, size, sizeof size);
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cache/index%d/shared_cpu_list", c, idx);
            read_line(path, shared, sizeof shared);
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cache/index%d/id", c, idx);
            read_line(path, id, sizeof id);
            if (atoi(level) == 3) l3 = id[0] ? atol(id) : 0;
            char key_s[320];
            snprintf(key_s, sizeof key_s, "L%s-%s-%s", level, type, shared);
            int s;
            for (s = 0; s < ncache && strcmp(seen_cache[s], key_s) != 0; s++) {}
            if (s < ncache || ncache == 64) continue;
            snprintf(seen_cache[ncache++], sizeof seen_cache[0], "%s", key_s);
            json_object *cache = json_object_new_object();
            json_object_object_add(cache, "level", json_object_new_int(atoi(level)));
            json_object_object_add(cache, "type", jstr(type));
            json_object_object_add(cache, "size_kib", json_object_new_int64(strtol(size, NULL, 10)));
            json_object_object_add(cache, "shared_cpus", jstr(shared));
            json_object_array_add(caches, cache);
        }
        json_object *cpu = json_object_new_object();
        json_object_object_add(cpu, "cpu", json_object_new_int(c));
        json_object_object_add(cpu, "package", json_object_new_int64(pkg));
        json_object_object_add(cpu, "core", json_object_new_int64(core));
        json_object_object_add(cpu, "node", json_object_new_int64(node));
        json_object_object_add(cpu, "l3", json_object_new_int64(l3));
        json_object_object_add(cpu, "smt_siblings", jstr(buf));
        json_object_array_add(cpu_arr, cpu);
    }
    sum->pus = ncpu;
    sum->cores = ncores;
    sum->packages = npkgs;

    /* L3 summary for the fingerprint: "2x32768K" (count x size). */
    int l3count = 0;
    long l3size = 0;
    for (size_t i = 0; i < json_object_array_length(caches); i++) {
        json_object *cache = json_object_array_get_idx(caches, i), *lv, *sz;
        json_object_object_get_ex(cache, "level", &lv);
        json_object_object_get_ex(cache, "size_kib", &sz);
        if (json_object_get_int(lv) == 3) {
            l3count++;
            l3size = json_object_get_int64(sz);
        }
    }
    snprintf(sum->l3, sizeof sum->l3, "%dx%ldK", l3count, l3size);

    json_object *numa = json_object_new_array();
    size_t used = 0;
    numa_summary[0] = '\0';
    sum->nodes = 0;
    int nodes[256];
    int nnodes = parse_cpu_list(read_line("/sys/devices/system/node/online", buf, sizeof buf), nodes, 256);
    if (nnodes == 0) nodes[nnodes++] = 0; /* kernels without NUMA: one implicit node */
    for (int i = 0; i < nnodes && i < 256; i++) {
        json_object *n = json_object_new_object();
        char cpulist[1024], dist[1024];
        snprintf(path, sizeof path, "/sys/devices/system/node/node%d/cpulist", nodes[i]);
        read_line(path, cpulist, sizeof cpulist);
        snprintf(path, sizeof path, "/sys/devices/system/node/node%d/distance", nodes[i]);
        read_line(path, dist, sizeof dist);
        snprintf(path, sizeof path, "/sys/devices/system/node/node%d/meminfo", nodes[i]);
        long mem = meminfo_kib(path, "MemTotal");
        if (mem < 0) mem = meminfo_kib("/proc/meminfo", "MemTotal");
        json_object_object_add(n, "node", json_object_new_int(nodes[i]));
        json_object_object_add(n, "cpus", jstr(cpulist));
        json_object_object_add(n, "mem_total_kib", json_object_new_int64(mem));
        json_object *d = json_object_new_array();
        for (char *save = NULL, *tok = strtok_r(dist, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
            json_object_array_add(d, json_object_new_int(atoi(tok)));
        json_object_object_add(n, "distances", d);
        json_object_array_add(numa, n);
        /* CPUs per node only: a VM's node memory moves with ballooning and
         * hot-plug; the amount stays in the description, not the fingerprint. */
        used += (size_t)snprintf(numa_summary + used, used < ns_size ? ns_size - used : 0, "%snode%d:%s",
                                 i ? " " : "", nodes[i], cpulist);
        sum->nodes++;
    }
    json_object_object_add(topo, "packages", json_object_new_int(npkgs));
    json_object_object_add(topo, "cores", json_object_new_int(ncores));
    json_object_object_add(topo, "pus", json_object_new_int(ncpu));
    json_object_object_add(topo, "threads_per_core", json_object_new_int(sum->smt_max));
    json_object_object_add(topo, "numa_nodes", json_object_new_int(sum->nodes));
    json_object_object_add(topo, "cpus", cpu_arr);
    json_object_object_add(topo, "caches", caches);
    *numa_out = numa;
    return topo;
}

static char host_id[160];

json_object *fingerprint_host(void)
{
    json_object *host = json_object_new_object(), *cpu = json_object_new_object(), *fields = json_object_new_object();
    char model[256], vendor[64], microcode[64], flags[8192], buf[4096];
    cpuinfo("model name", model, sizeof model);
    cpuinfo("vendor_id", vendor, sizeof vendor);
    cpuinfo("microcode", microcode, sizeof microcode);
    cpuinfo("flags", flags, sizeof flags);
    int virtualized = strstr(flags, " hypervisor") != NULL;
    struct utsname u;
    uname(&u);
    json_object_object_add(cpu, "model", jstr(model[0] ? model : u.machine));
    json_object_object_add(cpu, "vendor", jstr(vendor));
    json_object_object_add(cpu, "microcode", jstr(microcode[0] ? microcode : "unknown"));
    json_object_object_add(cpu, "arch", jstr(u.machine));
    json_object_object_add(cpu, "virtualized", json_object_new_boolean(virtualized));

    topo_summary sum;
    json_object *numa;
    char numa_summary[2048];
    json_object *topo = collect_topology(&sum, &numa, numa_summary, sizeof numa_summary);

    json_object *kernel = json_object_new_object();
    json_object_object_add(kernel, "release", jstr(u.release));
    json_object_object_add(kernel, "version", jstr(u.version));
    json_object_object_add(kernel, "cmdline", jstr(read_line("/proc/cmdline", buf, sizeof buf)));

    json_object *power = json_object_new_object();
    char governor[64], driver[64], boost[16], smt[16];
    read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", governor, sizeof governor);
    read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_driver", driver, sizeof driver);
    /* acpi-cpufreq exposes boost; intel_pstate exposes the inverse. */
    read_line("/sys/devices/system/cpu/cpufreq/boost", boost, sizeof boost);
    if (boost[0] == '\0') {
        read_line("/sys/devices/system/cpu/intel_pstate/no_turbo", buf, sizeof buf);
        if (buf[0]) snprintf(boost, sizeof boost, "%s", buf[0] == '1' ? "0" : "1");
    }
    json_object_object_add(power, "governor", jstr(governor[0] ? governor : "none"));
    json_object_object_add(power, "driver", jstr(driver[0] ? driver : "none"));
    json_object_object_add(power, "boost", jstr(boost[0] ? (boost[0] == '1' ? "on" : "off") : "unknown"));
    read_line("/sys/devices/system/cpu/smt/active", smt, sizeof smt);
    json_object_object_add(power, "smt_active",
                           json_object_new_boolean(smt[0] ? smt[0] == '1' : sum.smt_max > 1));

    json_object *memory = json_object_new_object();
    char thp[32], thp_defrag[32];
    bracketed("/sys/kernel/mm/transparent_hugepage/enabled", thp, sizeof thp);
    bracketed("/sys/kernel/mm/transparent_hugepage/defrag", thp_defrag, sizeof thp_defrag);
    long huge_total = meminfo_kib("/proc/meminfo", "HugePages_Total"),
         huge_size = meminfo_kib("/proc/meminfo", "Hugepagesize"), total = meminfo_kib("/proc/meminfo", "MemTotal");
    struct statvfs shm;
    long shm_kib = statvfs("/dev/shm", &shm) == 0 ? (long)(shm.f_blocks * shm.f_frsize / 1024) : -1;
    json_object_object_add(memory, "total_kib", json_object_new_int64(total));
    json_object_object_add(memory, "thp_enabled", jstr(thp));
    json_object_object_add(memory, "thp_defrag", jstr(thp_defrag));
    json_object_object_add(memory, "hugepages_total", json_object_new_int64(huge_total < 0 ? 0 : huge_total));
    json_object_object_add(memory, "hugepage_size_kib", json_object_new_int64(huge_size < 0 ? 0 : huge_size));
    json_object_object_add(memory, "dev_shm_kib", json_object_new_int64(shm_kib));
    json_object_object_add(memory, "numa", numa);

    /* The fields that change what a benchmark measures; their hash is the fingerprint. */
    char topo_s[256], huge_s[64];
    snprintf(topo_s, sizeof topo_s, "%d packages, %d cores, %d PUs, %d threads/core, L3 %s", sum.packages, sum.cores,
             sum.pus, sum.smt_max, sum.l3);
    snprintf(huge_s, sizeof huge_s, "%ld x %ld KiB", huge_total < 0 ? 0 : huge_total, huge_size < 0 ? 0 : huge_size);
    const char *pairs[][2] = {
        {"cpu.model", model},
        {"cpu.microcode", microcode[0] ? microcode : "unknown"},
        {"cpu.arch", u.machine},
        {"cpu.virtualized", virtualized ? "yes" : "no"},
        {"topology", topo_s},
        {"numa", numa_summary},
        {"kernel.release", u.release},
        {"power.governor", governor[0] ? governor : "none"},
        {"power.boost", boost[0] ? (boost[0] == '1' ? "on" : "off") : "unknown"},
        {"power.smt_active", (smt[0] ? smt[0] == '1' : sum.smt_max > 1) ? "yes" : "no"},
        {"memory.thp_enabled", thp},
        {"memory.hugepages", huge_s},
    };
    char all[8192] = "";
    size_t used = 0;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        json_object_object_add(fields, pairs[i][0], jstr(pairs[i][1]));
        used += (size_t)snprintf(all + used, used < sizeof all ? sizeof all - used : 0, "%s=%s\n", pairs[i][0],
                                 pairs[i][1]);
    }
    char fp[32], hostname[128];
    snprintf(fp, sizeof fp, "%016llx", fingerprint_hash(all));

    /* host id: hostname plus a hash of the hardware alone, so a kernel or
     * governor change keeps the directory but changes the fingerprint. */
    char hw[4096];
    snprintf(hw, sizeof hw, "%s\n%s\n%s", model, topo_s, numa_summary);
    gethostname(hostname, sizeof hostname);
    hostname[sizeof hostname - 1] = '\0';
    for (char *c = hostname; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_') *c = '_';
    snprintf(host_id, sizeof host_id, "%s-%08llx", hostname[0] ? hostname : "host", fingerprint_hash(hw) & 0xffffffffULL);

    json_object_object_add(host, "id", jstr(host_id));
    json_object_object_add(host, "fingerprint", jstr(fp));
    json_object_object_add(host, "fingerprint_fields", fields);
    json_object_object_add(host, "hostname", jstr(hostname));
    json_object_object_add(host, "cpu", cpu);
    json_object_object_add(host, "topology", topo);
    json_object_object_add(host, "kernel", kernel);
    json_object_object_add(host, "power", power);
    json_object_object_add(host, "memory", memory);
    return host;
}

const char *fingerprint_host_id(void)
{
    if (host_id[0] == '\0') json_object_put(fingerprint_host());
    return host_id;
}

json_object *fingerprint_build(void)
{
    json_object *build = json_object_new_object();
    json_object_object_add(build, "slotkit_version", jstr(SLOTKIT_VERSION));
    json_object_object_add(build, "abi_version", json_object_new_int(SLOTKIT_ABI_VERSION));
    json_object_object_add(build, "git_commit", jstr(SLOTKIT_BUILD_COMMIT));
    json_object_object_add(build, "git_dirty", json_object_new_boolean(SLOTKIT_BUILD_DIRTY));
#ifdef __VERSION__
    char compiler[256];
    snprintf(compiler, sizeof compiler, "%s %s", SLOTKIT_BUILD_CC, __VERSION__);
    json_object_object_add(build, "compiler", jstr(compiler));
#else
    json_object_object_add(build, "compiler", jstr(SLOTKIT_BUILD_CC));
#endif
    json_object_object_add(build, "cflags", jstr(SLOTKIT_BUILD_CFLAGS));
    json_object_object_add(build, "variant", jstr(SLOTKIT_BUILD_VARIANT));
    return build;
}

static const char *field(json_object *doc, const char *a, const char *b, const char *c)
{
    json_object *o = doc;
    const char *path[] = {a, b, c};
    for (int i = 0; i < 3 && path[i] && o; i++)
        if (!json_object_object_get_ex(o, path[i], &o)) return "";
    return o ? json_object_get_string(o) : "";
}

int fingerprint_diff(json_object *doc_a, json_object *doc_b, int toolchain, char *msg, size_t msg_size)
{
    int diffs = 0;
    size_t used = 0;
    msg[0] = '\0';
    if (toolchain) {
        /* Instruction counts depend on the code generated, not on the machine's speed. */
        static const char *const keys[][3] = {
            {"build", "compiler", NULL}, {"build", "cflags", NULL}, {"host", "fingerprint_fields", "cpu.arch"}};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            const char *va = field(doc_a, keys[i][0], keys[i][1], keys[i][2]),
                       *vb = field(doc_b, keys[i][0], keys[i][1], keys[i][2]);
            if (strcmp(va, vb) == 0) continue;
            diffs++;
            used += (size_t)snprintf(msg + used, used < msg_size ? msg_size - used : 0, "%s%s.%s '%s' vs '%s'",
                                     used ? "; " : "", keys[i][0], keys[i][2] ? keys[i][2] : keys[i][1], va, vb);
        }
        return diffs;
    }
    json_object *fa = NULL, *fb = NULL, *ha, *hb;
    if (json_object_object_get_ex(doc_a, "host", &ha)) json_object_object_get_ex(ha, "fingerprint_fields", &fa);
    if (json_object_object_get_ex(doc_b, "host", &hb)) json_object_object_get_ex(hb, "fingerprint_fields", &fb);
    if (fa == NULL || fb == NULL) {
        snprintf(msg, msg_size, "a document has no host.fingerprint_fields");
        return 1;
    }
    json_object_object_foreach(fa, key, va) {
        json_object *vb = NULL;
        const char *sa = json_object_get_string(va), *sb = "(absent)";
        if (json_object_object_get_ex(fb, key, &vb)) sb = json_object_get_string(vb);
        if (strcmp(sa, sb) == 0) continue;
        diffs++;
        used += (size_t)snprintf(msg + used, used < msg_size ? msg_size - used : 0, "%s%s '%s' vs '%s'",
                                 used ? "; " : "", key, sa, sb);
    }
    json_object_object_foreach(fb, keyb, vb2) {
        (void)vb2;
        if (json_object_object_get_ex(fa, keyb, NULL)) continue;
        diffs++;
        used += (size_t)snprintf(msg + used, used < msg_size ? msg_size - used : 0, "%s%s absent vs present",
                                 used ? "; " : "", keyb);
    }
    return diffs;
}
