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
    grep -q '"schema":"slotkit-bench-figures"' "$dir/figures.json" 2>/dev/null || {
        echo "check: $dir/figures.json missing or not slotkit-bench-figures"
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

# With the native iceoryx2 peer built, a run measures it beside the backend's
# busy-poll latency and copy throughput, in the same rounds as the limit.
bench_peer_measured() { # dir
    [ -x build/asan/bin/slotkit-iox2-peer ] || return 0
    grep -q '"peer_status":"measured"' "$1/figures.json" && grep -q '"placement_class":"' "$1/figures.json" || {
        echo "check: $1/figures.json: the native iceoryx2 peer was built but measured nowhere"
        return 1
    }
}

bench_smoke() { # name backend
    local name=$1 backend=$2 dir="$LOGS/bench/$1" log="$LOGS/bench-$1.log"
    rm -rf "$dir"
    echo "check: running bench-$name"
    setsid timeout -k 10 120 build/asan/bin/slotkit bench --backend "$backend" --quick --out "$dir" >"$log" 2>&1
    local rc=$?
    if [ "$rc" -eq 0 ] && grep -q "^validate: $dir: complete (0 problems)\$" "$log" && bench_run_files "$dir" &&
        bench_peer_measured "$dir"; then
        passed=$((passed + 1))
        echo "check: bench-$name: complete ($(grep -c '^  ' "$log") figures; $log)"
    else
        failed=$((failed + 1))
        echo "check: bench-$name: FAILED (exit $rc); see $log"
        grep -a -E '^validate: |ERROR OCCURRED|ERROR: AddressSanitizer|runtime error|slotkit: ' "$log" | head -n 20
    fi
}

# Upstream zerodds-flatdata reorders samples (docs/validation/, F22): its runs
# must complete with their throughput cases INVALID, never as a speed. Pinned
# like an expectation file: when upstream is fixed, this check says so.
bench_upstream() { # name backend
    local name=$1 backend=$2 dir="$LOGS/bench/$1" log="$LOGS/bench-$1.log" invalid
    rm -rf "$dir"
    echo "check: running bench-$name (upstream: invalid cases expected)"
    setsid timeout -k 10 180 env SLOTKIT_ZERODDS_DIR="$ROOT/$LOGS/bench-zerodds-flinks" \
        build/asan/bin/slotkit bench --backend "$backend" --quick --out "$dir" >"$log" 2>&1
    local rc=$?
    invalid=$(sed -n "s|^validate: $dir: complete (0 problems); \([0-9]*\) cases INVALID.*|\1|p" "$log")
    if [ "$rc" -eq 1 ] && [ "${invalid:-0}" -gt 0 ] && ! grep -aq 'ERROR: AddressSanitizer\|runtime error' "$log" &&
        ! grep -a 'INVALID, no figure' "$log" | grep -qv '^validate: throughput/'; then
        passed=$((passed + 1))
        echo "check: bench-$name: $invalid throughput cases INVALID as expected, $(grep -c '^  ' "$log") figures"
    else
        failed=$((failed + 1))
        echo "check: bench-$name: FAILED (exit $rc, ${invalid:-no} INVALID cases; expected exit 1 and INVALID throughput only); see $log"
        grep -a -E '^validate: .*INVALID|ERROR: AddressSanitizer|runtime error' "$log" | head -n 10
    fi
}

mapfile -t bench_backends < <(build/asan/bin/slotkit backends --names)
for b in "${bench_backends[@]}"; do
    name=$(basename "$b" .so | sed 's/^libslotkit_//')
    case $name in
    zerodds_*) bench_upstream "$name" "$b" ;;
    *) bench_smoke "$name" "$b" ;;
    esac
done
rm -rf "$LOGS/bench-zerodds-flinks"

