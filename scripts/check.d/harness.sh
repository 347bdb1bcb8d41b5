# Harness checks (results store, regression gate, tuning report), sourced by
# scripts/check.sh: uses run_logged/tally_criterion and the passed/failed counters.

run_logged harness-asan 300 build/asan/bin/slotkit-harness-tests

# The results/gate/report commands on synthetic runs: "ok"/"not ok" lines.
bash tests/harness/cli.sh build/asan >"$LOGS/harness-cli.log" 2>&1
grep -a -A8 '^not ok' "$LOGS/harness-cli.log"
h_pass=$(grep -ac '^ok' "$LOGS/harness-cli.log")
h_fail=$(grep -ac '^not ok' "$LOGS/harness-cli.log")
echo "check: harness-cli: $h_pass passed, $h_fail failed"
passed=$((passed + h_pass))
failed=$((failed + h_fail))

# The deterministic performance gate: instruction counts of the single-thread
# operation paths against results/baselines/ (so CI fails on a hot-path slowdown).
bash tests/harness/instructions.sh gate build/release >"$LOGS/harness-instructions.log" 2>&1
h_rc=$?
case $h_rc in
0) passed=$((passed + 1)); echo "check: harness: deterministic gate passed ($(grep -a '^gate:.*->' "$LOGS/harness-instructions.log" | tail -n 1))" ;;
3) echo "check: harness: SKIPPED deterministic gate: $(tail -n 1 "$LOGS/harness-instructions.log")" ;;
*) failed=$((failed + 1))
   echo "check: harness: deterministic gate FAILED (exit $h_rc); see $LOGS/harness-instructions.log"
   grep -a -E 'REGRESSED|missing|harness:|slotkit:' "$LOGS/harness-instructions.log" | head -n 20 ;;
esac
unset h_pass h_fail h_rc
