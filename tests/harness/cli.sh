#!/usr/bin/env bash
# The results / gate / report commands as a user meets them, on the synthetic
# runs in tests/harness/data/. Prints TAP-style "ok"/"not ok" lines.
set -u
B=${1:-build/release}
SLOTKIT="$B/bin/slotkit"
DATA=tests/harness/data
n=0
tmp=$(mktemp -d)
out="$tmp/out" err="$tmp/err"
trap 'rm -rf "$tmp"' EXIT
export SLOTKIT_RESULTS_DIR="$tmp/store"

source "$(dirname "${BASH_SOURCE[0]}")/../expect.sh"

for c in results gate report; do
    expect "$c --help" 0 "usage: slotkit $c" -- "$SLOTKIT" "$c" --help
done
expect "top-level --help lists gate" 0 "gate +compare a run" -- "$SLOTKIT" --help
expect "empty store" 0 "no results under" -- "$SLOTKIT" results
expect "import a run directory" 0 "/[0-9]{8}T[0-9]{6}Z-bench-inmem\.json$" -- "$SLOTKIT" results --import "$DATA/run-inmem" --backend inmem
base=$(cat "$out")
sleep 1 # the next document must be a later second, as a real rerun would be
expect "import the rerun" 0 "bench-inmem\.json$" -- "$SLOTKIT" results --import "$DATA/run-inmem-rerun" --backend inmem
rerun=$(cat "$out")
expect "import the slow run" 0 "bench-inmem(_[0-9]+)?\.json$" -- "$SLOTKIT" results --import "$DATA/run-inmem-slow" --backend inmem
slow=$(cat "$out")
expect "import posix" 0 "bench-posix\.json$" -- "$SLOTKIT" results --import "$DATA/run-posix"
expect "results lists the runs" 0 "bench +inmem .*sample sets" -- "$SLOTKIT" results
expect "results --json" 0 '"kind": "bench"' -- "$SLOTKIT" results --json --this-host
expect "import of an empty directory" 2 "holds no gbench.json" -- "$SLOTKIT" results --import "$tmp"

expect "unchanged rerun passes" 0 "-> PASS" -- "$SLOTKIT" gate --baseline "$base" "$rerun"
expect "planted 20% regression fails" 1 "latency/same_l3/writer_node/busy/size:64 .*REGRESSED" -- "$SLOTKIT" gate --baseline "$base" "$slow"
expect "instruction increase is reported" 1 "ops/copy/size:64 +instructions .*REGRESSED \(> 0.50% tolerance\)" -- "$SLOTKIT" gate --baseline "$base" "$slow"
expect "noise floor per benchmark forgives it" 0 "-> PASS" -- "$SLOTKIT" gate --baseline "$base" "$slow" --noise-for '.*=30%' --tolerance 25%
expect "--auto picks the earlier run" 0 "baseline .*bench-inmem\.json" -- "$SLOTKIT" gate --auto "$rerun"
cp "$rerun" "$tmp/other-host.json"
sed -i 's/"cpu.model": "[^"]*"/"cpu.model": "Some Other CPU"/' "$tmp/other-host.json"
expect "different fingerprints refused" 2 "refusing to compare runs from different host fingerprints \(cpu.model" -- "$SLOTKIT" gate --baseline "$base" "$tmp/other-host.json"
expect "--force compares anyway" 0 "-> PASS" -- "$SLOTKIT" gate --baseline "$base" "$tmp/other-host.json" --force
expect "not a results document" 2 "is not a slotkit results document" -- "$SLOTKIT" gate --baseline "$DATA/run-inmem/meta.json" "$rerun"
expect "missing file" 2 "cannot read /nonexistent.json" -- "$SLOTKIT" gate --baseline /nonexistent.json "$rerun"
expect "no mode" 2 "give exactly one of" -- "$SLOTKIT" gate "$rerun"
expect "bad alpha" 2 "--alpha wants 0 < P < 1" -- "$SLOTKIT" gate --alpha 2 --auto "$rerun"

