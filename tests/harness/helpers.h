/* Synthetic results documents for the harness tests. */
#ifndef SLOTKIT_TESTS_HARNESS_HELPERS_H
#define SLOTKIT_TESTS_HARNESS_HELPERS_H

#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../../harness/results.h"

/* Deterministic noise: the same seed gives the same document every run. */
static inline double test_gauss(uint64_t *state)
{
    double u[2];
    for (int i = 0; i < 2; i++) {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        u[i] = ((double)(*state >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

/* Adds a sample set: n values around median `center` with relative noise cv. */
static inline void test_add_set(json_object *doc, const char *name, const char *metric, int n, double center, double cv,
                                uint64_t seed)
{
    json_object *s = json_object_new_object(), *values = json_object_new_array();
    json_object_object_add(s, "name", json_object_new_string(name));
    json_object_object_add(s, "metric", json_object_new_string(metric));
    json_object_object_add(s, "unit",
                           json_object_new_string(strcmp(metric, "instructions") ? "ns" : "instructions/op"));
    json_object_object_add(s, "better", json_object_new_string("lower"));
    json_object_object_add(s, "source",
                           json_object_new_string(strcmp(metric, "instructions") ? "gbench" : "callgrind"));
    uint64_t state = seed * 2654435761u + 1;
    for (int i = 0; i < n; i++)
        json_object_array_add(values, json_object_new_double(center * (1 + cv * test_gauss(&state))));
    json_object_object_add(s, "values", values);
    /* Every sample set has its case (docs/results-schema.md, "Cases"). */
    json_object *c = json_object_new_object();
    json_object_object_add(c, "suite", json_object_new_string("ops"));
    json_object_object_add(c, "kind", json_object_new_string("ops"));
    json_object_object_add(c, "path", json_object_new_string("copy"));
    json_object_object_add(c, "size", json_object_new_int(64));
    json_object_object_add(c, "readers", json_object_new_int(0));
    json_object_object_add(c, "slots", json_object_new_int(0));
    json_object_object_add(s, "case", c);
    json_object_array_add(results_get(doc, "samples"), s);
}

static inline json_object *test_doc(void) { return results_new("bench", NULL, "inmem"); }

#endif
