/* R-NOTIFY-8: every event that advances the generation wakes every thread
 * blocked in wait_for_change, four at once. The checks are Criterion-free
 * (stress_wake.c, so `--no-sandbox` runs them under TSan) and listed in
 * stress_checks.h; here they become Criterion tests. */
#include "fixture.h"

STRESS_WAKE_CHECKS(CONF_STRESS_TEST)
