#!/usr/bin/env bash
# `slotkit conform` judged on backends built to be wrong in one way each
# (tests/conform/plugins): exit status, verdicts, reports, --memcheck and --expect.
# Prints TAP-style "ok"/"not ok" lines.
set -u
B=${1:-build/release}
SLOTKIT="$B/bin/slotkit"
PLUGINS="$B/conform-plugins"
n=0
tmp=$(mktemp -d)
out="$tmp/out" err="$tmp/err"
trap 'rm -rf "$tmp"' EXIT

source "$(dirname "${BASH_SOURCE[0]}")/../expect.sh"

expect "--help documents the run's limits" 0 "--budget S .*NOT-RUN" -- \
    bash -c "'$SLOTKIT' conform --help | tr '\n' ' '; echo"
expect "a bad --timeout is a usage error" 2 "--timeout must be" -- "$SLOTKIT" conform --timeout nan --no-store
expect "a missing plug-in is a setup error" 2 "cannot (read|load) plug-in" -- \
    "$SLOTKIT" conform --backend "$tmp/none.so" --no-store

# A SHOULD rule missed is a warning: the run passes (SPEC §1.3, §1.4).
expect "only a SHOULD miss exits 0" 0 "1 advisory \(SHOULD\) missed" -- \
    "$SLOTKIT" conform --backend "$PLUGINS/libslotkit_should_miss.so" --no-store --filter 'notify/*'
cp "$out" "$tmp/should.out"
expect "the SHOULD miss is reported as warn" 0 "R-NOTIFY-7 +warn" -- cat "$tmp/should.out"

# An invalid read that no status shows: only --memcheck sees it, and names it.
expect "without --memcheck the planted over-read is invisible" 0 "1 rules passed, 0 failed" -- \
    "$SLOTKIT" conform --backend "$PLUGINS/libslotkit_oob_read.so" --no-store --filter 'commit/r_commit_1'
expect "--memcheck fails the rule with the invalid read" 1 \
    "R-COMMIT-1 +FAIL .*\(memcheck\) Invalid read of size 1 .*oob_read_slot" -- \
    "$SLOTKIT" conform --memcheck --backend "$PLUGINS/libslotkit_oob_read.so" --no-store --filter 'commit/r_commit_1'
expect "--memcheck finds nothing in the reference backend" 0 "1 rules passed, 0 failed" -- \
    "$SLOTKIT" conform --memcheck --backend inmem --no-store --filter 'commit/r_commit_1'

# A budget that ends the run early: the table is still printed, rules not run say so.
expect "a spent budget reports NOT-RUN and fails" 1 "NOT-RUN .*budget" -- \
    "$SLOTKIT" conform --backend inmem --no-store --jobs 1 --budget 0.5
cp "$out" "$tmp/budget.out"
expect "the summary names the spent budget" 0 "budget spent" -- cat "$tmp/budget.out"

# Reports are written from the run's model and parse as their formats.
expect "TAP, JUnit and JSON reports" 0 "rules passed" -- \
    "$SLOTKIT" conform --backend inmem --no-store --filter 'seq/*' --tap "$tmp/r.tap" --xml "$tmp/r.xml" \
    --json "$tmp/r.json"
expect "TAP lists every test" 0 "^1\.\.[0-9]+" -- cat "$tmp/r.tap"
expect "JUnit XML is well formed" 0 "." -- python3 -c \
    "import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); print(len(d.getElementsByTagName('testcase')))" "$tmp/r.xml"
expect "JSON holds rules and tests" 0 "R-SEQ-1" -- python3 -c \
    "import json,sys; d=json.load(open(sys.argv[1])); print([r['rule'] for r in d['rules']])" "$tmp/r.json"

# --expect (docs/expectations.md): a CI pins the known failures, and the run
# fails on a new one, on a fixed one and on a changed one. wrong_hash fails
# exactly one rule, R-HASH-1.
HASH="$PLUGINS/libslotkit_wrong_hash.so"
printf '# slotkit-expect 1\n# planted by tests/conform/plugins/wrong_hash.c\n%s\n' \
    "R-HASH-1  FAIL  reports a hash other than the pool's (planted)" >"$tmp/hash.expect"
printf '# slotkit-expect 1\n' >"$tmp/none.expect"
sed 's/  FAIL  /  BLOCKED  /' "$tmp/hash.expect" >"$tmp/blocked.expect"
py_check() { python3 -c "$1" "${@:2}"; }

