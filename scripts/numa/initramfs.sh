#!/usr/bin/env bash
# Builds the emulated machine's initramfs from the release build: busybox
# (static), scripts/numa/init.sh as /init, slotkit's binaries under /slotkit,
# and every shared library they load, found with ldd and copied to the same
# path, so the guest runs exactly the binaries built here.
#   initramfs.sh OUT.cpio.gz [BENCH_BINARY]
# BENCH_BINARY replaces build/release/bin/slotkit-bench (the planted-bug check).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$1
bench=${2:-build/release/bin/slotkit-bench}
rel=build/release
root=$(mktemp -d "${TMPDIR:-/tmp}/slotkit-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

busybox=$(command -v busybox || echo /bin/busybox)
{ ldd "$busybox" 2>&1 || true; } | grep -q 'not a dynamic' ||
    { echo "initramfs: $busybox is not static (install busybox-static)" >&2; exit 2; }
mkdir -p "$root"/{bin,proc,sys,dev,tmp,out,slotkit/bin,slotkit/lib/slotkit}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"; done
install -m 755 scripts/numa/init.sh "$root/init"

binaries=("$rel/bin/slotkit" "$rel/bin/slotkit-conformance" "$rel/bin/slotkit-placement-tests"
          "$(command -v lstopo-no-graphics)" "$(command -v hyperfine)")
for b in "${binaries[@]}"; do cp "$b" "$root/slotkit/bin/"; done
cp "$bench" "$root/slotkit/bin/slotkit-bench"
cp -r bench/topologies "$root/slotkit/topologies" # the placement tests' XML machines
# ldd prints "name => /path (addr)" and the loader as "/path (addr)".
for b in "${binaries[@]}" "$bench"; do ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'; done |
    sort -u | while read -r lib; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
# The loader also lives at /lib64 on x86-64 (the path binaries name).
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || { mkdir -p "$root/lib64"; cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"; }
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
echo "initramfs: $out ($(du -h "$out" | cut -f1))"
