#!/usr/bin/env bash
# make check: every test of every part, under sanitizers. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LOGS=build/check
mkdir -p "$LOGS"
passed=0
failed=0

# Adds a Criterion run's "Synthesis" counts to the totals; a run that ends
# without one (crash, hang) counts as one failure.
tally_criterion() { # name log rc
    local name=$1 log=$2 rc=$3 line
    line=$(grep -a 'Synthesis: Tested:' "$log" | tail -n 1)
    # `slotkit conform` runs the suite itself and prints its own tally.
    local conform
    conform=$(grep -a '^conformance tests: [0-9]* passed, [0-9]* failed' "$log" | tail -n 1)
    if [ -z "$line" ] && [ -n "$conform" ]; then
        line=$(sed -E 's/conformance tests: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/Synthesis: Tested: x | Passing: \1 | Failing: \2 | Crashing: 0/' <<<"$conform")
    fi
    if [ -z "$line" ]; then
        echo "check: $name ended without a Criterion summary (exit $rc); see $log"
        failed=$((failed + 1))
        return
    fi
    local p f c
    p=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' <<<"$line")
    f=$(sed -n 's/.*Failing: \([0-9]*\).*/\1/p' <<<"$line")
    c=$(sed -n 's/.*Crashing: \([0-9]*\).*/\1/p' <<<"$line")
    passed=$((passed + p))
    failed=$((failed + f + c))
    if [ "$rc" -ne 0 ] && [ $((f + c)) -eq 0 ]; then
        echo "check: $name exited $rc with no failing test; see $log"
        failed=$((failed + 1))
    fi
    echo "check: $name: $line"
}

# Runs a command in its own session with a hard time limit, so a hung test
# (or an orphaned grandchild) cannot wedge the check.
run_logged() { # name limit_s cmd...
    local name=$1 limit=$2
    shift 2
    local log="$LOGS/$name.log"
    echo "check: running $name"
    setsid timeout -k 10 "$limit" "$@" >"$log" 2>&1
    local rc=$?
    grep -a -E '^\[(FAIL|ERR )|^\[----\]|^R-[A-Z]+-[0-9]+ +FAIL|^backend .*rules passed' "$log" | head -n 60
    tally_criterion "$name" "$log" "$rc"
}

export LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

shm_before=$(ls /dev/shm | grep -c slotkit || true)

run_logged unit-asan 300 env SLOTKIT_TEST_PLUGINS="$ROOT/build/asan/test-plugins" SLOTKIT_CONF_PLUGINS="$ROOT/build/asan/conform-plugins" build/asan/bin/slotkit-unit-tests
run_logged conform-inmem-asan 600 build/asan/bin/slotkit conform --backend inmem \
    --xml "$LOGS/conform-inmem.xml"
run_logged conform-inmem-tsan 600 env SLOTKIT_BACKEND=inmem TSAN_OPTIONS=halt_on_error=1 \
    build/tsan/bin/slotkit-conformance --no-sandbox

# The template plug-in, built out of tree against the installed header only.
stage="$ROOT/build/stage"
if make --no-print-directory install PREFIX="$stage" >"$LOGS/install.log" 2>&1 &&
    PKG_CONFIG_PATH="$stage/lib/pkgconfig" make --no-print-directory -C examples/backend-template \
        >"$LOGS/template-build.log" 2>&1; then
    template="$ROOT/examples/backend-template/build/libslotkit_template.so"
    run_logged conform-template-asan 600 build/asan/bin/slotkit conform --backend "$template"
    run_logged conform-template-tsan 600 env SLOTKIT_BACKEND="$template" TSAN_OPTIONS=halt_on_error=1 \
        build/tsan/bin/slotkit-conformance --no-sandbox
else
    echo "check: installing slotkit or building the template plug-in failed; see $LOGS/install.log, $LOGS/template-build.log"
    failed=$((failed + 1))
fi

# Command-line behaviour: prints "ok"/"not ok" lines, ends with its own counts.
bash tests/cli.sh build/asan >"$LOGS/cli.log" 2>&1
grep -a '^not ok' "$LOGS/cli.log"
cli_pass=$(grep -ac '^ok' "$LOGS/cli.log")
cli_fail=$(grep -ac '^not ok' "$LOGS/cli.log")
echo "check: cli: $cli_pass passed, $cli_fail failed"
passed=$((passed + cli_pass))
failed=$((failed + cli_fail))

# Each further part (posix, adapters, benchmarks, ...) adds its checks as a
# fragment; fragments use run_logged/tally_criterion and the counters above.
# A fragment of an optional part names it and the file the part builds in a
# line "# part: NAME FILE"; where the part was not built its checks are a skip
# said in one line, or a failure under CI=true.
part_missing() { # fragment
    local name file
    read -r name file < <(sed -n 's/^# part: //p' "$1")
    [ -n "${file:-}" ] && [ ! -e "$file" ] || return 1
    if [ "${CI:-}" = true ]; then
        echo "check: part $name: FAIL: not built ($file is missing) and CI=true requires every part"
        failed=$((failed + 1))
    else
        echo "check: part $name: skipped, not built: $(make --no-print-directory -s parts 2>/dev/null | grep "^$name:")"
    fi
}
for fragment in scripts/check.d/*.sh; do
    [ -e "$fragment" ] || continue
    part_missing "$fragment" && continue
    # shellcheck source=/dev/null
    source "$fragment"
done

# Spec and suite agree: every rule has a test, every test names a rule.
if bash scripts/spec-coverage.sh >"$LOGS/spec-coverage.log" 2>&1; then
    passed=$((passed + 1))
else
    cat "$LOGS/spec-coverage.log"
    failed=$((failed + 1))
fi

shm_after=$(ls /dev/shm | grep -c slotkit || true)
if [ "$shm_after" -gt "$shm_before" ]; then
    echo "check: $((shm_after - shm_before)) slotkit segment(s) leaked into /dev/shm:"
    ls /dev/shm | grep slotkit
    failed=$((failed + 1))
else
    passed=$((passed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
