# The layered build: the core alone, on a machine that lacks every optional
# part. WITHOUT= hides the parts as if their packages were absent, so this runs
# without a container; the checks below prove the core took nothing from them.
# Sourced by scripts/check.sh: uses run_logged, $LOGS and the counters.
core_dir=build/core
core_log="$LOGS/core-only-build.log"
core_parts="bench iceoryx2 report fuzz rust"
core_ok() { echo "ok - core-only: $*"; passed=$((passed + 1)); }
core_fail() { echo "check: core-only: FAILED: $*"; failed=$((failed + 1)); }
echo "check: running core-only build (WITHOUT=\"$core_parts\")"
if env -u CI make --no-print-directory variant-build VARIANT=core WITHOUT="$core_parts" -j2 >"$core_log" 2>&1; then
    core_ok "builds with every optional part hidden"
    # Each hidden part says so, once, naming itself.
    for p in $core_parts; do
        grep -q "^slotkit: part '$p' .* not built: hidden by WITHOUT" "$core_log" &&
            core_ok "the build names the missing part $p" || core_fail "no line for the missing part $p in $core_log"
    done
    # Nothing of an optional part is compiled or linked into the core.
    optional_headers=$(cat "$core_dir"/obj/*/*.d "$core_dir"/obj/*/*/*.d 2>/dev/null |
        grep -oE '[^ ]*(benchmark/benchmark\.h|hwloc\.h|numa\.h|adapters/iceoryx2)[^ ]*' | sort -u)
    [ -z "$optional_headers" ] && core_ok "no core object includes an optional part's header" ||
        core_fail "core objects include: $optional_headers"
    optional_libs=$(for f in "$core_dir"/bin/* "$core_dir"/lib/*.so; do readelf -d "$f" 2>/dev/null; done |
        grep -oE 'lib(benchmark|hwloc|numa|stdc\+\+)[^]]*' | sort -u)
    [ -z "$optional_libs" ] && core_ok "no core binary links an optional library" ||
        core_fail "core binaries need: $optional_libs"
    built_optional=$(ls "$core_dir"/bin/slotkit-bench "$core_dir"/bin/slotkit-placement-tests "$core_dir"/bin/slotkit-iox2-peer \
        "$core_dir"/lib/slotkit/*.so 2>/dev/null)
    [ -z "$built_optional" ] && core_ok "no optional part's target was built" ||
        core_fail "built although hidden: $built_optional"
    # The core works: backends, conformance of both reference backends.
    core_names=$(env -u SLOTKIT_PLUGIN_PATH "$core_dir"/bin/slotkit backends --names | tr '\n' ' ')
    [ "$core_names" = "inmem posix " ] && core_ok "slotkit backends lists the built-ins" ||
        core_fail "slotkit backends --names printed '$core_names'"
    run_logged core-only-conform-inmem 300 "$core_dir"/bin/slotkit conform --no-store --backend inmem \
        --filter 'commit/*'
    run_logged core-only-conform-posix 300 "$core_dir"/bin/slotkit conform --no-store --backend posix \
        --filter 'xproc/r_xproc_1*'
    # A missing part's own command refuses with a clear line, not a build error.
    if ! bench_out=$(make --no-print-directory bench WITHOUT="$core_parts" 2>&1) &&
        grep -q "^slotkit: part 'bench' .* not built: hidden by WITHOUT" <<<"$bench_out"; then
        core_ok "make bench names the missing part"
    else
        core_fail "make bench with the part hidden printed: $bench_out"
    fi
else
    core_fail "core-only build failed; see $core_log"
    tail -n 20 "$core_log"
fi
# CI=true never skips a part silently.
if ci_out=$(CI=true make --no-print-directory parts-status WITHOUT=bench 2>&1); then
    core_fail "CI=true accepted a missing part: $ci_out"
elif grep -q "CI=true requires every part; missing: bench" <<<"$ci_out"; then
    core_ok "CI=true refuses a build with a missing part"
else
    core_fail "CI=true with a missing part printed: $ci_out"
fi
# ... and accepts one where every part is there (when this machine has them all).
if ! make --no-print-directory -s parts | grep -q 'NOT built'; then
    if ci_out=$(CI=true make --no-print-directory parts-status 2>&1); then
        core_ok "CI=true accepts a build with every part present"
    else
        core_fail "CI=true refused a build with every part present: $ci_out"
    fi
fi
unset core_dir core_log core_parts optional_headers optional_libs built_optional core_names bench_out ci_out
