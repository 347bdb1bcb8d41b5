/* The report's sections in page order, written once for every renderer:
 * the machine, the physical limits, each backend (latency, throughput,
 * slots, operation paths, conformance) and the run-to-run variation. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "emulation.h"
#include "report_peer.h"
#include "report_render.h"
#include "results_invalid.h"

/* ---- every renderer at once ------------------------------------------------------- */

void out_heading(report_out *o, int level, const char *text)
{
    for (size_t i = 0; i < o->n; i++) o->r[i].heading(&o->r[i], level, text);
}

void out_para(report_out *o, bool item, const char *fmt, ...)
{
    for (size_t i = 0; i < o->n; i++) {
        va_list ap;
        va_start(ap, fmt);
        o->r[i].para(&o->r[i], item, fmt, ap);
        va_end(ap);
    }
}

void out_list_begin(report_out *o)
{
    for (size_t i = 0; i < o->n; i++) o->r[i].list_begin(&o->r[i]);
}

void out_list_end(report_out *o)
{
    for (size_t i = 0; i < o->n; i++) o->r[i].list_end(&o->r[i]);
}

void out_table_begin(report_out *o, int number, const char *caption, int ncols, const char *const *headers)
{
    for (size_t i = 0; i < o->n; i++) o->r[i].table_begin(&o->r[i], number, caption, ncols, headers);
}

void out_table_row(report_out *o, int ncols, const char *const *cells)
{
    for (size_t i = 0; i < o->n; i++) o->r[i].table_row(&o->r[i], ncols, cells);
}

void out_table_end(report_out *o)
{
    for (size_t i = 0; i < o->n; i++) o->r[i].table_end(&o->r[i]);
}

void out_figure(report_out *o, const report_figure *f)
{
    for (size_t i = 0; i < o->n; i++) o->r[i].figure(&o->r[i], f);
}

