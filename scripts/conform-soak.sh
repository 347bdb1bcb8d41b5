#!/usr/bin/env bash
# Reruns the whole conformance suite on the reference backends to show it has
# no false failures: `make conform-soak RUNS=20`. A run that fails prints its
# failing rules; the last line is "N passed, N failed" (one count per run).
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-20}
backends=${SOAK_BACKENDS:-inmem posix iceoryx2}
slotkit=build/release/bin/slotkit
log_dir=build/soak
mkdir -p "$log_dir"
passed=0 failed=0
for ((i = 1; i <= runs; i++)); do
    for b in $backends; do
        log="$log_dir/$b-$i.log"
        start=$(date +%s.%N)
        "$slotkit" conform --backend "$b" --no-store >"$log" 2>&1
        rc=$?
        secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
        if [ "$rc" -eq 0 ]; then
            passed=$((passed + 1))
            echo "soak: run $i $b: pass ($secs s)"
        else
            failed=$((failed + 1))
            echo "soak: run $i $b: exit $rc ($secs s); see $log"
            grep -E '^R-[A-Z]+-[0-9]+ +(FAIL|BLOCKED|NOT-RUN)' "$log" | head -n 5 | sed 's/^/    /'
        fi
    done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
