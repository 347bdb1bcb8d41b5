/* Benchmark cases as structured fields (see results_cases.h). */
#include "results_cases.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "results.h"

static const char *const suites[] = {"limits", "ops", "latency", "throughput", NULL};
static const char *const kinds[] = {"cacheline", "futex",      "memcpy", "memcpy_xcore", "slot_floor", "ops",
                                    "latency",   "throughput", NULL};
static const char *const peers[] = {"threads", "processes", NULL};
static const char *const waits[] = {"busy", "event", NULL};
static const char *const paths[] = {"copy", "in_place", NULL};
static const char *const cpus[] = {"smt_siblings", "same_l3", "same_numa", "cross_numa", "cross_package", NULL};
static const char *const memories[] = {"writer_node", "reader_node", "interleaved", NULL};

static bool one_of(const char *s, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(s, *names) == 0) return true;
    return false;
}

/* A member that is one of names, or (nullable) JSON null / absent. The
 * message never quotes the value: it may be anything. */
static int check_enum(json_object *c, const char *key, const char *const *names, bool nullable, const char *where,
                      char *err, size_t err_size)
{
    json_object *v = NULL;
    json_object_object_get_ex(c, key, &v);
    if (v == NULL && nullable) return 0;
    if (v == NULL || !json_object_is_type(v, json_type_string) || json_object_get_string_len(v) > 32 ||
        !one_of(json_object_get_string(v), names)) {
        size_t used = (size_t)snprintf(err, err_size, "%s.%s: expected %s", where, key, nullable ? "null or " : "");
        for (size_t i = 0; names[i] && used < err_size; i++)
            used += (size_t)snprintf(err + used, err_size - used, "%s\"%s\"", i ? ", " : "", names[i]);
        return -1;
    }
    return 0;
}

static int check_count(json_object *c, const char *key, int64_t max, const char *where, char *err, size_t err_size)
{
    json_object *v = NULL;
    json_object_object_get_ex(c, key, &v);
    if (v == NULL || !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
        json_object_get_int64(v) > max) {
        snprintf(err, err_size, "%s.%s: expected an integer from 0 to %lld", where, key, (long long)max);
        return -1;
    }
    return 0;
}

static int check_placement(json_object *c, const char *where, char *err, size_t err_size)
{
    json_object *p = NULL;
    json_object_object_get_ex(c, "placement", &p);
    if (p == NULL) return 0;
    char at[96];
    snprintf(at, sizeof at, "%s.placement", where);
    if (!json_object_is_type(p, json_type_object)) {
        snprintf(err, err_size, "%s: expected null or an object {cpus, memory}", at);
        return -1;
    }
    if (check_enum(p, "cpus", cpus, false, at, err, err_size) != 0) return -1;
    return check_enum(p, "memory", memories, false, at, err, err_size);
}

/* The suite a kind belongs to ("whole" for a process timed by hyperfine). */
static const char *suite_of(const char *kind)
{
    if (strcmp(kind, "cacheline") == 0 || strcmp(kind, "futex") == 0 || strcmp(kind, "memcpy") == 0 ||
        strcmp(kind, "memcpy_xcore") == 0 || strcmp(kind, "slot_floor") == 0)
        return "limits";
    return strcmp(kind, "process") == 0 ? "whole" : kind;
}

