#!/usr/bin/env bash
# make run, the main job: the conformance suite against every available backend.
set -uo pipefail
cd "$(dirname "$0")/.."
SLOTKIT=build/release/bin/slotkit
mkdir -p results/conformance
status=0
mapfile -t backends < <("$SLOTKIT" backends | awk 'NR > 1 && $1 != "?" { print ($4 ~ /^\// ? $4 : $1) }')
i=0
for b in "${backends[@]}"; do
    i=$((i + 1))
    name=$(basename "$b" .so | sed 's/^libslotkit_//')
    echo "== [$i/${#backends[@]}] conformance of backend $name"
    "$SLOTKIT" conform --backend "$b" --xml "results/conformance/$name.xml" | tail -n 1 || status=1
done
echo "run: JUnit reports in results/conformance/"
exit $status
