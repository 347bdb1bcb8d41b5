/* The `invalid` array of bench documents: cases that report no figure
 * because the backend delivered their samples wrongly (results_invalid.h). */
#include "results_invalid.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

#define INVALID_PREFIX "invalid:"
#define MAX_REASON 1024

/* The kinds slotkit-bench counts (bench/verify.c): the document's key, the message's word. */
static const struct {
    const char *key, *word;
} kinds[] = {
    {"out_of_order", "out-of-order"}, {"duplicated", "duplicated"}, {"lost", "lost"}, {"torn", "torn"},
    {"wrong_size", "wrong-size"},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* The count of one kind in a message "N word, M word (first: ...)": Google
 * Benchmark 1.7.1 drops the counters of a run that skipped with an error, so
 * the counts travel in the message slotkit-bench writes (bench/verify.c). */
static int64_t count_in(const char *reason, const char *word)
{
    const char *end = strstr(reason, " (first:");
    size_t span = end ? (size_t)(end - reason) : strlen(reason), wlen = strlen(word);
    for (const char *p = reason; p < reason + span;) {
        char *after;
        long long n = strtoll(p, &after, 10);
        if (after == p) break;
        if (*after == ' ' && strncmp(after + 1, word, wlen) == 0 && strchr(",( ", after[1 + wlen]) != NULL)
            return n > 0 ? n : 0;
        const char *comma = strchr(after, ',');
        if (comma == NULL || comma >= reason + span) break;
        p = comma + 1;
    }
    return 0;
}

static json_object *entry_of(const char *name, const char *message)
{
    json_object *e = json_object_new_object(), *counts = json_object_new_object();
    json_object_object_add(e, "name", json_object_new_string(name));
    char reason[MAX_REASON];
    snprintf(reason, sizeof reason, "%s", message + strlen(INVALID_PREFIX) + (message[8] == ' '));
    json_object_object_add(e, "reason", json_object_new_string(reason));
    for (size_t k = 0; k < NKINDS; k++)
        json_object_object_add(counts, kinds[k].key, json_object_new_int64(count_in(reason, kinds[k].word)));
    json_object_object_add(e, "counts", counts);
    return e;
}

json_object *results_invalid_from_gbench(json_object *gbench)
{
    json_object *benchmarks = results_get(gbench, "benchmarks"), *out = NULL;
    if (benchmarks == NULL || !json_object_is_type(benchmarks, json_type_array)) return NULL;
    for (size_t i = 0; i < json_object_array_length(benchmarks); i++) {
        json_object *b = json_object_array_get_idx(benchmarks, i);
        const char *message = results_get_string(b, "error_message", "");
        const char *name = results_get_string(b, "run_name", results_get_string(b, "name", NULL));
        if (name == NULL || strncmp(message, INVALID_PREFIX, strlen(INVALID_PREFIX)) != 0) continue;
        if (out == NULL) out = json_object_new_array();
        bool seen = false; /* one entry per case, whatever the repetitions */
        for (size_t k = 0; k < json_object_array_length(out) && !seen; k++)
            seen = strcmp(results_get_string(json_object_array_get_idx(out, k), "name", ""), name) == 0;
        if (!seen) json_object_array_add(out, entry_of(name, message));
    }
    return out;
}

static int check_entry(json_object *e, size_t i, char *err, size_t err_size)
{
    json_object *v, *counts;
    static const char *const strings[] = {"name", "reason"};
    for (size_t k = 0; k < 2; k++)
        if (!json_object_object_get_ex(e, strings[k], &v) || !json_object_is_type(v, json_type_string) ||
            strlen(json_object_get_string(v)) >= MAX_REASON) {
            snprintf(err, err_size, "invalid[%zu].%s: missing, not a string or too long", i, strings[k]);
            return -1;
        }
    if (!json_object_object_get_ex(e, "counts", &counts) || !json_object_is_type(counts, json_type_object)) {
        snprintf(err, err_size, "invalid[%zu].counts: missing or not an object", i);
        return -1;
    }
    for (size_t k = 0; k < NKINDS; k++)
        if (!json_object_object_get_ex(counts, kinds[k].key, &v) || !json_object_is_type(v, json_type_int) ||
            json_object_get_int64(v) < 0) {
            snprintf(err, err_size, "invalid[%zu].counts.%s: missing or not a count", i, kinds[k].key);
            return -1;
        }
    return 0;
}

int results_invalid_check(json_object *doc, char *err, size_t err_size)
{
    json_object *list;
    if (!json_object_object_get_ex(doc, "invalid", &list)) return 0;
    if (!json_object_is_type(list, json_type_array)) {
        snprintf(err, err_size, "invalid: not an array");
        return -1;
    }
    for (size_t i = 0; i < json_object_array_length(list); i++)
        if (check_entry(json_object_array_get_idx(list, i), i, err, err_size) != 0) return -1;
    return 0;
}

json_object *results_invalid_find(json_object *doc, const char *name)
{
    json_object *list;
    if (doc == NULL || !json_object_object_get_ex(doc, "invalid", &list) || !json_object_is_type(list, json_type_array))
        return NULL;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *e = json_object_array_get_idx(list, i);
        if (strcmp(results_get_string(e, "name", ""), name) == 0) return e;
    }
    return NULL;
}

void results_invalid_describe(json_object *entry, char *out, size_t size)
{
    int len = snprintf(out, size, "invalid (");
    bool any = false;
    json_object *counts = results_get(entry, "counts");
    for (size_t k = 0; k < NKINDS && len > 0 && (size_t)len < size; k++) {
        json_object *v = counts ? results_get(counts, kinds[k].key) : NULL;
        int64_t n = v ? json_object_get_int64(v) : 0;
        if (n <= 0) continue;
        len += snprintf(out + len, size - (size_t)len, "%s%lld %s", any ? ", " : "", (long long)n, kinds[k].word);
        any = true;
    }
    if (len > 0 && (size_t)len < size) snprintf(out + len, size - (size_t)len, "%s)", any ? "" : "unknown");
}
