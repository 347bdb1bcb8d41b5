#!/bin/sh
# /init of the emulated NUMA machine (busybox sh, PID 1). Runs slotkit's NUMA
# paths against the machine qemu declared, then sends every file it wrote out
# over the serial console between markers (scripts/numa/extract.sh reads them
# back) and powers off. What to run comes from the kernel command line:
#   slotkit.emulated=NAME   the emulated topology's name (the harness records it in
#                           every results document's host.emulation)
#   slotkit.steps=LIST      comma-separated: probe, tests, latency or bench (every suite), conform
#   slotkit.conform=PAT     only the conformance tests matching PAT (default: all)
#   slotkit.jobs=N          conformance tests at once (default 4: under TCG they mostly wait,
#                           and 4 took 130 s for the whole suite where 2 took over 200)
# No step's failure stops the others: each step's exit status is sent out too.
export PATH=/slotkit/bin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm /tmp /out/results
mount -t tmpfs shm /dev/shm
mount -t tmpfs tmp /tmp

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^slotkit\.$1=//p" | tail -n 1; }
topology=$(arg emulated)
steps=$(arg steps)
conform_filter=$(arg conform)
conform_jobs=$(arg jobs)
hostname "numa-$topology"
export SLOTKIT_RESULTS_DIR=/out/results SLOTKIT_TOPOLOGIES=/slotkit/topologies HOME=/tmp

# One step: its output to /out/NAME.log, its exit status to /out/NAME.rc.
step() {
    name=$1
    shift
    echo "slotkit-numa: step $name: $*"
    start=$(cut -d' ' -f1 /proc/uptime)
    "$@" >"/out/$name.log" 2>&1
    echo $? >"/out/$name.rc"
    end=$(cut -d' ' -f1 /proc/uptime)
    echo "slotkit-numa: step $name: exit $(cat "/out/$name.rc") after $start..$end s of uptime"
}

case ",$steps," in *,probe,*)
    step plan slotkit-bench --plan=/out/plan.json
    lstopo-no-graphics --of xml /out/topology.xml >/out/lstopo.log 2>&1
    step probe slotkit-bench --backend=posix --placement-probe=/out/probe.json ;;
esac
case ",$steps," in *,tests,*)
    step placement-tests slotkit-placement-tests --jobs=1 ;;
esac
case ",$steps," in *,latency,*)
    step latency slotkit bench --backend posix --suite latency --quick --out /out/bench ;;
esac
case ",$steps," in *,bench,*)
    step bench slotkit bench --backend posix --suite all --quick --out /out/bench ;;
esac
case ",$steps," in *,conform,*)
    step conform slotkit conform --backend posix --jobs "${conform_jobs:-4}" --timeout 120 ${conform_filter:+--filter "$conform_filter"} ;;
esac

cd /out
for f in $(find . -type f | sort); do
    echo "@@slotkit-file $f $(sha256sum "$f" | cut -d' ' -f1)"
    base64 "$f"
    echo "@@slotkit-end $f"
done
echo "@@slotkit-done"
poweroff -f