/* doc: the document's form, which also allows the hyperfine case. */
static int check_case(json_object *c, bool doc, const char *where, char *err, size_t err_size)
{
    static const char *const doc_suites[] = {"limits", "ops", "latency", "throughput", "whole", NULL};
    static const char *const doc_kinds[] = {"cacheline", "futex",   "memcpy",  "memcpy_xcore", "slot_floor",
                                            "ops",       "latency", "process", "throughput",   NULL};
    if (c == NULL || !json_object_is_type(c, json_type_object)) {
        snprintf(err, err_size, "%s: missing or not an object", where);
        return -1;
    }
    if (check_enum(c, "suite", doc ? doc_suites : suites, false, where, err, err_size) != 0 ||
        check_enum(c, "kind", doc ? doc_kinds : kinds, false, where, err, err_size) != 0 ||
        check_enum(c, "peers", peers, true, where, err, err_size) != 0 ||
        check_enum(c, "wait", waits, true, where, err, err_size) != 0 ||
        check_enum(c, "path", paths, true, where, err, err_size) != 0 ||
        check_count(c, "size", INT64_C(1) << 40, where, err, err_size) != 0 ||
        check_count(c, "readers", 4096, where, err, err_size) != 0 ||
        check_count(c, "slots", 1 << 20, where, err, err_size) != 0 || check_placement(c, where, err, err_size) != 0)
        return -1;
    const char *kind = results_get_string(c, "kind", ""), *suite = results_get_string(c, "suite", "");
    if (strcmp(suite_of(kind), suite) != 0) {
        snprintf(err, err_size, "%s: kind \"%s\" belongs to suite \"%s\", not \"%s\"", where, kind, suite_of(kind),
                 suite);
        return -1;
    }
    return 0;
}

int results_case_check(json_object *c, const char *where, char *err, size_t err_size)
{
    return check_case(c, true, where, err, err_size);
}

/* The document's copy of a case: the known members only, nulls spelled out. */
static json_object *case_copy(json_object *c)
{
    static const char *const keys[] = {"suite", "kind",    "peers", "wait",     "path",
                                       "size",  "readers", "slots", "placement"};
    json_object *out = json_object_new_object();
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_object *v = NULL;
        json_object_object_get_ex(c, keys[i], &v);
        if (v && strcmp(keys[i], "placement") == 0) {
            json_object *p = json_object_new_object();
            json_object_object_add(p, "cpus", json_object_get(results_get(v, "cpus")));
            json_object_object_add(p, "memory", json_object_get(results_get(v, "memory")));
            v = p;
        } else {
            v = json_object_get(v);
        }
        json_object_object_add(out, keys[i], v);
    }
    return out;
}

static int check_entry(json_object *c, size_t i, char *err, size_t err_size)
{
    char where[48];
    snprintf(where, sizeof where, "cases[%zu]", i);
    json_object *name = NULL, *na = NULL;
    if (json_object_is_type(c, json_type_object)) json_object_object_get_ex(c, "name", &name);
    if (name == NULL || !json_object_is_type(name, json_type_string) || json_object_get_string_len(name) == 0 ||
        json_object_get_string_len(name) > RESULTS_CASE_MAX_NAME) {
        snprintf(err, err_size, "%s.name: expected a string of 1 to %d bytes", where, RESULTS_CASE_MAX_NAME);
        return -1;
    }
    if (json_object_object_get_ex(c, "not_applicable", &na) &&
        (!json_object_is_type(na, json_type_string) || json_object_get_string_len(na) > RESULTS_CASE_MAX_REASON)) {
        snprintf(err, err_size, "%s.not_applicable: expected a string of at most %d bytes", where,
                 RESULTS_CASE_MAX_REASON);
        return -1;
    }
    return check_case(c, false, where, err, err_size);
}

static json_object *cases_by_name(json_object *list, char *err, size_t err_size)
{
    json_object *map = json_object_new_object();
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *c = json_object_array_get_idx(list, i);
        if (check_entry(c, i, err, err_size) != 0) {
            json_object_put(map);
            return NULL;
        }
        const char *name = results_get_string(c, "name", "");
        if (json_object_object_get_ex(map, name, NULL)) {
            snprintf(err, err_size, "cases[%zu].name: a second case of the same name", i);
            json_object_put(map);
            return NULL;
        }
        json_object_object_add(map, name, case_copy(c));
    }
    return map;
}

