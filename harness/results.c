/* The results store (see results.h and docs/results-schema.md). */
#include "results.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "results_cases.h"
#include "results_figures.h"
#include "results_invalid.h"
#include "fingerprint.h"
#include "verdict.h"

const char *results_root(const char *override)
{
    if (override && override[0]) return override;
    const char *env = getenv("SLOTKIT_RESULTS_DIR");
    return env && env[0] ? env : "results";
}

json_object *results_get(json_object *doc, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_object *o = doc;
    for (char *save = NULL, *key = strtok_r(buf, ".", &save); key && o; key = strtok_r(NULL, ".", &save)) {
        /* fingerprint_fields keys contain dots: take the rest of the path as one key there. */
        if (json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, NULL) == 0 && save && *save) {
            char joined[256];
            snprintf(joined, sizeof joined, "%s.%s", key, save);
            json_object *v;
            return json_object_object_get_ex(o, joined, &v) ? v : NULL;
        }
        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &o)) return NULL;
    }
    return o;
}

const char *results_get_string(json_object *doc, const char *path, const char *fallback)
{
    json_object *o = results_get(doc, path);
    return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : fallback;
}

double results_unit_ns(const char *unit)
{
    if (unit == NULL) return 0;
    if (strcmp(unit, "ns") == 0) return 1;
    if (strcmp(unit, "us") == 0) return 1e3;
    if (strcmp(unit, "ms") == 0) return 1e6;
    if (strcmp(unit, "s") == 0) return 1e9;
    return 0;
}

