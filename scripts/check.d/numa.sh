# part: bench build/release/bin/slotkit-bench
# NUMA for real, the fast subset: one emulated 4-node, 2-socket machine under
# qemu (placement plan and probe, latency placement cases with the node read
# back, cross-process conformance, the report on the documents it sends back),
# and the planted-bug boot that must fail (make numa-check runs all three
# topologies). Sourced by scripts/check.sh.
numa_log="$LOGS/numa-check.log"
echo "check: running numa-check --quick (emulated NUMA machines, about a minute)"
if make --no-print-directory numa-planted VARIANT=release >"$LOGS/numa-planted-build.log" 2>&1; then
    setsid timeout -k 10 600 scripts/numa-check.sh --quick >"$numa_log" 2>&1
    numa_rc=$?
    grep -E '^  FAIL|^numa-check: [a-z0-9]+: [0-9]+ s$|^numa-check: .* passed' "$numa_log"
    numa_line=$(grep -a '^numa-check: [0-9]* passed, [0-9]* failed' "$numa_log" | tail -n 1)
    if [ -n "$numa_line" ]; then
        passed=$((passed + $(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$numa_line")))
        failed=$((failed + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$numa_line")))
    fi
    if [ -z "$numa_line" ] || { [ "$numa_rc" -ne 0 ] && ! grep -q ' [1-9][0-9]* failed' <<<"$numa_line"; }; then
        echo "check: numa-check ended without its tally, or failed without a failing check (exit $numa_rc); see $numa_log"
        failed=$((failed + 1))
    fi
else
    echo "check: numa: the planted-bug binary did not build; see $LOGS/numa-planted-build.log"
    failed=$((failed + 1))
fi

# The console is the guest's word: extract.sh must refuse a path that climbs
# out of its directory and a file whose checksum does not match.
numa_console_case() { # name expect(0|1) console-text
    local dir="$LOGS/numa-extract-$1"
    rm -rf "$dir" && mkdir -p "$dir"
    printf '%b' "$3" >"$dir/console.log"
    scripts/numa/extract.sh "$dir/console.log" "$dir/out" >"$dir/log" 2>&1
    local rc=$?
    if [ $((rc != 0)) -eq "$2" ] && [ ! -e "$LOGS/numa-extract-evil" ]; then
        echo "ok - numa extract: $1"
        passed=$((passed + 1))
    else
        echo "check: numa extract: $1: FAILED (exit $rc; see $dir/log)"
        failed=$((failed + 1))
    fi
}
numa_good=$(printf 'hello\n' | base64)
numa_sum=$(printf 'hello\n' | sha256sum | cut -d' ' -f1)
numa_console_case intact 0 "noise\n@@slotkit-file ./a/b.txt $numa_sum\n$numa_good\n@@slotkit-end ./a/b.txt\n@@slotkit-done\n"
numa_console_case climbing-path 1 "@@slotkit-file ./../../numa-extract-evil $numa_sum\n$numa_good\n@@slotkit-end x\n@@slotkit-done\n"
numa_console_case bad-checksum 1 "@@slotkit-file ./a.txt 00$numa_sum\n$numa_good\n@@slotkit-end ./a.txt\n@@slotkit-done\n"
numa_console_case unfinished 1 "@@slotkit-file ./a.txt $numa_sum\n$numa_good\n"
