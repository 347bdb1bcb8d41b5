#!/usr/bin/env bash
# Builds the Rust workspaces (release, --locked) into one shared target dir and
# installs their plug-ins into a variant's lib/slotkit/ as libslotkit_<name>.so.
# A crates.io fetch that fails prints ONE line "slotkit: part 'rust' not built:
# <reason>" and exits 0, so the rest of slotkit still builds; a compile error fails.
#   usage: build-rust.sh <target-dir> <plugin-dir> <log> <workspace>... -- <plugin-name>...
set -euo pipefail
target=$1 plugin_dir=$2 log=$3
shift 3
workspaces=()
while [ "$1" != -- ]; do workspaces+=("$1"); shift; done
shift
mkdir -p "$target" "$plugin_dir" "$(dirname "$log")"
: >"$log"
for ws in "${workspaces[@]}"; do
    if ! CARGO_TARGET_DIR=$target cargo build --release --locked --manifest-path "$ws/Cargo.toml" >>"$log" 2>&1; then
        if grep -qiE 'failed to (download|get|fetch|load source)|Unable to update|Could not resolve|network|spurious' "$log"; then
            echo "slotkit: part 'rust' not built: cannot fetch crates for $ws from crates.io (offline?); see $log"
            exit 0
        fi
        echo "slotkit: cargo build of $ws failed; see $log" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
done
# Copy only what changed, so make's timestamps stay meaningful.
for name in "$@"; do
    built="$target/release/libslotkit_$name.so"
    installed="$plugin_dir/libslotkit_$name.so"
    cmp -s "$built" "$installed" || { echo "install $built -> $installed"; cp "$built" "$installed"; }
done
