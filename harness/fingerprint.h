/* The machine a result was measured on, and the build that measured it.
 *
 * Results are comparable only on the same testbed (Bencher's testbeds,
 * Conbench's "hardware", asv's machine.json), so every document carries a
 * fingerprint: a fixed list of fields that change what a benchmark measures
 * (CPU and microcode, topology, NUMA memory, kernel, governor, SMT, huge
 * pages), hashed into one id. The gate refuses to compare documents whose
 * fingerprints differ and names the fields that do. */
#ifndef SLOTKIT_HARNESS_FINGERPRINT_H
#define SLOTKIT_HARNESS_FINGERPRINT_H

#include <json-c/json.h>
#include <stddef.h>

/* The "host" object of a results document, read from /proc and /sys of this
 * machine: id, fingerprint, fingerprint_fields and the full description. */
json_object *fingerprint_host(void);

/* The "build" object: compiler, flags, variant, slotkit version, git commit. */
json_object *fingerprint_build(void);

/* "<hostname>-<8 hex>" for this machine (results/<host-id>/). */
const char *fingerprint_host_id(void);

/* Compares two documents' host.fingerprint_fields (or, for deterministic
 * instruction counts, their build toolchains when toolchain != 0). Returns
 * the number of differing fields and writes "field 'a' vs 'b'; ..." to msg. */
int fingerprint_diff(json_object *doc_a, json_object *doc_b, int toolchain, char *msg, size_t msg_size);

/* 64-bit FNV-1a, for ids that must be stable across runs and builds. */
unsigned long long fingerprint_hash(const char *text);

#endif
