# shellcheck shell=bash
# part: bench build/asan/bin/slotkit-bench
# Sourced by scripts/check.sh. Benchmarks: a --quick smoke of every suite
# (one `slotkit bench --suite all` covers limits, ops, latency, throughput and
# the hyperfine runs) against every backend `slotkit backends` lists, with the
# ASan+UBSan binaries. Each run must end with slotkit-bench --validate saying
# the JSON is complete: every expected case present, not-applicable ones
# skipped with a reason, counters present, cases.json the plan's cases. The
# numbers are not judged.

# cases.json names exactly gbench.json's run_names, and topology.json is the
# host's (hwloc): what the results store and the report read the cases from.
bench_run_files() { # dir
    local dir=$1 runs cases
    [ -s "$dir/topology.json" ] && grep -q '"schema":"slotkit-bench-topology"' "$dir/topology.json" || {
        echo "check: $dir/topology.json missing or not slotkit-bench-topology"
        return 1
    }
    grep -q '"schema":"slotkit-bench-cases"' "$dir/cases.json" 2>/dev/null || {
        echo "check: $dir/cases.json missing or not slotkit-bench-cases"
        return 1
    }
    runs=$(grep -o '"run_name": "[^"]*"' "$dir/gbench.json" | sed 's/^"run_name": //' | sort -u)
    cases=$(grep -o '"name":"[^"]*"' "$dir/cases.json" | sed -e 's/^"name"://' -e 's#\\/#/#g' | sort)
    if [ -z "$runs" ] || [ "$runs" != "$cases" ]; then
        echo "check: $dir: cases.json names and gbench.json run_names differ:"
        diff <(echo "$runs") <(echo "$cases") | head -n 10
        return 1
    fi
}

bench_smoke() { # name backend
    local name=$1 backend=$2 dir="$LOGS/bench/$1" log="$LOGS/bench-$1.log"
    rm -rf "$dir"
    echo "check: running bench-$name"
    setsid timeout -k 10 120 build/asan/bin/slotkit bench --backend "$backend" --quick --out "$dir" >"$log" 2>&1
    local rc=$?
    if [ "$rc" -eq 0 ] && grep -q "^validate: $dir: complete (0 problems)" "$log" && bench_run_files "$dir"; then
        passed=$((passed + 1))
        echo "check: bench-$name: complete ($(grep -c '^  ' "$log") figures; $log)"
    else
        failed=$((failed + 1))
        echo "check: bench-$name: FAILED (exit $rc); see $log"
        grep -a -E '^validate: |ERROR OCCURRED|ERROR: AddressSanitizer|runtime error|slotkit: ' "$log" | head -n 20
    fi
}

mapfile -t bench_backends < <(build/asan/bin/slotkit backends --names)
for b in "${bench_backends[@]}"; do
    bench_smoke "$(basename "$b" .so | sed 's/^libslotkit_//')" "$b"
done

# The binary's own argument checks.
if build/asan/bin/slotkit bench --suite nosuch >"$LOGS/bench-usage.log" 2>&1; then
    failed=$((failed + 1))
    echo "check: bench-usage: an unknown suite was accepted"
elif grep -q "unknown suite 'nosuch'" "$LOGS/bench-usage.log"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "check: bench-usage: no clear message for an unknown suite; see $LOGS/bench-usage.log"
fi
