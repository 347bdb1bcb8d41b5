#!/usr/bin/env bash
# make numa-check: slotkit's NUMA paths on emulated multi-node machines
# (docs/numa-emulation.md). For each topology of scripts/numa/topologies.sh:
# boot the release build under qemu (TCG), run the steps inside, bring the
# files back over the serial console, and judge them outside
# (scripts/numa/verify.py: plan, placement probe, latency cases and the node
# each read back, results documents marked emulated, `slotkit report` on them).
# Then boot once more with a planted bug (every binding to node 0) and require
# that to FAIL. Ends with "numa-check: N passed, N failed".
#   numa-check.sh [--quick]   --quick: 4node only, fewer steps (make check)
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/numa/topologies.sh
out=build/numa
bin=build/release/bin
planted_bench=build/release/numa-planted/slotkit-bench
quick=0
[ "${1:-}" = --quick ] && quick=1
passed=0 failed=0
for tool in qemu-system-x86_64 busybox cpio python3; do
    command -v "$tool" >/dev/null || { echo "numa-check: $tool is missing (make deps-all installs it)" >&2; exit 2; }
done
for f in "$bin/slotkit" "$bin/slotkit-bench" "$planted_bench"; do
    [ -x "$f" ] || { echo "numa-check: $f is missing (run make numa-check)" >&2; exit 2; }
done
kernel=$(scripts/numa/kernel.sh "$out/kernel") || exit 2
scripts/numa/initramfs.sh "$out/initramfs.cpio.gz" || exit 2
scripts/numa/initramfs.sh "$out/initramfs-planted.cpio.gz" "$planted_bench" || exit 2

# Adds a verify run's ok/FAIL lines to the totals.
tally() { # log
    passed=$((passed + $(grep -c '^  ok ' "$1"))) failed=$((failed + $(grep -c '^  FAIL ' "$1")))
}

# One topology: boot, verify, time. $3 overrides the conform filter ("" = all).
run_topology() { # name steps conform_filter
    local name=$1 steps=$2 start=$SECONDS log="$out/$1/verify.log"
    echo "numa-check: $name: $(topology_about "$name"); steps $steps${3:+, conform --filter $3}"
    if SLOTKIT_NUMA_CONFORM=$3 scripts/numa/boot.sh "$name" "$steps" "$out/$name" "$kernel" \
        "$out/initramfs.cpio.gz"; then
        python3 scripts/numa/verify.py "$out/$name/guest" "$name" "$(topology_offers "$name")" "$steps" "$bin" \
            >"$log" 2>&1
        grep -E '^  FAIL|check\(s\) failed' "$log"
        tally "$log"
    else
        echo "numa-check: $name: the guest did not complete (see $out/$name/console.log)"
        failed=$((failed + 1))
    fi
    echo "numa-check: $name: $((SECONDS - start)) s"
}

# The planted bug must be caught: the probe and the latency read-back both see it.
run_planted() {
    local start=$SECONDS log="$out/planted/verify.log" name=snc2
    echo "numa-check: planted bug (bindings forced to node 0) on $name: must fail"
    if scripts/numa/boot.sh "$name" probe,latency "$out/planted" "$kernel" "$out/initramfs-planted.cpio.gz" &&
        ! python3 scripts/numa/verify.py "$out/planted/guest" "$name" "$(topology_offers "$name")" probe,latency \
            "$bin" >"$log" 2>&1 && grep -q '^  FAIL probe: .*reader_node' "$log" &&
        grep -q '^  FAIL latency: .*read back on node 0' "$log"; then
        echo "  ok   the planted bug fails the probe and the latency read-back ($(grep -c '^  FAIL' "$log") checks)"
        passed=$((passed + 1))
    else
        echo "  FAIL the planted bug was not caught (see $log)"
        failed=$((failed + 1))
    fi
    echo "numa-check: planted: $((SECONDS - start)) s"
}

XPROC_SUBSET='xproc/r_xproc_1*' # R-XPROC-1 and 10-13
total=$SECONDS
if [ $quick -eq 1 ]; then
    run_topology 4node probe,latency,conform "$XPROC_SUBSET"
else
    # The full suite once (on 2socket); elsewhere the
    # cross-process rules of attach, geometry, close and a killed peer (two
    # processes on one segment, where placement matters). The placement tests
    # (the planner on XML machines, pinning, mbind, move_pages live) once, on
    # the machine with the most nodes. Keeps the whole under 5 minutes here.
    run_topology 2socket probe,bench,conform ""
    run_topology snc2 probe,bench,conform "$XPROC_SUBSET"
    run_topology 4node probe,tests,bench,conform "$XPROC_SUBSET"
fi
run_planted
echo "numa-check: $((SECONDS - total)) s in all"
echo "numa-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
