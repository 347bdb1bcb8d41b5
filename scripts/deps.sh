#!/usr/bin/env bash
# Installs the Debian packages slotkit's parts need when they are missing (as
# root), or prints the exact command to run (otherwise).
#   deps.sh core   what the core needs (make, make install)
#   deps.sh all    every part, and the tools the tests use (make check, make run)
set -euo pipefail
core=(gcc make pkg-config libcriterion-dev libjson-c-dev)
bench=(g++ libbenchmark-dev libnuma-dev libhwloc-dev hwloc hyperfine valgrind)
report=(gnuplot-nox chromium)
# qemu, busybox and cpio boot the emulated NUMA machines of make numa-check.
tests=(python3 clang clang-format universal-ctags qemu-system-x86 busybox-static cpio)
case "${1:-all}" in
core) packages=("${core[@]}") ;;
all)
    packages=("${core[@]}" "${bench[@]}" "${report[@]}" "${tests[@]}")
    # libFuzzer (make fuzz) ships in the compiler-rt package of the default clang,
    # which --no-install-recommends does not pull in: libclang-rt-<version>-dev.
    clang_rt=$(apt-cache depends clang 2>/dev/null |
        sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/libclang-rt-\1-dev/p' | head -n 1 || true)
    [ -z "$clang_rt" ] || packages+=("$clang_rt")
    ;;
*) echo "usage: $0 core|all" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "slotkit: missing packages: ${missing[*]}" >&2
    echo "slotkit: run as root:  apt-get update && $cmd" >&2
    # Only the core's packages stop the build; the other parts say what they lack.
    [ "${1:-all}" = core ] && exit 1
    exit 0
fi
echo "slotkit: installing missing packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
