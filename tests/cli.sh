#!/usr/bin/env bash
# The slotkit command's behaviour as a user meets it. Prints TAP-style lines.
set -u
B=${1:-build/release}
SLOTKIT="$B/bin/slotkit"
PLUGINS="$B/test-plugins"
n=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

expect "top-level --help lists commands" 0 "conform +run the conformance suite" -- "$SLOTKIT" --help
expect "no command is a usage error" 2 "usage: slotkit" -- "$SLOTKIT"
expect "unknown command" 2 "unknown command 'frobnicate'" -- "$SLOTKIT" frobnicate
expect "conform --help" 0 "usage: slotkit conform" -- "$SLOTKIT" conform --help
expect "backends --help" 0 "usage: slotkit backends" -- "$SLOTKIT" backends --help
expect "backends lists inmem with its capabilities" 0 "^inmem .*IN_PLACE,NOTIFY,TYPE_HASH,NEXT_UNREAD +built-in \(default\)" -- "$SLOTKIT" backends
expect "backends --names gives loadable specs only" 0 "^inmem$" -- "$SLOTKIT" backends --names
expect "missing plug-in file" 2 "^slotkit: conform: cannot read plug-in '/nonexistent/x.so': No such file" -- "$SLOTKIT" conform --backend /nonexistent/x.so
expect "not a plug-in" 2 "does not export slotkit_backend_entry" -- "$SLOTKIT" conform --backend "$PLUGINS/libslotkit_nosymbol.so"
expect "ABI mismatch" 2 "built for slotkit ABI 3, this slotkit loads ABI levels 1 to 2" -- "$SLOTKIT" conform --backend "$PLUGINS/libslotkit_badabi.so"
expect "capabilities without entries" 2 "capability flags disagree" -- "$SLOTKIT" backends --backend "$PLUGINS/libslotkit_badcaps.so"
expect "backend that refuses to open" 2 "backend 'refuses' refuses to open a 4-slot pool: stub backend: permission denied" -- "$SLOTKIT" conform --backend "$PLUGINS/libslotkit_refuses.so"
expect "unknown backend name" 2 "unknown backend 'nosuch'" -- "$SLOTKIT" conform --backend nosuch
expect "stray argument" 2 "unexpected argument 'extra'" -- "$SLOTKIT" conform extra
expect "clean --help" 0 "usage: slotkit clean" -- "$SLOTKIT" clean --help
expect "clean --dry-run lists and removes nothing" 0 "^clean: [0-9]+ live, [0-9]+ stale \(dry run\), 0 removed" -- "$SLOTKIT" clean --dry-run
expect "conform prints a per-rule verdict" 0 "^R-GEOM-3 +pass" -- "$SLOTKIT" conform --backend inmem --filter 'geom/*'
expect "conform writes TAP on request" 0 "rules passed" -- "$SLOTKIT" conform --backend inmem --filter 'geom/*' --tap "$out.tap"
n=$((n + 1))
if grep -q '^ok .*r_geom_3' "$out.tap" 2>/dev/null; then echo "ok $n - TAP file names the tests"; else echo "not ok $n - TAP file names the tests"; fi
rm -f "$out.tap"