# Backends that deliver samples wrongly (tests/conform/plugins/bench_*.c): every
# case of the suite that moves samples must report itself INVALID with the right
# kind, never a figure; the run exits 1 and still stores its document, which
# keeps the cases in "invalid". inmem, through the same checks, stays valid.
bench_invalid() { # plugin suite kind-word
    local plugin=$1 suite=$2 word=$3 name="invalid-$1-$2"
    local dir="$LOGS/bench/$name" log="$LOGS/bench-$name.log" store="$LOGS/bench/$name-results"
    rm -rf "$dir" "$store"
    setsid timeout -k 10 120 build/asan/bin/slotkit bench --backend "$ROOT/build/asan/conform-plugins/libslotkit_$plugin.so" \
        --quick --suite "$suite" --out "$dir" --results "$store" >"$log" 2>&1
    local rc=$? why=""
    local invalid figures
    invalid=$(grep -a -c -E "^validate: $suite/.*: INVALID, no figure: ([0-9]+ [a-z-]+, )*[0-9]+ $word" "$log")
    figures=$(grep -a -c -E "^  $suite/" "$log")
    if [ "$rc" -ne 1 ]; then
        why="exit $rc, not 1"
    elif ! grep -q -E "^validate: $dir: complete \(0 problems\); [0-9]+ cases? INVALID\$" "$log"; then
        why="no 'complete (0 problems); N cases INVALID' line"
    elif [ "$invalid" -lt 1 ] || [ "$figures" -ne 0 ]; then
        why="$invalid cases INVALID ($word), $figures $suite cases with a figure"
    elif ! grep -q "slotkit: bench: backend $plugin delivered samples lost, out of order or torn" "$log"; then
        why="no closing line naming the backend"
    elif ! grep -l -q -E "\"$(tr - _ <<<"$word")\": *[1-9]" "$store"/*/*.json 2>/dev/null; then
        why="the stored document lacks its invalid cases"
    fi
    if [ -z "$why" ]; then
        passed=$((passed + 1))
        echo "check: bench-$name: $invalid cases reported invalid ($word), none with a figure"
    else
        failed=$((failed + 1))
        echo "check: bench-$name: FAILED ($why); see $log"
        grep -a -E '^validate: |ERROR: AddressSanitizer|runtime error|slotkit: ' "$log" | head -n 20
    fi
}
for suite in latency throughput; do
    bench_invalid bench_torn "$suite" torn
    bench_invalid bench_reorder "$suite" out-of-order
done
# Throughput only: a lost ping stalls the ping-pong for its 10 s timeout.
bench_invalid bench_lose throughput lost

# Without the peer (not built, or gone) a run still completes, its peer
# figures say "not built", and the results document is stored.
bench_peer_absent() {
    local dir="$LOGS/bench/peer-absent" log="$LOGS/bench-peer-absent.log" store="$LOGS/bench/peer-absent-results"
    rm -rf "$dir" "$store"
    mkdir -p "$store"
    setsid timeout -k 10 120 env SLOTKIT_IOX2_PEER=/nonexistent/slotkit-iox2-peer build/asan/bin/slotkit bench \
        --backend inmem --quick --suite latency --out "$dir" --results "$store" >"$log" 2>&1
    local rc=$?
    if [ "$rc" -eq 0 ] && grep -q "^validate: $dir: complete (0 problems)\$" "$log" &&
        grep -q 'latency/threads/busy/size:64 .* iceoryx2 not built$' "$log" &&
        grep -q '"status":"not built"' "$dir/figures.json" && ls "$store"/*/*-bench-inmem.json >/dev/null 2>&1; then
        passed=$((passed + 1))
        echo "check: bench-peer-absent: complete, peer figures say not built, document stored"
    else
        failed=$((failed + 1))
        echo "check: bench-peer-absent: FAILED (exit $rc); see $log"
        grep -a -E '^validate: |latency/threads/busy|slotkit: ' "$log" | head -n 10
    fi
}
bench_peer_absent

# The peer is part of the iceoryx2 part: hidden with it, built with it.
peer_plan() { make -n --no-print-directory variant-build VARIANT=asan "$@" 2>/dev/null | grep -c 'bench/iox2-peer/Cargo.toml'; }
if [ "$(peer_plan WITHOUT=iceoryx2)" -eq 0 ] && { [ ! -x build/asan/bin/slotkit-iox2-peer ] || [ "$(peer_plan)" -gt 0 ]; }; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "check: bench-peer-part: make WITHOUT=iceoryx2 still builds the native peer, or make without it does not"
fi

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
