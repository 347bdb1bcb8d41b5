#!/usr/bin/env bash
# make run, the main job (make has already installed what was missing and
# built the release flavour): for every available backend, the conformance
# suite and a short benchmark pass, each stored as a results document under
# results/<host-id>/; then the tuning report, whose path is the last line.
set -uo pipefail
cd "$(dirname "$0")/.."
SLOTKIT=build/release/bin/slotkit
export SLOTKIT_RESULTS_DIR=${SLOTKIT_RESULTS_DIR:-$PWD/results}
# Upstream zerodds-flatdata's POSIX pools (flink files) live here, so a leak is seen.
export SLOTKIT_ZERODDS_DIR=${SLOTKIT_ZERODDS_DIR:-$PWD/build/run/zerodds-flinks}
host=$("$SLOTKIT" results --help | sed -n 's/.*(host id \(.*\))$/\1/p')
store="$SLOTKIT_RESULTS_DIR/$host"
logs=build/run
mkdir -p "$logs" results/conformance
status=0
start=$SECONDS
step() { printf '== [%3ds] %s\n' $((SECONDS - start)) "$*"; }

# Built-ins by name, plug-ins by path; unusable plug-ins ("?") are left out.
mapfile -t backends < <("$SLOTKIT" backends --names)
step "host $host: ${#backends[@]} backend(s): $(printf '%s ' "${backends[@]##*/}")"
have_bench=1
"$SLOTKIT" bench --help >/dev/null 2>&1 || have_bench=0

i=0
for b in "${backends[@]}"; do
    i=$((i + 1))
    name=$(basename "$b" .so | sed 's/^libslotkit_//')
    # A third-party backend with a committed expectation file is judged against it:
    # its known failures are the expected result, not a failure of this job.
    expect=()
    for f in adapters/*/expect/"$name".expect; do [ -f "$f" ] && expect=(--expect "$f"); done
    step "[$i/${#backends[@]}] $name: conformance suite${expect[1]:+ (verdicts pinned by ${expect[1]})}"
    if "$SLOTKIT" conform --backend "$b" --xml "results/conformance/$name.xml" "${expect[@]}" \
        >"$logs/conform-$name.log" 2>&1; then
        grep -E '^backend .*rules passed|^expectations met' "$logs/conform-$name.log" | sed 's/^/   /'
    else
        status=1
        echo "   conformance of $name failed or could not run: see $logs/conform-$name.log"
        grep -E 'FAIL|slotkit:' "$logs/conform-$name.log" | head -n 5 | sed 's/^/   /'
    fi
    if [ $have_bench -eq 0 ]; then
        echo "   no 'slotkit bench' in this build: benchmarks skipped"
        continue
    fi
    step "[$i/${#backends[@]}] $name: short benchmark pass (slotkit bench --quick)"
    run_dir="$logs/bench-$name"
    rm -rf "$run_dir"
    before=$(ls "$store" 2>/dev/null | grep -c -- "-bench-" || true)
    # Google Benchmark's table is long; the per-case summary lines are the progress.
    "$SLOTKIT" bench --backend "$b" --quick --out "$run_dir" >"$logs/bench-$name.log" 2>&1
    bench_rc=$?
    if [ "$bench_rc" -eq 0 ]; then
        grep -E '^(slotkit: bench:|  )' "$logs/bench-$name.log" | tail -n 4 | sed 's/^/   /'
    elif [ "$bench_rc" -eq 1 ] && grep -q 'cases INVALID' "$logs/bench-$name.log"; then
        # The backend delivered samples lost, out of order or torn: its figures for those cases
        # are marked invalid in the document and the report. A finding about the backend.
        grep -E 'cases INVALID|delivered samples' "$logs/bench-$name.log" | head -n 2 | sed 's/^/   /'
    else
        echo "   benchmark pass of $name failed (exit $bench_rc): see $logs/bench-$name.log"
        tail -n 3 "$logs/bench-$name.log" | sed 's/^/   /'
        status=1
    fi
    # Store the run unless the bench command already did.
    after=$(ls "$store" 2>/dev/null | grep -c -- "-bench-" || true)
    if [ "$after" -eq "$before" ] && [ -f "$run_dir/meta.json" ]; then
        if stored=$("$SLOTKIT" results --import "$run_dir" --backend "$b" 2>&1); then
            echo "   stored $stored"
        else
            echo "   $stored"
            status=1
        fi
    fi
done

scripts/zerodds-flinks.sh "$SLOTKIT_ZERODDS_DIR" "   zerodds_posix:"

step "tuning report"
"$SLOTKIT" results --this-host | tail -n +2 | tail -n 6 | awk '{ print "   " $1, $2, $3, $NF }'
if report=$("$SLOTKIT" report 2>"$logs/report.log"); then
    cat "$logs/report.log" | sed 's/^/   /'
else
    cat "$logs/report.log"
    status=1
fi
step "done (JUnit conformance reports in results/conformance/, logs in $logs/)"
[ -n "${report:-}" ] && echo "report: $report"
exit $status
