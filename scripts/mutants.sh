#!/usr/bin/env bash
# Mutation check of the conformance suite: does the suite catch single,
# realistic bugs in a backend? Each mutant of tests/mutants/mutants.tsv is a
# source substitution in a copy of one file (the simple backend, or the
# reference slot table / inmem), built as a plug-in under build/mutants/<id>/
# and run through `slotkit conform`. A mutant is killed when some rule FAILs.
#
#   scripts/mutants.sh [--quick] [--jobs N] [--only ID,ID...] [--dry-run]
#
#   --quick      only mutants tagged `quick` (make check runs these)
#   --jobs N     mutants run at once (default 1; each conform run is parallel itself)
#   --only IDS   only these mutants (comma-separated ids)
#   --dry-run    apply and build every selected mutant, run nothing
#
# Writes build/mutants/report.md; prints the tally, every survivor, and last
# "N passed, N failed" (passed = killed + warned + equivalent). Exits non-zero
# on a mutant that does not apply or build, a pristine backend that fails the
# suite, a surviving `quick` mutant, or a kill rate under 95 %.
# docs/mutants.md: how to add a mutant and read the report.
set -euo pipefail
cd "$(dirname "$0")/.."

LIST=tests/mutants/mutants.tsv
OUT=build/mutants
SLOTKIT=build/release/bin/slotkit
CC=${CC:-cc}
PLUGIN_FLAGS=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -fPIC -Iinclude)
LINK_FLAGS=(-shared -Wl,-z,defs -lpthread -lrt)
SIMPLE_SRC=tests/mutants/simple/simple_backend.c
INMEM_SRC=(ref/common/backend_util.c ref/common/proc_identity.c ref/common/slot_table.c
           ref/common/slot_table_ops.c ref/inmem/inmem.c)
KILL_RATE_MIN=95
# Mutants tagged asan or tsan that survive the release run are run again,
# built with that sanitizer, under the harness of that variant (make mutants
# builds it; make check has it anyway): a missing lock is a data race TSan
# reports at once, where the release stress tests only catch it by chance.
ASAN_FLAGS=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
TSAN_FLAGS=(-fsanitize=thread)
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# A whole conform run of one mutant; a healthy one takes seconds, one whose
# tests all time out a few minutes.
MUTANT_LIMIT_S=${SLOTKIT_MUTANT_LIMIT_S:-150}

quick=0 jobs=1 only="" dry_run=0
usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift ;;
    --only) only=${2:?--only needs ids}; shift ;;
    --dry-run) dry_run=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "mutants: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "mutants: --jobs wants a positive number" >&2; exit 2; }
[ -x "$SLOTKIT" ] || { echo "mutants: $SLOTKIT is missing; run make first" >&2; exit 2; }

# The harness's per-test timeout, when this version has one.
CONFORM_OPTS=(--no-store)
if "$SLOTKIT" conform --help 2>&1 | grep -q -- '--timeout'; then
    CONFORM_OPTS+=(--timeout 20)
fi

# ---- the list -----------------------------------------------------------------

