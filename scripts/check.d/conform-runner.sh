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