expect "without --expect the planted failure fails the run" 1 "R-HASH-1 +FAIL" -- \
    "$SLOTKIT" conform --backend "$HASH" --no-store --filter 'hash/*'
expect "--expect: an expected failure exits 0" 0 "expectations met" -- \
    "$SLOTKIT" conform --backend "$HASH" --results "$tmp/res" --filter 'hash/*' --expect "$tmp/hash.expect" \
    --tap "$tmp/x.tap" --xml "$tmp/x.xml" --json "$tmp/x.json"
cp "$out" "$tmp/xfail.out"
expect "the table marks the expected failure with its reason" 0 \
    "R-HASH-1 +FAIL +5 +\(expected: reports a hash other than the pool's \(planted\)\) hash::" -- cat "$tmp/xfail.out"
expect "the summary counts it as expected" 0 "1 as expected, 0 new failures, 0 unexpected passes, 0 changed" -- \
    cat "$tmp/xfail.out"
expect "TAP: every failing test is 'not ok ... # TODO expected failure: reason'" 0 "^4 1$" -- py_check '
import re, sys
lines = open(sys.argv[1]).read().splitlines()
bad = [l for l in lines if l.startswith("not ok") and not l.endswith("# TODO expected failure: reports a hash other than the pool'"'"'s (planted)")]
print(sum(l.startswith("not ok") for l in lines), sum(l.startswith("ok ") for l in lines), *bad)' "$tmp/x.tap"
expect "JUnit: expected failures are <skipped> with the reason, none a failure" 0 "^4 0$" -- py_check '
import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1])
msgs = [s.getAttribute("message") for s in d.getElementsByTagName("skipped")]
ok = [x for x in msgs if x == "expected failure: reports a hash other than the pool'"'"'s (planted)"]
print(len(ok), len(d.getElementsByTagName("failure")) + int(d.documentElement.getAttribute("failures")))' "$tmp/x.xml"
expect "JSON: the rule carries its expected verdict and reason" 0 "^FAIL 3 as expected met [0-9a-f]{16}$" -- py_check '
import json, sys
d = json.load(open(sys.argv[1]))
r = [r for r in d["rules"] if r["rule"] == "R-HASH-1"][0]
assert r["expected"]["reason"] == "reports a hash other than the pool'"'"'s (planted)", r
print(r["expected"]["verdict"], r["expected"]["line"], r["expectation"], d["expectations"]["outcome"], d["expectations"]["fnv1a64"])' \
    "$tmp/x.json"
expect "the stored results document names the file, its hash and the outcome" 0 "^ok met$" -- py_check '
import glob, json, sys
docs = glob.glob(sys.argv[1] + "/*/*.json")
e = json.load(open(docs[0]))["conformance"]["expectations"]
assert len(docs) == 1 and e["file"] == sys.argv[2] and len(e["fnv1a64"]) == 16, (docs, e)
print("ok", e["outcome"])' "$tmp/res" "$tmp/hash.expect"

expect "--expect: a new failure exits 1" 1 "R-HASH-1 +NEW FAIL: no line expects it" -- \
    "$SLOTKIT" conform --backend "$HASH" --no-store --filter 'hash/*' --expect "$tmp/none.expect" --tap "$tmp/n.tap"
expect "TAP: a new failure is a plain 'not ok'" 0 "^4$" -- bash -c "grep -c '^not ok [0-9]* - hash::[a-z_0-9]* (R-HASH-1)\$' '$tmp/n.tap'"

expect "--expect: an unexpected pass exits 1 and says to remove the line" 1 \
    "R-HASH-1 +UNEXPECTED pass: line 3 expects FAIL .*remove the line" -- \
    "$SLOTKIT" conform --backend inmem --no-store --filter 'hash/*' --expect "$tmp/hash.expect" \
    --tap "$tmp/u.tap" --xml "$tmp/u.xml" --json "$tmp/u.json"
expect "TAP: the unexpected pass is a failing test point of its own" 0 \
    "^1\.\.6 not ok 6 - expectation R-HASH-1: UNEXPECTED pass" -- bash -c "grep -E '^1\.\.|^not ok' '$tmp/u.tap' | tr '\n' ' '; echo"
expect "JUnit: the unexpected pass is a failure" 0 "^unexpected pass 1$" -- py_check '
import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1])
f = d.getElementsByTagName("failure")
print(f[0].getAttribute("type"), d.documentElement.getAttribute("failures"))' "$tmp/u.xml"
expect "JSON: the rule is an unexpected pass, the file unmet" 0 "^unexpected pass unmet$" -- py_check '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["rules"][0]["expectation"], d["expectations"]["outcome"])' "$tmp/u.json"

