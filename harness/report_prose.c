/* The report's words for what the model computed: figure titles and
 * captions, and each recommendation, citing its figure or table. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_model_internal.h"
#include "report_render.h"

void report_model_captions(report_model *m)
{
    report_figure *f = &m->limits.memcpy_figure;
    snprintf(f->title, sizeof f->title, "memcpy bandwidth by size: the limit for copying backends");
    snprintf(f->caption, sizeof f->caption,
             "memcpy bandwidth on this host by copy size; this curve is the limit drawn on the throughput plots.");
    for (size_t i = 0; i < m->nbackends; i++) {
        report_backend *b = &m->backends[i];
        snprintf(b->latency.title, sizeof b->latency.title, "%s: one-way latency percentiles by placement", b->name);
        snprintf(b->latency.caption, sizeof b->latency.caption,
                 "Backend %s, one-way latency (round trip / 2) percentiles for each writer/reader CPU placement and "
                 "memory placement; black squares: the physical limit recorded for that placement%s.",
                 b->name, b->latency_limit ? "" : " (none recorded: no limit could be drawn)");
        snprintf(b->throughput.title, sizeof b->throughput.title, "%s: throughput by payload size and reader count",
                 b->name);
        snprintf(b->throughput.caption, sizeof b->throughput.caption,
                 "Backend %s, bytes per second by payload size, one solid line per case and reader count (best over "
                 "the slot counts measured); the dashed line of the same colour is that case's limit (the benchmark's "
                 "own limit_bytes_per_second, else the memcpy bandwidth)%s.",
                 b->name, b->throughput_limit ? "" : " — no limit recorded, none drawn");
    }
}

static void placement(report_out *o, const report_advice *a)
{
    const report_backend *b = a->backend;
    if (a->kind == ADVICE_PLACEMENT_NONE) {
        out_para(o, true, "%s — placement: no latency data, so no CPU pair or memory placement can be recommended.",
                 b->name);
    } else if (a->kind == ADVICE_PLACEMENT_ONLY) {
        out_para(o, true,
                 "%s — placement: `%s` is the only CPU/memory placement this machine offers (Figure %d, Table 2): p50 "
                 "%.0f ns one-way; nothing to choose.",
                 b->name, a->a->label, b->latency.number, a->a->p50);
    } else {
        char pair[128] = "";
        if (!isnan(a->a->cpu_writer))
            snprintf(pair, sizeof pair, " (writer CPU %g, reader CPU %g, memory on node %g)", a->a->cpu_writer,
                     a->a->cpu_reader, a->a->mem_node);
        out_para(o, true,
                 "%s — placement: use `%s`%s: p50 %.0f ns one-way, against %.0f ns for `%s`, the slowest (Figure %d).",
                 b->name, a->a->label, pair, a->a->p50, a->b->p50, a->b->label, b->latency.number);
    }
}

static void distance(report_out *o, const report_model *m, const report_advice *a)
{
    const report_backend *b = a->backend;
    double thr = m->options->cross_threshold;
    if (a->kind == ADVICE_CROSS)
        out_para(o, true,
                 "%s — %s placement `%s` costs %+.0f%% over `%s` (p50 %.0f vs %.0f ns, Figure %d): %s the %.0f%% "
                 "threshold%s.",
                 b->name, a->what, a->a->label, a->extra * 100, a->b->label, a->a->p50, a->b->p50, b->latency.number,
                 a->flag ? "above" : "within", thr * 100,
                 a->flag ? "; keep the writer and its readers on one L3 / NUMA node"
                         : "; placement across it is acceptable");
    else if (a->kind == ADVICE_MEMORY_NODE)
        out_para(o, true,
                 "%s — memory placement across nodes: %s (p50 %.0f ns on the reader's node vs %.0f ns on the writer's, "
                 "Figure %d).",
                 b->name, a->flag ? "put the pool on the reader's node" : "put the pool on the writer's node",
                 a->a->p50, a->b->p50, b->latency.number);
    else if (a->kind == ADVICE_CROSS_UNMEASURED)
        out_para(
            o, true,
            "%s — cross-node / cross-CCX cost: not measured (this host has %ld NUMA node(s) and its CPUs share %s, "
            "Table 1; %s), so nothing can be said about it here.",
            b->name, report_host_int(m, "topology.numa_nodes"),
            report_host_int(m, "topology.numa_nodes") <= 1 ? "one node" : "several nodes",
            a->flag ? "no cross placement in the stored latency runs"
                    : "no same-L3 baseline in the stored latency runs");
    else
        out_para(o, true,
                 "%s — SMT: sibling hyperthreads are %.0f%% %s than separate cores sharing an L3 (p50 %.0f vs %.0f ns, "
                 "Figure %d)%s.",
                 b->name, fabs(a->extra) * 100, a->extra > 0 ? "faster" : "slower", a->a->p50, a->b->p50,
                 b->latency.number,
                 a->extra > 0.1 ? "; pair writer and reader on siblings only when that core is dedicated to them"
                                : "; no reason to prefer siblings");
}

static const char *huge_pages_advice(const report_advice *a)
{
    return a->flag ? "far below it with no huge pages in use (THP not 'always', none reserved): try a hugepage-backed "
                     "pool; this report has no measurement showing the gain."
                   : "huge pages are not indicated by the data.";
}

static void capacity(report_out *o, const report_model *m, const report_advice *a)
{
    const report_backend *b = a->backend;
    if (a->kind == ADVICE_SLOTS_NONE)
        out_para(o, true,
                 "%s — slots: no slot-count sweep with back-pressure counts is stored, so no smallest slot count can "
                 "be derived.",
                 b->name);
    else if (a->kind == ADVICE_SLOTS)
        out_para(o, true,
                 "%s — slots: %g slots sustained the measured rate without back-pressure (at most 0.1%% of loans "
                 "waiting) in every configuration that reached it (the most demanding: %g reader(s), %g-byte payloads; "
                 "Table %d, Figure %d)%s.",
                 b->name, a->value, a->readers, a->size, b->slots_table, b->throughput.number,
                 a->flag
                     ? "; some configurations showed back-pressure at every slot count measured — measure more slots"
                     : "");
    else if (m->limits.memcpy_figure.number == 0) /* the benchmark's own limit: no memcpy figure to cite */
        out_para(o, true,
                 "%s — huge pages: at %g-byte payloads one reader receives %.0f%% of the copy limit (Figure %d); %s",
                 b->name, a->size, a->value * 100, b->throughput.number, huge_pages_advice(a));
    else
        out_para(o, true,
                 "%s — huge pages: at %g-byte payloads one reader receives %.0f%% of the copy limit (Figure %d, Figure "
                 "%d); %s",
                 b->name, a->size, a->value * 100, b->throughput.number, m->limits.memcpy_figure.number,
                 huge_pages_advice(a));
}

