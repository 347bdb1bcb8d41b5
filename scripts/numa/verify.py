#!/usr/bin/env python3
"""Judges what one emulated NUMA machine sent back (scripts/numa/boot.sh).

  verify.py GUEST_DIR TOPOLOGY "RELATIONS OFFERED" STEPS SLOTKIT_BIN_DIR

Every check prints one line, "ok" or "FAIL", and the exit status is the
number of failures (capped): the guest's files are the guest's word, so each
figure is re-derived here rather than taken from a verdict the guest wrote.
"""
import glob
import json
import os
import re
import subprocess
import sys

RELATIONS = ["smt_siblings", "same_l3", "same_numa", "cross_numa", "cross_package"]
CROSS_NODE = {"cross_numa", "cross_package"}
failures = 0


def check(ok, what):
    global failures
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    failures += 0 if ok else 1
    return ok


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        check(False, f"{os.path.basename(path)} readable: {e}")
        return None


def expected_nodes(case):
    w, r = case["writer_node"], case["reader_node"]
    return {"writer_node": [w], "reader_node": [r], "interleaved": sorted({w, r})}[case["memory"]]


STEP_FILES = {"probe": ["plan", "probe"], "tests": ["placement-tests"]}


def check_steps(guest, steps):
    for step in steps:
        for name in STEP_FILES.get(step, [step]):
            rc_file = os.path.join(guest, f"{name}.rc")
            rc = open(rc_file).read().strip() if os.path.exists(rc_file) else "missing"
            check(rc == "0", f"step {name} exited 0 (got {rc}; see {name}.log)")


def check_plan(plan, offers):
    """Each offered relation plans all its cases; every other case says why not."""
    by_relation = {r: [c for c in plan["cases"] if c["relation"] == r] for r in RELATIONS}
    for rel in RELATIONS:
        cases = by_relation[rel]
        applicable = [c for c in cases if c["applicable"]]
        if rel in offers:
            want = 3 if rel in CROSS_NODE else 1
            check(len(applicable) == want, f"plan: {rel} offers {want} case(s), {len(applicable)} applicable")
            for c in applicable:
                if rel in CROSS_NODE:
                    check(c["writer_node"] != c["reader_node"], f"plan: {c['name']} spans nodes "
                          f"{c['writer_node']} and {c['reader_node']}")
        else:
            check(not applicable, f"plan: {rel} not offered here, none applicable")
        for c in cases:
            if not c["applicable"]:
                check(bool(c["reason"]), f"plan: {c['name']} not applicable says why: {c['reason']!r}")


def check_probe(probe, plan):
    """Every applicable case probed; pages where asked, interleave spread."""
    planned = {c["name"] for c in plan["cases"] if c["applicable"]}
    probed = {c["name"]: c for c in probe["cases"] if c["applicable"]}
    check(set(probed) == planned, f"probe: probed exactly the {len(planned)} applicable case(s)")
    for name, c in sorted(probed.items()):
        nodes = expected_nodes(c)
        on = {int(k): v for k, v in c.get("pages_on_node", {}).items()}
        pages = c.get("pages", 0)
        placed = sum(on.get(n, 0) for n in nodes)
        spread = all(on.get(n, 0) * 2 * len(nodes) >= pages for n in nodes)
        ok = pages > 0 and placed == pages and spread and c.get("verdict") == "ok"
        check(ok, f"probe: {name}: {c.get('residency')} (asked node(s) {nodes}, {pages} pages)")


def gbench_runs(run_dir):
    doc = load(os.path.join(run_dir, "gbench.json")) or {}
    return {b["name"]: b for b in doc.get("benchmarks", []) if b.get("run_type", "iteration") == "iteration"}


def check_latency(guest, plan):
    """Every applicable placement case ran; the node read back is the one asked."""
    runs = gbench_runs(os.path.join(guest, "bench"))
    for c in plan["cases"]:
        hits = [b for n, b in runs.items() if f"latency/placement/{c['name']}" in n]
        if not check(len(hits) == 1, f"latency: latency/placement/{c['name']} is in gbench.json"):
            continue
        b = hits[0]
        if not c["applicable"]:
            check(b.get("error_occurred") and "not applicable" in b.get("error_message", ""),
                  f"latency: {c['name']} skipped as not applicable")
            continue
        ran = not b.get("error_occurred") and "p50_ns" in b
        check(ran, f"latency: {c['name']} ran (p50 {b.get('p50_ns', 0):.0f} ns) {b.get('error_message', '')}")
        node = int(b.get("mem_node", -1))
        check(node in expected_nodes(c), f"latency: {c['name']} pool read back on node {node} "
              f"(asked {expected_nodes(c)})")
        cpus = (int(b.get("cpu_writer", -1)), int(b.get("cpu_reader", -1)))
        check(cpus == (c["writer_cpu"], c["reader_cpu"]), f"latency: {c['name']} ran on CPUs {cpus}")


