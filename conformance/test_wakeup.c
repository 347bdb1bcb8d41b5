/* R-NOTIFY-8: every event that advances the generation wakes every thread
 * blocked in wait_for_change, four at once. The checks live in
 * stress_wake.c (Criterion-free, so `--no-sandbox` runs them under TSan). */
#include "fixture.h"

Test(notify, r_notify_8__commit,
     .description = "R-NOTIFY-8: four threads blocked in wait_for_change all return promptly "
                    "after one commit_slot")
{
    run_stress_case();
}

Test(notify, r_notify_8__commit_in_place,
     .description = "R-NOTIFY-8: four threads blocked in wait_for_change all return promptly "
                    "after one commit_in_place")
{
    run_stress_case();
}

Test(notify, r_notify_8__discard,
     .description = "R-NOTIFY-8: four threads blocked in wait_for_change all return promptly "
                    "after one discard_slot")
{
    run_stress_case();
}

Test(notify, r_notify_8__mark_read,
     .description = "R-NOTIFY-8: four threads blocked in wait_for_change all return promptly "
                    "after one mark_read")
{
    run_stress_case();
}

Test(notify, r_notify_8__disconnect,
     .description = "R-NOTIFY-8: four threads blocked in wait_for_change all return promptly "
                    "after one mark_reader_disconnected")
{
    run_stress_case();
}
