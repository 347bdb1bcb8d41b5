/* Races single-threaded tests cannot reach: R-THREAD-4 and a four-writer
 * R-THREAD-1. The checks live in stress_race.c (Criterion-free, so
 * `--no-sandbox` runs them under ThreadSanitizer). */
#include "fixture.h"

Test(thread, r_thread_1__four_writers_delayed,
     .description = "R-THREAD-1: 4 writers with random delays between reserve and commit, 3 "
                    "next_unread readers: each reader gets every SN, consecutively, intact")
{
    run_stress_case();
}

Test(thread, r_thread_4,
     .description = "R-THREAD-4: commits racing mark_reader_disconnected: no sample waits for "
                    "the disconnected reader (rounds of 3 commits and one disconnect)")
{
    run_stress_case();
}
