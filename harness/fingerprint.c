/* Host and build fingerprint from /proc and /sys, and the topology slotkit-bench
 * recorded with hwloc (see fingerprint.h). */
#include "fingerprint.h"

#include "emulation.h"

#include <ctype.h>
#include <stdbool.h>
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

/* Value of the first "key<tabs>: value" line of /proc/cpuinfo. */
static void cpuinfo(const char *key, char *out, size_t size)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL) return;
    char line[4096];
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0 || (line[klen] != '\t' && line[klen] != ' ' && line[klen] != ':')) continue;
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

/* ---- the topology slotkit-bench recorded (topology.json) ----------------------------- */

static json_object *recorded; /* the whole topology.json, or NULL */

void fingerprint_set_topology(json_object *topology_doc)
{
    json_object_put(recorded);
    recorded = topology_doc ? json_object_get(topology_doc) : NULL;
}

int fingerprint_load_topology(const char *run_dir, char *err, size_t err_size)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/topology.json", run_dir);
    json_object *doc = json_object_from_file(path), *topo;
    if (doc == NULL || !json_object_object_get_ex(doc, "topology", &topo)) {
        snprintf(err, err_size, "%s: missing or without \"topology\" (%s)", path, json_util_get_last_err());
        json_object_put(doc);
        return -1;
    }
    fingerprint_set_topology(doc);
    json_object_put(doc);
    return 0;
}

/* The recorded topology object and NUMA array; NULL when not recorded. */
static json_object *recorded_part(const char *key, json_type type)
{
    json_object *part;
    if (recorded && json_object_object_get_ex(recorded, key, &part) && json_object_is_type(part, type)) return part;
    return NULL;
}

static long topo_int(json_object *topo, const char *key)
{
    json_object *v;
    return topo && json_object_object_get_ex(topo, key, &v) ? (long)json_object_get_int64(v) : 0;
}

/* "1 packages, 2 cores, 2 PUs, 1 threads/core, L3 1x266240K" (count x size of the L3s). */
static void topology_summary(json_object *topo, char *out, size_t size)
{
    if (topo == NULL) {
        snprintf(out, size, "not recorded");
        return;
    }
    json_object *caches = NULL, *v;
    json_object_object_get_ex(topo, "caches", &caches);
    int l3count = 0;
    long l3size = 0;
    for (size_t i = 0; caches && i < json_object_array_length(caches); i++) {
        json_object *cache = json_object_array_get_idx(caches, i);
        if (!json_object_object_get_ex(cache, "level", &v) || json_object_get_int(v) != 3) continue;
        l3count++;
        l3size = topo_int(cache, "size_kib");
    }
    snprintf(out, size, "%ld packages, %ld cores, %ld PUs, %ld threads/core, L3 %dx%ldK", topo_int(topo, "packages"),
             topo_int(topo, "cores"), topo_int(topo, "pus"), topo_int(topo, "threads_per_core"), l3count, l3size);
}

/* CPUs per node only: a VM's node memory moves with ballooning and hot-plug;
 * the amount stays in the description, not the fingerprint. */
static void numa_summary(json_object *numa, char *out, size_t size)
{
    size_t used = 0;
    snprintf(out, size, "%s", numa ? "" : "not recorded");
    for (size_t i = 0; numa && i < json_object_array_length(numa); i++) {
        json_object *n = json_object_array_get_idx(numa, i), *cpus = NULL;
        json_object_object_get_ex(n, "cpus", &cpus);
        used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%snode%ld:%s", i ? " " : "",
                                 topo_int(n, "node"), cpus ? json_object_get_string(cpus) : "");
    }
}

/* ---- the host's own facts ------------------------------------------------------------ */

typedef struct host_facts {
    struct utsname u;
    char model[256], vendor[64], microcode[64];
    bool virtualized;
    long online_cpus;
    char governor[64], driver[64], boost[8], smt[8];
    char thp[32], thp_defrag[32];
    long huge_total, huge_size;
    char cmdline[4096];
} host_facts;

static void read_cpu_facts(host_facts *f)
{
    char flags[8192];
    uname(&f->u);
    read_line("/proc/cmdline", f->cmdline, sizeof f->cmdline);
    cpuinfo("model name", f->model, sizeof f->model);
    if (f->model[0] == '\0') snprintf(f->model, sizeof f->model, "%s", f->u.machine);
    cpuinfo("vendor_id", f->vendor, sizeof f->vendor);
    cpuinfo("microcode", f->microcode, sizeof f->microcode);
    if (f->microcode[0] == '\0') snprintf(f->microcode, sizeof f->microcode, "unknown");
    cpuinfo("flags", flags, sizeof flags);
    f->virtualized = strstr(flags, " hypervisor") != NULL;
    f->online_cpus = sysconf(_SC_NPROCESSORS_ONLN);
}

