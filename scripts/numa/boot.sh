#!/usr/bin/env bash
# Boots one emulated NUMA machine under qemu-system-x86_64 (TCG: plain
# emulation, which every x86-64 Linux box has; nested KVM is not relied on:
# it hung here), with an Intel-like CPU so the guest kernel sees SMT siblings,
# runs the steps of scripts/numa/init.sh inside, and unpacks the files it sent
# over the serial console into OUTDIR.
#   boot.sh TOPOLOGY STEPS OUTDIR KERNEL INITRAMFS
# $SLOTKIT_NUMA_CONFORM: a --filter for the conform step (default: every test);
# $SLOTKIT_NUMA_JOBS: its --jobs (default 4).
# Exit: 0 the guest ran to the end and every file came back intact, 1 not.
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=topologies.sh
. "$here/topologies.sh"
[ $# -eq 5 ] || { echo "usage: $0 TOPOLOGY STEPS OUTDIR KERNEL INITRAMFS" >&2; exit 2; }
topology=$1 steps=$2 out=$3 kernel=$4 initramfs=$5
args=$(topology_qemu_args "$topology") || { echo "boot: unknown topology '$topology'" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
# A guest that hangs is killed: the steps take about a minute under TCG at most.
limit=${SLOTKIT_NUMA_BOOT_TIMEOUT:-420}
# shellcheck disable=SC2086 # the topology's arguments are words
timeout --kill-after=10 "$limit" qemu-system-x86_64 -accel tcg -cpu ${SLOTKIT_NUMA_CPU:-max,vendor=GenuineIntel} -nographic -nic none -no-reboot -monitor none \
    -serial "file:$out/console.log" $args -kernel "$kernel" -initrd "$initramfs" \
    -append "console=ttyS0 loglevel=1 panic=-1 numa_balancing=disable slotkit.emulated=$topology slotkit.steps=$steps${SLOTKIT_NUMA_CONFORM:+ slotkit.conform=$SLOTKIT_NUMA_CONFORM}${SLOTKIT_NUMA_JOBS:+ slotkit.jobs=$SLOTKIT_NUMA_JOBS}" \
    >"$out/qemu.log" 2>&1 || { echo "boot: qemu failed or timed out after ${limit}s (see $out/qemu.log, $out/console.log)" >&2; exit 1; }
"$here/extract.sh" "$out/console.log" "$out/guest"