# Interleaved A/B with a stand-in for `slotkit bench` that copies a run directory.
fake() { # name source_dir
    printf '#!/bin/sh\n# stand-in for slotkit bench: <self> bench --out DIR ...\nmkdir -p "$3" && cp %s/* "$3"/\n' "$PWD/$2" >"$tmp/$1"
    chmod +x "$tmp/$1"
}
fake same-a "$DATA/run-inmem"
fake same-b "$DATA/run-inmem-rerun"
fake slower "$DATA/run-inmem-slow"
expect "A/B with no change passes" 0 "-> PASS" -- "$SLOTKIT" gate --ab "$tmp/same-a" "$tmp/same-b" --rounds 9
expect "A/B with a slowdown fails" 1 "REGRESSED" -- "$SLOTKIT" gate --ab "$tmp/same-a" "$tmp/slower" --rounds 9

# The tuning report, rendered by headless Chromium: every plot is an inline
# SVG that loaded, nothing is marked broken, the Markdown twin's figures exist.
expect "report with no results for the host" 2 "no results for host nosuch" -- "$SLOTKIT" report --host nosuch --out "$tmp/r0"
expect "report of this host" 0 "report\.html$" -- "$SLOTKIT" report --out "$tmp/report"
want=5 # limits + (latency, throughput) x (inmem, posix)
n=$((n + 1))
if grep -q "<meta name=\"slotkit-figures\" content=\"$want\">" "$tmp/report/report.html"; then
    echo "ok $n - report declares $want figures"
else
    echo "not ok $n - report declares $want figures: $(grep -o '<meta name="slotkit-figures"[^>]*>' "$tmp/report/report.html")"
fi
n=$((n + 1))
missing=0
for f in $(grep -o 'figures/figure-[0-9]*\.svg' "$tmp/report/report.md"); do [ -s "$tmp/report/$f" ] || missing=$((missing + 1)); done
if [ "$missing" -eq 0 ] && grep -q 'figures/figure-5.svg' "$tmp/report/report.md"; then
    echo "ok $n - Markdown twin links existing figures"
else
    echo "not ok $n - Markdown twin links existing figures ($missing missing)"
fi
n=$((n + 1))
if grep -q -- '- inmem — slots: 64 slots sustained' "$tmp/report/report.md" &&
    grep -q -- 'costs +1[0-9][0-9]% over `same_l3/writer_node/busy` (p50 [0-9]* vs [0-9]* ns, Figure [0-9]*)' "$tmp/report/report.md" &&
    ! grep -E '^- ' "$tmp/report/report.md" | grep -v -E 'Figure [0-9]+|Table [0-9]+|no latency data|no slot-count sweep' | grep -q .; then
    echo "ok $n - every recommendation cites a figure or table, or says the data is missing"
else
    echo "not ok $n - every recommendation cites a figure or table, or says the data is missing"
    grep -E '^- ' "$tmp/report/report.md" | sed 's/^/#   /'
fi
n=$((n + 1))
if ! command -v chromium >/dev/null; then
    echo "not ok $n - report renders in headless Chromium (chromium is not installed; make deps installs it)"
else
    profile=$(mktemp -d)
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
        --dump-dom "file://$tmp/report/report.html" >"$tmp/dom.html" 2>"$tmp/chromium.log"
    rm -rf "$profile"
    svgs=$(grep -o '<svg' "$tmp/dom.html" | wc -l)
    figures=$(grep -o '<figure ' "$tmp/dom.html" | wc -l)
    paths=$(grep -o '<path' "$tmp/dom.html" | wc -l)
    broken=$(grep -c 'class="broken"' "$tmp/dom.html")
    imgs=$(grep -o '<img' "$tmp/dom.html" | wc -l)
    if [ "$svgs" -eq "$want" ] && [ "$figures" -eq "$want" ] && [ "$paths" -gt $((want * 10)) ] && [ "$broken" -eq 0 ] &&
        [ "$imgs" -eq 0 ] && grep -q 'Recommendations</h2>' "$tmp/dom.html"; then
        echo "ok $n - report renders in headless Chromium: $svgs inline SVG plots, no broken figure or image"
    else
        echo "not ok $n - report renders in headless Chromium (svg $svgs, figures $figures, paths $paths, broken $broken, img $imgs; want $want)"
        tail -n 5 "$tmp/chromium.log" | sed 's/^/#   /'
    fi
fi
