# Shared by the command-line tests: `expect` runs a command and prints one
# TAP-style line. The sourcing script sets $out and $err (scratch files) and n.
# expect NAME EXIT_CODE PATTERN(in stdout+stderr) -- command...
expect() {
    local name=$1 want=$2 pattern=$3
    shift 4
    n=$((n + 1))
    "$@" >"$out" 2>"$err"
    local rc=$?
    if [ "$rc" -eq "$want" ] && cat "$out" "$err" | grep -qE -- "$pattern"; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name (exit $rc, wanted $want and /$pattern/)"
        sed 's/^/#   /' "$out" "$err" | head -n 20
    fi
}
