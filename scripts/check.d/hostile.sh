# `slotkit conform` survives any backend: runs it against the hostile test
# plug-ins (tests/plugins/hostile/, built by mk/hostile.mk) and asserts, each
# assertion one pass or one fail:
#   budget  it ends within --budget (+ slack), under an outer `timeout` backstop
#   table   one verdict table header, one summary line, every line between
#           them one well-formed row (so no raw newline from a message), each
#           rule once (so no backend output mistaken for a row)
#   verdict the rule the misbehaviour breaks is FAIL ("(timeout)" for hangs)
#   exit    status 1 (0 or 1 where the backend's semantics are fine), never 2
#           or a signal
#   procs   no process left behind: found by a marker in the environment, by
#           the run's process group, or by the name hostile leftovers take
#   shm     no new /dev/shm entry
#   bytes   (messages only) the rule's row quotes the backend's message, and
#           stdout has no raw 0xff or ESC byte
# Sourced by scripts/check.sh (uses $LOGS and the passed/failed counters), or
# run on its own: bash scripts/check.d/hostile.sh   (HOSTILE_ALL=1: every
# crash_/abort_ plug-in, not only the representative subset).

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

# variant | --filter | rule that must FAIL ("-": none; the run must still be sound) | detail prefix
# The crash/abort ops: every op's plug-in is built; make check runs the
# representative four, HOSTILE_ALL=1 runs them all.
hostile_cases() {
    cat <<'EOF'
hang_wait         notify/r_notify_3              R-NOTIFY-3  (timeout)
spin_reserve      reserve/r_reserve_1            R-RESERVE-1 (timeout)
crash_commit      commit/r_commit_1              R-COMMIT-1  -
abort_read        read/r_read_1                  R-READ-1    -
crash_open        open/r_open_2__failed_attach   R-OPEN-2    -
crash_close       open/r_open_1__capacity_zero   R-OPEN-1    -
bad_status        commit/r_commit_1              R-COMMIT-1  -
messages          seq/r_seq_1__configured_first  R-SEQ-1     -
flood             open/r_open_1__capacity_zero   -           -
fork_leave        open/r_open_1__capacity_zero   -           -
EOF
    [ "${HOSTILE_ALL:-0}" = 1 ] || return 0
    local kind
    for kind in crash abort; do
        cat <<EOF | grep -v -E "^(crash_commit|abort_read|crash_open|crash_close) "
${kind}_open              open/r_open_2__failed_attach   R-OPEN-2    -
${kind}_close             open/r_open_1__capacity_zero   R-OPEN-1    -
${kind}_reserve           reserve/r_reserve_1            R-RESERVE-1 -
${kind}_commit            commit/r_commit_1              R-COMMIT-1  -
${kind}_discard           discard/r_discard_1            R-DISCARD-1 -
${kind}_read              read/r_read_1                  R-READ-1    -
${kind}_mark_read         mark/r_mark_1__mark_read       R-MARK-1    -
${kind}_disconnect        disc/r_disc_1                  R-DISC-1    -
${kind}_slot_count        geom/r_geom_1                  R-GEOM-1    -
${kind}_total_size        geom/r_geom_3                  R-GEOM-3    -
${kind}_capacity          open/r_open_1__capacity_zero   R-OPEN-1    -
${kind}_data_ptr          inplace/r_inplace_1            R-INPLACE-1 -
${kind}_commit_in_place   inplace/r_inplace_3            R-INPLACE-3 -
${kind}_read_ptr          inplace/r_inplace_5            R-INPLACE-5 -
${kind}_next_unread       next/r_next_1                  R-NEXT-1    -
${kind}_type_hash         hash/r_hash_1                  R-HASH-1    -
${kind}_notify_generation notify/r_notify_2              R-NOTIFY-2  -
${kind}_wait_for_change   notify/r_notify_3              R-NOTIFY-3  -
EOF
    done
}

