#!/usr/bin/env bash
# Unpacks the files the guest sent over the serial console:
#   @@slotkit-file ./PATH SHA256
#   base64 lines
#   @@slotkit-end ./PATH
# and checks each one's checksum. A path is accepted only as a plain relative
# path (no "..", no absolute path): the console is the guest's word.
#   extract.sh CONSOLE_LOG DIR
set -euo pipefail
log=$1 dir=$2
mkdir -p "$dir"
grep -aq '^@@slotkit-done' "$log" || { echo "extract: the guest did not finish (no @@slotkit-done in $log)" >&2; exit 1; }
tr -d '\r' <"$log" | awk -v dir="$dir" '
    /^@@slotkit-file / { path = $2; sum = $3; file = ""
        if (path !~ /^\.\/[A-Za-z0-9._\/-]+$/ || path ~ /\.\./) { print "extract: refused path " path > "/dev/stderr"; bad = 1; next }
        file = dir "/" substr(path, 3); tmp = file ".b64"; sums[file] = sum
        d = file; sub(/\/[^\/]*$/, "", d); system("mkdir -p \"" d "\""); printf "" > tmp; next }
    /^@@slotkit-end / { if (file != "") { close(tmp); n++ } file = ""; next }
    file != "" { print >> tmp }
    END { for (f in sums) print f, sums[f] > (dir "/.sums"); exit bad }'
bad=0
while read -r file sum; do
    base64 -d "$file.b64" >"$file" && rm -f "$file.b64"
    got=$(sha256sum "$file" | cut -d' ' -f1)
    [ "$got" = "$sum" ] || { echo "extract: $file: checksum mismatch (console garbled)" >&2; bad=1; }
done <"$dir/.sums"
rm -f "$dir/.sums"
echo "extract: $(find "$dir" -type f | wc -l) files from $log"
exit $bad
