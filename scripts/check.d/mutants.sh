# shellcheck shell=bash
# Mutation check of the conformance suite (tests/mutants/, docs/mutants.md),
# sourced by scripts/check.sh: uses run_logged, $LOGS and the counters.
# The independent simple backend passes the whole suite under ASan+UBSan, and
# the suite kills the `quick` mutants (release build, about a minute).
run_logged conform-simple-asan 600 build/asan/bin/slotkit conform \
    --backend "$ROOT/build/asan/simple/libslotkit_simple.so"

echo "check: running mutants-quick"
bash scripts/mutants.sh --quick >"$LOGS/mutants-quick.log" 2>&1
m_rc=$?
grep -a -E '^(mutants: |SURVIVOR|HUNG|kill rate)' "$LOGS/mutants-quick.log" | grep -v '^mutants: building'
m_line=$(tail -n 1 "$LOGS/mutants-quick.log")
if [[ $m_line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
    if [ "$m_rc" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
        failed=$((failed + 1))
    fi
    echo "check: mutants-quick: $m_line (exit $m_rc; $LOGS/mutants-quick.log)"
else
    echo "check: mutants-quick ended without its tally (exit $m_rc); see $LOGS/mutants-quick.log"
    failed=$((failed + 1))
fi
unset m_rc m_line
