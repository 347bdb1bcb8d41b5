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
 * machine: id, fingerprint, fingerprint_fields and the full description.
 * host.topology and host.memory.numa are the topology set below (slotkit-bench
 * reads it with hwloc, the one topology source); without one, host.topology
 * is "not recorded", memory.numa is absent and so are their fingerprint
 * fields' values ("not recorded"), as for conformance documents. */
json_object *fingerprint_host(void);

/* The topology for every later fingerprint_host() of this process: a
 * topology.json document of slotkit-bench ({"topology": {...}, "numa": [...]};
 * takes its own reference), or NULL for none. */
void fingerprint_set_topology(json_object *topology_doc);
/* Reads RUN_DIR/topology.json into fingerprint_set_topology; 0, or -1 with err. */
int fingerprint_load_topology(const char *run_dir, char *err, size_t err_size);

/* The "build" object: compiler, flags, variant, slotkit version, git commit. */
json_object *fingerprint_build(void);

/* "<hostname>-<8 hex>" for this machine (results/<host-id>/): hostname and a
 * hash of the CPU model and the online CPU count, the same with or without a
 * recorded topology. */
const char *fingerprint_host_id(void);

/* Compares two documents' host.fingerprint_fields (or, for deterministic
 * instruction counts, their build toolchains when toolchain != 0). Returns
 * the number of differing fields and writes "field 'a' vs 'b'; ..." to msg. */
int fingerprint_diff(json_object *doc_a, json_object *doc_b, int toolchain, char *msg, size_t msg_size);

/* 64-bit FNV-1a, for ids that must be stable across runs and builds. */
unsigned long long fingerprint_hash(const char *text);

#endif
