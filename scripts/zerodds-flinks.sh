#!/usr/bin/env bash
# Upstream zerodds-flatdata POSIX pools are flink files in $SLOTKIT_ZERODDS_DIR
# naming an shm object. A flink left after a run names a segment upstream leaked
# (it cleans up only on drop, so a killed creator leaves both): each is printed
# on one line and removed, with its segment. The file's content is untrusted:
# only [A-Za-z0-9_] of its first 200 bytes name the segment.
#   usage: zerodds-flinks.sh DIR PREFIX     (PREFIX starts each printed line)
set -euo pipefail
dir=$1 prefix=$2
[ -d "$dir" ] || exit 0
for flink in "$dir"/*; do
    [ -f "$flink" ] || continue
    shm=$(head -c 200 "$flink" | tr -cd 'A-Za-z0-9_')
    echo "$prefix leaked /dev/shm/$shm (flink $(basename "$flink")): upstream leaves a killed creator's segment; removed"
    [ -z "$shm" ] || rm -f "/dev/shm/$shm"
    rm -f "$flink"
done
