#!/usr/bin/env python3
"""Writes the synthetic benchmark run directories the harness tests use,
shaped like `slotkit bench --out DIR` output: gbench.json (Google Benchmark
1.7.1 JSON with repetitions), hyperfine-*.json (hyperfine 1.15
--export-json), callgrind.json, meta.json and cases.json (slotkit-bench's
structured description of each Google Benchmark case). Deterministic (fixed seed);
topology.json beside them is not written here: it is slotkit-bench's own output for a
2-socket, 2-node machine (HWLOC_XMLFILE=bench/topologies/2socket-64pu.xml
slotkit-bench --topology=FILE), so the report's machine section has a real topology.
re-run after changing it: python3 tests/harness/data/make-synthetic.py"""
import json, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
REPS = 10


def gb_entries(name, reps, real, counters, rng, cv=0.01):
    out = []
    for i in range(reps):
        t = real * (1 + rng.gauss(0, cv))
        e = {"name": name, "family_index": 0, "per_family_instance_index": 0, "run_name": name,
             "run_type": "iteration", "repetitions": reps, "repetition_index": i, "threads": 1,
             "iterations": 100000, "real_time": t, "cpu_time": t * 0.98, "time_unit": "ns"}
        e.update({k: v * (1 + rng.gauss(0, cv)) if isinstance(v, float) else v for k, v in counters.items()})
        out.append(e)
    for agg in ("mean", "median", "stddev", "cv"):
        e = {"name": name + "_" + agg, "family_index": 0, "per_family_instance_index": 0, "run_name": name,
             "run_type": "aggregate", "repetitions": reps, "threads": 1, "aggregate_name": agg,
             "aggregate_unit": "percentage" if agg == "cv" else "time", "iterations": reps,
             "real_time": real if agg != "stddev" else real * 0.01, "cpu_time": real, "time_unit": "ns"}
        # Google Benchmark aggregates user counters too (the median of the counter, etc.).
        if agg in ("mean", "median"):
            e.update(counters)
        out.append(e)
    return out


def case(name, kind, peers=None, wait=None, path=None, size=0, readers=0, slots=0, placement=None):
    suite = "limits" if kind in ("cacheline", "futex", "memcpy") else kind
    return {"name": name, "suite": suite, "kind": kind, "peers": peers, "wait": wait, "path": path, "size": size,
            "readers": readers, "slots": slots, "placement": placement}


def cases_of():
    out = [case("limits/cacheline/threads", "cacheline", peers="threads")]
    out += [case("limits/memcpy/size:%d" % s, "memcpy", size=s) for s in (64, 4096, 65536)]
    for place in ("smt_siblings/writer_node", "same_l3/writer_node", "cross_numa/writer_node",
                  "cross_numa/reader_node"):
        cpus, memory = place.split("/")
        out.append(case("latency/%s/busy/size:64" % place, "latency", peers="threads", wait="busy", size=64,
                        readers=1, placement={"cpus": cpus, "memory": memory}))
    for readers in (1, 2, 4):
        for size in (64, 1024, 16384):
            for slots in (4, 16, 64):
                out.append(case("throughput/readers:%d/size:%d/slots:%d" % (readers, size, slots), "throughput",
                                peers="threads", path="copy", size=size, readers=readers, slots=slots))
    out += [case("ops/%s/size:64" % p, "ops", path=p, size=64) for p in ("copy", "in_place")]
    # A case this machine cannot run: described, but gbench.json has no figures for it.
    out.append(dict(case("latency/cross_package/writer_node/busy/size:64", "latency", peers="threads", wait="busy",
                         size=64, readers=1, placement={"cpus": "cross_package", "memory": "writer_node"}),
                    not_applicable="this machine has one package"))
    return {"schema": "slotkit-bench-cases", "version": 1, "cases": out}