static json_object *capability_names(unsigned caps)
{
    char text[128];
    cli_format_caps(caps, text, sizeof text);
    json_object *arr = json_object_new_array();
    if (strcmp(text, "-") != 0)
        for (char *save = NULL, *tok = strtok_r(text, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
            json_object_array_add(arr, json_object_new_string(tok));
    return arr;
}

json_object *results_new(const char *kind, const slotkit_backend *backend, const char *backend_name)
{
    json_object *doc = json_object_new_object();
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_object_add(doc, "schema", json_object_new_string(RESULTS_SCHEMA));
    json_object_object_add(doc, "schema_version", json_object_new_int(RESULTS_SCHEMA_VERSION));
    json_object_object_add(doc, "kind", json_object_new_string(kind));
    json_object_object_add(doc, "created_utc", json_object_new_string(created));
    json_object_object_add(doc, "host", fingerprint_host());
    json_object_object_add(doc, "build", fingerprint_build());
    json_object *b = json_object_new_object();
    json_object_object_add(b, "name", json_object_new_string(backend ? backend->name : backend_name));
    json_object_object_add(b, "version", json_object_new_string(backend ? backend->version : "unknown"));
    json_object_object_add(b, "capabilities", capability_names(backend ? backend->capabilities : 0));
    json_object_object_add(doc, "backend", b);
    json_object_object_add(doc, "config", json_object_new_object());
    json_object_object_add(doc, "samples", json_object_new_array());
    json_object_object_add(doc, "raw", json_object_new_object());
    return doc;
}

/* ---- validation ---------------------------------------------------------- */

static const results_field fields_v1[] = {
    {"schema", json_type_string, "all"},
    {"schema_version", json_type_int, "all"},
    {"kind", json_type_string, "all"},
    {"created_utc", json_type_string, "all"},
    {"host", json_type_object, "all"},
    {"host.id", json_type_string, "all"},
    {"host.fingerprint", json_type_string, "all"},
    {"host.fingerprint_fields", json_type_object, "all"},
    {"host.hostname", json_type_string, "all"},
    {"host.cpu.model", json_type_string, "all"},
    {"host.cpu.vendor", json_type_string, "all"},
    {"host.cpu.microcode", json_type_string, "all"},
    {"host.cpu.arch", json_type_string, "all"},
    {"host.cpu.virtualized", json_type_boolean, "all"},
    {"host.topology.packages", json_type_int, "recorded"},
    {"host.topology.cores", json_type_int, "recorded"},
    {"host.topology.pus", json_type_int, "recorded"},
    {"host.topology.threads_per_core", json_type_int, "recorded"},
    {"host.topology.numa_nodes", json_type_int, "recorded"},
    {"host.topology.cpus", json_type_array, "recorded"},
    {"host.topology.caches", json_type_array, "recorded"},
    {"host.kernel.release", json_type_string, "all"},
    {"host.kernel.version", json_type_string, "all"},
    {"host.kernel.cmdline", json_type_string, "all"},
    {"host.power.governor", json_type_string, "all"},
    {"host.power.driver", json_type_string, "all"},
    {"host.power.boost", json_type_string, "all"},
    {"host.power.smt_active", json_type_boolean, "all"},
    {"host.memory.total_kib", json_type_int, "all"},
    {"host.memory.thp_enabled", json_type_string, "all"},
    {"host.memory.thp_defrag", json_type_string, "all"},
    {"host.memory.hugepages_total", json_type_int, "all"},
    {"host.memory.hugepage_size_kib", json_type_int, "all"},
    {"host.memory.dev_shm_kib", json_type_int, "all"},
    {"host.memory.numa", json_type_array, "recorded"},
    {"host.emulation.emulated", json_type_boolean, "emulation"},
    {"host.emulation.by", json_type_string, "emulation"},
    {"host.emulation.topology", json_type_string, "emulation"},
    {"build.slotkit_version", json_type_string, "all"},
    {"build.abi_version", json_type_int, "all"},
    {"build.git_commit", json_type_string, "all"},
    {"build.git_dirty", json_type_boolean, "all"},
    {"build.compiler", json_type_string, "all"},
    {"build.cflags", json_type_string, "all"},
    {"build.variant", json_type_string, "all"},
    {"backend.name", json_type_string, "all"},
    {"backend.version", json_type_string, "all"},
    {"backend.capabilities", json_type_array, "all"},
    {"config", json_type_object, "all"},
    {"samples", json_type_array, "all"},
    {"raw", json_type_object, "all"},
    {"conformance.passed", json_type_int, "conform"},
    {"conformance.failed", json_type_int, "conform"},
    {"conformance.skipped", json_type_int, "conform"},
    {"conformance.warned", json_type_int, "conform"},
    {"conformance.verdict", json_type_string, "conform"},
    {"conformance.rules", json_type_array, "conform"},
};

const results_field *results_schema_fields(size_t *count)
{
    *count = sizeof fields_v1 / sizeof fields_v1[0];
    return fields_v1;
}

static const char *type_name(json_type t)
{
    switch (t) {
    case json_type_int: return "integer";
    case json_type_double: return "number";
    case json_type_string: return "string";
    case json_type_boolean: return "boolean";
    case json_type_array: return "array";
    case json_type_object: return "object";
    default: return "null";
    }
}

/* A figure is a finite number >= 0 (times, rates, instruction counts):
 * NaN compares false both ways, so an all-NaN run would read "unchanged",
 * and a negative time would read as a speedup. */
static int validate_values(json_object *s, size_t i, char *err, size_t err_size)
{
    json_object *v;
    if (!json_object_object_get_ex(s, "values", &v) || !json_object_is_type(v, json_type_array) ||
        json_object_array_length(v) == 0) {
        snprintf(err, err_size, "samples[%zu].values: missing or empty", i);
        return -1;
    }
    const char *name = results_get_string(s, "name", "?"), *metric = results_get_string(s, "metric", "?");
    size_t n = json_object_array_length(v);
    if (n > RESULTS_MAX_VALUES) {
        snprintf(err, err_size, "samples[%zu].values (benchmark '%s', metric %s): %zu values, more than %d", i, name,
                 metric, n, RESULTS_MAX_VALUES);
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        json_object *x = json_object_array_get_idx(v, k);
        if (!json_object_is_type(x, json_type_double) && !json_object_is_type(x, json_type_int)) {
            snprintf(err, err_size, "samples[%zu].values[%zu] (benchmark '%s', metric %s): not a number", i, k, name,
                     metric);
            return -1;
        }
        double d = json_object_get_double(x);
        if (!isfinite(d) || d < 0) {
            snprintf(err, err_size,
                     "samples[%zu].values[%zu] (benchmark '%s', metric %s): %g; figures must be finite and >= 0", i, k,
                     name, metric, d);
            return -1;
        }
    }
    return 0;
}

static int validate_samples(json_object *samples, char *err, size_t err_size)
{
    size_t count = json_object_array_length(samples);
    if (count > RESULTS_MAX_SETS) {
        snprintf(err, err_size, "samples: %zu sample sets, more than %d", count, RESULTS_MAX_SETS);
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        json_object *s = json_object_array_get_idx(samples, i), *v;
        static const char *const keys[] = {"name", "metric", "unit", "better", "source"};
        for (size_t k = 0; k < 5; k++)
            if (!json_object_object_get_ex(s, keys[k], &v) || !json_object_is_type(v, json_type_string)) {
                snprintf(err, err_size, "samples[%zu].%s: missing or not a string", i, keys[k]);
                return -1;
            }
        const char *better = results_get_string(s, "better", "");
        if (strcmp(better, "lower") != 0 && strcmp(better, "higher") != 0) {
            snprintf(err, err_size, "samples[%zu].better: expected \"lower\" or \"higher\"", i);
            return -1;
        }
        if (validate_values(s, i, err, err_size) != 0) return -1;
        char where[48];
        snprintf(where, sizeof where, "samples[%zu].case", i);
        if (results_case_check(results_get(s, "case"), where, err, err_size) != 0) return -1;
    }
    return 0;
}

/* The sample sets and the cases a backend made invalid: a bench document
 * has at least one of either (every case may be invalid). */
static int validate_content(json_object *doc, const char *kind, char *err, size_t err_size)
{
    json_object *samples = results_get(doc, "samples"), *invalid = results_get(doc, "invalid");
    if (validate_samples(samples, err, err_size) != 0 || results_invalid_check(doc, err, err_size) != 0 ||
        results_figures_check(doc, err, err_size) != 0)
        return -1;
    size_t sets = json_object_array_length(samples) + (invalid ? json_object_array_length(invalid) : 0);
    if (strcmp(kind, "bench") == 0 && sets == 0) {
        snprintf(err, err_size, "samples: a bench document needs at least one sample set");
        return -1;
    }
    return 0;
}

int results_validate(json_object *doc, char *err, size_t err_size)
{
    if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
        snprintf(err, err_size, "not a JSON object");
        return -1;
    }
    const char *schema = results_get_string(doc, "schema", "");
    if (strcmp(schema, RESULTS_SCHEMA) != 0) {
        snprintf(err, err_size, "schema: expected \"%s\", found \"%s\"", RESULTS_SCHEMA, schema);
        return -1;
    }
    json_object *version = results_get(doc, "schema_version");
    if (version == NULL || !json_object_is_type(version, json_type_int) ||
        json_object_get_int(version) != RESULTS_SCHEMA_VERSION) {
        int found = version && json_object_is_type(version, json_type_int) ? json_object_get_int(version) : -1;
        snprintf(err, err_size, "schema_version: this slotkit reads version %d, found %s%s", RESULTS_SCHEMA_VERSION,
                 version ? json_object_to_json_string(version) : "none",
                 found > 0 && found < RESULTS_SCHEMA_VERSION
                     ? " (an older document, without structured benchmark cases: run the benchmark again, or "
                       "re-import its run directory with cases.json)"
                     : "");
        return -1;
    }
    const char *kind = results_get_string(doc, "kind", "");
    if (strcmp(kind, "bench") != 0 && strcmp(kind, "conform") != 0) {
        snprintf(err, err_size, "kind: expected \"bench\" or \"conform\", found \"%s\"", kind);
        return -1;
    }
    /* The topology is slotkit-bench's (topology.json): an object where it was recorded, else "not recorded". */
    json_object *topology = results_get(doc, "host.topology");
    bool recorded = topology && json_object_is_type(topology, json_type_object);
    if (!recorded && strcmp(results_get_string(doc, "host.topology", ""), "not recorded") != 0) {
        snprintf(err, err_size, "host.topology: expected an object or \"not recorded\"");
        return -1;
    }
    /* host.emulation is absent from documents written before it existed; where present it is whole. */
    bool emulation = results_get(doc, "host.emulation") != NULL;
    for (size_t i = 0; i < sizeof fields_v1 / sizeof fields_v1[0]; i++) {
        const results_field *f = &fields_v1[i];
        if (strcmp(f->kinds, "all") != 0 && strcmp(f->kinds, kind) != 0 &&
            !(recorded && strcmp(f->kinds, "recorded") == 0) && !(emulation && strcmp(f->kinds, "emulation") == 0))
            continue;
        json_object *o = results_get(doc, f->path);
        if (o == NULL) {
            snprintf(err, err_size, "%s: missing", f->path);
            return -1;
        }
        if (!json_object_is_type(o, f->type)) {
            snprintf(err, err_size, "%s: expected %s, found %s", f->path, type_name(f->type),
                     type_name(json_object_get_type(o)));
            return -1;
        }
    }
    const char *created = results_get_string(doc, "created_utc", "");
    struct tm tm;
    const char *end = strptime(created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (end == NULL || *end != '\0') {
        snprintf(err, err_size, "created_utc: expected YYYY-MM-DDThh:mm:ssZ, found \"%s\"", created);
        return -1;
    }
    if (!results_plain_name(results_get_string(doc, "host.id", ""))) {
        /* The store directory is named after it (results_store). */
        snprintf(err, err_size, "host.id: not a plain name ([A-Za-z0-9._-], 1 to %d characters, not . or ..)",
                 RESULTS_MAX_NAME);
        return -1;
    }
    return validate_content(doc, kind, err, err_size);
}

/* Reads at most limit + 1 bytes (a file may grow after fstat): the caller
 * sees len > limit then. NULL on a read error. */
static char *read_at_most(int fd, size_t hint, size_t limit, size_t *len)
{
    size_t cap = (hint < limit ? hint : limit) + 1, used = 0;
    char *buf = malloc(cap + 1);
    while (buf != NULL) {
        if (used == cap) {
            if (cap > limit) break;
            cap = cap * 2 < limit + 1 ? cap * 2 : limit + 1;
            char *bigger = realloc(buf, cap + 1);
            if (bigger == NULL) break;
            buf = bigger;
        }
        ssize_t r = read(fd, buf + used, cap - used);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            free(buf);
            return NULL;
        }
        if (r == 0) break;
        used += (size_t)r;
    }
    if (buf) buf[used] = '\0';
    *len = used;
    return buf;
}

static json_object *parse_json_text(const char *path, const char *text, size_t len, char *err, size_t err_size)
{
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) {
        snprintf(err, err_size, "cannot parse %s: out of memory", path);
        return NULL;
    }
    json_object *doc = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (doc == NULL) {
        snprintf(err, err_size, "%s is not valid JSON: %s", path,
                 jerr == json_tokener_continue ? "unexpected end of data" : json_tokener_error_desc(jerr));
        return NULL;
    }
    if (end < len && text[end + strspn(text + end, " \t\r\n")] != '\0') {
        snprintf(err, err_size, "%s is not valid JSON: data after the value (byte %zu)", path, end);
        json_object_put(doc);
        return NULL;
    }
    return doc;
}

