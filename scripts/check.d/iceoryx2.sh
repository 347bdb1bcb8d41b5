# iceoryx2 adapter (adapters/iceoryx2): the conformance suite against the
# plug-in under ASan+UBSan and TSan, then no iceoryx2 residue left behind.
# Sourced by scripts/check.sh: uses run_logged, $LOGS and the counters.
# part: iceoryx2 build/asan/lib/slotkit/libslotkit_iceoryx2.so
# Each pool has its own iceoryx2 domain: files /dev/shm/slotkit_iox2_<hash>_*
# and directory /tmp/slotkit-iox2-<hash>/, plus its accounting segment
# /dev/shm/slotkit.iox2acct-<hash>. /tmp/iceoryx2 and /dev/shm/iox2_*
# would mean iceoryx2 fell back to its defaults somewhere.
iox2_residue() {
    { ls /dev/shm | grep -E '^(slotkit_iox2_|slotkit[.-]iox2acct-|iox2_)'; ls -d /tmp/slotkit-iox2-* /tmp/iceoryx2 2>/dev/null; } | sort
}
iox2_before=$(iox2_residue)
run_logged conform-iceoryx2-asan 900 build/asan/bin/slotkit conform --backend iceoryx2 \
    --xml "$LOGS/conform-iceoryx2.xml"
if [ -e build/tsan/lib/slotkit/libslotkit_iceoryx2.so ]; then
    run_logged conform-iceoryx2-tsan 900 env SLOTKIT_BACKEND="$ROOT/build/tsan/lib/slotkit/libslotkit_iceoryx2.so" \
        TSAN_OPTIONS=halt_on_error=1 \
        build/tsan/bin/slotkit-conformance --no-sandbox
fi
iox2_new=$(comm -13 <(echo "$iox2_before") <(iox2_residue))
if [ -n "$iox2_new" ]; then
    echo "check: iceoryx2 residue left behind:" $iox2_new
    failed=$((failed + 1))
else
    passed=$((passed + 1))
fi
