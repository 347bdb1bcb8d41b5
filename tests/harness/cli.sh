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
fifo=/dev/shm/slotkit-clitest-fifo-$$ link=/dev/shm/slotkit-clitest-link-$$
trap 'rm -rf "$tmp"; rm -f "$fifo" "$link"' EXIT
export SLOTKIT_RESULTS_DIR="$tmp/store"

source "$(dirname "${BASH_SOURCE[0]}")/../expect.sh"

for c in results gate report; do
    expect "$c --help" 0 "usage: slotkit $c" -- "$SLOTKIT" "$c" --help
done
expect "top-level --help lists gate" 0 "gate +compare a run" -- "$SLOTKIT" --help
expect "missing store is an error" 2 "no results store at $tmp/store" -- "$SLOTKIT" results
expect "missing --results store is an error" 2 "no results store at /nonexistent" -- "$SLOTKIT" results --results /nonexistent
mkdir -p "$SLOTKIT_RESULTS_DIR"
expect "empty store" 0 "no results under" -- "$SLOTKIT" results
for host in ../../.. .. . a/b "" "$(printf 'x%.0s' {1..129})"; do
    expect "results --host '${host:0:12}' refused" 2 "--host wants a host id" -- "$SLOTKIT" results --host "$host"
done
expect "report --host ../.. refused" 2 "--host wants a host id" -- "$SLOTKIT" report --host ../.. --out "$tmp/r-escape"
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
# cases.json is hostile input too: a bad one stores nothing.
mkdir -p "$tmp/bad-cases"
cp "$DATA/run-inmem/gbench.json" "$tmp/bad-cases/"
sed 's/"kind":"cacheline"/"kind":"warp\u001b[31m"/' "$DATA/run-inmem/cases.json" >"$tmp/bad-cases/cases.json"
expect "import with an unknown case kind is refused" 2 "not a valid cases file: cases\[0\]\.kind: expected \"cacheline\"" -- "$SLOTKIT" results --import "$tmp/bad-cases" --backend inmem
rm "$tmp/bad-cases/cases.json"
expect "import of gbench.json without cases.json is refused" 2 "'limits/cacheline/threads' is not described in cases.json \(there is no cases.json" -- "$SLOTKIT" results --import "$tmp/bad-cases" --backend inmem

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

# Hostile documents and options: what the gate cannot judge is an error (exit 2), never a PASS.
rewrite_values() { # IN OUT MODE: every sample value becomes NaN / negative / Infinity, or wall clock x3
    awk -v mode="$3" '
        /"metric": / { instr = /"instructions"/ }
        /"values": \[/ { inside = 1; print; next }
        inside && /\]/ { inside = 0 }
        inside && match($0, /[-0-9.eE+]+/) {
            v = substr($0, RSTART, RLENGTH)
            if (mode == "nan") v = "NaN"; else if (mode == "negative") v = "-" v; else if (mode == "infinity") v = "Infinity"
            else if (mode == "slower" && !instr) v = v * 3
            $0 = substr($0, 1, RSTART - 1) v substr($0, RSTART + RLENGTH)
        }
        { print }' "$1" >"$2"
}
rewrite_values "$base" "$tmp/nan-old.json" nan
rewrite_values "$rerun" "$tmp/nan-new.json" nan
rewrite_values "$rerun" "$tmp/negative.json" negative
rewrite_values "$rerun" "$tmp/infinity.json" infinity
rewrite_values "$rerun" "$tmp/3x.json" slower
figure="benchmark 'ops/copy/size:64', metric instructions\): "
expect "all-NaN documents are refused" 2 "values\[0\] \($figure""nan; figures must be finite" -- "$SLOTKIT" gate --baseline "$tmp/nan-old.json" "$tmp/nan-new.json"
expect "negative figures are refused" 2 "values\[0\] \($figure-412; figures must be finite and >= 0" -- "$SLOTKIT" gate --baseline "$base" "$tmp/negative.json"
expect "infinite figures are refused" 2 "values\[0\] \($figure""inf; figures must be finite" -- "$SLOTKIT" gate --baseline "$base" "$tmp/infinity.json"
expect "a 3x slowdown fails" 1 "REGRESSED" -- "$SLOTKIT" gate --baseline "$base" "$tmp/3x.json"
for bad in nan inf -5 1e2 0x10 ' 5' '' 1000; do
    expect "--noise '$bad' refused" 2 "--noise wants a percentage" -- "$SLOTKIT" gate --baseline "$base" "$tmp/3x.json" --noise "$bad"
done
expect "--noise-for RE=nan refused" 2 "is not a percentage" -- "$SLOTKIT" gate --baseline "$base" "$tmp/3x.json" --noise-for '.*=nan'
expect "--tolerance inf refused" 2 "--tolerance wants a percentage" -- "$SLOTKIT" gate --baseline "$base" "$rerun" --tolerance inf
for bad in nan -1 0 1 1e999 0x0.1; do
    expect "--alpha '$bad' refused" 2 "--alpha wants 0 < P < 1" -- "$SLOTKIT" gate --baseline "$base" "$tmp/3x.json" --alpha "$bad"
