# shellcheck shell=bash
# part: bench build/asan/bin/slotkit-bench
# Sourced by scripts/check.sh. Benchmarks: a --quick smoke of every suite
# (one `slotkit bench --suite all` covers limits, ops, latency, throughput and
# the hyperfine runs) against every backend `slotkit backends` lists, with the
# ASan+UBSan binaries. Each run must end with slotkit-bench --validate saying
# the JSON is complete: every expected case present, not-applicable ones
# skipped with a reason, counters present. The numbers are not judged.
bench_smoke() { # name backend
    local name=$1 backend=$2 dir="$LOGS/bench/$1" log="$LOGS/bench-$1.log"
    rm -rf "$dir"
    echo "check: running bench-$name"
    setsid timeout -k 10 120 build/asan/bin/slotkit bench --backend "$backend" --quick --out "$dir" >"$log" 2>&1
    local rc=$?
    if [ "$rc" -eq 0 ] && grep -q "^validate: $dir: complete (0 problems)" "$log"; then
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