json_object *results_read_json(const char *path, char *err, size_t err_size)
{
    /* Not stat-then-open: what is judged is what was opened. */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_size, "cannot read %s: %s", path,
                 errno == ELOOP ? "a symbolic link (give the file it points to)" : strerror(errno));
        return NULL;
    }
    struct stat st;
    json_object *doc = NULL;
    size_t len = 0;
    char *text = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        snprintf(err, err_size, "cannot read %s: not a regular file", path);
    else if (st.st_size > RESULTS_MAX_FILE_BYTES)
        snprintf(err, err_size, "cannot read %s: %lld bytes, over the %ld MiB limit", path, (long long)st.st_size,
                 RESULTS_MAX_FILE_BYTES >> 20);
    else if ((text = read_at_most(fd, (size_t)st.st_size, RESULTS_MAX_FILE_BYTES, &len)) == NULL)
        snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
    else if (len > (size_t)RESULTS_MAX_FILE_BYTES)
        snprintf(err, err_size, "cannot read %s: it grew over the %ld MiB limit while read", path,
                 RESULTS_MAX_FILE_BYTES >> 20);
    else
        doc = parse_json_text(path, text, len, err, err_size);
    free(text);
    close(fd);
    return doc;
}

json_object *results_load(const char *path, char *err, size_t err_size)
{
    json_object *doc = results_read_json(path, err, err_size);
    if (doc == NULL) return NULL;
    char why[1024];
    if (results_validate(doc, why, sizeof why) != 0) {
        snprintf(err, err_size, "%s is not a slotkit results document: %s", path, why);
        json_object_put(doc);
        return NULL;
    }
    return doc;
}

