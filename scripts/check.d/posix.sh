# POSIX shared-memory reference backend (ref/posix): the whole conformance
# suite (single-process and cross-process) under ASan+UBSan, the concurrency
# checks under TSan, and the backend's own segment/crash tests.
# Sourced by scripts/check.sh: uses run_logged, $LOGS and the counters.
run_logged conform-posix-asan 600 build/asan/bin/slotkit conform --backend posix \
    --xml "$LOGS/conform-posix.xml"
run_logged conform-posix-tsan 600 env SLOTKIT_BACKEND=posix TSAN_OPTIONS=halt_on_error=1 \
    build/tsan/bin/slotkit-conformance --no-sandbox
run_logged posix-tests-asan 300 build/asan/bin/slotkit-posix-tests