def check_planner_xml(guest, bin_dir):
    """The planner's choice for the live machine equals its choice for the same machine as XML."""
    xml = os.path.join(guest, "topology.xml")
    out = os.path.join(guest, "plan-from-xml.json")
    env = dict(os.environ, HWLOC_XMLFILE=xml, HWLOC_THISSYSTEM="0")
    rc = subprocess.run([os.path.join(bin_dir, "slotkit-bench"), f"--plan={out}"], env=env,
                        capture_output=True, text=True).returncode
    if check(rc == 0 and os.path.exists(out), f"planner on the exported XML (exit {rc})"):
        live, from_xml = load(os.path.join(guest, "plan.json")), load(out)
        check(live and from_xml and live["cases"] == from_xml["cases"],
              "planner: live choice == choice for the same topology as XML")


def results_docs(guest):
    return sorted(glob.glob(os.path.join(guest, "results", "*", "*.json")))


def check_documents(guest, topology):
    docs = results_docs(guest)
    check(len(docs) > 0, f"results documents came back ({len(docs)})")
    for path in docs:
        emu = (load(path) or {}).get("host", {}).get("emulation", {})
        check(emu.get("emulated") is True and emu.get("topology") == topology,
              f"{os.path.basename(path)}: marked emulated, topology {emu.get('topology')}")


def check_report(guest, topology, offers, bin_dir):
    """slotkit report, outside, on the guest's documents: the emulated banner, and
    cross-node / cross-socket advice citing the figures of those cases."""
    hosts = os.listdir(os.path.join(guest, "results"))
    out = os.path.join(guest, "report")
    rc = subprocess.run([os.path.join(bin_dir, "slotkit"), "report", "--results", os.path.join(guest, "results"),
                         "--host", hosts[0], "--out", out], capture_output=True, text=True)
    if not check(rc.returncode == 0, f"slotkit report exit 0 ({rc.stderr.strip()[-200:]})"):
        return
    md = open(os.path.join(out, "report.md")).read()
    check("EMULATED MACHINE" in md and f"topology {topology}" in md, "report: marked as an emulated machine")
    runs = gbench_runs(os.path.join(guest, "bench"))
    for rel, words in (("same_numa", "cross-CCX (same node, different L3)"), ("cross_numa", "cross-node"),
                       ("cross_package", "cross-socket")):
        if rel not in offers:
            continue
        m = re.search(rf"{re.escape(words)} placement `[^`]*` costs [+-]?\d+% over `[^`]*` \(p50 (\d+) vs (\d+) ns, Figure \d+\)", md)
        if not check(m is not None, f"report: {words} recommendation present"):
            continue
        p50s = {round(b["p50_ns"]) for n, b in runs.items() if f"placement/{rel}/" in n and "p50_ns" in b}
        check(int(m.group(1)) in p50s, f"report: {words} advice cites p50 {m.group(1)} ns, a measured "
              f"{rel} figure {sorted(p50s)}")
    if "cross_numa" in offers:
        check("memory placement across nodes:" in md, "report: memory-node advice (reader's vs writer's node)")


def main():
    guest, topology, offers, steps, bin_dir = sys.argv[1], sys.argv[2], set(sys.argv[3].split()), \
        sys.argv[4].split(","), sys.argv[5]
    print(f"numa-check {topology}: verifying {guest}")
    check_steps(guest, steps)
    plan = load(os.path.join(guest, "plan.json"))
    if plan:
        check_plan(plan, offers)
        check_planner_xml(guest, bin_dir)
        probe = load(os.path.join(guest, "probe.json"))
        if probe:
            check_probe(probe, plan)
        if "bench" in steps or "latency" in steps:
            check_latency(guest, plan)
    if "bench" in steps or "latency" in steps or "conform" in steps:
        check_documents(guest, topology)
    if "bench" in steps or "latency" in steps:
        check_report(guest, topology, offers, bin_dir)
    if "conform" in steps:
        log = open(os.path.join(guest, "conform.log"), errors="replace").read()
        check(re.search(r"conformance tests: \d+ passed, 0 failed", log) is not None, "conform: 0 failed")
    print(f"numa-check {topology}: {failures} check(s) failed")
    sys.exit(min(failures, 100))


if __name__ == "__main__":
    main()