/* SMT on or off: the kernel's switch, else (no switch) the recorded topology's width. */
static bool smt_active(const host_facts *f, json_object *topo)
{
    return f->smt[0] ? f->smt[0] == '1' : topo_int(topo, "threads_per_core") > 1;
}

static void read_power_facts(host_facts *f)
{
    char buf[64];
    read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof buf);
    snprintf(f->governor, sizeof f->governor, "%s", buf[0] ? buf : "none");
    read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_driver", buf, sizeof buf);
    snprintf(f->driver, sizeof f->driver, "%s", buf[0] ? buf : "none");
    /* acpi-cpufreq exposes boost; intel_pstate exposes the inverse. */
    read_line("/sys/devices/system/cpu/cpufreq/boost", buf, sizeof buf);
    if (buf[0] == '\0') {
        read_line("/sys/devices/system/cpu/intel_pstate/no_turbo", buf, sizeof buf);
        if (buf[0]) buf[0] = buf[0] == '1' ? '0' : '1';
    }
    snprintf(f->boost, sizeof f->boost, "%s", buf[0] ? (buf[0] == '1' ? "on" : "off") : "unknown");
    read_line("/sys/devices/system/cpu/smt/active", f->smt, sizeof f->smt);
}

static void read_memory_facts(host_facts *f)
{
    bracketed("/sys/kernel/mm/transparent_hugepage/enabled", f->thp, sizeof f->thp);
    bracketed("/sys/kernel/mm/transparent_hugepage/defrag", f->thp_defrag, sizeof f->thp_defrag);
    f->huge_total = meminfo_kib("/proc/meminfo", "HugePages_Total");
    f->huge_size = meminfo_kib("/proc/meminfo", "Hugepagesize");
    if (f->huge_total < 0) f->huge_total = 0;
    if (f->huge_size < 0) f->huge_size = 0;
}

static json_object *cpu_json(const host_facts *f)
{
    json_object *cpu = json_object_new_object();
    json_object_object_add(cpu, "model", jstr(f->model));
    json_object_object_add(cpu, "vendor", jstr(f->vendor));
    json_object_object_add(cpu, "microcode", jstr(f->microcode));
    json_object_object_add(cpu, "arch", jstr(f->u.machine));
    json_object_object_add(cpu, "virtualized", json_object_new_boolean(f->virtualized));
    json_object_object_add(cpu, "online", json_object_new_int64(f->online_cpus));
    return cpu;
}

static json_object *kernel_json(const host_facts *f)
{
    json_object *kernel = json_object_new_object();
    json_object_object_add(kernel, "release", jstr(f->u.release));
    json_object_object_add(kernel, "version", jstr(f->u.version));
    json_object_object_add(kernel, "cmdline", jstr(f->cmdline));
    return kernel;
}

static json_object *power_json(const host_facts *f, json_object *topo)
{
    json_object *power = json_object_new_object();
    json_object_object_add(power, "governor", jstr(f->governor));
    json_object_object_add(power, "driver", jstr(f->driver));
    json_object_object_add(power, "boost", jstr(f->boost));
    json_object_object_add(power, "smt_active", json_object_new_boolean(smt_active(f, topo)));
    return power;
}

static json_object *memory_json(const host_facts *f, json_object *numa)
{
    json_object *memory = json_object_new_object();
    struct statvfs shm;
    long shm_kib = statvfs("/dev/shm", &shm) == 0 ? (long)(shm.f_blocks * shm.f_frsize / 1024) : -1;
    json_object_object_add(memory, "total_kib", json_object_new_int64(meminfo_kib("/proc/meminfo", "MemTotal")));
    json_object_object_add(memory, "thp_enabled", jstr(f->thp));
    json_object_object_add(memory, "thp_defrag", jstr(f->thp_defrag));
    json_object_object_add(memory, "hugepages_total", json_object_new_int64(f->huge_total));
    json_object_object_add(memory, "hugepage_size_kib", json_object_new_int64(f->huge_size));
    json_object_object_add(memory, "dev_shm_kib", json_object_new_int64(shm_kib));
    if (numa) json_object_object_add(memory, "numa", json_object_get(numa));
    return memory;
}