done
for bad in -1 1 18446744073709551617 100001 9x; do
    expect "--min-reps '$bad' refused" 2 "--min-reps wants a number from 2 to 100000" -- "$SLOTKIT" gate --baseline "$base" "$rerun" --min-reps "$bad"
done
for bad in 0 -1 4294967297 1001 2.5; do
    expect "--rounds '$bad' refused" 2 "--rounds wants a number from 1 to 1000" -- "$SLOTKIT" gate --ab /bin/false /bin/false --rounds "$bad"
done
expect "--baseline /dev/zero refused, not read forever" 2 "cannot read /dev/zero: not a regular file" -- timeout 20 "$SLOTKIT" gate --baseline /dev/zero "$rerun"
mkfifo "$tmp/fifo.json"
expect "a FIFO document refused without blocking" 2 "fifo.json: not a regular file" -- timeout 20 "$SLOTKIT" gate --baseline "$tmp/fifo.json" "$rerun"
ln -s "$base" "$tmp/link.json"
expect "a symlinked document refused" 2 "link.json: a symbolic link" -- "$SLOTKIT" gate --baseline "$tmp/link.json" "$rerun"
expect "a directory refused" 2 "cannot read $tmp: not a regular file" -- "$SLOTKIT" gate --baseline "$tmp" "$rerun"
truncate -s 65M "$tmp/huge.json"
expect "a 65 MiB document refused before parsing" 2 "huge.json: 68157440 bytes, over the 64 MiB limit" -- "$SLOTKIT" gate --baseline "$tmp/huge.json" "$rerun"
rm -f "$tmp/huge.json"
sed 's/"id": "[^"]*"/"id": "..\/..\/escape"/' "$rerun" >"$tmp/escape.json"
expect "a document whose host.id is a path is refused" 2 "host.id: not a plain name" -- "$SLOTKIT" gate --baseline "$base" "$tmp/escape.json"

# slotkit clean meets what any local user can put in /dev/shm: neither may block or be touched.
mkfifo "$fifo"
ln -s /etc/hostname "$link"
expect "clean --dry-run passes a FIFO by" 0 "not a regular file, ignored +posix pool +/dev/shm/${fifo#/dev/shm/} \\(a FIFO" -- timeout 20 "$SLOTKIT" clean --dry-run
expect "clean --dry-run passes a symlink by" 0 "not a regular file, ignored +posix pool +/dev/shm/${link#/dev/shm/} \\(a symbolic link\\)" -- timeout 20 "$SLOTKIT" clean --dry-run
n=$((n + 1))
if [ -p "$fifo" ] && [ -L "$link" ]; then echo "ok $n - the FIFO and the symlink are left alone"; else echo "not ok $n - the FIFO and the symlink are left alone"; fi
rm -f "$fifo" "$link"

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
# A document of an older schema version is left out, and the report says why.
old_host=$(basename "$(dirname "$base")")
mkdir -p "$tmp/old-store/$old_host"
cp "$base" "$tmp/old-store/$old_host/"
sed 's/"schema_version": 2/"schema_version": 1/' "$rerun" >"$tmp/old-store/$old_host/$(basename "$rerun")"
expect "report leaves out a version 1 document, saying why" 0 "left out: .*is not a slotkit results document: schema_version: this slotkit reads version 2, found 1 \(an older document" -- "$SLOTKIT" report --results "$tmp/old-store" --host "$old_host" --out "$tmp/r-old"
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

# A results document is untrusted input (issue 10): documents whose every string
# field holds gnuplot breakouts (quotes + system(), backticks, @ macros), HTML,
# a forged line, tabs, control bytes and non-UTF-8 bytes. Nothing may run, the
# HTML and Markdown carry escaped forms only, and every plot is still drawn.
hostile="$tmp/hostile" canary_cwd="$tmp/canary-cwd"
mkdir -p "$canary_cwd"
python3 "$DATA/make-hostile.py" "$base" "$hostile" hostile-host
payloads=6
expect "hostile documents pass validation" 0 "hostile5\.json" -- "$SLOTKIT" results --results "$hostile"
n=$((n + 1))
if grep -q 'unreadable' "$out" || grep -qaE '^FORGED|'$'\x1b' "$out" "$err"; then
    echo "not ok $n - results listing shows document strings inert (no forged line, no escape sequence)"
    grep -aE 'unreadable|^FORGED' "$out" "$err" | cat -v | sed 's/^/#   /' | head -n 5
else
    echo "ok $n - results listing shows document strings inert (no forged line, no escape sequence)"
