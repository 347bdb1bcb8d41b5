/* Cases a backend made invalid: imported from gbench.json, checked, described,
 * and gated as a regression, never as a speed. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../harness/gate.h"
#include "../../harness/results_invalid.h"
#include "helpers.h"

static json_object *gbench_with(const char *message)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"benchmarks\": [{\"name\": \"latency/x/manual_time\", \"run_name\": \"latency/x/manual_time\","
             " \"run_type\": \"iteration\", \"error_occurred\": true, \"error_message\": \"%s\","
             " \"real_time\": 0, \"time_unit\": \"ns\"},"
             " {\"name\": \"ops/y\", \"run_name\": \"ops/y\", \"run_type\": \"iteration\", \"real_time\": 40,"
             " \"time_unit\": \"ns\"}]}",
             message);
    return json_tokener_parse(text);
}

Test(results_invalid, counts_come_from_the_message_per_kind)
{
    json_object *g = gbench_with("invalid: 3 out-of-order, 1 lost, 232 torn (first: writer, sample 3: torn, 9 lost)");
    json_object *list = results_invalid_from_gbench(g);
    cr_assert_not_null(list);
    cr_assert_eq(json_object_array_length(list), 1, "only the invalid case, not ops/y");
    json_object *e = json_object_array_get_idx(list, 0);
    cr_assert_str_eq(results_get_string(e, "name", ""), "latency/x/manual_time");
    cr_assert_eq(json_object_get_int(results_get(e, "counts.torn")), 232);
    cr_assert_eq(json_object_get_int(results_get(e, "counts.out_of_order")), 3);
    cr_assert_eq(json_object_get_int(results_get(e, "counts.lost")), 1, "the first violation's words do not count");
    cr_assert_eq(json_object_get_int(results_get(e, "counts.duplicated")), 0);
    char text[128];
    results_invalid_describe(e, text, sizeof text);
    cr_assert_str_eq(text, "invalid (3 out-of-order, 1 lost, 232 torn)");
    json_object_put(list);
    json_object_put(g);
}

Test(results_invalid, other_errors_are_not_invalid_cases)
{
    json_object *g = gbench_with("not applicable: backend lacks CROSS_PROCESS");
    cr_assert_null(results_invalid_from_gbench(g));
    json_object_put(g);
}

Test(results_invalid, the_validator_refuses_a_malformed_entry)
{
    json_object *doc = json_object_new_object(), *list = json_object_new_array();
    json_object_object_add(doc, "invalid", list);
    char err[256];
    cr_assert_eq(results_invalid_check(doc, err, sizeof err), 0, "an empty list is well formed: %s", err);
    json_object_array_add(list, json_tokener_parse("{\"name\": \"a\", \"reason\": \"1 torn\", \"counts\": {}}"));
    cr_assert_neq(results_invalid_check(doc, err, sizeof err), 0);
    cr_assert(strstr(err, "invalid[0].counts.out_of_order") != NULL, "%s", err);
    json_object_put(doc);
}

Test(results_invalid, a_case_that_became_invalid_regresses_and_is_not_compared)
{
    json_object *a = test_doc(), *b = test_doc();
    test_add_set(a, "latency/x/manual_time", "real_time", 10, 250, 0.01, 1);
    test_add_set(a, "ops/y", "real_time", 10, 40, 0.01, 2);
    test_add_set(b, "ops/y", "real_time", 10, 40, 0.01, 3);
    json_object *g = gbench_with("invalid: 5 torn (first: reader 0, sample 2: torn payload)");
    json_object_object_add(b, "invalid", results_invalid_from_gbench(g));
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    char err[2048];
    cr_assert_eq(gate_compare(a, b, &o, &r, err, sizeof err), 0, "%s", err);
    cr_assert_eq(gate_status(&r, &o), 1);
    cr_assert_eq(r.regressed, 1);
    cr_assert_eq(r.missing, 0);
    cr_assert_eq(r.rows[0].verdict, GATE_REGRESSED);
    cr_assert_str_eq(r.rows[0].note, "became invalid (5 torn)");
    cr_assert_eq(r.rows[0].n_new, 0, "no figure of the invalid case is compared");
    gate_report_free(&r);
    json_object_put(g);
    json_object_put(a);
    json_object_put(b);
}