hostile_result() { # variant what ok(0/1) message
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
    local dir pid stat
    for dir in /proc/[0-9]*; do
        pid=${dir#/proc/}
        [ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] || continue
        stat=$(cat "$dir/stat" 2>/dev/null) || continue
        stat=${stat##*) }
        case $stat in Z*) continue ;; esac # exited, its parent not yet told
        set -- "$1" "$2" "$3" $stat
        if [ "$6" = "$2" ] || grep -qaz "^SLOTKIT_HOSTILE_MARK=$1\$" "$dir/environ" 2>/dev/null ||
            { [ "$(cat "$dir/comm" 2>/dev/null)" = hostile_orphan ] && ! grep -qw "$pid" <<<"$3"; }; then
            echo "$pid"
        fi
    done
}

hostile_orphans() {
    grep -lx hostile_orphan /proc/[0-9]*/comm 2>/dev/null | cut -d/ -f3 | tr '\n' ' ' || true
}

# Checks the table's shape; prints what is wrong, nothing when it is sound.
hostile_table_problems() { # stdout-file
    LC_ALL=C awk '
        /^RULE +VERDICT +TESTS +DETAIL/ { headers++; in_table = 1; next }
        /^backend [^ ]+: [0-9]+ rules passed/ { summaries++; in_table = 0; next }
        in_table && /^$/ { next }
        in_table && !/^R-[A-Z0-9]+-[0-9]+ +(pass|FAIL|warn|skipped|BLOCKED|NOT-RUN)( |$)/ {
            line = $0; gsub(/[^ -~]/, ".", line)
            if (bad++ < 1) printf "line not a verdict row: %.80s; ", line
            next }
        in_table { if (seen[$1]++ == 1) dup = dup " " $1 }
        END {
            if (headers != 1) printf "%d table headers; ", headers
            if (summaries != 1) printf "%d summary lines; ", summaries
            if (dup != "") printf "rules listed twice:%s; ", dup
        }' "$1"
}

hostile_row() { # stdout-file rule: "VERDICT DETAIL" of the rule's one row
    LC_ALL=C awk -v rule="$2" '$1 == rule { v = $2; $1 = $2 = $3 = ""; sub(/^ +/, ""); print v " " $0; exit }' "$1"
}

hostile_run() { # variant filter rule detail-prefix
    local variant=$1 filter=$2 rule=$3 prefix=$4
    local plugin=$HOSTILE_PLUGINS/libslotkit_hostile_$variant.so
    local out=$HOSTILE_LOGS/$variant.out err=$HOSTILE_LOGS/$variant.err
    local marker="hostile-$$-$variant-$RANDOM"
    if [ ! -e "$plugin" ]; then
        hostile_result "$variant" build 1 "$plugin missing (make builds it)"
        return
    fi
    local shm_before orphans_before start end rc
    shm_before=$(ls -A /dev/shm | sort)
    orphans_before=$(hostile_orphans)
    start=$(date +%s%N)
    # setsid: the run is its own process group, which the outer timeout kills whole.
    setsid timeout -k 5 $((HOSTILE_BUDGET + 30)) env SLOTKIT_HOSTILE_MARK="$marker" \
        "$HOSTILE_SLOTKIT" conform --backend "$plugin" --no-store "${hostile_limits[@]}" \
        --filter "$filter" >"$out" 2>"$err" </dev/null &
    local pgid=$!
    wait "$pgid" 2>/dev/null && rc=0 || rc=$?
    end=$(date +%s%N)
    local ms=$(((end - start) / 1000000))
    echo "check: hostile: $variant: exit $rc after $((ms / 1000)).$((ms % 1000 / 100)) s"

    local over=$((HOSTILE_BUDGET + HOSTILE_SLACK))
    hostile_result "$variant" budget $([ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] && [ "$ms" -le $((over * 1000)) ] && echo 0 || echo 1) \
        "still running after $((ms / 1000)) s (budget $HOSTILE_BUDGET s + $HOSTILE_SLACK s; exit $rc)"

    local problems
    problems=$(hostile_table_problems "$out")
    hostile_result "$variant" table $([ -z "$problems" ] && echo 0 || echo 1) \
        "${problems}see $out and $err"

    if [ "$rule" != - ]; then
        local row want="FAIL"
        row=$(hostile_row "$out" "$rule")
        [ "$prefix" = - ] || want="FAIL $prefix"
        hostile_result "$variant" verdict $([ "${row#"$want"}" != "$row" ] && echo 0 || echo 1) \
            "$rule is '${row:-no row}', expected '$want...'"
        hostile_result "$variant" exit $([ "$rc" -eq 1 ] && echo 0 || echo 1) "exit $rc, expected 1"
    else # the backend's semantics are fine: pass or FAIL is the runner's call
        hostile_result "$variant" exit $([ "$rc" -le 1 ] && echo 0 || echo 1) "exit $rc, expected 0 or 1"
    fi

    local left=""
    for _ in 1 2 3 4 5 6 7 8 9 10; do # a killed process may take a moment to go
        left=$(hostile_leftovers "$marker" "$pgid" "$orphans_before" | tr '\n' ' ')
        [ -n "$left" ] || break
        sleep 0.2
    done
    hostile_result "$variant" procs $([ -z "$left" ] && echo 0 || echo 1) "left running: pid $left"
    [ -z "$left" ] || kill -KILL $left 2>/dev/null || true # only this run's processes

    # Another job's live pool may come and go meanwhile: only what stays counts.
    local shm_new
    shm_new=$(comm -13 <(echo "$shm_before") <(ls -A /dev/shm | sort))
    if [ -n "$shm_new" ]; then
        sleep 1
        shm_new=$(comm -12 <(echo "$shm_new") <(ls -A /dev/shm | sort))
    fi
    shm_new=$(tr '\n' ' ' <<<"$shm_new")
    hostile_result "$variant" shm $([ -z "$shm_new" ] && echo 0 || echo 1) "new in /dev/shm: $shm_new"

    if [ "$variant" = messages ]; then # the message reaches the table, escaped
        local raw quoted
        raw=$(LC_ALL=C grep -ac $'[\xff\x1b]' "$out" || true)
        quoted=$(hostile_row "$out" "$rule" | grep -ac quote || true)
        hostile_result "$variant" bytes $([ "$raw" -eq 0 ] && [ "$quoted" -eq 1 ] && echo 0 || echo 1) \
            "$raw stdout line(s) carry a raw 0xff or ESC byte; $rule row quotes the message: $quoted"
    fi
}

# The old runner has neither --timeout nor --budget; the outer backstop still holds.
hostile_limits=(--timeout "$HOSTILE_TIMEOUT" --budget "$HOSTILE_BUDGET")
if ! "$HOSTILE_SLOTKIT" conform --help 2>/dev/null | grep -q -- --budget; then
    echo "check: hostile: this slotkit conform has no --budget; running without --timeout/--budget"
    hostile_limits=()
fi

hostile_passed_before=$passed
hostile_failed_before=$failed
while read -r hostile_variant hostile_filter hostile_rule hostile_prefix; do
    hostile_run "$hostile_variant" "$hostile_filter" "$hostile_rule" "$hostile_prefix"
done < <(hostile_cases)
echo "check: hostile: $((passed - hostile_passed_before)) passed," \
    "$((failed - hostile_failed_before)) failed"

if [ "$hostile_standalone" = 1 ]; then
    [ "$failed" -eq 0 ]
    exit
fi
unset hostile_standalone hostile_limits hostile_passed_before hostile_failed_before hostile_variant \
    hostile_filter hostile_rule hostile_prefix HOSTILE_SLOTKIT HOSTILE_PLUGINS HOSTILE_LOGS \
    HOSTILE_TIMEOUT HOSTILE_BUDGET HOSTILE_SLACK
unset -f hostile_cases hostile_result hostile_leftovers hostile_orphans hostile_table_problems \
    hostile_row hostile_run
