/* Whether a results document comes from an emulated machine.
 *
 * Timings under emulation (qemu's TCG translates every instruction) say
 * nothing about hardware: such documents test that code paths run (NUMA
 * placement, the report's cross-node sections), never performance. The
 * harness records it in host.emulation, the report marks it, and the gate
 * refuses to compare an emulated document with one from real hardware.
 *
 * Detected from the kernel command line, where whoever boots an emulated
 * machine declares it and names its topology (`slotkit.emulated=NAME`, as
 * `make numa-check` does), or from a CPU model that names qemu's TCG. */
#ifndef SLOTKIT_HARNESS_EMULATION_H
#define SLOTKIT_HARNESS_EMULATION_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct emulation {
    bool emulated;
    char by[160];      /* how it is known, e.g. "kernel command line slotkit.emulated; CPU ..." */
    char topology[64]; /* the declared topology's name, or "not declared" */
} emulation;

/* This machine: cmdline is /proc/cmdline's text, cpu_model /proc/cpuinfo's. */
void emulation_detect(const char *cmdline, const char *cpu_model, emulation *out);

/* host.emulation of a results document: {"emulated", "by", "topology"}. */
json_object *emulation_json(const emulation *e);

/* What a document says; one without host.emulation (written before it
 * existed) is emulated only if its CPU model names TCG. */
void emulation_of_doc(json_object *doc, emulation *out);
/* The same, from a document's "host" object (NULL: not emulated). */
void emulation_of_host(json_object *host, emulation *out);

/* 0 when two documents may be compared for timing: both from real hardware,
 * or both emulated with the same topology; else -1 and why. */
int emulation_comparable(json_object *doc_a, json_object *doc_b, char *why, size_t why_size);

#endif
