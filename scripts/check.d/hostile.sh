# `slotkit conform` survives any backend: runs it against the hostile test
# plug-ins (tests/plugins/hostile/, built by mk/hostile.mk) and asserts, each
# assertion one pass or one fail:
#   budget  it ends within --budget (+ slack), under an outer `timeout` backstop
#   table   one verdict table header, one summary line, the rows one run of
#           lines after the header (no row further down: a raw newline in a
#           detail), each rule once (no backend output mistaken for a row)
#   verdict the rule the misbehaviour breaks has the expected verdict
#           ("FAIL", "FAIL (timeout)...", "NOT-RUN")
#   exit    1 where a verdict is expected, else 0 or 1; never 2 or a signal
#   procs   no process left behind: found by a marker in the environment, by
#           the run's process group, or by the name hostile leftovers take
#   shm     no new /dev/shm entry; where a mount namespace is allowed (root),
#           each run gets a private /dev/shm, so other jobs' pools cannot
#           confuse the count
#   bytes   (messages only) the rule's row quotes the backend's message on one
#           line (both sides of its newline), and stdout has no raw 0xff or ESC byte
# Sourced by scripts/check.sh (uses $LOGS and the passed/failed counters), or
# run on its own: bash scripts/check.d/hostile.sh   (HOSTILE_ALL=1: every
# crash_/abort_ plug-in, not only the representative subset; HOSTILE_ONLY=ERE:
# only the cases whose name matches).

hostile_standalone=0
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    cd "$(dirname "$0")/../.."
    LOGS=build/check
    passed=0
    failed=0
    hostile_standalone=1
fi

HOSTILE_SLOTKIT=build/release/bin/slotkit
HOSTILE_PLUGINS=build/release/test-plugins
HOSTILE_LOGS=$LOGS/hostile
HOSTILE_TIMEOUT=5
HOSTILE_BUDGET=120
HOSTILE_SLACK=10
mkdir -p "$HOSTILE_LOGS"

# Cases: plug-in variant (":tag" tells two runs of one plug-in apart), --filter,
# the rule ("*": any) that must get the verdict ("-": the backend's semantics
# are fine, any verdict will do), the start of its detail ("-": any), --budget.
# hang_wait:budget runs five hanging tests one at a time on an 8 s budget: the
# runner must stop on time and mark what it never ran.
# Every crash_/abort_ plug-in is built; make check runs a representative four,
# HOSTILE_ALL=1 runs them all.
hostile_cases() {
    local b=$HOSTILE_BUDGET kind
    cat <<CASES
hang_wait         notify/r_notify_3              R-NOTIFY-3  FAIL    (timeout) $b
hang_wait:budget  notify/r_notify_[23]*          *           NOT-RUN -         8
spin_reserve      reserve/r_reserve_1            R-RESERVE-1 FAIL    (timeout) $b
crash_commit      commit/r_commit_1              R-COMMIT-1  FAIL    -         $b
abort_read        read/r_read_1                  R-READ-1    FAIL    -         $b
crash_open        open/r_open_2__failed_attach   R-OPEN-2    FAIL    -         $b
crash_close       open/r_open_4                  R-OPEN-4    FAIL    -         $b
bad_status        commit/r_commit_1              R-COMMIT-1  FAIL    -         $b
messages          seq/r_seq_5                    R-SEQ-5     FAIL    -         $b
flood             open/r_open_1__capacity_zero   R-OPEN-1    -       -         $b
fork_leave        open/r_open_1__capacity_zero   R-OPEN-1    -       -         $b
CASES
    [ "${HOSTILE_ALL:-0}" = 1 ] || return 0
    for kind in crash abort; do
        grep -v -E "^(crash_commit|abort_read|crash_open|crash_close) " <<CASES
${kind}_open              open/r_open_2__failed_attach   R-OPEN-2    FAIL - $b
${kind}_close             open/r_open_4                  R-OPEN-4    FAIL - $b
${kind}_reserve           reserve/r_reserve_1            R-RESERVE-1 FAIL - $b
${kind}_commit            commit/r_commit_1              R-COMMIT-1  FAIL - $b
${kind}_discard           discard/r_discard_1            R-DISCARD-1 FAIL - $b
${kind}_read              read/r_read_1                  R-READ-1    FAIL - $b
${kind}_mark_read         mark/r_mark_1__mark_read       R-MARK-1    FAIL - $b
${kind}_disconnect        disc/r_disc_1                  R-DISC-1    FAIL - $b
${kind}_slot_count        geom/r_geom_1                  R-GEOM-1    FAIL - $b
${kind}_total_size        geom/r_geom_3                  R-GEOM-3    FAIL - $b
${kind}_capacity          open/r_open_1__capacity_zero   R-OPEN-1    FAIL - $b
${kind}_data_ptr          inplace/r_inplace_1            R-INPLACE-1 FAIL - $b
${kind}_commit_in_place   inplace/r_inplace_3            R-INPLACE-3 FAIL - $b
${kind}_read_ptr          inplace/r_inplace_5            R-INPLACE-5 FAIL - $b
${kind}_next_unread       next/r_next_1                  R-NEXT-1    FAIL - $b
${kind}_type_hash         hash/r_hash_1                  R-HASH-1    FAIL - $b
${kind}_notify_generation notify/r_notify_2              R-NOTIFY-2  FAIL - $b
${kind}_wait_for_change   notify/r_notify_3              R-NOTIFY-3  FAIL - $b
CASES
    done
}

