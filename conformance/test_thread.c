/* Threads: R-THREAD-*. The checks live in stress.c (Criterion-free, so
 * `--no-sandbox` can run them under ThreadSanitizer); these are their
 * Criterion entries. Each is bounded by a count and a deadline. */
#include "fixture.h"

CONF_SUITE(thread, CONF_SLOW_TIMEOUT_S);

Test(thread, r_thread_1,
     .description = "R-THREAD-1: 2 writers, 3 readers (next_unread): every sample reaches every "
                    "reader once, in SN order, intact")
{
    run_stress_case();
}

Test(thread, r_thread_1__scanning_readers,
     .description = "R-THREAD-1: 2 writers, 3 readers scanning with read_slot: every sample "
                    "reaches every reader once, intact")
{
    run_stress_case();
}

Test(thread, r_thread_2,
     .description = "R-THREAD-2: loans stay exclusive under concurrent reserve/commit/discard "
                    "(4 threads, 3 slots); SNs unique")
{
    run_stress_case();
}

Test(thread, r_thread_3,
     .description = "R-THREAD-3: read_slot racing with recycling returns OUT_OF_BOUNDS or a "
                    "whole, untorn sample")
{
    run_stress_case();
}

Test(thread, r_thread_3__in_place_writer,
     .description = "R-THREAD-3: read_slot racing with an in-place writer never sees its "
                    "half-written bytes")
{
    run_stress_case();
}
