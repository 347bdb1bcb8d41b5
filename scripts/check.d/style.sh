# Style habits that keep the tree readable (sourced by scripts/check.sh): every
# C/C++ file formatted as .clang-format says, and no function over 80 lines
# outside tests/ (scripts/function-length.sh).
style_files() { git ls-files -- '*.c' '*.h' '*.cc' ':!:tests/abi/level1/**'; }
if ! command -v clang-format >/dev/null; then
    if [ "${CI:-}" = true ]; then
        echo "check: style: FAIL: clang-format is missing (scripts/deps.sh installs it)"; failed=$((failed + 1))
    else
        echo "check: style: skipped formatting: clang-format is missing (scripts/deps.sh installs it)"
    fi
elif mapfile -t style_list < <(style_files) &&
    clang-format --dry-run --Werror "${style_list[@]}" >"$LOGS/clang-format.log" 2>&1; then
    echo "check: style: ${#style_list[@]} files formatted as .clang-format says"; passed=$((passed + 1))
else
    echo "check: style: FAIL: files differ from .clang-format (fix: clang-format -i FILE); first ones:"
    grep -a -o '^[^:]*:[0-9]*' "$LOGS/clang-format.log" | cut -d: -f1 | sort -u | head -n 10 | sed 's/^/   /'
    failed=$((failed + 1))
fi
if bash scripts/function-length.sh >"$LOGS/function-length.log" 2>&1; then
    echo "check: style: no function over 80 lines outside tests/ ($(sed -n 2p "$LOGS/function-length.log" | sed 's/^ *//'))"
    passed=$((passed + 1))
else
    grep -a 'over 80' "$LOGS/function-length.log" | head -n 20
    failed=$((failed + 1))
fi
unset style_list
