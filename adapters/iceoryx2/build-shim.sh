#!/usr/bin/env bash
# Builds the Rust shim (release profile, once for every VARIANT) into
# $CARGO_TARGET_DIR. On failure prints ONE line "slotkit: iceoryx2 adapter not
# built: <reason>" and exits 1, so make can skip the plug-in and carry on.
#   usage: build-shim.sh <manifest> <target-dir> <log>
set -uo pipefail
manifest=$1 target=$2 log=$3
mkdir -p "$target" "$(dirname "$log")"
say() { echo "slotkit: iceoryx2 adapter not built: $*"; exit 1; }
command -v cargo >/dev/null 2>&1 || say "cargo not found (install Rust 1.89+ from https://rustup.rs)"
# Cargo.lock pins iceoryx2 and every dependency; --locked refuses to change it.
locked=--locked
[ -f "$(dirname "$manifest")/Cargo.lock" ] || locked=
if CARGO_TARGET_DIR=$target cargo build --release $locked --manifest-path "$manifest" >"$log" 2>&1; then
    exit 0
fi
if grep -qiE 'failed to (download|get|fetch|load source)|Unable to update|Could not resolve|network|spurious|failed to query replaced source|no matching package' "$log"; then
    say "cannot fetch iceoryx2 from crates.io (offline?); see $log"
elif grep -qE 'requires rustc|rust-version' "$log"; then
    say "Rust too old for iceoryx2 ($(rustc --version 2>/dev/null)); see $log"
else
    say "cargo build of the Rust shim failed; see $log"
fi
