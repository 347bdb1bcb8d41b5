/* The prerequisite graph and its run-time check (conformance/prereqs.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "../../conformance/op_recorder.h"
#include "../../conformance/prereqs.h"

#define BIT(op) (1u << (op))

Test(prereqs, the_declared_graph_is_acyclic_and_complete)
{
    char why[256] = "";
    cr_assert(prereqs_graph_valid(why, sizeof why), "%s", why);
}

Test(prereqs, an_operation_reached_through_prerequisites_is_allowed)
{
    char why[320] = "";
    /* R-SEQ-2 rests on R-SEQ-1, which rests on R-COMMIT-1 (commit, read) and R-RESERVE-2 (reserve). */
    cr_assert(prereqs_check("R-SEQ-2",
                            BIT(CONF_OP_OPEN) | BIT(CONF_OP_RESERVE) | BIT(CONF_OP_COMMIT) | BIT(CONF_OP_READ), why,
                            sizeof why),
              "%s", why);
    cr_assert(prereqs_check("R-COMMIT-1", BIT(CONF_OP_COMMIT) | BIT(CONF_OP_READ), why, sizeof why),
              "a rule may use the operations it founds: %s", why);
}

Test(prereqs, an_undeclared_operation_is_a_suite_error)
{
    char why[320] = "";
    cr_assert_not(prereqs_check("R-COMMIT-1", BIT(CONF_OP_RESERVE) | BIT(CONF_OP_DISCONNECT), why, sizeof why));
    cr_assert_not_null(strstr(why, "mark_reader_disconnected, whose rule R-DISC-1 is not among R-COMMIT-1's"), "%s",
                       why);
}

Test(prereqs, test_names_map_to_rules)
{
    char rule[48];
    cr_assert(prereqs_rule_of_test("r_xproc_12__attacher_close", rule, sizeof rule));
    cr_assert_str_eq(rule, "R-XPROC-12");
    cr_assert_not(prereqs_rule_of_test("helper", rule, sizeof rule));
    cr_assert(prereqs_rule_of_test("r_commit_3", rule, sizeof rule));
    cr_assert_str_eq(rule, "R-COMMIT-3");
    cr_assert(prereqs_rule_of_test("r_seq_4__across_wrap", rule, sizeof rule));
    cr_assert_str_eq(rule, "R-SEQ-4");
    cr_assert_not(prereqs_rule_of_test("helper_test", rule, sizeof rule));
}

Test(prereqs, the_reserving_mask_root_hides_no_other_rule)
{
    /* r_reserve_1__other_mask neither marks nor discards: R-RESERVE-1 rests only on the reserve and commit
     * foundations, so a backend failing R-DISCARD-1 or R-RECYCLE-1 cannot hide its failure. */
    cr_assert_str_eq(prereqs_declared("R-RESERVE-1"), "R-COMMIT-1 R-GEOM-2 R-RESERVE-2");
    /* The foundations of mark_read and disconnect stay off it (their tests probe under the samples' mask),
     * so it blocks only the rules that probe under another mask. */
    cr_assert_null(strstr(prereqs_declared("R-RECYCLE-1"), "R-RESERVE-1"));
    cr_assert_null(strstr(prereqs_declared("R-DISC-1"), "R-RESERVE-1"));
    cr_assert_not_null(strstr(prereqs_declared("R-RECYCLE-4"), "R-RESERVE-1"));
    cr_assert_not_null(strstr(prereqs_declared("R-NEXT-3"), "R-RECYCLE-4"));
}