expect "--expect: a changed verdict (BLOCKED expected, FAIL got) exits 1" 1 \
    "R-HASH-1 +CHANGED: line 3 expects BLOCKED .*, got FAIL" -- \
    "$SLOTKIT" conform --backend "$HASH" --no-store --filter 'hash/*' --expect "$tmp/blocked.expect"
expect "--expect: a line for a rule --filter left out is not checked" 0 "1 not checked .*expectations met" -- \
    bash -c "'$SLOTKIT' conform --backend inmem --no-store --filter 'seq/r_seq_1' --expect '$tmp/hash.expect' | tr '\n' ' '; echo"

expect "--write-expect drafts a file from the run's failures" 1 "rules passed" -- \
    "$SLOTKIT" conform --backend "$HASH" --no-store --filter 'hash/*' --write-expect "$tmp/drafted.expect"
expect "the draft holds the failed rule with its detail as the reason" 0 \
    "^R-HASH-1 +FAIL +TODO say why: hash::r_hash_1[a-z_]* FAILED: " -- cat "$tmp/drafted.expect"
expect "the draft is a file --expect accepts, and it is met" 0 "1 as expected.*expectations met" -- \
    bash -c "'$SLOTKIT' conform --backend '$HASH' --no-store --filter 'hash/*' --expect '$tmp/drafted.expect' | tr '\n' ' '; echo"

# A bad file is a setup error, named by line, before any test runs.
refused() {
    local name=$1 file=$2 pattern=$3
    expect "bad --expect file: $name (exit 2)" 2 "^slotkit: conform: --expect .*: $pattern" -- \
        "$SLOTKIT" conform --backend inmem --no-store --filter 'hash/*' --expect "$file"
    cp "$out" "$tmp/refused.out"
    cp "$err" "$tmp/refused.err"
    expect "bad --expect file: $name: no test ran" 0 "^none$" -- bash -c \
        "if [ -s '$tmp/refused.out' ] || grep -q 'conformance of backend' '$tmp/refused.err'; then echo ran; else echo none; fi"
}
printf '# slotkit-expect 1\nR-HASH-99  FAIL  x\n' >"$tmp/b-unknown"
printf '# slotkit-expect 1\nR-HASH-1  fail  x\n' >"$tmp/b-verdict"
printf '# slotkit-expect 1\nR-HASH-1  FAIL  x\n\nR-HASH-1  BLOCKED  y\n' >"$tmp/b-dup"
{ echo '# slotkit-expect 1'; head -c 70000 /dev/zero | tr '\0' '#'; } >"$tmp/b-big"
cp "$HASH" "$tmp/b-binary"
printf 'R-HASH-1  FAIL  x\n' >"$tmp/b-noversion"
printf '# slotkit-expect 2\n' >"$tmp/b-version2"
printf '# slotkit-expect 1\nR-HASH-1  FAIL  \033[2Jx\n' >"$tmp/b-escape"
printf '# slotkit-expect 1\r\nR-HASH-1  FAIL  x\r\n' >"$tmp/b-crlf"
printf '# slotkit-expect 1\nR-HASH-1  FAIL\n' >"$tmp/b-noreason"
mkfifo "$tmp/b-fifo"
refused "unknown rule" "$tmp/b-unknown" "line 2: unknown rule R-HASH-99"
refused "bad verdict" "$tmp/b-verdict" "line 2: unknown verdict 'fail'"
refused "duplicate rule" "$tmp/b-dup" "line 4: R-HASH-1 is already expected on line 2"
refused "oversized" "$tmp/b-big" "the file is 70019 bytes, more than the limit of 65536"
refused "binary junk" "$tmp/b-binary" "line 1: column 1: control byte 0x7f"
refused "missing version line" "$tmp/b-noversion" "line 1: the first line must be '# slotkit-expect 1'"
refused "unknown version" "$tmp/b-version2" "line 1: version '2' is not known"
refused "control bytes" "$tmp/b-escape" "line 2: column 17: control byte 0x1b"
refused "CRLF line ends" "$tmp/b-crlf" "line 1: column 19: carriage return"
refused "no reason" "$tmp/b-noreason" "line 2: R-HASH-1 FAIL has no reason"
refused "a FIFO" "$tmp/b-fifo" "not a regular file"
refused "a missing file" "$tmp/b-missing" "cannot read: No such file"
