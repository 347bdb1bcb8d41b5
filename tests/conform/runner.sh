#!/usr/bin/env bash
# `slotkit conform` judged on backends built to be wrong in one way each
# (tests/conform/plugins): exit status, verdicts, reports and --memcheck.
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
    bash -c "'$SLOTKIT' conform --help | tr '\n' ' '"
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
