#!/usr/bin/env bash
# No function over MAX lines (default 80) outside tests/: counts from the
# signature's first line to the closing brace. C and C++ through ctags; Rust
# (rustfmt layout: the closing brace at the fn's own indentation) through awk.
#   function-length.sh [MAX]   prints each offender, exits 1 if there is one
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-80}
mapfile -t c_files < <(git ls-files -- '*.c' '*.cc' '*.h' ':!:tests/**')
mapfile -t rust_files < <(git ls-files -- '*.rs' ':!:tests/**')
{
    ctags -x --_xformat='%n %{end} %F %N' --kinds-C=f --kinds-C++=f --fields=+ne "${c_files[@]}" |
        awk '$2 != "" { print $2 - $1 + 1, $3 ":" $1, $4 }'
    [ ${#rust_files[@]} -eq 0 ] || awk '
        FNR == 1 { infn = 0 }
        !infn && match($0, /^ *((pub(\([a-z]+\))? )?(const )?(unsafe )?(extern "C" )?fn [A-Za-z0-9_]+)/) {
            indent = $0; sub(/[^ ].*/, "", indent); depth = indent; infn = 1; start = FNR
            name = $0; sub(/.*fn /, "", name); sub(/[^A-Za-z0-9_].*/, "", name); next }
        infn && $0 ~ ("^" depth "}") { print FNR - start + 1, FILENAME ":" start, name; infn = 0 }
    ' "${rust_files[@]}"
} | sort -rn | awk -v max="$max" '
    NR <= 3 { longest = longest sprintf("  %s lines  %s %s\n", $1, $2, $3) }
    $1 > max { print "function-length: " $3 " (" $2 ") is " $1 " lines, over " max; bad++ }
    END { printf "function-length: longest:\n%s", longest; exit bad > 0 }'