hostile_result() { # case what ok(0/1) message
    if [ "$3" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "check: hostile: $1: FAIL $2: $4"
    fi
}

# Processes of one run still alive: marker in environ, the run's process
# group, or a hostile leftover's name that was not there before.
hostile_leftovers() { # marker pgid orphans_before
    local stat line pid state pgrp
    grep -lsaz "^SLOTKIT_HOSTILE_MARK=$1\$" /proc/[0-9]*/environ | cut -d/ -f3 || true
    for stat in /proc/[0-9]*/stat; do
        read -r line 2>/dev/null <"$stat" || continue
        read -r state _ pgrp _ <<<"${line##*) }"
        [ "$state" != Z ] || continue # exited, its parent not yet told
        [ "$pgrp" != "$2" ] || { pid=${stat#/proc/}; echo "${pid%/stat}"; }
    done
    for pid in $(hostile_orphans); do
        grep -qw "$pid" <<<"$3" || echo "$pid"
    done
}

# Live processes named like the grandchildren hostile plug-ins leave behind.
hostile_orphans() {
    local pid line state
    for pid in $(grep -lx hostile_orphan /proc/[0-9]*/comm 2>/dev/null | cut -d/ -f3); do
        read -r line 2>/dev/null <"/proc/$pid/stat" || continue
        read -r state _ <<<"${line##*) }"
        [ "$state" = Z ] || printf '%s ' "$pid"
    done
}

# /dev/shm entries not in before that stay. Another job's live pool may come
# and go meanwhile; one named after a live process outside this run is its.
hostile_shm_new() { # before marker
    local name pid new
    new=$(comm -13 <(echo "$1") <(ls -A /dev/shm | sort))
    [ -n "$new" ] || return 0
    sleep 1
    while IFS= read -r name; do
        pid=$(sed -n 's/^slotkit-skc-\([0-9]*\)-.*/\1/p' <<<"$name")
        if [ -n "$pid" ] && [ -e "/proc/$pid" ] &&
            ! grep -qaz "^SLOTKIT_HOSTILE_MARK=$2\$" "/proc/$pid/environ" 2>/dev/null; then
            continue
        fi
        printf '%s ' "$name"
    done < <(comm -12 <(echo "$new") <(ls -A /dev/shm | sort))
}

# Checks the table's shape; prints what is wrong, nothing when it is sound.
# The table is the header and the rows right after it; a row further down,
# before the summary, means a detail broke its line.
hostile_table_problems() { # stdout-file
    LC_ALL=C awk '
        /^RULE +VERDICT +TESTS +DETAIL/ { headers++; state = 1; next }
        /^backend [^ ]+: [0-9]+ rules passed/ { summaries++; state = 0; next }
        /^R-[A-Z0-9]+-[0-9]+ +(pass|FAIL|warn|skipped|BLOCKED|NOT-RUN)( |$)/ {
            if (state == 1 && seen[$1]++ == 1) dup = dup " " $1
            if (state == 2) stray++
            next }
        state == 1 { state = 2; line = $0 }
        END {
            if (headers != 1) printf "%d table headers; ", headers
            if (summaries != 1) printf "%d summary lines; ", summaries
            if (dup != "") printf "rules listed twice:%s; ", dup
            if (stray) { gsub(/[^ -~]/, ".", line)
                         printf "%d row(s) after the line that ended the table: %.80s; ", stray, line }
        }' "$1"
}

# "VERDICT DETAIL" of the rows of rule ("*": every rule), one a line.
hostile_rows() { # stdout-file rule
    LC_ALL=C awk -v rule="$2" '/^R-[A-Z0-9]+-[0-9]+ / && (rule == "*" || $1 == rule) {
        v = $2; $1 = $2 = $3 = ""; sub(/^ +/, ""); print v " " $0 }' "$1"
}

hostile_check_verdict() { # case stdout-file rule verdict detail-prefix rc
    local want=$4 row found=1
    [ "$5" = - ] || want="$4 $5"
    while IFS= read -r row; do
        [[ $row == "$want"* ]] && found=0
    done < <(hostile_rows "$2" "$3")
    row=$(hostile_rows "$2" "$3" | head -n 1 | cut -c1-160)
    hostile_result "$1" verdict $found "$3 is '${row:-no row}', expected '$want...'"
    hostile_result "$1" exit $([ "$6" -eq 1 ] && echo 0 || echo 1) "exit $6, expected 1"
}

hostile_run() { # case filter rule verdict detail-prefix budget
    local label=$1 filter=$2 rule=$3 verdict=$4 prefix=$5 budget=$6
    local variant=${label%%:*}
    local plugin=$HOSTILE_PLUGINS/libslotkit_hostile_$variant.so
    local out=$HOSTILE_LOGS/${label/:/-}.out err=$HOSTILE_LOGS/${label/:/-}.err
    local marker="hostile-$$-${label/:/-}-$RANDOM"
    if [ ! -e "$plugin" ]; then
        hostile_result "$label" build 1 "$plugin missing (make builds it)"
        return
    fi
    local limits=()
    if [ "$hostile_has_limits" = 1 ]; then
        limits=(--timeout "$HOSTILE_TIMEOUT" --budget "$budget" --jobs 1)
    elif [ "$budget" != "$HOSTILE_BUDGET" ]; then
        hostile_result "$label" budget 1 "slotkit conform has no --budget; not run"
        return
    fi
    local shm_before orphans_before start end rc shm_list=$HOSTILE_LOGS/${label/:/-}.shm
    local private=()
    rm -f "$shm_list"
    [ "$hostile_private_shm" = 0 ] || private=(unshare -m --propagation private sh -c \
        'mount -t tmpfs -o size=256m tmpfs /dev/shm || exit 97; "$@"; rc=$?; ls -A /dev/shm >"$0"; exit $rc' \
        "$shm_list")
    shm_before=$(ls -A /dev/shm | sort)
    orphans_before=$(hostile_orphans)
    start=$(date +%s%N)
    # setsid: the run is its own process group, which the outer timeout kills whole.
    setsid timeout -k 5 $((budget + 30)) "${private[@]}" env SLOTKIT_HOSTILE_MARK="$marker" \
        "$HOSTILE_SLOTKIT" conform --backend "$plugin" --no-store "${limits[@]}" \
        --filter "$filter" >"$out" 2>"$err" </dev/null &
    local pgid=$!
    wait "$pgid" 2>/dev/null && rc=0 || rc=$?
    end=$(date +%s%N)
    local ms=$(((end - start) / 1000000))
    echo "check: hostile: $label: exit $rc after $((ms / 1000)).$((ms % 1000 / 100)) s"

    hostile_result "$label" budget \
        $([ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] && [ "$ms" -le $(((budget + HOSTILE_SLACK) * 1000)) ] && echo 0 || echo 1) \
        "ran $((ms / 1000)) s on a $budget s budget (+$HOSTILE_SLACK s slack; exit $rc)"

    local problems
    problems=$(hostile_table_problems "$out")
    hostile_result "$label" table $([ -z "$problems" ] && echo 0 || echo 1) "${problems}see $out and $err"

    if [ "$verdict" != - ]; then
        hostile_check_verdict "$label" "$out" "$rule" "$verdict" "$prefix" "$rc"
    else # the backend's semantics are fine: pass or FAIL is the runner's call
        hostile_result "$label" exit $([ "$rc" -le 1 ] && echo 0 || echo 1) "exit $rc, expected 0 or 1"
    fi

    local left=""
    for _ in 1 2 3 4 5 6 7 8 9 10; do # a killed process may take a moment to go
        left=$(hostile_leftovers "$marker" "$pgid" "$orphans_before" | sort -u | tr '\n' ' ')
        [ -n "$left" ] || break
        sleep 0.2
    done
    hostile_result "$label" procs $([ -z "$left" ] && echo 0 || echo 1) "left running: pid $left"
    [ -z "$left" ] || kill -KILL $left 2>/dev/null || true # only this run's processes

    local shm_new
    if [ -e "$shm_list" ]; then
        shm_new=$(tr '\n' ' ' <"$shm_list")
    else
        shm_new=$(hostile_shm_new "$shm_before" "$marker")
    fi
    hostile_result "$label" shm $([ -z "$shm_new" ] && echo 0 || echo 1) "new in /dev/shm: $shm_new"

    if [ "$variant" = messages ]; then # the message reaches the table, escaped
        local raw quoted
        raw=$(LC_ALL=C grep -ac $'[\xff\x1b]' "$out" || true)
        quoted=$(hostile_rows "$out" "$rule" | grep -a quote | grep -ac slash || true)
        hostile_result "$label" bytes $([ "$raw" -eq 0 ] && [ "$quoted" -eq 1 ] && echo 0 || echo 1) \
            "$raw stdout line(s) carry a raw 0xff or ESC byte; $rule rows quoting the message: $quoted"
    fi
}

# The old runner has neither --timeout nor --budget; the outer backstop still holds.
hostile_has_limits=1
if ! "$HOSTILE_SLOTKIT" conform --help 2>/dev/null | grep -q -- --budget; then
    echo "check: hostile: this slotkit conform has no --budget; running without --timeout/--budget/--jobs"
    hostile_has_limits=0
fi

# A private /dev/shm per run where mount namespaces are allowed.
hostile_private_shm=0
if unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /dev/shm' 2>/dev/null; then
    hostile_private_shm=1
fi

hostile_passed_before=$passed
hostile_failed_before=$failed
while read -r hostile_label hostile_filter hostile_rule hostile_verdict hostile_prefix hostile_budget; do
    hostile_run "$hostile_label" "$hostile_filter" "$hostile_rule" "$hostile_verdict" "$hostile_prefix" \
        "$hostile_budget"
done < <(hostile_cases | grep -E "^(${HOSTILE_ONLY:-.*}) ")
echo "check: hostile: $((passed - hostile_passed_before)) passed, $((failed - hostile_failed_before)) failed"

if [ "$hostile_standalone" = 1 ]; then
    [ "$failed" -eq 0 ]
    exit
fi
unset hostile_standalone hostile_has_limits hostile_private_shm hostile_passed_before hostile_failed_before hostile_label \
    hostile_filter hostile_rule hostile_verdict hostile_prefix hostile_budget \
    HOSTILE_SLOTKIT HOSTILE_PLUGINS HOSTILE_LOGS HOSTILE_TIMEOUT HOSTILE_BUDGET HOSTILE_SLACK
unset -f hostile_cases hostile_result hostile_leftovers hostile_orphans hostile_shm_new \
    hostile_table_problems hostile_rows hostile_check_verdict hostile_run
