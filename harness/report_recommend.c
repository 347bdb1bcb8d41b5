/* Recommendations computed from the report model, as data (report_model.h);
 * report_prose.c words them, each citing the figure or table it rests on. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_model.h"

/* The latency row with the lowest (or highest) p50 among those at a CPU
 * relation and memory placement (NULL: any). Placement-matrix rows, when
 * present, are the ones to choose among. */
static const report_row *find_latency(const report_backend *b, const char *cpus, const char *memory, bool lowest)
{
    bool matrix = false;
    for (size_t k = 0; k < b->nrows; k++)
        matrix |= b->rows[k].kind == CASE_LATENCY && b->rows[k].placed && !isnan(b->rows[k].p50);
    const report_row *best = NULL;
    for (size_t k = 0; k < b->nrows; k++) {
        const report_row *w = &b->rows[k];
        if (w->kind != CASE_LATENCY || isnan(w->p50) || (matrix && !w->placed)) continue;
        if ((cpus && (!w->placed || strcmp(w->cpus, cpus) != 0)) || (memory && strcmp(w->memory, memory) != 0))
            continue;
        if (best == NULL || (lowest ? w->p50 < best->p50 : w->p50 > best->p50)) best = w;
    }
    return best;
}

static report_advice *add(report_model *m, report_advice_kind kind, const report_backend *b)
{
    m->advice = realloc(m->advice, (m->nadvice + 1) * sizeof *m->advice);
    report_advice *a = &m->advice[m->nadvice++];
    *a = (report_advice){.kind = kind, .backend = b};
    return a;
}

static void placement(report_model *m, const report_backend *b)
{
    const report_row *best = find_latency(b, NULL, NULL, true), *worst = find_latency(b, NULL, NULL, false);
    report_advice_kind kind = best == NULL || b->latency.number == 0 ? ADVICE_PLACEMENT_NONE
                              : best == worst                        ? ADVICE_PLACEMENT_ONLY
                                                                     : ADVICE_PLACEMENT;
    report_advice *a = add(m, kind, b);
    a->a = best, a->b = worst;
}

/* Cross-node and cross-CCX cost against the same-L3 baseline; memory placement; SMT. */
static void distance(report_model *m, const report_backend *b)
{
    static const char *const far[][2] = {{"same_numa", "cross-CCX (same node, different L3)"},
                                         {"cross_numa", "cross-node"},
                                         {"cross_package", "cross-socket"}};
    const report_row *base = find_latency(b, "same_l3", NULL, true);
    bool compared = false;
    for (size_t f = 0; base && f < sizeof far / sizeof far[0]; f++) {
        const report_row *x = find_latency(b, far[f][0], NULL, true);
        if (x == NULL) continue;
        compared = true;
        report_advice *a = add(m, ADVICE_CROSS, b);
        a->a = x, a->b = base, a->what = far[f][1];
        a->extra = x->p50 / base->p50 - 1;
        a->flag = a->extra > m->options->cross_threshold;
    }
    const report_row *wn = find_latency(b, "cross_numa", "writer_node", true);
    const report_row *rn = find_latency(b, "cross_numa", "reader_node", true);
    if (wn && rn) {
        report_advice *a = add(m, ADVICE_MEMORY_NODE, b);
        a->a = rn, a->b = wn, a->flag = rn->p50 < wn->p50;
    }
    if (!compared) add(m, ADVICE_CROSS_UNMEASURED, b)->flag = base != NULL;
    const report_row *smt = find_latency(b, "smt_siblings", NULL, true);
    if (smt && base && b->latency.number > 0) {
        report_advice *a = add(m, ADVICE_SMT, b);
        a->a = smt, a->b = base, a->extra = 1 - smt->p50 / base->p50;
    }
}

/* The smallest slot count at a configuration that reached >= 95 % of its
 * best rate with at most 0.1 % back-pressure; NAN if none did. */
static double enough_slots(const report_backend *b, const report_row *w)
{
    double max = 0, smallest = NAN;
    for (size_t j = 0; j < b->nrows; j++) {
        const report_row *x = &b->rows[j];
        if (x->kind == CASE_THROUGHPUT && strcmp(x->label, w->label) == 0 && x->readers == w->readers &&
            x->size == w->size && x->items_per_second > max)
            max = x->items_per_second;
    }
    for (size_t j = 0; j < b->nrows; j++) {
        const report_row *x = &b->rows[j];
        if (x->kind == CASE_THROUGHPUT && strcmp(x->label, w->label) == 0 && x->readers == w->readers &&
            x->size == w->size && x->backpressure <= 0.001 && x->items_per_second >= 0.95 * max &&
            (isnan(smallest) || x->slots < smallest))
            smallest = x->slots;
    }
    return smallest;
}

static void slots(report_model *m, const report_backend *b)
{
    if (b->slots_table == 0) {
        add(m, ADVICE_SLOTS_NONE, b);
        return;
    }
    double need = 0, need_r = 0, need_size = 0;
    bool unsatisfied = false;
    for (size_t k = 0; k < b->nrows; k++) {
        const report_row *w = &b->rows[k];
        if (w->kind != CASE_THROUGHPUT || w->slots <= 0 || isnan(w->backpressure)) continue;
        double smallest = enough_slots(b, w);
        if (isnan(smallest))
            unsatisfied = true;
        else if (smallest > need)
            need = smallest, need_r = w->readers, need_size = w->size;
    }
    if (need <= 0) return;
    report_advice *a = add(m, ADVICE_SLOTS, b);
    a->value = need, a->readers = need_r, a->size = need_size, a->flag = unsatisfied;
}

/* Huge pages: the largest copying payload far below the copy limit (a
 * zero-copy reader does not move the payload). */
static void huge_pages(report_model *m, const report_backend *b)
{
    double big = 0, big_rate = NAN, lim = NAN;
    for (size_t k = 0; k < b->nrows; k++) {
        const report_row *w = &b->rows[k];
        if (w->kind != CASE_THROUGHPUT || w->in_place || isnan(w->size) || isnan(w->bps)) continue;
        if (w->size > big || (w->size == big && w->bps > big_rate)) {
            big = w->size, big_rate = w->bps;
            lim = isnan(w->limit_bps) ? report_copy_limit(&m->limits, w->size) * 1e9 : w->limit_bps;
        }
    }
    if (big <= 0 || isnan(lim) || b->throughput.number == 0) return;
    report_advice *a = add(m, ADVICE_HUGE_PAGES, b);
    a->size = big, a->value = big_rate / lim;
    bool no_huge = report_host_int(m, "memory.hugepages_total") == 0 &&
                   strcmp(report_host_string(m, "memory.thp_enabled"), "always") != 0;
    a->flag = a->value < 0.5 && no_huge;
}

void report_recommend(report_model *m)
{
    for (size_t i = 0; i < m->nbackends; i++) {
        const report_backend *b = &m->backends[i];
        placement(m, b);
        distance(m, b);
        slots(m, b);
        huge_pages(m, b);
    }
    /* Governor / boost: only when repetitions vary. */
    for (size_t i = 0; i < m->nbackends; i++) {
        const report_backend *b = &m->backends[i];
        report_advice *a = add(m, isnan(b->cv) ? ADVICE_VARIATION_NONE : ADVICE_VARIATION, b);
        a->value = b->cv;
        a->flag = !isnan(b->cv) && b->cv > m->options->cv_threshold;
    }
}