def run(backend, seed, slow=1.0, throughput_scale=1.0):
    rng = random.Random(seed)
    benches = []
    # physical limits
    benches += gb_entries("limits/cacheline/threads", REPS, 180.0, {"p50_ns": 90.0, "p99_ns": 140.0, "cpu_a": 0, "cpu_b": 1}, rng)
    for size in (64, 4096, 65536):
        ns = 5.0 + size / 20.0
        benches += gb_entries("limits/memcpy/size:%d" % size, REPS, ns,
                              {"ns_per_copy": ns, "GBps": size / ns, "payload_bytes": float(size)}, rng)
    # latency by placement
    for place, base in (("smt_siblings/writer_node", 60.0), ("same_l3/writer_node", 110.0),
                        ("cross_numa/writer_node", 260.0), ("cross_numa/reader_node", 240.0)):
        p50 = base * slow
        benches += gb_entries("latency/%s/busy/size:64" % place, REPS, 2 * p50,
                              {"p50_ns": p50, "p90_ns": p50 * 1.2, "p99_ns": p50 * 1.8, "p999_ns": p50 * 3.0,
                               "max_ns": p50 * 20, "limit_ns": base * 0.8, "x_limit": 1.25 * slow,
                               "payload_bytes": 64.0, "cpu_writer": 0, "cpu_reader": 1, "mem_node": 0}, rng)
    # throughput by payload and readers; back-pressure shrinks with more slots
    for readers in (1, 2, 4):
        for size in (64, 1024, 16384):
            for slots in (4, 16, 64):
                rate = 8e6 * throughput_scale / readers / (1 + size / 4096.0) / slow
                bp = max(0.0, 0.3 - slots / 64.0) if slots < 64 else 0.0
                benches += gb_entries("throughput/readers:%d/size:%d/slots:%d" % (readers, size, slots), REPS,
                                      1e9 / rate,
                                      {"items_per_second": rate * (1 - bp), "bytes_per_second": rate * (1 - bp) * size,
                                       "readers": float(readers), "payload_bytes": float(size), "slots": float(slots),
                                       "backpressure": bp, "limit_bytes_per_second": 20e9}, rng)
    for op, ns in (("copy/size:64", 38.0), ("in_place/size:64", 30.0)):
        benches += gb_entries("ops/%s" % op, REPS, ns * slow, {"ns_per_sample": ns * slow, "limit_ns": 12.0}, rng)
    gbench = {"context": {"date": "2025-11-26T05:00:00+00:00", "host_name": "synthetic", "executable": "slotkit",
                          "num_cpus": 2, "mhz_per_cpu": 2000, "cpu_scaling_enabled": False,
                          "caches": [{"type": "Data", "level": 1, "size": 49152, "num_sharing": 1}],
                          "load_avg": [0.1, 0.1, 0.1], "library_build_type": "release"},
              "benchmarks": benches}
    hyperfine = {"results": [{"command": "attach", "mean": 0.0021 * slow, "stddev": 0.0001, "median": 0.0021 * slow,
                              "user": 0.001, "system": 0.001, "min": 0.0019, "max": 0.0025,
                              "times": [0.0021 * slow * (1 + rng.gauss(0, 0.02)) for _ in range(REPS)],
                              "exit_codes": [0] * REPS}]}
    callgrind = {"tool": "callgrind", "valgrind": "valgrind-3.19.0", "rounds": 1000,
                 "benchmarks": [{"name": "ops/copy/size:64", "instructions": int(412000 * slow),
                                 "rounds": 1000, "instructions_per_op": 412.0 * slow},
                                {"name": "ops/in_place/size:64", "instructions": 298000, "rounds": 1000,
                                 "instructions_per_op": 298.0}]}
    meta = {"backend": backend, "suite": "all", "quick": False, "cpus": [0, 1], "repetitions": REPS,
            "command": "slotkit bench --backend %s --suite all" % backend}
    return gbench, hyperfine, callgrind, meta, cases_of()


def write(dirname, parts):
    d = os.path.join(HERE, dirname)
    os.makedirs(d, exist_ok=True)
    for fname, obj in zip(("gbench.json", "hyperfine-startup.json", "callgrind.json", "meta.json", "cases.json"), parts):
        with open(os.path.join(d, fname), "w") as f:
            json.dump(obj, f, separators=(",", ":"))
            f.write("\n")


write("run-inmem", run("inmem", 1))
write("run-inmem-rerun", run("inmem", 2))
write("run-inmem-slow", run("inmem", 3, slow=1.2))
write("run-posix", run("posix", 4, throughput_scale=0.7))