# TSV escapes in the find/replace columns: \n newline, \t tab, \\ backslash.
decode() {
    local s=$1
    s=${s//\\\\/$'\x01'}
    s=${s//\\n/$'\n'}
    s=${s//\\t/$'\t'}
    printf '%s' "${s//$'\x01'/\\}"
}

ids=() m_target=() m_find=() m_repl=() m_rule=() m_tags=() m_note=()
load_list() {
    local line lineno=0 f
    while IFS= read -r line || [ -n "$line" ]; do
        lineno=$((lineno + 1))
        case $line in '' | '#'* | $'id\t'*) continue ;; esac
        IFS=$'\x1f' read -r -a f <<<"${line//$'\t'/$'\x1f'}"
        if [ "${#f[@]}" -lt 6 ] || [ -z "${f[0]}" ] || [ -z "${f[2]}" ]; then
            echo "mutants: $LIST:$lineno: want id, target, find, replace, rule, tags[, note]" >&2
            exit 1
        fi
        [[ ${f[0]} =~ ^[a-z0-9-]+$ ]] || { echo "mutants: $LIST:$lineno: bad id '${f[0]}'" >&2; exit 1; }
        [[ ${f[4]} =~ ^R-[A-Z]+-[0-9]+$ ]] || { echo "mutants: $LIST:$lineno: bad rule '${f[4]}'" >&2; exit 1; }
        ids+=("${f[0]}")
        m_target+=("${f[1]}")
        m_find+=("$(decode "${f[2]}")")
        m_repl+=("$(decode "${f[3]}")")
        m_rule+=("${f[4]}")
        m_tags+=("${f[5]}")
        m_note+=("${f[6]:-}")
    done <"$LIST"
    local dup
    dup=$(printf '%s\n' "${ids[@]}" | sort | uniq -d | head -n 1)
    [ -z "$dup" ] || { echo "mutants: $LIST: id '$dup' appears twice" >&2; exit 1; }
}

selected() { # index
    local i=$1
    if [ -n "$only" ]; then
        [[ ",$only," == *",${ids[i]},"* ]]
    elif [ "$quick" -eq 1 ]; then
        [[ ",${m_tags[i]}," == *",quick,"* ]]
    fi
}

# ---- building ------------------------------------------------------------------

# Copies src to dst with `find` replaced by `repl`; `find` must occur exactly once.
apply_substitution() { # src dst find repl
    local src=$1 dst=$2 find=$3 repl=$4 content stripped count
    content=$(cat "$src"; printf x)
    content=${content%x}
    stripped=${content//"$find"/}
    count=$(((${#content} - ${#stripped}) / ${#find}))
    if [ "$count" -ne 1 ]; then
        echo "the text to find occurs $count times in $src (must be exactly once)"
        return 1
    fi
    [ "$find" != "$repl" ] || { echo "the replacement equals the text to find"; return 1; }
    printf '%s' "${content/"$find"/"$repl"}" >"$dst"
}

# Unmutated objects of the inmem plug-in, and both pristine plug-ins.
build_pristine() {
    local dir=$OUT/pristine src
    mkdir -p "$dir/obj"
    for src in "${INMEM_SRC[@]}"; do
        "$CC" "${PLUGIN_FLAGS[@]}" -Iref -Ilib -DSLOTKIT_INMEM_PLUGIN -c "$src" \
            -o "$dir/obj/$(basename "$src" .c).o"
    done
    "$CC" -o "$dir/libslotkit_inmem.so" "$dir"/obj/*.o "${LINK_FLAGS[@]}"
    "$CC" "${PLUGIN_FLAGS[@]}" -o "$dir/libslotkit_simple.so" "$SIMPLE_SRC" "${LINK_FLAGS[@]}"
}

build_mutant() { # index -> build/mutants/<id>/libslotkit_mutant.so
    local i=$1 id=${ids[$1]} target=${m_target[$1]} dir base objs=() src
    dir=$OUT/$id
    base=$(basename "$target")
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$target" = "$SIMPLE_SRC" ]; then
        apply_substitution "$target" "$dir/$base" "${m_find[i]}" "${m_repl[i]}" || return 1
        "$CC" "${PLUGIN_FLAGS[@]}" -o "$dir/libslotkit_mutant.so" "$dir/$base" "${LINK_FLAGS[@]}"
        return $?
    fi
    [[ " ${INMEM_SRC[*]} " == *" $target "* ]] || {
        echo "target $target is neither $SIMPLE_SRC nor one of: ${INMEM_SRC[*]}"
        return 1
    }
    apply_substitution "$target" "$dir/$base" "${m_find[i]}" "${m_repl[i]}" || return 1
    "$CC" "${PLUGIN_FLAGS[@]}" -Iref -Ilib -DSLOTKIT_INMEM_PLUGIN -c "$dir/$base" -o "$dir/${base%.c}.o" ||
        return 1
    for src in "${INMEM_SRC[@]}"; do
        if [ "$src" = "$target" ]; then
            objs+=("$dir/${base%.c}.o")
        else
            objs+=("$OUT/pristine/obj/$(basename "$src" .c).o")
        fi
    done
    "$CC" -o "$dir/libslotkit_mutant.so" "${objs[@]}" "${LINK_FLAGS[@]}"
}

has_tag() { [[ ",${m_tags[$1]}," == *",$2,"* ]]; } # index tag

# The mutant again, built with a sanitizer: <dir>/libslotkit_mutant_<san>.so.
build_sanitized() { # index san
    local i=$1 san=$2 dir=$OUT/${ids[$1]} target=${m_target[$1]} srcs=() src flags
    [ "$san" = asan ] && flags=("${ASAN_FLAGS[@]}") || flags=("${TSAN_FLAGS[@]}")
    if [ "$target" = "$SIMPLE_SRC" ]; then
        srcs=("$dir/$(basename "$target")")
    else
        flags+=(-Iref -Ilib -DSLOTKIT_INMEM_PLUGIN)
        for src in "${INMEM_SRC[@]}"; do
            [ "$src" = "$target" ] && srcs+=("$dir/$(basename "$target")") || srcs+=("$src")
        done
    fi
    "$CC" "${PLUGIN_FLAGS[@]}" -O1 -g "${flags[@]}" -o "$dir/libslotkit_mutant_$san.so" "${srcs[@]}" \
        "${flags[@]}" "${LINK_FLAGS[@]}"
}

# ---- running -------------------------------------------------------------------

now_s() { date +%s.%N; }

# The suite's processes leave the harness's process group (Criterion's
# workers start sessions of their own), so a run killed at MUTANT_LIMIT_S can
# leave them behind, spinning. They are ours: their SLOTKIT_BACKEND is the
# plug-in this script built.
kill_leftovers() { # plugin
    local env pid
    for env in /proc/[0-9]*/environ; do
        pid=${env#/proc/}
        pid=${pid%/environ}
        if { tr '\0' '\n' <"$env"; } 2>/dev/null |
            grep -qx -e "SLOTKIT_BACKEND=$PWD/$1" -e "SLOTKIT_BACKEND=$1"; then
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
}

# Runs the suite on a plug-in; writes "rc seconds" to <log>.rc.
run_conform() { # plugin log
    local start rc=0
    start=$(now_s)
    timeout -k 10 "$MUTANT_LIMIT_S" "$SLOTKIT" conform --backend "$1" "${CONFORM_OPTS[@]}" \
        >"$2" 2>&1 || rc=$?
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then kill_leftovers "$1"; fi
    echo "$rc $(awk -v a="$start" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }')" >"$2.rc"
}

# Rules with a given verdict, from the table's first two columns.
rules_with() { # log verdict
    awk -v v="$2" '$1 ~ /^R-[A-Z]+-[0-9]+$/ && $2 == v { print $1 }' "$1" | paste -sd' ' -
}

# Classifies one finished run; prints a tab-separated result row.
classify() { # index
    local i=$1 id=${ids[$1]} log rc secs failed blocked notrun outcome hit=-
    log=$OUT/$id/conform.log
    read -r rc secs <"$log.rc"
    failed=$(rules_with "$log" FAIL)
    notrun=$(rules_with "$log" NOT-RUN)
    blocked=$(rules_with "$log" BLOCKED | wc -w)
    if [ -n "$failed" ] && { [ "$rc" -eq 1 ] || [ "$rc" -eq 2 ]; }; then
        outcome=killed
        [[ " $failed " == *" ${m_rule[i]} "* ]] && hit=yes || hit=no
    elif [[ " $(rules_with "$log" warn) " == *" ${m_rule[i]} "* ]] && [ "$rc" -ne 124 ] &&
        [ "$rc" -ne 137 ]; then
        # Its SHOULD rule is reported as `warn`, as the spec wants: caught. (A
        # harness that exits 2 on an advisory-only failure lands here too.)
        outcome=warned hit=yes
    elif [ "$rc" -eq 0 ]; then
        outcome=survived
        [[ ${m_note[i]} == equivalent:* ]] && outcome=equivalent
    elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        # The run passed MUTANT_LIMIT_S (a test the harness did not stop):
        # no table, so take the rules of the tests Criterion reported failed.
        failed=$(sed -n 's/^\[FAIL\] [a-z_]*::r_\([a-z]*\)_\([0-9]*\).*/R-\U\1\E-\2/p' "$log" |
            sort -u | paste -sd' ' -)
        outcome=timeout
        if [ -n "$failed" ]; then
            outcome=killed-hung # killed, but the suite hung: see the report
            [[ " $failed " == *" ${m_rule[i]} "* ]] && hit=yes || hit=no
        fi
    elif [ "$rc" -eq 1 ]; then
        outcome=not-run # budget exhausted before any rule failed
    else
        outcome=error # setup error (exit 2) or a crash of the harness
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "${m_rule[i]}" "$outcome" "$hit" \
        "${failed:--}" "$blocked" "$secs" "${notrun:--}"
}

# Thread tests of the suite, as the suite lists them, for the TSan pass (it
# runs them one by one, so a race report names its test).
thread_tests() { build/tsan/bin/slotkit-conformance --list-tests | awk -F'\t' '$1 == "thread" { print $2 }'; }

# A survivor tagged asan/tsan, run again under that sanitizer. Prints its row:
# killed-<san> with the FAILed rules, or the release row unchanged.
run_sanitized() { # index san release-row
    local i=$1 san=$2 row=$3 dir=$OUT/${ids[$1]} so failed="" t rc=0 start secs
    so=$PWD/$dir/libslotkit_mutant_$san.so
    start=$(now_s)
    if [ "$san" = asan ]; then
        [ -x build/asan/bin/slotkit ] || { printf '%s\n' "${row/$'\tsurvived\t'/$'\tsurvived (no build/asan)\t'}"; return; }
        timeout -k 10 "$MUTANT_LIMIT_S" build/asan/bin/slotkit conform --backend "$so" \
            "${CONFORM_OPTS[@]}" >"$dir/conform-asan.log" 2>&1 || rc=$?
        failed=$(rules_with "$dir/conform-asan.log" FAIL)
    else
        [ -x build/tsan/bin/slotkit-conformance ] || { printf '%s\n' "${row/$'\tsurvived\t'/$'\tsurvived (no build/tsan)\t'}"; return; }
        : >"$dir/conform-tsan.log"
        for t in $(thread_tests); do
            rc=0
            SLOTKIT_BACKEND=$so TSAN_OPTIONS=halt_on_error=1 timeout -k 10 120 \
                build/tsan/bin/slotkit-conformance --no-sandbox="thread/$t" \
                >>"$dir/conform-tsan.log" 2>&1 || rc=$?
            if [ "$rc" -ne 0 ]; then failed+=" R-THREAD-$(sed 's/^r_thread_\([0-9]*\).*/\1/' <<<"$t")"; fi
        done
        failed=$(tr ' ' '\n' <<<"$failed" | sed '/^$/d' | sort -u | paste -sd' ' -)
    fi
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then kill_leftovers "$so"; fi
    if [ -z "$failed" ]; then printf '%s\n' "$row"; return; fi
    secs=$(awk -v a="$start" -v b="$(now_s)" -v r="$(cut -f7 <<<"$row")" 'BEGIN { printf "%.1f", r + b - a }')
    local hit=no
    [[ " $failed " == *" ${m_rule[i]} "* ]] && hit=yes
    printf '%s\t%s\tkilled-%s\t%s\t%s\t%s\t%s\t%s\n' "${ids[i]}" "${m_rule[i]}" "$san" "$hit" \
        "$failed" "$(cut -f6 <<<"$row")" "$secs" "$(cut -f8 <<<"$row")"
}

run_one() { # index position total
    local i=$1 row r
    run_conform "$OUT/${ids[i]}/libslotkit_mutant.so" "$OUT/${ids[i]}/conform.log"
    row=$(classify "$i")
    if [[ $row == *$'\tsurvived\t'* ]]; then
        if has_tag "$i" asan; then row=$(run_sanitized "$i" asan "$row"); fi
        if [[ $row == *$'\tsurvived\t'* ]] && has_tag "$i" tsan; then row=$(run_sanitized "$i" tsan "$row"); fi
    fi
    printf '%s\n' "$row" >"$OUT/${ids[i]}/result"
    IFS=$'\t' read -r -a r <<<"$row"
    local nfail=0
    [ "${r[4]}" = - ] || nfail=$(wc -w <<<"${r[4]}")
    printf '[%d/%d] %-38s %-10s %5ss  FAIL %s\n' "$2" "$3" "${r[0]}" "${r[2]}" "${r[6]}" "$nfail"
}

# ---- summary -------------------------------------------------------------------

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

write_report() { # rows-file
    {
        echo "# Mutation check of the conformance suite"
        echo
        echo "Generated by scripts/mutants.sh from $LIST on $(date -u +%Y-%m-%dT%H:%M:%SZ);"
        echo "harness options: ${CONFORM_OPTS[*]}. Outcome: killed (a rule FAILed), survived (exit 0),"
        echo "equivalent (declared in the list, and exit 0). \"Declared\": whether the mutant's own rule FAILed."
        echo
        echo "| id | target rule | outcome | declared | FAILed rules | BLOCKED | seconds |"
        echo "|---|---|---|---|---|---|---|"
        awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$1"
    } >"$OUT/report.md"
}

summarise() { # rows-file total_wall_s -> exit status
    local rows=$1 wall=$2 killed hung survived equivalent other nonequiv rate
    local warned by_san
    killed=$(awk -F'\t' '$3 ~ /^killed/' "$rows" | wc -l)
    hung=$(awk -F'\t' '$3 == "killed-hung"' "$rows" | wc -l)
    by_san=$(awk -F'\t' '$3 == "killed-asan" || $3 == "killed-tsan"' "$rows" | wc -l)
    warned=$(awk -F'\t' '$3 == "warned"' "$rows" | wc -l)
    survived=$(awk -F'\t' '$3 ~ /^survived/' "$rows" | wc -l)
    equivalent=$(awk -F'\t' '$3 == "equivalent"' "$rows" | wc -l)
    other=$((${#chosen[@]} - killed - warned - survived - equivalent))
    nonequiv=$((killed + warned + survived + other))
    rate=$(awk -v k="$((killed + warned))" -v n="$nonequiv" 'BEGIN { printf "%.1f", n ? 100 * k / n : 100 }')
    echo "mutants: $killed killed ($by_san only under a sanitizer, $hung hung the suite)," \
        "$warned warned (SHOULD rule), $survived survived, $equivalent equivalent," \
        "$other other (timeout/not-run/error)"
    echo "kill rate (non-equivalent; killed + warned): $((killed + warned))/$nonequiv = $rate %"
    echo "FAILed rules per killed mutant: median" \
        "$(awk -F'\t' '$3 ~ /^killed/ { print ($5 == "-") ? 0 : split($5, a, " ") }' "$rows" | median)," \
        "max $(awk -F'\t' '$3 ~ /^killed/ { n = ($5 == "-") ? 0 : split($5, a, " "); if (n > m) m = n } END { print m + 0 }' "$rows");" \
        "BLOCKED per killed mutant: max $(awk -F'\t' '$3 ~ /^killed/ && $6 > m { m = $6 } END { print m + 0 }' "$rows")"
    echo "declared rule among the FAILed rules: $(awk -F'\t' '$3 ~ /^killed/ && $4 == "yes"' "$rows" | wc -l) of $killed killed"
    awk -F'\t' '$4 == "no" { printf "  declared %s not FAILed by %s (FAILed: %s)\n", $2, $1, $5 }' "$rows"
    echo "seconds per mutant: median $(cut -f7 "$rows" | median), max $(cut -f7 "$rows" | sort -n | tail -n 1);" \
        "total ${wall} s wall for ${#chosen[@]} mutants"
    awk -F'\t' '$3 == "killed-hung" { printf "HUNG %s: killed, but the suite ran past %s s (a test was not stopped)\n", $1, limit }' \
        limit="$MUTANT_LIMIT_S" "$rows"
    awk -F'\t' '$3 !~ /^killed/ && $3 != "equivalent" && $3 != "warned" { printf "SURVIVOR %s (%s): %s\n", $1, $2, $3 }' "$rows"
    for i in "${chosen[@]}"; do
        if [[ ${m_note[i]} == equivalent:* ]]; then
            if grep -q $'\tkilled' "$OUT/${ids[i]}/result"; then
                echo "mutants: ${ids[i]} is declared equivalent but was killed: fix its note"
            fi
        fi
    done
    echo "report: $OUT/report.md"

    local status=0 quick_survivors=""
    for i in "${chosen[@]}"; do
        if [[ ",${m_tags[i]}," == *",quick,"* ]] &&
            ! grep -q -P '^[^\t]*\t[^\t]*\t(killed|killed-asan|killed-tsan|warned|equivalent)\t' "$OUT/${ids[i]}/result"; then
            quick_survivors+=" ${ids[i]}"
        fi
    done
    if [ -n "$quick_survivors" ]; then
        echo "mutants: quick mutant(s) not killed:$quick_survivors"
        status=1
    fi
    if awk -v r="$rate" -v m="$KILL_RATE_MIN" 'BEGIN { exit !(r < m) }'; then
        echo "mutants: kill rate $rate % is under $KILL_RATE_MIN %"
        status=1
    fi
    echo "$((killed + warned + equivalent)) passed, $((survived + other)) failed"
    return "$status"
}

# ---- main ------------------------------------------------------------------------

load_list
mkdir -p "$OUT"
chosen=()
for i in "${!ids[@]}"; do
    if selected "$i"; then chosen+=("$i"); fi
done
[ "${#chosen[@]}" -gt 0 ] || { echo "mutants: no mutant selected" >&2; exit 2; }

echo "mutants: building the pristine plug-ins and ${#chosen[@]} mutant(s)"
build_pristine
for i in "${chosen[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    {
        build_mutant "$i" && for san in asan tsan; do
            if has_tag "$i" "$san"; then build_sanitized "$i" "$san" || exit 1; fi
        done
    } >"$OUT/${ids[i]}.build.log" 2>&1 || touch "$OUT/${ids[i]}.build-failed" &
done
wait
build_errors=0
for i in "${chosen[@]}"; do
    if [ -e "$OUT/${ids[i]}.build-failed" ]; then
        echo "mutants: BUILD ERROR in mutant ${ids[i]} (${m_target[i]}):"
        head -n 20 "$OUT/${ids[i]}.build.log" | sed 's/^/  /'
        build_errors=$((build_errors + 1))
    fi
    rm -f "$OUT/${ids[i]}.build-failed" "$OUT/${ids[i]}.build.log"
done
if [ "$build_errors" -ne 0 ]; then
    echo "mutants: $build_errors mutant(s) do not apply or build: fix $LIST"
    echo "0 passed, $build_errors failed"
    exit 1
fi
[ "$dry_run" -eq 0 ] || { echo "mutants: dry run: every selected mutant applies and builds"; exit 0; }

# A pristine backend that fails the suite makes every verdict meaningless.
for b in simple inmem; do
    run_conform "$OUT/pristine/libslotkit_$b.so" "$OUT/pristine/conform-$b.log"
    read -r rc secs <"$OUT/pristine/conform-$b.log.rc"
    echo "mutants: pristine $b: exit $rc in ${secs}s"
    if [ "$rc" -ne 0 ]; then
        echo "mutants: the unmutated $b backend fails the suite; see $OUT/pristine/conform-$b.log"
        grep -a -E '^R-[A-Z]+-[0-9]+ +(FAIL|NOT-RUN)' "$OUT/pristine/conform-$b.log" | head -n 20
        echo "0 passed, 1 failed"
        exit 1
    fi
done

# Nor may the sanitizer passes fail them: check each one some chosen mutant needs.
check_pristine_sanitized() { # san kind(simple|inmem)
    local san=$1 kind=$2 i=${#ids[@]} target=$SIMPLE_SRC row
    [ "$kind" = simple ] || target=ref/common/slot_table.c
    ids+=("pristine-$kind-$san") m_target+=("$target") m_rule+=(R-NONE-0) m_tags+=("") m_note+=("")
    mkdir -p "$OUT/${ids[i]}"
    cp "$target" "$OUT/${ids[i]}/"
    build_sanitized "$i" "$san" >"$OUT/${ids[i]}/build.log" 2>&1 ||
        { echo "mutants: building the pristine $kind backend with $san failed"; cat "$OUT/${ids[i]}/build.log"; exit 1; }
    row=$(run_sanitized "$i" "$san" "${ids[i]}"$'\tR-NONE-0\tsurvived\t-\t-\t0\t0\t-')
    echo "mutants: pristine $kind under $san: $(cut -f3 <<<"$row" | sed -e 's/^killed.*/FAILED/' -e 's/^survived$/passes/')"
    if [[ $row == *$'\tkilled'* ]]; then
        echo "mutants: the unmutated $kind backend fails under $san ($(cut -f5 <<<"$row")); see $OUT/${ids[i]}"
        echo "0 passed, 1 failed"
        exit 1
    fi
}
for san in asan tsan; do
    for kind in simple inmem; do
        for i in "${chosen[@]}"; do
            [[ ${m_target[i]} == "$SIMPLE_SRC" ]] && k=simple || k=inmem
            if [ "$k" = "$kind" ] && has_tag "$i" "$san"; then
                check_pristine_sanitized "$san" "$kind"
                break
            fi
        done
    done
done

start=$(now_s)
total=${#chosen[@]} position=0
for i in "${chosen[@]}"; do
    position=$((position + 1))
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    run_one "$i" "$position" "$total" &
done
wait
wall=$(awk -v a="$start" -v b="$(now_s)" 'BEGIN { printf "%.0f", b - a }')

rows=$OUT/results.tsv
: >"$rows"
for i in "${chosen[@]}"; do cat "$OUT/${ids[i]}/result" >>"$rows"; done
write_report "$rows"
status=0
summarise "$rows" "$wall" >"$OUT/summary.txt" || status=$?
{ echo; echo "## Summary"; echo; echo '```'; cat "$OUT/summary.txt"; echo '```'; } >>"$OUT/report.md"
cat "$OUT/summary.txt"
exit "$status"
