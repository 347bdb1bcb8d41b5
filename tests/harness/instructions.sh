#!/usr/bin/env bash
# Deterministic gate: instruction counts of the single-thread operation paths
# under callgrind, against the committed baseline in results/baselines/.
#   tests/harness/instructions.sh gate    [BUILD_DIR]   exit 0 pass, 1 regression, 2 error, 3 not available
#   tests/harness/instructions.sh record  [BUILD_DIR]   (re)write the baseline (make baseline)
# Counts depend on the compiler and flags, so the gate and the baseline both
# use the release build; the gate refuses a baseline from another toolchain.
set -uo pipefail
cd "$(dirname "$0")/../.."
mode=${1:-gate}
B=${2:-build/release}
SLOTKIT="$B/bin/slotkit"
BACKEND=inmem
BASELINE=results/baselines/instructions-$BACKEND.json
TOLERANCE=${SLOTKIT_INSTR_TOLERANCE:-0.5%}

if ! "$SLOTKIT" bench --help 2>/dev/null | grep -q -- '--callgrind'; then
    echo "harness: deterministic gate not available: 'slotkit bench --callgrind' does not exist yet (benchmarks issue)"
    exit 3
fi
if ! command -v valgrind >/dev/null; then
    echo "harness: valgrind is missing (make deps installs it)"
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The run's document goes to a scratch store: the committed baseline is the only one kept.
if ! SLOTKIT_RESULTS_DIR="$tmp/store" "$SLOTKIT" bench --backend "$BACKEND" --suite ops --callgrind \
    --out "$tmp/run" >"$tmp/bench.log" 2>&1; then
    echo "harness: 'slotkit bench --backend $BACKEND --suite ops --callgrind' failed:"
    tail -n 20 "$tmp/bench.log"
    exit 2
fi
doc=$(find "$tmp/store" -name '*.json' | sort | tail -n 1)
if [ -z "$doc" ]; then
    echo "harness: the callgrind run stored no results document (see results_write_bench)"
    exit 2
fi
case $mode in
record)
    mkdir -p "$(dirname "$BASELINE")"
    cp "$doc" "$BASELINE"
    echo "harness: recorded $BASELINE:"
    "$SLOTKIT" gate --baseline "$BASELINE" "$BASELINE" --force | grep instructions
    ;;
gate)
    if [ ! -f "$BASELINE" ]; then
        echo "harness: no committed baseline $BASELINE; record it with 'make baseline' and commit it"
        exit 2
    fi
    "$SLOTKIT" gate --baseline "$BASELINE" "$doc" --tolerance "$TOLERANCE" --require-all
    ;;
*)
    echo "usage: $0 gate|record [BUILD_DIR]" >&2
    exit 2
    ;;
esac
