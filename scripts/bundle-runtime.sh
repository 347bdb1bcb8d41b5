#!/usr/bin/env bash
# Gathers what the release binaries need beyond glibc (Google Benchmark,
# hwloc, libnuma, json-c, ...) plus hyperfine and lstopo into build/runtime,
# so the benchmark suite runs on a machine that has none of slotkit's build
# dependencies and no package access (a lent benchmark machine).
# Use: LD_LIBRARY_PATH=build/runtime/lib PATH=build/runtime/bin:$PATH build/release/bin/slotkit bench ...
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/runtime
rm -rf "$out"
mkdir -p "$out/lib" "$out/bin"
for f in build/release/bin/* build/release/lib/slotkit/*.so /usr/bin/hyperfine $(command -v lstopo-no-graphics || true); do
    ldd "$f" 2>/dev/null | awk '/=>/ { print $3 }'
done | sort -u | grep -v -E '/(libc|libm|libpthread|libdl|librt|libresolv)\.so' | xargs -r cp -L -t "$out/lib"
cp /usr/bin/hyperfine "$out/bin/"
if command -v lstopo-no-graphics >/dev/null; then cp "$(command -v lstopo-no-graphics)" "$out/bin/"; fi
echo "bundle-runtime: $(ls "$out/lib" | wc -l) libraries and $(ls "$out/bin" | wc -l) tools in $out"