json_object *results_cases_load(const char *path, char *err, size_t err_size)
{
    char why[512];
    json_object *doc = results_read_json(path, err, err_size), *list = NULL, *version = NULL;
    if (doc == NULL) return NULL;
    json_object *map = NULL;
    if (strcmp(results_get_string(doc, "schema", ""), RESULTS_CASES_SCHEMA) != 0)
        snprintf(why, sizeof why, "schema: expected \"%s\"", RESULTS_CASES_SCHEMA);
    else if ((version = results_get(doc, "version")) == NULL || !json_object_is_type(version, json_type_int) ||
             json_object_get_int(version) != RESULTS_CASES_VERSION)
        snprintf(why, sizeof why, "version: this slotkit reads version %d", RESULTS_CASES_VERSION);
    else if (!json_object_object_get_ex(doc, "cases", &list) || !json_object_is_type(list, json_type_array))
        snprintf(why, sizeof why, "cases: missing or not an array");
    else if (json_object_array_length(list) > RESULTS_MAX_SETS)
        snprintf(why, sizeof why, "cases: more than %d", RESULTS_MAX_SETS);
    else
        map = cases_by_name(list, why, sizeof why);
    if (map == NULL) snprintf(err, err_size, "%s is not a valid cases file: %s", path, why);
    json_object_put(doc);
    return map;
}

json_object *results_case_process(void)
{
    json_object *c = json_object_new_object();
    json_object_object_add(c, "suite", json_object_new_string("whole"));
    json_object_object_add(c, "kind", json_object_new_string("process"));
    static const char *const nulls[] = {"peers", "wait", "path"};
    for (size_t i = 0; i < 3; i++) json_object_object_add(c, nulls[i], NULL);
    json_object_object_add(c, "size", json_object_new_int64(0));
    json_object_object_add(c, "readers", json_object_new_int(0));
    json_object_object_add(c, "slots", json_object_new_int(0));
    json_object_object_add(c, "placement", NULL);
    return c;
}

json_object *results_case_callgrind(json_object *cases, json_object *entry, const char *name)
{
    json_object *known = NULL;
    if (cases && json_object_object_get_ex(cases, name, &known)) return case_copy(known);
    json_object *c = results_case_process(), *size = results_get(entry, "payload_bytes");
    json_object_object_add(c, "suite", json_object_new_string("ops"));
    json_object_object_add(c, "kind", json_object_new_string("ops"));
    json_object_object_add(c, "path", json_object_new_string("copy"));
    bool sized = size && json_object_is_type(size, json_type_int) && json_object_get_int64(size) >= 0 &&
                 json_object_get_int64(size) <= (INT64_C(1) << 40);
    json_object_object_add(c, "size", json_object_new_int64(sized ? json_object_get_int64(size) : 0));
    return c;
}

static json_object *callgrind_entry(json_object *callgrind, const char *name)
{
    json_object *list = results_get(callgrind, "benchmarks");
    for (size_t i = 0; list && json_object_is_type(list, json_type_array) && i < json_object_array_length(list); i++) {
        json_object *e = json_object_array_get_idx(list, i);
        if (strcmp(results_get_string(e, "name", ""), name) == 0) return e;
    }
    return NULL;
}

int results_cases_attach(json_object *samples, json_object *cases, json_object *callgrind, char *err, size_t err_size)
{
    for (size_t i = 0; i < json_object_array_length(samples); i++) {
        json_object *s = json_object_array_get_idx(samples, i), *known = NULL, *c = NULL;
        const char *source = results_get_string(s, "source", ""), *name = results_get_string(s, "name", "");
        if (strcmp(source, "hyperfine") == 0)
            c = results_case_process();
        else if (strcmp(source, "callgrind") == 0)
            c = results_case_callgrind(cases, callgrind_entry(callgrind, name), name);
        else if (cases && json_object_object_get_ex(cases, name, &known))
            c = case_copy(known);
        if (c == NULL) {
            snprintf(err, err_size, "samples[%zu]: gbench.json's case '%.*s' is not described in cases.json%s", i,
                     RESULTS_CASE_MAX_NAME, name, cases ? "" : " (there is no cases.json; slotkit-bench writes it)");
            return -1;
        }
        json_object_object_add(s, "case", c);
    }
    return 0;
}