bool results_plain_name(const char *name)
{
    size_t len = name ? strnlen(name, RESULTS_MAX_NAME + 1) : 0;
    if (len == 0 || len > RESULTS_MAX_NAME || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return false;
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == len;
}

int results_check_store(const char *root, char *err, size_t err_size)
{
    const char *dir = results_root(root);
    struct stat st;
    if (stat(dir, &st) != 0) {
        snprintf(err, err_size, "no results store at %s: %s (give --results DIR or set SLOTKIT_RESULTS_DIR)", dir,
                 strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, err_size, "the results store %s is not a directory", dir);
        return -1;
    }
    return 0;
}

/* ---- storing ------------------------------------------------------------- */

static int mkdir_p(const char *dir)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* File-name-safe backend name: a plug-in path becomes its libslotkit_<name> stem. */
void results_safe_name(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (const char *c = in; *c && n + 1 < size; c++)
        out[n++] =
            (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'
                ? *c
                : '_';
    out[n] = '\0';
    if (n == 0) snprintf(out, size, "unknown");
}

int results_store(json_object *doc, const char *root, char *path_out, size_t path_size)
{
    char why[256];
    if (results_validate(doc, why, sizeof why) != 0) {
        snprintf(path_out, path_size, "refusing to store an invalid document: %s", why);
        return -1;
    }
    char dir[PATH_MAX], stamp[32], backend[64];
    snprintf(dir, sizeof dir, "%s/%s", results_root(root), results_get_string(doc, "host.id", "unknown"));
    if (mkdir_p(dir) != 0) {
        snprintf(path_out, path_size, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    /* 2025-11-26T05:12:00Z → 20251126T051200Z */
    const char *created = results_get_string(doc, "created_utc", "");
    size_t n = 0;
    for (const char *c = created; *c && n + 1 < sizeof stamp; c++)
        if (*c != '-' && *c != ':') stamp[n++] = *c;
    stamp[n] = '\0';
    results_safe_name(results_get_string(doc, "backend.name", "unknown"), backend, sizeof backend);
    const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE);
    for (int attempt = 1; attempt < 1000; attempt++) {
        char suffix[16] = "";
        /* "_2" sorts after ".json", so a second run within one second lists after the first. */
        if (attempt > 1) snprintf(suffix, sizeof suffix, "_%d", attempt);
        snprintf(path_out, path_size, "%s/%s-%s-%s%s.json", dir, stamp, results_get_string(doc, "kind", "x"), backend,
                 suffix);
        int fd = open(path_out, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0 && errno == EEXIST) continue;
        if (fd < 0) break;
        size_t len = strlen(text), done = 0;
        while (done < len) {
            ssize_t w = write(fd, text + done, len - done);
            if (w <= 0) break;
            done += (size_t)w;
        }
        int ok = done == len && write(fd, "\n", 1) == 1;
        ok = close(fd) == 0 && ok;
        if (ok) return 0;
        unlink(path_out);
        break;
    }
    char failed[PATH_MAX];
    snprintf(failed, sizeof failed, "%s", path_out);
    snprintf(path_out, path_size, "cannot write %s: %s", failed, strerror(errno));
    return -1;
}

/* ---- bench documents ----------------------------------------------------- */

static json_object *sample_set(const char *name, const char *metric, const char *unit, const char *better,
                               const char *source)
{
    json_object *s = json_object_new_object();
    json_object_object_add(s, "name", json_object_new_string(name));
    json_object_object_add(s, "metric", json_object_new_string(metric));
    json_object_object_add(s, "unit", json_object_new_string(unit));
    json_object_object_add(s, "better", json_object_new_string(better));
    json_object_object_add(s, "source", json_object_new_string(source));
    json_object_object_add(s, "values", json_object_new_array());
    return s;
}

static json_object *find_set(json_object *samples, const char *name, const char *metric)
{
    for (size_t i = 0; samples && i < json_object_array_length(samples); i++) {
        json_object *s = json_object_array_get_idx(samples, i);
        if (strcmp(results_get_string(s, "name", ""), name) == 0 &&
            strcmp(results_get_string(s, "metric", ""), metric) == 0)
            return s;
    }
    return NULL;
}

json_object *results_find_set(json_object *doc, const char *name, const char *metric)
{
    return find_set(results_get(doc, "samples"), name, metric);
}

static void add_value(json_object *samples, const char *name, const char *metric, const char *unit, const char *better,
                      const char *source, double value)
{
    json_object *s = find_set(samples, name, metric);
    if (s == NULL) {
        s = sample_set(name, metric, unit, better, source);
        json_object_array_add(samples, s);
    }
    json_object_array_add(results_get(s, "values"), json_object_new_double(value));
}

/* Google Benchmark: every repetition (run_type "iteration") is one sample of
 * its run_name, in ns. Aggregates (mean/median/stddev rows) are not samples;
 * a run reporting aggregates only contributes its median as one value. */
static void gbench_samples(json_object *gbench, json_object *samples)
{
    json_object *benchmarks;
    if (!json_object_object_get_ex(gbench, "benchmarks", &benchmarks) ||
        !json_object_is_type(benchmarks, json_type_array))
        return;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < json_object_array_length(benchmarks); i++) {
            json_object *b = json_object_array_get_idx(benchmarks, i);
            const char *run_type = results_get_string(b, "run_type", "iteration");
            const char *run_name = results_get_string(b, "run_name", results_get_string(b, "name", "?"));
            if (results_get(b, "error_occurred") && json_object_get_boolean(results_get(b, "error_occurred"))) continue;
            if (pass == 0 && strcmp(run_type, "iteration") != 0) continue;
            if (pass == 1 && (strcmp(run_type, "aggregate") != 0 ||
                              strcmp(results_get_string(b, "aggregate_name", ""), "median") != 0 ||
                              find_set(samples, run_name, "real_time") != NULL))
                continue;
            double scale = results_unit_ns(results_get_string(b, "time_unit", "ns"));
            if (scale == 0) continue;
            json_object *rt = results_get(b, "real_time"), *ct = results_get(b, "cpu_time");
            if (rt)
                add_value(samples, run_name, "real_time", "ns", "lower", "gbench", json_object_get_double(rt) * scale);
            if (ct)
                add_value(samples, run_name, "cpu_time", "ns", "lower", "gbench", json_object_get_double(ct) * scale);
        }
}

/* hyperfine: every timed run is one sample (seconds → ns). */
static void hyperfine_samples(const char *stem, json_object *hf, json_object *samples)
{
    json_object *results;
    if (!json_object_object_get_ex(hf, "results", &results) || !json_object_is_type(results, json_type_array)) return;
    for (size_t i = 0; i < json_object_array_length(results); i++) {
        json_object *r = json_object_array_get_idx(results, i), *times;
        char name[512];
        snprintf(name, sizeof name, "hyperfine/%s/%s", stem, results_get_string(r, "command", "?"));
        if (!json_object_object_get_ex(r, "times", &times) || !json_object_is_type(times, json_type_array)) continue;
        for (size_t k = 0; k < json_object_array_length(times); k++)
            add_value(samples, name, "wall_time", "ns", "lower", "hyperfine",
                      json_object_get_double(json_object_array_get_idx(times, k)) * 1e9);
    }
}

/* callgrind.json: instructions per operation of the single-thread paths. */
static void callgrind_samples(json_object *cg, json_object *samples)
{
    json_object *benchmarks;
    if (!json_object_object_get_ex(cg, "benchmarks", &benchmarks) || !json_object_is_type(benchmarks, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(benchmarks); i++) {
        json_object *b = json_object_array_get_idx(benchmarks, i), *v, *arr;
        const char *name = results_get_string(b, "name", NULL);
        if (name == NULL) continue;
        if (json_object_object_get_ex(b, "instructions_per_op_samples", &arr) &&
            json_object_is_type(arr, json_type_array)) {
            for (size_t k = 0; k < json_object_array_length(arr); k++)
                add_value(samples, name, "instructions", "instructions/op", "lower", "callgrind",
                          json_object_get_double(json_object_array_get_idx(arr, k)));
        } else if (json_object_object_get_ex(b, "instructions_per_op", &v)) {
            add_value(samples, name, "instructions", "instructions/op", "lower", "callgrind",
                      json_object_get_double(v));
        }
    }
}

/* What a run directory holds, as read so far. */
typedef struct run_inputs {
    json_object *gbench, *callgrind, *meta, *cases, *topology, *hyperfine, *figures;
} run_inputs;

static void run_inputs_free(run_inputs *in)
{
    json_object *all[] = {in->gbench, in->callgrind, in->meta, in->cases, in->topology, in->hyperfine, in->figures};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) json_object_put(all[i]);
    memset(in, 0, sizeof *in);
}

/* Reads one known file of a run directory into in; other names are ignored. */
static int read_run_file(const char *run_dir, const char *f, run_inputs *in, char *err, size_t err_size)
{
    size_t len = strlen(f);
    if (len <= 5 || strcmp(f + len - 5, ".json") != 0) return 0;
    bool hyperfine = strncmp(f, "hyperfine-", 10) == 0 && len > 15;
    json_object **slot = strcmp(f, "gbench.json") == 0      ? &in->gbench
                         : strcmp(f, "callgrind.json") == 0 ? &in->callgrind
                         : strcmp(f, "meta.json") == 0      ? &in->meta
                         : strcmp(f, "topology.json") == 0  ? &in->topology
                                                            : NULL;
    bool checked = strcmp(f, "cases.json") == 0 || strcmp(f, "figures.json") == 0; /* read by their own checkers */
    if (slot == NULL && !hyperfine && !checked) return 0;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", run_dir, f);
    if (strcmp(f, "cases.json") == 0) return (in->cases = results_cases_load(path, err, err_size)) ? 0 : -1;
    if (strcmp(f, "figures.json") == 0) return (in->figures = results_figures_load(path, err, err_size)) ? 0 : -1;
    json_object *content = results_read_json(path, err, err_size);
    if (content == NULL) return -1;
    if (slot) {
        *slot = content;
        return 0;
    }
    char stem[256];
    snprintf(stem, sizeof stem, "%.*s", (int)(len - 15), f + 10); /* hyperfine-<stem>.json */
    if (in->hyperfine == NULL) in->hyperfine = json_object_new_object();
    json_object_object_add(in->hyperfine, stem, content);
    return 0;
}

/* Sorted names: the same inputs give the same document. */
static int read_run_dir(const char *run_dir, run_inputs *in, char *err, size_t err_size)
{
    struct dirent **names;
    int count = scandir(run_dir, &names, NULL, alphasort), rc = 0;
    if (count < 0) {
        snprintf(err, err_size, "cannot open run directory %s: %s", run_dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < count; i++) {
        if (rc == 0) rc = read_run_file(run_dir, names[i]->d_name, in, err, err_size);
        free(names[i]);
    }
    free(names);
    if (rc == 0 && in->topology && !json_object_is_type(in->topology, json_type_object)) {
        snprintf(err, err_size, "%s/topology.json: not a JSON object", run_dir);
        rc = -1;
    }
    return rc;
}

/* Samples of every source, each with its case; the inputs move into raw. */
static int bench_samples(const char *run_dir, run_inputs *in, json_object *doc, char *err, size_t err_size)
{
    json_object *raw = results_get(doc, "raw"), *samples = results_get(doc, "samples");
    /* In file-name order, as the document always listed them. */
    if (in->callgrind) callgrind_samples(in->callgrind, samples);
    if (in->gbench) gbench_samples(in->gbench, samples);
    if (in->figures) results_figures_attach(doc, in->figures); /* the x_limit sets, after gbench's */
    json_object *invalid = in->gbench ? results_invalid_from_gbench(in->gbench) : NULL;
    if (invalid) json_object_object_add(doc, "invalid", invalid); /* no samples: no figure to compare */
    if (in->hyperfine) {
        json_object_object_foreach(in->hyperfine, stem, hf) hyperfine_samples(stem, hf, samples);
    }
    if (json_object_array_length(samples) == 0 && invalid == NULL) {
        snprintf(err, err_size, "%s holds no gbench.json, hyperfine-*.json or callgrind.json with samples", run_dir);
        return -1;
    }
    if (results_cases_attach(samples, in->cases, in->callgrind, err, err_size) != 0) return -1;
    static const char *const keys[] = {"gbench", "callgrind", "hyperfine", "meta", "cases", "topology", "figures"};
    json_object *parts[] = {in->gbench, in->callgrind, in->hyperfine, in->meta, in->cases, in->topology, in->figures};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (parts[i]) json_object_object_add(raw, keys[i], json_object_get(parts[i]));
    return 0;
}

json_object *results_bench_doc(const char *run_dir, const slotkit_backend *backend, json_object *config, char *err,
                               size_t err_size)
{
    run_inputs in = {0};
    json_object *doc = NULL;
    if (read_run_dir(run_dir, &in, err, err_size) == 0) {
        /* The host fingerprint carries the topology the run recorded, if any. */
        fingerprint_set_topology(in.topology);
        doc = results_new("bench", backend, "unknown");
        fingerprint_set_topology(NULL);
        if (bench_samples(run_dir, &in, doc, err, err_size) != 0) {
            json_object_put(doc);
            doc = NULL;
        }
    }
    if (doc == NULL) {
        run_inputs_free(&in);
        json_object_put(config);
        return NULL;
    }
    if (config == NULL && in.meta) config = json_object_get(in.meta);
    if (config != NULL) json_object_object_add(doc, "config", config);
    /* The backend name meta.json gives wins when no descriptor was passed (e.g. re-import). */
    if (backend == NULL && in.meta)
        json_object_object_add(results_get(doc, "backend"), "name",
                               json_object_new_string(results_get_string(in.meta, "backend", "unknown")));
    run_inputs_free(&in);
    return doc;
}

int results_write_bench(const char *run_dir, const slotkit_backend *backend, json_object *config, const char *root,
                        char *path_out, size_t path_size)
{
    json_object *doc = results_bench_doc(run_dir, backend, config, path_out, path_size);
    if (doc == NULL) return -1;
    int rc = results_store(doc, root, path_out, path_size);
    json_object_put(doc);
    return rc;
}

/* ---- conformance documents ----------------------------------------------- */

int results_write_conform(const slotkit_backend *backend, json_object *conformance, json_object *config,
                          const char *root, char *path_out, size_t path_size)
{
    json_object *totals = NULL, *failed = NULL, *not_run = NULL;
    if (conformance == NULL || !json_object_object_get_ex(conformance, "totals", &totals) ||
        !json_object_object_get_ex(totals, "failed", &failed)) {
        json_object_put(conformance);
        json_object_put(config);
        snprintf(path_out, path_size, "no conformance results to store");
        return -1;
    }
    json_object_object_get_ex(totals, "not_run", &not_run);
    bool fail = json_object_get_int(failed) > 0 || (not_run && json_object_get_int(not_run) > 0);
    json_object *doc = results_new("conform", backend, "unknown");
    json_object_object_add(conformance, "verdict", json_object_new_string(fail ? "fail" : "pass"));
    /* Schema v1 readers find the totals at the top of "conformance" too. */
    static const char *const keys[] = {"passed", "failed", "blocked", "skipped", "warned"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_object *v = NULL;
        json_object_object_get_ex(totals, keys[i], &v);
        json_object_object_add(conformance, keys[i], json_object_new_int(v ? json_object_get_int(v) : 0));
    }
    json_object_object_add(doc, "conformance", conformance);
    if (config) json_object_object_add(doc, "config", config);
    int rc = results_store(doc, root, path_out, path_size);
    json_object_put(doc);
    return rc;
}

/* ---- listing and baselines ----------------------------------------------- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char **results_list(const char *root, const char *host_id)
{
    size_t count = 0, cap = 16;
    char **paths = malloc(cap * sizeof *paths);
    /* A host id is one directory name, never a way out of the store. */
    DIR *d = host_id && !results_plain_name(host_id) ? NULL : opendir(results_root(root));
    for (struct dirent *host; d && (host = readdir(d));) {
        if (host->d_name[0] == '.' || strcmp(host->d_name, "baselines") == 0 || strcmp(host->d_name, "runs") == 0)
            continue;
        if (host_id && strcmp(host_id, host->d_name) != 0) continue;
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/%s", results_root(root), host->d_name);
        DIR *hd = opendir(dir);
        for (struct dirent *e; hd && (e = readdir(hd));) {
            size_t len = strlen(e->d_name);
            if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) continue;
            if (count + 1 >= cap) paths = realloc(paths, (cap *= 2) * sizeof *paths);
            size_t need = strlen(dir) + len + 2;
            paths[count] = malloc(need);
            snprintf(paths[count++], need, "%s/%s", dir, e->d_name);
        }
        if (hd) closedir(hd);
    }
    if (d) closedir(d);
    qsort(paths, count, sizeof *paths, cmp_str);
    paths[count] = NULL;
    return paths;
}

void results_list_free(char **paths)
{
    for (char **p = paths; p && *p; p++) free(*p);
    free(paths);
}

/* A stored document's file name: "<stamp>-<kind>-<backend>[_N].json"; NULL otherwise. */
static const char *store_name(const char *path)
{
    const char *base = path ? strrchr(path, '/') : NULL;
    base = base ? base + 1 : path;
    if (base == NULL || strlen(base) < 17 || base[8] != 'T' || base[15] != 'Z') return NULL;
    for (int i = 0; i < 8; i++)
        if (base[i] < '0' || base[i] > '9') return NULL;
    return base;
}

json_object *results_find_baseline(const char *root, json_object *doc, const char *doc_path, char *path_out,
                                   size_t path_size)
{
    char **paths = results_list(root, NULL);
    json_object *best = NULL;
    const char *best_key = NULL;
    const char *fp = results_get_string(doc, "host.fingerprint", ""), *kind = results_get_string(doc, "kind", ""),
               *backend = results_get_string(doc, "backend.name", ""),
               *created = results_get_string(doc, "created_utc", ""), *doc_name = store_name(doc_path);
    char real_doc[PATH_MAX] = "";
    if (doc_path == NULL || realpath(doc_path, real_doc) == NULL) real_doc[0] = '\0';
    for (char **p = paths; *p; p++) {
        char real[PATH_MAX], err[512];
        if (real_doc[0] && realpath(*p, real) && strcmp(real, real_doc) == 0) continue;
        /* "Earlier": by file name when both are store names (they sort by time,
         * and within one second by the _N suffix), else by created_utc. */
        const char *name = store_name(*p);
        json_object *cand = results_load(*p, err, sizeof err);
        if (cand == NULL) continue;
        const char *c_created = results_get_string(cand, "created_utc", "");
        bool earlier = doc_name && name ? strcmp(name, doc_name) < 0 : strcmp(c_created, created) <= 0;
        bool match = earlier && strcmp(results_get_string(cand, "host.fingerprint", ""), fp) == 0 &&
                     strcmp(results_get_string(cand, "kind", ""), kind) == 0 &&
                     strcmp(results_get_string(cand, "backend.name", ""), backend) == 0;
        /* The list is sorted by host then name: a later match of one host is newer. */
        if (match && (best == NULL || strcmp(name ? name : c_created, best_key) >= 0)) {
            json_object_put(best);
            best = cand;
            best_key = name ? name : results_get_string(cand, "created_utc", "");
            snprintf(path_out, path_size, "%s", *p);
        } else {
            json_object_put(cand);
        }
    }
    results_list_free(paths);
    return best;
}
