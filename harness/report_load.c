/* The report model from the store: which documents, the machine, the
 * conformance verdicts, and the page order's figure and table numbers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "fingerprint.h"
#include "report_model.h"
#include "report_model_internal.h"

const char *report_host_string(const report_model *m, const char *path)
{
    return results_get_string(m->machine.host, path, "?");
}

long report_host_int(const report_model *m, const char *path)
{
    json_object *o = results_get(m->machine.host, path);
    return o ? (long)json_object_get_int64(o) : -1;
}

/* ---- documents ------------------------------------------------------------------- */

static report_backend *find_backend(report_model *m, const char *name)
{
    for (size_t i = 0; i < m->nbackends; i++)
        if (strcmp(m->backends[i].name, name) == 0) return &m->backends[i];
    m->backends = realloc(m->backends, (m->nbackends + 1) * sizeof *m->backends);
    report_backend *b = &m->backends[m->nbackends++];
    memset(b, 0, sizeof *b);
    snprintf(b->name, sizeof b->name, "%s", name);
    return b;
}

/* Paths are in time order: the last one of each kind wins. A filtered
 * conformance run is partial, so it never replaces a full one. A document
 * the validator refuses (an older schema_version among them) is left out
 * with its reason on stderr. Returns the document that describes the machine. */
static json_object *load_documents(report_model *m)
{
    char **paths = results_list(m->root, m->host_id);
    json_object *newest = NULL;
    for (char **p = paths; *p; p++) {
        char why[1024];
        json_object *doc = results_load(*p, why, sizeof why);
        if (doc == NULL) {
            char shown[1200];
            fprintf(stderr, "slotkit: report: left out: %s\n", escape_terminal(shown, sizeof shown, why));
            continue;
        }
        report_backend *b = find_backend(m, results_get_string(doc, "backend.name", "unknown"));
        bool conform = strcmp(results_get_string(doc, "kind", ""), "conform") == 0;
        if (conform && results_get(doc, "config.filter") != NULL && b->conform != NULL) {
            json_object_put(doc);
            continue;
        }
        json_object **slot = conform ? &b->conform : &b->bench;
        json_object_put(*slot);
        *slot = doc;
        snprintf(conform ? b->conformance.path : b->bench_path, PATH_MAX, "%s", *p);
        /* The machine is described by the newest document that recorded its topology
         * (conformance documents do not), else by the newest one. */
        json_object *topology = results_get(doc, "host.topology");
        bool recorded = topology && json_object_is_type(topology, json_type_object);
        if (recorded || newest == NULL || !json_object_is_type(results_get(newest, "host.topology"), json_type_object))
            newest = doc;
    }
    results_list_free(paths);
    return newest;
}

/* ---- the machine -------------------------------------------------------------------- */

static void load_caches(report_machine *mc)
{
    json_object *caches = results_get(mc->host, "topology.caches");
    size_t n = caches ? json_object_array_length(caches) : 0;
    mc->caches = calloc(n + 1, sizeof *mc->caches);
    for (size_t i = 0; i < n; i++) {
        json_object *c = json_object_array_get_idx(caches, i);
        report_cache x = {.level = json_object_get_int(results_get(c, "level")),
                          .size_kib = (long)json_object_get_int64(results_get(c, "size_kib")),
                          .type = results_get_string(c, "type", ""),
                          .shared_cpus = results_get_string(c, "shared_cpus", "?")};
        /* One row per distinct cache kind: the first instance stands for the rest. */
        bool dup = false;
        for (size_t k = 0; k < mc->ncaches; k++)
            dup |= mc->caches[k].level == x.level && strcmp(mc->caches[k].type, x.type) == 0;
        if (!dup) mc->caches[mc->ncaches++] = x;
    }
}

static void load_machine(report_machine *mc)
{
    load_caches(mc);
    json_object *numa = results_get(mc->host, "memory.numa"), *cpus = results_get(mc->host, "topology.cpus");
    mc->nnuma = numa ? json_object_array_length(numa) : 0;
    mc->numa = calloc(mc->nnuma + 1, sizeof *mc->numa);
    for (size_t i = 0; i < mc->nnuma; i++) {
        json_object *n = json_object_array_get_idx(numa, i);
        mc->numa[i] =
            (report_numa){.node = json_object_get_int(results_get(n, "node")),
                          .cpus = results_get_string(n, "cpus", "?"),
                          .mem_gib = (double)json_object_get_int64(results_get(n, "mem_total_kib")) / (1024.0 * 1024.0),
                          .distances = strdup(json_object_to_json_string(results_get(n, "distances")))};
    }
    mc->ncpus = cpus ? json_object_array_length(cpus) : 0;
    mc->cpus = calloc(mc->ncpus + 1, sizeof *mc->cpus);
    for (size_t i = 0; i < mc->ncpus; i++) {
        json_object *c = json_object_array_get_idx(cpus, i);
        mc->cpus[i] = (report_cpu){.cpu = (long)json_object_get_int64(results_get(c, "cpu")),
                                   .package = (long)json_object_get_int64(results_get(c, "package")),
                                   .core = (long)json_object_get_int64(results_get(c, "core")),
                                   .node = (long)json_object_get_int64(results_get(c, "node")),
                                   .l3 = (long)json_object_get_int64(results_get(c, "l3")),
                                   .smt_siblings = results_get_string(c, "smt_siblings", "?")};
    }
}