/* The fields that change what a benchmark measures, and their hash: the fingerprint. */
static json_object *fingerprint_fields(const host_facts *f, json_object *topo, json_object *numa, char *fp,
                                       size_t fp_size)
{
    char topo_s[256], numa_s[2048], huge_s[64];
    topology_summary(topo, topo_s, sizeof topo_s);
    numa_summary(numa, numa_s, sizeof numa_s);
    snprintf(huge_s, sizeof huge_s, "%ld x %ld KiB", f->huge_total, f->huge_size);
    const char *pairs[][2] = {
        {"cpu.model", f->model},
        {"cpu.microcode", f->microcode},
        {"cpu.arch", f->u.machine},
        {"cpu.virtualized", f->virtualized ? "yes" : "no"},
        {"topology", topo_s},
        {"numa", numa_s},
        {"kernel.release", f->u.release},
        {"power.governor", f->governor},
        {"power.boost", f->boost},
        {"power.smt_active", smt_active(f, topo) ? "yes" : "no"},
        {"memory.thp_enabled", f->thp},
        {"memory.hugepages", huge_s},
    };
    json_object *fields = json_object_new_object();
    char all[8192] = "";
    size_t used = 0;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        json_object_object_add(fields, pairs[i][0], jstr(pairs[i][1]));
        used += (size_t)snprintf(all + used, used < sizeof all ? sizeof all - used : 0, "%s=%s\n", pairs[i][0],
                                 pairs[i][1]);
    }
    snprintf(fp, fp_size, "%016llx", fingerprint_hash(all));
    return fields;
}

static char host_id[160];

/* host id: hostname plus a hash of the CPU model and count, facts every
 * document has (conform ones record no topology), so a kernel or governor
 * change keeps the directory but changes the fingerprint. */
static void make_host_id(const host_facts *f, char *hostname, size_t size)
{
    char hw[512];
    snprintf(hw, sizeof hw, "%s\n%ld CPUs", f->model, f->online_cpus);
    gethostname(hostname, size);
    hostname[size - 1] = '\0';
    for (char *c = hostname; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_') *c = '_';
    snprintf(host_id, sizeof host_id, "%s-%08llx", hostname[0] ? hostname : "host",
             fingerprint_hash(hw) & 0xffffffffULL);
}

json_object *fingerprint_host(void)
{
    host_facts f;
    read_cpu_facts(&f);
    read_power_facts(&f);
    read_memory_facts(&f);
    json_object *topo = recorded_part("topology", json_type_object), *numa = recorded_part("numa", json_type_array);
    char fp[32], hostname[128];
    json_object *fields = fingerprint_fields(&f, topo, numa, fp, sizeof fp);
    make_host_id(&f, hostname, sizeof hostname);

    json_object *host = json_object_new_object();
    json_object_object_add(host, "id", jstr(host_id));
    json_object_object_add(host, "fingerprint", jstr(fp));
    json_object_object_add(host, "fingerprint_fields", fields);
    json_object_object_add(host, "hostname", jstr(hostname));
    json_object_object_add(host, "cpu", cpu_json(&f));
    json_object_object_add(host, "topology", topo ? json_object_get(topo) : jstr("not recorded"));
    json_object_object_add(host, "kernel", kernel_json(&f));
    json_object_object_add(host, "power", power_json(&f, topo));
    json_object_object_add(host, "memory", memory_json(&f, numa));
    emulation emu;
    emulation_detect(f.cmdline, f.model, &emu);
    json_object_object_add(host, "emulation", emulation_json(&emu));
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
    json_object_object_foreach(fa, key, va)
    {
        json_object *vb = NULL;
        const char *sa = json_object_get_string(va), *sb = "(absent)";
        if (json_object_object_get_ex(fb, key, &vb)) sb = json_object_get_string(vb);
        if (strcmp(sa, sb) == 0) continue;
        diffs++;
        used += (size_t)snprintf(msg + used, used < msg_size ? msg_size - used : 0, "%s%s '%s' vs '%s'",
                                 used ? "; " : "", key, sa, sb);
    }
    json_object_object_foreach(fb, keyb, vb2)
    {
        (void)vb2;
        if (json_object_object_get_ex(fa, keyb, NULL)) continue;
        diffs++;
        used += (size_t)snprintf(msg + used, used < msg_size ? msg_size - used : 0, "%s%s absent vs present",
                                 used ? "; " : "", keyb);
    }
    return diffs;
}
