# A short libFuzzer run of the POSIX backend's attach and operations
# (tests/fuzz/fuzz_attach.c, mk/fuzz.mk): one pass or one fail.
# Without clang or libFuzzer it is a skip, said in one line, except under
# CI=true, where a missing fuzzer is a failure. FUZZ_CHECK_SECONDS (25).
# Sourced by scripts/check.sh: uses $LOGS and the passed/failed counters.

fuzz_check() {
    local log=$LOGS/fuzz.log seconds=${FUZZ_CHECK_SECONDS:-25} probe rc
    probe=$(mktemp -d)
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
        'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
        >"$probe/probe.c"
    if ! command -v "${FUZZ_CC:-clang}" >/dev/null ||
        ! "${FUZZ_CC:-clang}" -fsanitize=fuzzer,address "$probe/probe.c" -o "$probe/probe" >/dev/null 2>&1; then
        rm -rf "$probe"
        if [ "${CI:-}" = true ]; then
            echo "check: fuzz: FAIL: clang with libFuzzer is missing (scripts/deps.sh installs clang and libclang-rt-*-dev)"
            failed=$((failed + 1))
        else
            echo "check: fuzz: skipped: clang with libFuzzer is missing (scripts/deps.sh installs clang and libclang-rt-*-dev)"
        fi
        return
    fi
    rm -rf "$probe"
    echo "check: running fuzz ($seconds s)"
    if ! make --no-print-directory fuzz-build >"$log" 2>&1; then
        echo "check: fuzz: FAIL: the fuzz target does not build; see $log"
        failed=$((failed + 1))
        return
    fi
    # A scratch corpus: the committed seeds stay as they are.
    mkdir -p build/check/fuzz-corpus build/check/fuzz-artifacts
    setsid timeout -k 10 $((seconds + 60)) build/fuzz/fuzz_attach -max_total_time="$seconds" \
        -timeout=10 -print_final_stats=1 -artifact_prefix=build/check/fuzz-artifacts/ \
        build/check/fuzz-corpus tests/fuzz/corpus >>"$log" 2>&1 </dev/null
    rc=$?
    # A crashed run leaves its segment (named after its pid) behind.
    local shm pid
    for shm in /dev/shm/slotkit-fuzz-*; do
        pid=${shm##*-}
        [ -e "$shm" ] && [ ! -e "/proc/$pid" ] && rm -f "$shm"
    done
    local runs corpus
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    corpus=$(find build/check/fuzz-corpus -type f | wc -l)
    if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
        echo "check: fuzz: pass: $runs executions in $seconds s, scratch corpus $corpus inputs"
        passed=$((passed + 1))
    else
        echo "check: fuzz: FAIL (exit $rc): a finding or a crash; see $log and build/check/fuzz-artifacts/"
        grep -a -E 'ERROR|invariant broken|SUMMARY' "$log" | head -n 5
        failed=$((failed + 1))
    fi
}

fuzz_check
unset -f fuzz_check
