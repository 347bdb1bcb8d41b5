// The C API of gbench.h over Google Benchmark 1.7.1. The only C++ file of the
// benchmarks: everything here is a one-line forward, kept out of line so C
// callers need no C++ header.
#include "gbench.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace
{
benchmark::State &S(gb_state *st) { return *reinterpret_cast<benchmark::State *>(st); }
const benchmark::State &S(const gb_state *st) { return *reinterpret_cast<const benchmark::State *>(st); }
benchmark::internal::Benchmark *B(gb_bench *b) { return reinterpret_cast<benchmark::internal::Benchmark *>(b); }
gb_bench *C(benchmark::internal::Benchmark *b) { return reinterpret_cast<gb_bench *>(b); }

bool progress = false;
int registered = 0;
// Whether a registration has arguments, so progress can name the instance.
std::map<void *, std::shared_ptr<bool>> has_args;
gb_bench *with_args(gb_bench *b)
{
    auto it = has_args.find(b);
    if (it != has_args.end()) *it->second = true;
    return b;
}
} // namespace

extern "C" {

void gb_initialize(int *argc, char **argv) { benchmark::Initialize(argc, argv); }
size_t gb_run_specified(void) { return benchmark::RunSpecifiedBenchmarks(); }
void gb_shutdown(void) { benchmark::Shutdown(); }
void gb_add_context(const char *key, const char *value) { benchmark::AddCustomContext(key, value); }
void gb_set_progress(bool on) { progress = on; }

gb_bench *gb_register(const char *name, gb_fn fn, void *ctx)
{
    int index = ++registered;
    std::string label(name);
    auto args = std::make_shared<bool>(false);
    // The runner calls a benchmark once per repetition (more while it sizes the
    // iteration count); progress is printed on the first call of each instance.
    auto body = [fn, ctx, index, label, args](benchmark::State &st) {
        static int last = 0;
        static int64_t last_arg = 0;
        int64_t arg = *args ? st.range(0) : 0;
        if (progress && (index != last || arg != last_arg)) {
            last = index;
            last_arg = arg;
            std::string shown = *args ? label + "/" + std::to_string(arg) : label;
            std::fprintf(stderr, "slotkit-bench: [%d/%d] %s\n", index, registered, shown.c_str());
        }
        fn(reinterpret_cast<gb_state *>(&st), ctx);
    };
    gb_bench *b = C(benchmark::RegisterBenchmark(name, body));
    has_args[b] = args;
    return b;
}
gb_bench *gb_arg(gb_bench *b, int64_t x) { return C(B(with_args(b))->Arg(x)); }
gb_bench *gb_args(gb_bench *b, const int64_t *xs, size_t n)
{
    return C(B(with_args(b))->Args(std::vector<int64_t>(xs, xs + n)));
}
gb_bench *gb_range(gb_bench *b, int64_t lo, int64_t hi) { return C(B(with_args(b))->Range(lo, hi)); }
gb_bench *gb_range_multiplier(gb_bench *b, int m) { return C(B(b)->RangeMultiplier(m)); }
gb_bench *gb_arg_name(gb_bench *b, const char *name) { return C(B(b)->ArgName(name)); }
gb_bench *gb_iterations(gb_bench *b, int64_t n) { return C(B(b)->Iterations(n)); }
gb_bench *gb_repetitions(gb_bench *b, int n) { return C(B(b)->Repetitions(n)); }
gb_bench *gb_min_time(gb_bench *b, double s) { return C(B(b)->MinTime(s)); }
gb_bench *gb_use_real_time(gb_bench *b) { return C(B(b)->UseRealTime()); }
gb_bench *gb_use_manual_time(gb_bench *b) { return C(B(b)->UseManualTime()); }
gb_bench *gb_unit(gb_bench *b, gb_time_unit u)
{
    static const benchmark::TimeUnit units[] = {benchmark::kNanosecond, benchmark::kMicrosecond,
                                                benchmark::kMillisecond, benchmark::kSecond};
    return C(B(b)->Unit(units[u]));
}

bool gb_keep_running_batch(gb_state *st, int64_t n) { return S(st).KeepRunningBatch(n); }
bool gb_keep_running(gb_state *st) { return S(st).KeepRunning(); }
int64_t gb_max_iterations(const gb_state *st) { return S(st).max_iterations; }
int64_t gb_iterations_done(const gb_state *st) { return S(st).iterations(); }
int64_t gb_range_arg(const gb_state *st, size_t i) { return S(st).range(i); }
void gb_pause_timing(gb_state *st) { S(st).PauseTiming(); }
void gb_resume_timing(gb_state *st) { S(st).ResumeTiming(); }
void gb_set_iteration_time(gb_state *st, double s) { S(st).SetIterationTime(s); }
void gb_set_bytes_processed(gb_state *st, int64_t n) { S(st).SetBytesProcessed(n); }
void gb_set_items_processed(gb_state *st, int64_t n) { S(st).SetItemsProcessed(n); }
void gb_set_label(gb_state *st, const char *label) { S(st).SetLabel(label); }
void gb_counter(gb_state *st, const char *name, double value, int flags)
{
    S(st).counters[name] = benchmark::Counter(value, static_cast<benchmark::Counter::Flags>(flags));
}
void gb_skip_with_error(gb_state *st, const char *msg) { S(st).SkipWithError(msg); }
bool gb_error_occurred(const gb_state *st) { return S(st).error_occurred(); }

} // extern "C"
