/* The table of every multi-threaded check, for the in-process runner
 * (--no-sandbox): derived from the lists in stress_checks.h. */
#include "stress_checks.h"

#define STRESS_ROW(suite, test, caps, check, text) {#suite, #test, (caps), check},

const stress_case stress_cases[] = {STRESS_CHECKS(STRESS_ROW)};
const size_t stress_case_count = sizeof stress_cases / sizeof stress_cases[0];