static void row2(report_out *o, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void row2(report_out *o, const char *key, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const char *cells[] = {key, buf};
    out_table_row(o, 2, cells);
}

static void fmt_ns(double v, char *out, size_t size)
{
    if (isnan(v))
        snprintf(out, size, "-");
    else if (v >= 1e6)
        snprintf(out, size, "%.2f ms", v / 1e6);
    else if (v >= 1e3)
        snprintf(out, size, "%.2f us", v / 1e3);
    else
        snprintf(out, size, "%.1f ns", v);
}

/* ---- 1. the machine ------------------------------------------------------------------ */

static void machine_rows(report_out *o, const report_model *m)
{
    const report_machine *mc = &m->machine;
    for (size_t i = 0; i < mc->ncaches; i++) {
        char key[64];
        snprintf(key, sizeof key, "L%ld %s cache", mc->caches[i].level, mc->caches[i].type);
        row2(o, key, "%ld KiB, shared by CPUs %s", mc->caches[i].size_kib, mc->caches[i].shared_cpus);
    }
    for (size_t i = 0; i < mc->nnuma; i++) {
        char key[48];
        snprintf(key, sizeof key, "NUMA node %d", mc->numa[i].node);
        row2(o, key, "CPUs %s, %.1f GiB, distances %s", mc->numa[i].cpus, mc->numa[i].mem_gib, mc->numa[i].distances);
    }
}

static void section_machine(report_out *o, const report_model *m)
{
#define HS(path) report_host_string(m, path)
#define HI(path) report_host_int(m, path)
    json_object *host = m->machine.host;
    out_heading(o, 2, "1. The machine");
    emulation emu;
    emulation_of_host(host, &emu);
    if (emu.emulated)
        out_para(o, false,
                 "EMULATED MACHINE (topology %s; %s). Every figure in this report was measured under emulation: "
                 "timings are not performance and must not be compared with real hardware. What it shows is which "
                 "placement and NUMA paths ran and where memory landed.",
                 emu.topology, emu.by);
    static const char *const head[] = {"property", "value"};
    out_table_begin(o, m->machine.table, "Host description (from the newest results document's fingerprint).", 2, head);
    row2(o, "host id / fingerprint", "%s / %s", HS("id"), HS("fingerprint"));
    row2(o, "CPU", "%s (%s, microcode %s)%s", HS("cpu.model"), HS("cpu.arch"), HS("cpu.microcode"),
         json_object_get_boolean(results_get(host, "cpu.virtualized")) ? ", virtual machine" : "");
    row2(o, "topology", "%ld package(s), %ld core(s), %ld logical CPU(s), %ld thread(s) per core, SMT %s",
         HI("topology.packages"), HI("topology.cores"), HI("topology.pus"), HI("topology.threads_per_core"),
         json_object_get_boolean(results_get(host, "power.smt_active")) ? "active" : "off");
    machine_rows(o, m);
    row2(o, "emulation", "%s", emu.emulated ? emu.by : "none (real hardware or a hardware-assisted VM)");
    row2(o, "kernel", "%s", HS("kernel.release"));
    row2(o, "frequency", "governor %s, driver %s, boost %s", HS("power.governor"), HS("power.driver"),
         HS("power.boost"));
    row2(o, "memory", "%.1f GiB, THP %s (defrag %s), %ld reserved huge pages of %ld KiB, /dev/shm %.1f GiB",
         (double)HI("memory.total_kib") / (1024.0 * 1024.0), HS("memory.thp_enabled"), HS("memory.thp_defrag"),
         HI("memory.hugepages_total"), HI("memory.hugepage_size_kib"),
         (double)HI("memory.dev_shm_kib") / (1024.0 * 1024.0));
#undef HS
#undef HI
    out_table_end(o);
    static const char *const cpu_head[] = {"CPU", "package", "core", "NUMA node", "L3 (CCX) id", "SMT siblings"};
    out_table_begin(o, m->machine.cpu_table, "Logical CPUs: which share a core, an L3 (CCX) and a NUMA node.", 6,
                    cpu_head);
    for (size_t i = 0; i < m->machine.ncpus; i++) {
        const report_cpu *c = &m->machine.cpus[i];
        char v[5][32];
        long values[] = {c->cpu, c->package, c->core, c->node, c->l3};
        for (int k = 0; k < 5; k++) snprintf(v[k], sizeof v[k], "%ld", values[k]);
        const char *cells[] = {v[0], v[1], v[2], v[3], v[4], c->smt_siblings};
        out_table_row(o, 6, cells);
    }
    out_table_end(o);
}

/* ---- 2. physical limits --------------------------------------------------------------- */

static void section_limits(report_out *o, const report_model *m)
{
    const report_limits *l = &m->limits;
    out_heading(o, 2, "2. Physical limits");
    if (l->source == NULL) {
        out_para(o, false,
                 "No physical-limit measurements are stored for this host (run `slotkit bench --suite limits`); "
                 "the plots below draw the limits each benchmark recorded itself, where it did.");
        return;
    }
    out_para(o, false, "Measured by the %s run of %s (%s): what the hardware allows before any backend is involved.",
             l->source->name, l->when, l->source->bench_path);
    static const char *const head[] = {"limit", "case", "value"};
    out_table_begin(o, l->table,
                    "Physical limits: cache-line transfer and futex wake (one-way, median of p50s), memcpy.", 3, head);
    static const char *const what[] = {
        [CASE_CACHELINE] = "cache-line transfer", [CASE_FUTEX] = "futex wake", [CASE_MEMCPY] = "memcpy bandwidth"};
    for (size_t k = 0; k < l->source->nrows; k++) {
        const report_row *w = &l->source->rows[k];
        if (w->kind != CASE_CACHELINE && w->kind != CASE_FUTEX && w->kind != CASE_MEMCPY) continue;
        char value[64];
        if (w->kind == CASE_MEMCPY)
            snprintf(value, sizeof value, "%.2f GB/s (%.1f ns per copy)", w->gbps, w->ns_per_copy);
        else
            fmt_ns(w->p50, value, sizeof value);
        const char *cells[] = {what[w->kind], w->name, value};
        out_table_row(o, 3, cells);
    }
    out_table_end(o);
    if (l->memcpy_figure.number) out_figure(o, &l->memcpy_figure);
}

/* ---- per backend ------------------------------------------------------------------------- */

static void section_slots(report_out *o, const report_backend *b)
{
    static const char *const head[] = {"readers", "payload", "slots", "MB/s", "back-pressure"};
    char caption[160];
    snprintf(caption, sizeof caption,
             "%s: the slot-count sweep (back-pressure = share of loans that found no free slot).", b->name);
    out_table_begin(o, b->slots_table, caption, 5, head);
    for (size_t k = 0; k < b->nrows; k++) {
        const report_row *w = &b->rows[k];
        if (w->kind != CASE_THROUGHPUT || w->slots <= 0 || isnan(w->backpressure)) continue;
        char v[5][32];
        snprintf(v[0], 32, "%g", w->readers);
        snprintf(v[1], 32, "%g B", w->size);
        snprintf(v[2], 32, "%g", w->slots);
        snprintf(v[3], 32, "%.1f", w->bps / 1e6);
        snprintf(v[4], 32, "%.1f%%", w->backpressure * 100);
        const char *cells[] = {v[0], v[1], v[2], v[3], v[4]};
        out_table_row(o, 5, cells);
    }
    out_table_end(o);
}

static void section_ops(report_out *o, const report_backend *b)
{
    static const char *const head[] = {"operation path", "time per sample", "limit", "instructions per op (callgrind)"};
    char caption[160];
    snprintf(caption, sizeof caption, "%s: single-thread operation paths (reserve, commit, read, mark read).", b->name);
    out_table_begin(o, b->ops_table, caption, 4, head);
    for (size_t k = 0; k < b->nrows; k++) {
        const report_row *w = &b->rows[k];
        if (w->kind != CASE_OPS) continue;
        char t[32], l[32], in[32] = "-";
        fmt_ns(w->ns_per_sample, t, sizeof t);
        fmt_ns(w->limit_ns, l, sizeof l);
        if (!isnan(w->instructions)) snprintf(in, sizeof in, "%.1f", w->instructions);
        const char *cells[] = {w->name, t, l, in};
        out_table_row(o, 4, cells);
    }
    out_table_end(o);
}

/* Cases with no figure: the backend delivered their samples lost, out of order or torn. */
static void section_invalid(report_out *o, const report_backend *b)
{
    static const char *const head[] = {"case", "figure", "first violation"};
    char caption[200];
    snprintf(caption, sizeof caption,
             "%s: cases reported invalid, not as a speed (samples lost, out of order, duplicated, torn or of the "
             "wrong size).",
             b->name);
    out_table_begin(o, b->invalid_table, caption, 3, head);
    for (size_t i = 0; i < json_object_array_length(b->invalid); i++) {
        json_object *e = json_object_array_get_idx(b->invalid, i);
        char figure[160];
        results_invalid_describe(e, figure, sizeof figure);
        const char *reason = results_get_string(e, "reason", ""), *first = strstr(reason, "(first: ");
        char what[1024];
        snprintf(what, sizeof what, "%s", first ? first + 8 : reason);
        size_t len = strlen(what);
        if (first && len > 0 && what[len - 1] == ')') what[len - 1] = '\0'; /* the "(first: ...)" bracket */
        const char *cells[] = {results_get_string(e, "name", "?"), figure, what};
        out_table_row(o, 3, cells);
    }
    out_table_end(o);
}

static void section_conform(report_out *o, const report_backend *b)
{
    const report_conformance *c = &b->conformance;
    if (!c->present) {
        out_para(o, false,
                 "Conformance: no conformance run stored for backend %s (run `slotkit conform --backend %s`).", b->name,
                 b->name);
        return;
    }
    out_para(o, false,
             "Conformance (%s, %s): %s — %d rules passed, %d failed, %d skipped by capability, %d advisory missed.",
             c->created, c->path, c->verdict_text, c->passed, c->failed, c->skipped, c->warned);
    static const char *const head[] = {"rule", "verdict", "tests", "detail"};
    char caption[160];
    snprintf(caption, sizeof caption, "%s: conformance rules that did not simply pass (all others passed).", b->name);
    out_table_begin(o, c->table, caption, 4, head);
    for (size_t i = 0; i < c->nrules; i++) {
        char tests[16];
        snprintf(tests, sizeof tests, "%d", c->rules[i].tests);
        const char *cells[] = {c->rules[i].rule, c->rules[i].verdict, tests, c->rules[i].detail};
        out_table_row(o, 4, cells);
    }
    if (c->nrules == 0) {
        const char *cells[] = {"(none)", "pass", "-", "every rule passed"};
        out_table_row(o, 4, cells);
    }
    out_table_end(o);
}

static void section_backend(report_out *o, const report_backend *b, int section)
{
    char title[160];
    snprintf(title, sizeof title, "%d. Backend %s", section, b->name);
    out_heading(o, 2, title);
    out_para(o, false, "Version %s, capabilities: %s. Benchmarks: %s.", b->version, b->caps[0] ? b->caps : "none",
             b->bench ? b->bench_path : "none stored");
    if (b->invalid_table) section_invalid(o, b);
    if (b->latency.number)
        out_figure(o, &b->latency);
    else
        out_para(o, false,
                 "Latency: no latency measurements stored for backend %s (run `slotkit bench --suite latency`).",
                 b->name);
    if (b->throughput.number)
        out_figure(o, &b->throughput);
    else
        out_para(
            o, false,
            "Throughput: no throughput measurements stored for backend %s (run `slotkit bench --suite throughput`).",
            b->name);
    if (b->slots_table) section_slots(o, b);
    if (b->ops_table) section_ops(o, b);
    if (b->peer_table) report_backend_peer(o, b);
    section_conform(o, b);
}

/* Run-to-run variation per backend: the evidence for governor advice. */
static void section_variation(report_out *o, const report_model *m)
{
    out_heading(o, 2, "Run-to-run variation");
    static const char *const head[] = {"backend", "median CV of repetitions", "most variable benchmark"};
    out_table_begin(o, m->variation_table, "Coefficient of variation of the wall-clock repetitions of each benchmark.",
                    3, head);
    for (size_t i = 0; i < m->nbackends; i++) {
        const report_backend *b = &m->backends[i];
        char a[32] = "no repetitions stored", w[260] = "-";
        if (!isnan(b->cv)) {
            snprintf(a, sizeof a, "%.2f%%", b->cv * 100);
            snprintf(w, sizeof w, "%s (%.2f%%)", b->worst, b->worst_cv * 100);
        }
        const char *cells[] = {b->name, a, w};
        out_table_row(o, 3, cells);
    }
    out_table_end(o);
}

void report_sections(report_out *o, const report_model *m)
{
    section_machine(o, m);
    section_limits(o, m);
    report_section_peer(o, m);
    for (size_t i = 0; i < m->nbackends; i++) section_backend(o, &m->backends[i], 3 + (int)i);
    section_variation(o, m);
    report_prose_recommendations(o, m);
}
