# Rust parts (bindings/rust, adapters/zerodds-flatdata): the kit's example
# backend through the whole suite under the ASan build (it must pass), the
# kit's own tests, and the suite's verdict tables on the upstream plug-ins.
# Sourced by scripts/check.sh: uses run_logged, $LOGS and the counters.
# part: rust build/asan/lib/slotkit/libslotkit_rust_example.so
run_logged conform-rust-example-asan 600 build/asan/bin/slotkit conform \
    --backend build/asan/lib/slotkit/libslotkit_rust_example.so --xml "$LOGS/conform-rust_example.xml"

# Cargo test suites, tallied from their "test result:" lines: the kit's own
# (header layout, panics at the C boundary, capabilities, messages), and the
# upstream reproductions (each asserts the upstream behaviour the validation
# report names, so it fails when upstream changes: docs/validation/).
rust_cargo_tests() { # name manifest
    local log="$LOGS/$1.log" rc pass fail
    echo "check: running $1"
    CARGO_TARGET_DIR=build/rust-target timeout -k 10 600 cargo test --release --locked --manifest-path "$2" >"$log" 2>&1
    rc=$?
    pass=$(awk '/^test result:/ { n += $4 } END { print n + 0 }' "$log")
    fail=$(awk '/^test result:/ { n += $6 } END { print n + 0 }' "$log")
    if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
    echo "check: $1: $pass passed, $fail failed (see $log)"
    passed=$((passed + pass))
    failed=$((failed + fail))
}
rust_cargo_tests rust-kit-tests bindings/rust/Cargo.toml
rust_cargo_tests zerodds-repro-tests adapters/zerodds-flatdata/repro/Cargo.toml

# Upstream zerodds-flatdata: its verdict is pinned by an expectation file per
# plug-in (adapters/zerodds-flatdata/expect/, docs/expectations.md): a new
# failure, an unexpected pass or a changed verdict fails the check, so any
# change of the suite that alters the verdict on upstream shows in review.
# Upstream POSIX pools live as flink files in a fresh $SLOTKIT_ZERODDS_DIR; a
# flink left there after the run names an shm object upstream leaked (a
# creator killed by the crash tests): reported and removed.
zerodds_dir="$ROOT/$LOGS/zerodds-flinks"
for zerodds in zerodds_inmem zerodds_posix; do
    rm -rf "$zerodds_dir"
    log="$LOGS/conform-$zerodds.log"
    echo "check: running conform-$zerodds-asan --expect adapters/zerodds-flatdata/expect/$zerodds.expect"
    setsid timeout -k 10 900 env SLOTKIT_ZERODDS_DIR="$zerodds_dir" build/asan/bin/slotkit conform \
        --backend "build/asan/lib/slotkit/libslotkit_$zerodds.so" --xml "$LOGS/conform-$zerodds.xml" \
        --expect "adapters/zerodds-flatdata/expect/$zerodds.expect" >"$log" 2>&1
    rc=$?
    grep -a '^backend .*rules passed' "$log" | sed 's/^/check: /'
    if [ "$rc" -eq 0 ] && grep -aq '^expectations met' "$log"; then
        passed=$((passed + 1))
        echo "check: conform-$zerodds: every verdict as adapters/zerodds-flatdata/expect/$zerodds.expect pins it"
    else
        failed=$((failed + 1))
        echo "check: conform-$zerodds: verdict differs from its expectation file (exit $rc); see $log"
        sed -n '/^expectations NOT met/,$p' "$log" | head -n 20
    fi
    scripts/zerodds-flinks.sh "$zerodds_dir" "check: $zerodds"
done
rm -rf "$zerodds_dir"
