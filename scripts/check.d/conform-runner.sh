# `slotkit conform` itself (tests/conform): exit status on a SHOULD miss,
# --memcheck, the run budget and the reports, on purpose-built plug-ins.
# Sourced by scripts/check.sh: uses $LOGS and the passed/failed counters.
bash tests/conform/runner.sh build/release >"$LOGS/conform-runner.log" 2>&1
grep -a -A8 '^not ok' "$LOGS/conform-runner.log"
c_pass=$(grep -ac '^ok' "$LOGS/conform-runner.log")
c_fail=$(grep -ac '^not ok' "$LOGS/conform-runner.log")
[ "$c_pass" -gt 0 ] || c_fail=$((c_fail + 1))
echo "check: conform-runner: $c_pass passed, $c_fail failed"
passed=$((passed + c_pass))
failed=$((failed + c_fail))
unset c_pass c_fail

# The ABI can grow: a plug-in built against the frozen level-1 header loads and
# passes, here under ASan, where reading past its shorter ops table is caught.
run_logged conform-level1-asan 600 build/asan/bin/slotkit conform --no-store \
    --backend "$ROOT/build/asan/conform-plugins/libslotkit_level1.so"
