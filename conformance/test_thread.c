/* Threads: R-THREAD-1..3. The checks are Criterion-free (stress_thread.c,
 * so `--no-sandbox` can run them under ThreadSanitizer) and listed in
 * stress_checks.h; here they become Criterion tests. Each is bounded by a
 * count and a deadline. */
#include "fixture.h"

CONF_SUITE(thread, CONF_SLOW_TIMEOUT_S);

STRESS_THREAD_CHECKS(CONF_STRESS_TEST)
