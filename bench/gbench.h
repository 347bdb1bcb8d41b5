/*
 * A C API over Google Benchmark 1.7.1 (Debian's libbenchmark-dev).
 *
 * Google Benchmark is C++ only; gbench.cc is the one C++ file of the
 * benchmarks and every benchmark body is C. The shape follows IREE's C
 * wrapper: opaque state and benchmark pointers, a C callback with a context
 * pointer, and batched iteration (gb_keep_running_batch processes n items per
 * call, so the out-of-line C/C++ crossing costs ~1.4 ns / n per item).
 */
#ifndef SLOTKIT_BENCH_GBENCH_H
#define SLOTKIT_BENCH_GBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gb_state gb_state; /* a benchmark::State */
typedef struct gb_bench gb_bench; /* a benchmark::internal::Benchmark */
typedef void (*gb_fn)(gb_state *state, void *ctx);

/* Counter flags: the values of benchmark::Counter::Flags. */
enum {
    GB_COUNTER_DEFAULT = 0,
    GB_COUNTER_RATE = 1 << 0, /* divided by the run's time: a per-second rate */
    GB_COUNTER_AVG_THREADS = 1 << 1,
    GB_COUNTER_ITER_INVARIANT = 1 << 2, /* multiplied by the iteration count */
    GB_COUNTER_AVG_ITERATIONS = 1 << 3, /* divided by the iteration count */
    GB_COUNTER_INVERT = (int)(1u << 31),
};

typedef enum gb_time_unit { GB_NS, GB_US, GB_MS, GB_S } gb_time_unit;

/* ---- driver ---- */
/* Parses and removes the --benchmark_* flags from argv (the rest stay). */
void gb_initialize(int *argc, char **argv);
/* Runs the registered benchmarks the flags select; returns how many ran. */
size_t gb_run_specified(void);
void gb_shutdown(void);
/* A key/value pair in the JSON "context" object. */
void gb_add_context(const char *key, const char *value);
/* Prints "[k/N] name" on stderr as each registered benchmark starts (N = registered count). */
void gb_set_progress(bool on);

/* ---- registration and the builder (each returns its argument) ---- */
gb_bench *gb_register(const char *name, gb_fn fn, void *ctx);
gb_bench *gb_arg(gb_bench *b, int64_t x);
gb_bench *gb_args(gb_bench *b, const int64_t *xs, size_t n);
gb_bench *gb_range(gb_bench *b, int64_t lo, int64_t hi);
gb_bench *gb_range_multiplier(gb_bench *b, int multiplier);
gb_bench *gb_arg_name(gb_bench *b, const char *name);
gb_bench *gb_iterations(gb_bench *b, int64_t n);
gb_bench *gb_repetitions(gb_bench *b, int n);
gb_bench *gb_min_time(gb_bench *b, double seconds);
gb_bench *gb_use_real_time(gb_bench *b);
gb_bench *gb_use_manual_time(gb_bench *b);
gb_bench *gb_unit(gb_bench *b, gb_time_unit unit);

/* ---- inside a benchmark ---- */
/* True while n more items are to be run; may overshoot by up to n - 1. */
bool gb_keep_running_batch(gb_state *st, int64_t n);
bool gb_keep_running(gb_state *st);
/* Iterations the runner asked for (fixed with gb_iterations), and done so far. */
int64_t gb_max_iterations(const gb_state *st);
int64_t gb_iterations_done(const gb_state *st);
int64_t gb_range_arg(const gb_state *st, size_t index);
void gb_pause_timing(gb_state *st);
void gb_resume_timing(gb_state *st);
/* Manual time: the seconds this batch of iterations took (gb_use_manual_time). */
void gb_set_iteration_time(gb_state *st, double seconds);
void gb_set_bytes_processed(gb_state *st, int64_t bytes);
void gb_set_items_processed(gb_state *st, int64_t items);
void gb_set_label(gb_state *st, const char *label);
void gb_counter(gb_state *st, const char *name, double value, int flags);
/* Marks the run failed (JSON error_occurred/error_message); the loop ends at once. */
void gb_skip_with_error(gb_state *st, const char *message);
bool gb_error_occurred(const gb_state *st);

#ifdef __cplusplus
}
#endif

#endif
