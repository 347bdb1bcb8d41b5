/* The report's figures beside their limit and native iceoryx2: the cases a
 * run measured in interleaved rounds (results_figures.h), per backend, and
 * one summary of every backend's busy-poll 64 B latency against native
 * iceoryx2 (the iceoryx2 adapter's ratio and posix's among them). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_peer.h"

static void fmt_value(double v, bool latency, char *out, size_t size)
{
    if (isnan(v))
        snprintf(out, size, "-");
    else if (latency)
        snprintf(out, size, v >= 1e3 ? "%.2f us" : "%.1f ns", v >= 1e3 ? v / 1e3 : v);
    else
        snprintf(out, size, "%.2f GB/s", v / 1e9);
}

static void fmt_ratio(double v, char *out, size_t size)
{
    if (isnan(v))
        snprintf(out, size, "-");
    else
        snprintf(out, size, "%.2fx", v);
}

/* The peer's cell: its figure, or why there is none. */
static void fmt_peer(const report_backend *b, const report_row *w, char *out, size_t size)
{
    if (!isnan(w->peer))
        fmt_value(w->peer, w->kind == CASE_LATENCY, out, size);
    else if (b->peer_status && strcmp(b->peer_status, "not built") == 0)
        snprintf(out, size, "not built");
    else
        snprintf(out, size, "not measured");
}

#define PEER_COLUMNS 9

/* case, backend, native iceoryx2, limit, slot floor, class, x limit, x floor, x iceoryx2 */
static void peer_row(report_out *o, const report_backend *b, const report_row *w, const char *first)
{
    bool latency = w->kind == CASE_LATENCY;
    double limit = latency ? w->limit_ns : w->limit_bps, value = latency ? w->p50 : w->bps;
    char v[7][48];
    fmt_value(value, latency, v[0], sizeof v[0]);
    fmt_peer(b, w, v[1], sizeof v[1]);
    fmt_value(limit, latency, v[2], sizeof v[2]);
    fmt_ratio(w->x_limit, v[3], sizeof v[3]);
    fmt_ratio(w->x_peer, v[4], sizeof v[4]);
    fmt_value(latency ? w->floor : NAN, true, v[5], sizeof v[5]);
    fmt_ratio(latency ? w->x_floor : NAN, v[6], sizeof v[6]);
    const char *cells[] = {first, v[0], v[1], v[2], v[5], report_class_name(w->placement_class), v[3], v[6], v[4]};
    out_table_row(o, PEER_COLUMNS, cells);
}

static const char *const head[] = {"case",    "backend", "native iceoryx2", "limit", "slot floor", "placement class",
                                   "x limit", "x floor", "x iceoryx2"};

void report_backend_peer(report_out *o, const report_backend *b)
{
    char caption[640];
    snprintf(caption, sizeof caption,
             "%s beside its limit and native iceoryx2, measured in interleaved rounds on the same CPUs "
             "(latency: p50 one-way, x = backend / other, lower is better; throughput: payload bytes per "
             "second, x = backend / other, higher is better; medians over the rounds; the placement class most "
             "rounds were in; busy-poll latency also beside the slot floor, the least any slot protocol does "
             "per sample, docs/benchmarks.md).",
             b->name);
    out_table_begin(o, b->peer_table, caption, PEER_COLUMNS, head);
    for (size_t k = 0; k < b->nrows; k++)
        if (report_row_in_rounds(&b->rows[k])) peer_row(o, b, &b->rows[k], b->rows[k].name);
    out_table_end(o);
}

/* The busy-poll 64 B latency row of a backend with these peers; NULL if none. */
static const report_row *busy_64(const report_backend *b, bool threads)
{
    for (size_t k = 0; k < b->nrows; k++) {
        const report_row *w = &b->rows[k];
        if (w->kind == CASE_LATENCY && !w->placed && w->threads == threads && w->size == 64 &&
            strstr(w->label, "/busy") && report_row_in_rounds(w))
            return w;
    }
    return NULL;
}

void report_section_peer(report_out *o, const report_model *m)
{
    if (m->peer_table == 0) return;
    out_heading(o, 2, "Beside native iceoryx2");
    out_para(o, false,
             "Every backend's busy-poll 64 B ping-pong beside native iceoryx2 publish-subscribe (the shape of "
             "iceoryx2's own benchmark: two pinned threads, one service each way) and the cache-line limit, all "
             "three measured in alternating rounds on the same two CPUs. `x iceoryx2` is the backend's one-way p50 "
             "over native iceoryx2's: the iceoryx2 adapter's row says what the adapter adds to iceoryx2, the "
             "reference backends' rows how they compare with the middleware a user would pick instead. Compare "
             "ratios within one placement class (docs/benchmarks.md). The slot floor is the least any slot protocol "
             "does per sample (one state word and the payload, no loans, no checks), measured in the same rounds: "
             "`x floor` is what the backend's own bookkeeping costs on top of the lines every backend must move.");
    static const char *const shead[] = {"backend / peers", "backend", "native iceoryx2", "limit",     "slot floor",
                                        "placement class", "x limit", "x floor",         "x iceoryx2"};
    out_table_begin(o, m->peer_table,
                    "Busy-poll 64 B one-way latency (p50): backend / native iceoryx2 / limit / slot floor.",
                    PEER_COLUMNS, shead);
    for (size_t i = 0; i < m->nbackends; i++)
        for (int t = 1; t >= 0; t--) {
            const report_row *w = busy_64(&m->backends[i], t);
            if (w == NULL) continue;
            char first[128];
            snprintf(first, sizeof first, "%s (%s)", m->backends[i].name, t ? "threads" : "processes");
            peer_row(o, &m->backends[i], w, first);
        }
    out_table_end(o);
}
