/* Races single-threaded tests cannot reach: R-THREAD-4 and a four-writer
 * R-THREAD-1. The checks are Criterion-free (stress_race.c, so
 * `--no-sandbox` runs them under ThreadSanitizer) and listed in
 * stress_checks.h; here they become Criterion tests. */
#include "fixture.h"

STRESS_RACE_CHECKS(CONF_STRESS_TEST)
