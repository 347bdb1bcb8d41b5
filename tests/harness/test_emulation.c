/* Emulated machines: detection from the kernel command line and the CPU
 * model, the record in results documents, and the gate's refusal to compare
 * emulated timings with real hardware's. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../harness/emulation.h"
#include "../../harness/gate.h"
#include "helpers.h"

static emulation detect(const char *cmdline, const char *model)
{
    emulation e;
    emulation_detect(cmdline, model, &e);
    return e;
}

Test(emulation, declared_on_the_kernel_command_line)
{
    emulation e = detect("console=ttyS0 slotkit.emulated=4node panic=-1", "Intel(R) Xeon(R)");
    cr_assert(e.emulated);
    cr_assert_str_eq(e.topology, "4node");
    e = detect("slotkit.emulated=snc2", "QEMU TCG CPU version 2.5+");
    cr_assert(e.emulated);
    cr_assert_str_eq(e.topology, "snc2");
    cr_assert_not_null(strstr(e.by, "TCG"), "%s", e.by);
}

Test(emulation, tcg_cpu_without_declaration)
{
    emulation e = detect("console=ttyS0", "QEMU TCG CPU version 2.5+");
    cr_assert(e.emulated);
    cr_assert_str_eq(e.topology, "not declared");
}

Test(emulation, real_hardware_and_hardware_assisted_vms_are_not_emulated)
{
    cr_assert_not(detect("BOOT_IMAGE=/vmlinuz root=/dev/sda1", "AMD EPYC 7B13").emulated);
    cr_assert_not(detect(NULL, NULL).emulated);
    cr_assert_not(detect("", "QEMU Virtual CPU version 2.5+").emulated, "KVM with qemu64: real cycles");
}

Test(emulation, hostile_declarations_are_ignored)
{
    cr_assert_not(detect("xslotkit.emulated=a", "x").emulated, "not a word of its own");
    cr_assert_not(detect("slotkit.emulated=../../etc", "x").emulated);
    cr_assert_not(detect("slotkit.emulated=", "x").emulated);
    cr_assert_not(detect("slotkit.emulated=a;rm", "x").emulated);
    char long_name[200] = "slotkit.emulated=";
    memset(long_name + strlen(long_name), 'a', 100);
    cr_assert_not(detect(long_name, "x").emulated, "longer than the field");
}

static json_object *doc_with(bool emulated, const char *topology)
{
    json_object *d = test_doc();
    emulation e = {.emulated = emulated};
    snprintf(e.by, sizeof e.by, "%s", emulated ? "kernel command line slotkit.emulated=" : "not emulated");
    snprintf(e.topology, sizeof e.topology, "%s", topology);
    json_object_object_add(results_get(d, "host"), "emulation", emulation_json(&e));
    test_add_set(d, "latency/x", "real_time", 10, 100, 0.01, 1);
    return d;
}

/* Not even --force compares an emulated run with one from real hardware. */
Test(emulation, gate_refuses_emulated_against_real_even_forced)
{
    json_object *real = doc_with(false, "not declared"), *emu = doc_with(true, "4node");
    gate_options o;
    gate_options_default(&o);
    o.force = true;
    gate_report r;
    char err[2048];
    cr_assert_eq(gate_compare(real, emu, &o, &r, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "emulated"), "%s", err);
    cr_assert_not_null(strstr(err, "candidate"), "%s", err);
    cr_assert_eq(gate_compare(emu, real, &o, &r, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "baseline"), "%s", err);
    json_object_put(real);
    json_object_put(emu);
}

Test(emulation, gate_compares_emulated_runs_of_one_topology_only)
{
    json_object *a = doc_with(true, "4node"), *b = doc_with(true, "4node"), *c = doc_with(true, "snc2");
    gate_options o;
    gate_options_default(&o);
    gate_report r;
    char err[2048];
    cr_assert_eq(gate_compare(a, b, &o, &r, err, sizeof err), 0, "%s", err);
    gate_report_free(&r);
    cr_assert_eq(gate_compare(a, c, &o, &r, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "different topologies"), "%s", err);
    json_object_put(a);
    json_object_put(b);
    json_object_put(c);
}

/* Older documents have no host.emulation: their CPU model still tells TCG. */
Test(emulation, documents_without_the_record)
{
    json_object *d = test_doc();
    emulation e;
    emulation_of_doc(d, &e);
    cr_assert_eq(e.emulated, strstr(results_get_string(d, "host.cpu.model", ""), "QEMU TCG") != NULL);
    json_object_object_del(results_get(d, "host"), "emulation");
    json_object_object_add(results_get(d, "host.cpu"), "model", json_object_new_string("QEMU TCG CPU version 2.5+"));
    emulation_of_doc(d, &e);
    cr_assert(e.emulated);
    json_object_put(d);
}

Test(emulation, a_partial_record_fails_validation)
{
    json_object *d = test_doc();
    test_add_set(d, "latency/x", "real_time", 10, 100, 0.01, 1);
    char err[256];
    cr_assert_eq(results_validate(d, err, sizeof err), 0, "%s", err);
    json_object_object_del(results_get(d, "host.emulation"), "topology");
    cr_assert_eq(results_validate(d, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "host.emulation.topology"), "%s", err);
    json_object_object_add(results_get(d, "host.emulation"), "topology", json_object_new_int(3));
    cr_assert_eq(results_validate(d, err, sizeof err), -1);
    json_object_put(d);
}
