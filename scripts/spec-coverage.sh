#!/usr/bin/env bash
# docs/SPEC.md and the tests agree: every rule has a test (conformance/ for backend-agnostic rules,
# tests/posix/ for the POSIX backend's own), and every test names a rule.
set -euo pipefail
cd "$(dirname "$0")/.."
rules=$(grep -oE '^### R-[A-Z]+-[0-9]+' docs/SPEC.md | sed 's/^### //' | sort -u)
# The suite's own list (some tests are generated from tables, e.g. conformance/stress_checks.h);
# the POSIX backend's tests are plain Criterion Test()s.
suite=${SLOTKIT_CONFORMANCE:-build/release/bin/slotkit-conformance}
[ -x "$suite" ] || { echo "spec-coverage: $suite is not built (make)" >&2; exit 2; }
tests=$({ "$suite" --list-tests | cut -f3
    grep -ohE '\bTest\( *[a-z_]+, *r_[a-z]+_[0-9]+' tests/posix/*.c | sed -E 's/.*(r_[a-z]+_[0-9]+)/\1/' |
        tr 'a-z_' 'A-Z-'; } | sort -u)
missing=$(comm -23 <(echo "$rules") <(echo "$tests"))
orphans=$(comm -13 <(echo "$rules") <(echo "$tests"))
status=0
[ -z "$missing" ] || { echo "spec-coverage: rules without a conformance test:" $missing; status=1; }
[ -z "$orphans" ] || { echo "spec-coverage: tests naming no rule of SPEC.md:" $orphans; status=1; }
echo "spec-coverage: $(echo "$rules" | wc -l) rules, $(echo "$tests" | wc -l) tested rules"
exit $status
