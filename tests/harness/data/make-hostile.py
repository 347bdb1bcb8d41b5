#!/usr/bin/env python3
"""Writes hostile results documents for the escaping tests (tests/harness/cli.sh):
a results document is untrusted input. From one valid bench document (BASE,
e.g. an imported synthetic run) it writes, under STORE/HOST/, one bench and
one conform document per payload below, every string field holding that
payload: quotes that end a gnuplot string and call system(), backticks
(gnuplot's command substitution), HTML, a newline that forges a line,
tabs, control bytes and bytes that are not UTF-8. Only what validation
checks stays as it was (schema, kind, created_utc, host.id) and the enum-like
fields the report keys on (metrics, run types, time units, the enums of
benchmark cases); benchmark names
keep their suite and parameters so the report still draws every plot.

usage: make-hostile.py BASE.json STORE HOST"""
import json, os, sys

# Decoded with surrogateescape so that raw non-UTF-8 bytes survive into the file.
PAYLOADS = [
    b'q".system("touch CANARY")."',
    b"q'.system(\"touch CANARY\").'",
    b"q`touch CANARY`q @x",
    b"<script>alert(1)</script>",
    b'"><img src=x onerror=alert(1)>',
    b"q\nFORGED line\ttab\x01\x1b[31m\xff\xfe|`#",
]
KEEP = {"schema", "kind", "created_utc", "metric", "unit", "run_type", "aggregate_name", "aggregate_unit",
        "time_unit", "verdict", "better", "suite", "kind", "peers", "wait", "path", "cpus", "memory"}
NAMES = {"name", "run_name"}


def with_payload(name, p):
    """latency/same_l3/busy/size:64 -> latency/same_l3/busy/<p>/size:64: the suite and the
    parameters stay where the report looks for them."""
    parts = name.split("/")
    at = next((i for i, part in enumerate(parts) if i > 0 and ":" in part), len(parts))
    return "/".join(parts[:at] + [p] + parts[at:])


def poison(node, p, key=None, path=""):
    if isinstance(node, dict):
        return {k: poison(v, p, k, path + "." + k) for k, v in node.items()}
    if isinstance(node, list):
        return [poison(v, p, key, path) for v in node]
    if not isinstance(node, str) or key in KEEP or path == ".host.id":
        return node
    return with_payload(node, p) if key in NAMES else p


def main():
    base_path, store, host = sys.argv[1:4]
    with open(base_path, encoding="utf-8") as f:
        base = json.load(f)
    base["host"]["id"] = host
    os.makedirs(os.path.join(store, host), exist_ok=True)
    for i, raw in enumerate(PAYLOADS):
        p = raw.decode("utf-8", "surrogateescape")
        bench = poison(base, p)
        bench["backend"]["name"] = "h%d%s" % (i, p)  # one backend per payload
        conform = dict(bench, kind="conform", samples=[], raw={})
        conform["conformance"] = {"passed": 1, "failed": 1, "skipped": 0, "warned": 0, "verdict": "fail",
                                  "rules": [{"rule": p, "verdict": "FAIL", "tests": 1, "detail": p}]}
        for kind, doc in (("bench", bench), ("conform", conform)):
            doc["created_utc"] = "2025-01-01T00:00:%02dZ" % (2 * i + (kind == "conform"))
            name = "20250101T0000%02dZ-%s-hostile%d.json" % (2 * i + (kind == "conform"), kind, i)
            text = json.dumps(doc, ensure_ascii=False, indent=1)
            with open(os.path.join(store, host, name), "wb") as f:
                f.write(text.encode("utf-8", "surrogateescape"))


if __name__ == "__main__":
    main()
