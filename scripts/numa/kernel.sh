#!/usr/bin/env bash
# The guest kernel: the newest linux-image-*-cloud-amd64 Debian offers (the
# package the meta-package linux-image-cloud-amd64 depends on, so no version is
# pinned that may disappear), fetched with apt-get download and unpacked with
# dpkg-deb into DIR once; prints the vmlinuz path. The cloud flavour boots
# fast and has NUMA (CONFIG_NUMA, ACPI SRAT/SLIT) and the 8250 serial console
# built in, which is all the guest needs: no modules.
#   kernel.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir"
package=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -n 1)
[ -n "$package" ] || { echo "kernel: apt-cache knows no linux-image-cloud-amd64 (run apt-get update)" >&2; exit 2; }
kernel=$(find "$dir/$package" -name 'vmlinuz-*' 2>/dev/null | head -n 1 || true)
if [ -z "$kernel" ]; then
    rm -rf "$dir/$package" "$dir"/*.deb
    (cd "$dir" && apt-get download "$package" >/dev/null 2>&1) ||
        { echo "kernel: apt-get download $package failed" >&2; exit 2; }
    dpkg-deb -x "$dir/$package"_*.deb "$dir/$package"
    rm -f "$dir"/*.deb
    kernel=$(find "$dir/$package" -name 'vmlinuz-*' | head -n 1)
fi
[ -n "$kernel" ] || { echo "kernel: no vmlinuz in $package" >&2; exit 2; }
echo "$kernel"