static void variation(report_out *o, const report_model *m, const report_advice *a)
{
    const char *gov = report_host_string(m, "power.governor"), *name = a->backend->name;
    double thr = m->options->cv_threshold;
    if (a->kind == ADVICE_VARIATION_NONE)
        out_para(o, true,
                 "%s — variation: no benchmark with 3 or more repetitions is stored (Table %d), so whether the "
                 "governor ('%s'), boost or SMT add noise cannot be judged from this data.",
                 name, m->variation_table, gov);
    else if (a->flag)
        out_para(o, true, "%s — variation: repetitions vary by %.1f%% (median CV, Table %d), above %.0f%%; %s", name,
                 a->value * 100, m->variation_table, thr * 100,
                 strcmp(gov, "performance") == 0 ? "the governor is already 'performance': quiet the machine, disable "
                                                   "boost and pin (Google Benchmark's reducing_variance)."
                 : strcmp(gov, "none") == 0
                     ? "there is no cpufreq control here (virtual machine?): expect noise, gate on instruction counts, "
                       "measure wall clock on dedicated hardware."
                     : "set the 'performance' governor and disable boost before trusting wall-clock comparisons.");
    else
        out_para(o, true,
                 "%s — variation: repetitions vary by %.1f%% (median CV, Table %d), below %.0f%%: the frequency "
                 "governor ('%s') does not show in the data.",
                 name, a->value * 100, m->variation_table, thr * 100, gov);
}

void report_prose_recommendations(report_out *o, const report_model *m)
{
    out_heading(o, 2, "Recommendations");
    out_list_begin(o);
    for (size_t i = 0; i < m->nadvice; i++) {
        const report_advice *a = &m->advice[i];
        switch (a->kind) {
        case ADVICE_PLACEMENT_ONLY:
        case ADVICE_PLACEMENT:
        case ADVICE_PLACEMENT_NONE: placement(o, a); break;
        case ADVICE_CROSS:
        case ADVICE_MEMORY_NODE:
        case ADVICE_CROSS_UNMEASURED:
        case ADVICE_SMT: distance(o, m, a); break;
        case ADVICE_SLOTS:
        case ADVICE_SLOTS_NONE:
        case ADVICE_HUGE_PAGES: capacity(o, m, a); break;
        case ADVICE_VARIATION_NONE:
        case ADVICE_VARIATION: variation(o, m, a); break;
        }
    }
    out_list_end(o);
}