/* ---- a backend ---------------------------------------------------------------------- */

static void load_conformance(report_backend *b)
{
    report_conformance *c = &b->conformance;
    if (b->conform == NULL) return;
    c->present = true;
    c->created = results_get_string(b->conform, "created_utc", "?");
    c->verdict_text = strcmp(results_get_string(b->conform, "conformance.verdict", ""), "pass") == 0 ? "PASS" : "FAIL";
    c->passed = json_object_get_int(results_get(b->conform, "conformance.passed"));
    c->failed = json_object_get_int(results_get(b->conform, "conformance.failed"));
    c->skipped = json_object_get_int(results_get(b->conform, "conformance.skipped"));
    c->warned = json_object_get_int(results_get(b->conform, "conformance.warned"));
    json_object *rules = results_get(b->conform, "conformance.rules");
    size_t n = rules ? json_object_array_length(rules) : 0;
    c->rules = calloc(n + 1, sizeof *c->rules);
    for (size_t i = 0; i < n; i++) {
        json_object *x = json_object_array_get_idx(rules, i);
        if (strcmp(results_get_string(x, "verdict", ""), "pass") == 0) continue;
        c->rules[c->nrules++] = (report_rule){.rule = results_get_string(x, "rule", "?"),
                                              .verdict = results_get_string(x, "verdict", "?"),
                                              .tests = json_object_get_int(results_get(x, "tests")),
                                              .detail = results_get_string(x, "detail", "")};
    }
}

static void load_identity(report_backend *b)
{
    json_object *doc = b->bench ? b->bench : b->conform, *c = results_get(doc, "backend.capabilities");
    b->version = results_get_string(doc, "backend.version", "?");
    for (size_t k = 0; c && k < json_object_array_length(c); k++)
        snprintf(b->caps + strlen(b->caps), sizeof b->caps - strlen(b->caps), "%s%s", k ? ", " : "",
                 json_object_get_string(json_object_array_get_idx(c, k)));
}

/* ---- numbers in page order ------------------------------------------------------------- */

static void number_items(report_model *m)
{
    int tables = 0, figures = 0;
    m->machine.table = ++tables;
    m->machine.cpu_table = ++tables;
    if (m->limits.source) m->limits.table = ++tables;
    if (m->limits.nmemcpy > 0) m->limits.memcpy_figure.number = ++figures;
    for (size_t i = 0; i < m->nbackends; i++)
        if (m->backends[i].peer_table && m->peer_table == 0) m->peer_table = ++tables;
    for (size_t i = 0; i < m->nbackends; i++) {
        report_backend *b = &m->backends[i];
        if (b->has_latency) b->latency.number = ++figures;
        if (b->nseries > 0) b->throughput.number = ++figures;
        if (b->invalid) b->invalid_table = ++tables;
        if (b->has_slots) b->slots_table = ++tables;
        if (b->has_ops) b->ops_table = ++tables;
        if (b->peer_table) b->peer_table = ++tables;
        if (b->conformance.present) b->conformance.table = ++tables;
    }
    m->variation_table = ++tables;
    m->figures = figures;
}

int report_model_load(report_model *m, const report_options *o, char *err, size_t err_size)
{
    memset(m, 0, sizeof *m);
    m->options = o;
    m->root = results_root(o->root);
    snprintf(m->host_id, sizeof m->host_id, "%s", o->host ? o->host : fingerprint_host_id());
    json_object *newest = load_documents(m);
    if (m->nbackends == 0) {
        snprintf(err, err_size, "no results for host %s under %s/ (run `make run`, or see `slotkit results`)",
                 m->host_id, m->root);
        return -1;
    }
    m->machine.host = results_get(newest, "host");
    load_machine(&m->machine);
    for (size_t i = 0; i < m->nbackends; i++) {
        report_model_rows(&m->backends[i]);
        load_conformance(&m->backends[i]);
        load_identity(&m->backends[i]);
    }
    report_model_limits(m);
    for (size_t i = 0; i < m->nbackends; i++) report_model_backend(&m->backends[i], &m->limits);
    number_items(m);
    report_model_captions(m);
    report_recommend(m);
    return 0;
}

void report_model_free(report_model *m)
{
    for (size_t i = 0; i < m->nbackends; i++) {
        report_backend *b = &m->backends[i];
        json_object_put(b->bench);
        json_object_put(b->conform);
        free(b->rows);
        free(b->conformance.rules);
        free(b->latency.svg);
        free(b->throughput.svg);
    }
    free(m->backends);
    free(m->limits.memcpy_figure.svg);
    for (size_t i = 0; i < m->machine.nnuma; i++) free(m->machine.numa[i].distances);
    free(m->machine.numa);
    free(m->machine.caches);
    free(m->machine.cpus);
    free(m->advice);
    memset(m, 0, sizeof *m);
}