fi
hostile_bench=$(ls "$hostile"/hostile-host/*-bench-hostile5.json)
expect "gate on hostile documents" 0 "-> PASS" -- "$SLOTKIT" gate --baseline "$hostile_bench" "$hostile_bench"
n=$((n + 1))
if grep -qaE '^FORGED|'$'\x1b' "$out" "$err"; then
    echo "not ok $n - gate output shows document strings inert"
    grep -aE '^FORGED' "$out" "$err" | cat -v | sed 's/^/#   /' | head -n 5
else
    echo "ok $n - gate output shows document strings inert"
fi
expect "report on hostile documents" 0 "report\.html$" -- \
    env -C "$canary_cwd" "$(cd "$(dirname "$SLOTKIT")" && pwd)/slotkit" report --results "$hostile" --host hostile-host --out "$tmp/hostile-report"
n=$((n + 1))
canaries=$(find "$tmp" /tmp/slotkit-report-* -name 'CANARY*' 2>/dev/null)
if [ -z "$canaries" ]; then
    echo "ok $n - no command from a document ran (no CANARY file)"
else
    echo "not ok $n - no command from a document ran: $canaries exists"
fi
hr="$tmp/hostile-report"
want=$((1 + 2 * payloads)) # limits + (latency, throughput) per hostile backend
n=$((n + 1))
if grep -q "<meta name=\"slotkit-figures\" content=\"$want\">" "$hr/report.html" 2>/dev/null; then
    echo "ok $n - gnuplot still draws all $want figures of the hostile documents"
else
    echo "not ok $n - gnuplot still draws all $want figures: $(grep -o '<meta name="slotkit-figures"[^>]*>' "$hr/report.html" 2>&1)"
fi
# check_page FILE: what no page built from documents may hold, and the escaped forms it must.
check_page() {
    local f=$1 bad=""
    grep -qai '<script' "$f" && bad="$bad raw-<script>"
    grep -qai '<img' "$f" && bad="$bad raw-<img>"
    grep -qa '^FORGED' "$f" && bad="$bad forged-line"
    LC_ALL=C grep -qaP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]' "$f" && bad="$bad control-bytes"
    iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1 || bad="$bad not-UTF-8"
    grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$f" || bad="$bad no-escaped-script"
    grep -qF '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;' "$f" || bad="$bad no-escaped-img"
    echo "$bad"
}
for page in report.html report.md; do
    n=$((n + 1))
    bad=$( [ -s "$hr/$page" ] && check_page "$hr/$page" || echo " missing")
    if [ -z "$bad" ]; then
        echo "ok $n - $page of hostile documents holds escaped text only"
    else
        echo "not ok $n - $page of hostile documents holds escaped text only:$bad"
    fi
done
# Every row of a Markdown table has as many cells as its header: a '|' in a name is escaped.
n=$((n + 1))
bad_rows=$(awk '/^\|/ { line = $0; gsub(/\\\|/, "", line); c = gsub(/\|/, "", line)
                         if (!intable) { intable = 1; want = c } else if (c != want) bad++ ; next }
                 { intable = 0 } END { print bad + 0 }' "$hr/report.md" 2>/dev/null || echo missing)
if [ "$bad_rows" = 0 ]; then
    echo "ok $n - Markdown tables of hostile documents keep their columns"
else
    echo "not ok $n - Markdown tables of hostile documents keep their columns ($bad_rows rows differ)"
fi
n=$((n + 1))
bad_svgs=0
for f in "$hr"/figures/*.svg; do
    [ -s "$f" ] && ! grep -qai '<script\|<img' "$f" && iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1 ||
        bad_svgs=$((bad_svgs + 1))
done
if [ "$bad_svgs" -eq 0 ] && [ -s "$hr/figures/figure-$want.svg" ]; then
    echo "ok $n - the hostile report's SVG files hold no markup from documents"
else
    echo "not ok $n - the hostile report's SVG files hold no markup from documents ($bad_svgs bad)"
fi
n=$((n + 1))
if ! command -v chromium >/dev/null; then
    echo "not ok $n - hostile report renders in headless Chromium (chromium is not installed; make deps installs it)"
else
    profile=$(mktemp -d)
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
        --dump-dom "file://$hr/report.html" >"$tmp/hostile-dom.html" 2>"$tmp/chromium.log"
    rm -rf "$profile"
    svgs=$(grep -o '<svg' "$tmp/hostile-dom.html" | wc -l)
    elements=$(grep -aoiE '<(script|img|iframe|object|embed)[ >]' "$tmp/hostile-dom.html" | wc -l)
    handlers=$(grep -aoiE '<[^>]* on[a-z]+=' "$tmp/hostile-dom.html" | wc -l)
    if [ "$svgs" -eq "$want" ] && [ "$elements" -eq 0 ] && [ "$handlers" -eq 0 ] &&
        grep -q 'Recommendations</h2>' "$tmp/hostile-dom.html"; then
        echo "ok $n - hostile report renders in headless Chromium: $svgs plots, no element or handler from a document"
    else
        echo "not ok $n - hostile report renders in headless Chromium (svg $svgs of $want, elements $elements, handlers $handlers)"
    fi
fi
