# The native iceoryx2 peer of the benchmarks (bench/iox2-peer): a small Rust
# binary, slotkit-iox2-peer, that slotkit-bench runs between a backend's
# rounds (docs/benchmarks.md, "The peer"). Built where both the bench and the
# iceoryx2 part are, once (release, in the shim's cargo target directory, so
# iceoryx2 is compiled once for both) and copied beside every variant's
# slotkit-bench. Without it the peer's figures say "not built".
ifeq ($(call part_on,bench)$(call part_on,iceoryx2),yesyes)
IOX2_PEER_TARGET := build/iceoryx2-shim/target
IOX2_PEER_BUILT := $(IOX2_PEER_TARGET)/release/slotkit-iox2-peer
IOX2_PEER_BIN := $(B)/bin/slotkit-iox2-peer

EXTRA_TARGETS += iox2-peer

# Phony: cargo decides what is stale; a failed build must not stop the others.
.PHONY: iox2-peer
iox2-peer:
	@mkdir -p $(IOX2_PEER_TARGET) $(dir $(IOX2_PEER_BIN))
	@if CARGO_TARGET_DIR=$(IOX2_PEER_TARGET) cargo build --release --locked \
	        --manifest-path bench/iox2-peer/Cargo.toml >build/iceoryx2-shim/peer-cargo.log 2>&1; then \
	    if [ ! -e $(IOX2_PEER_BIN) ] || [ $(IOX2_PEER_BUILT) -nt $(IOX2_PEER_BIN) ]; then \
	        echo "cp $(IOX2_PEER_BUILT) $(IOX2_PEER_BIN)"; cp -p $(IOX2_PEER_BUILT) $(IOX2_PEER_BIN); fi; \
	else \
	    echo "slotkit: native iceoryx2 peer not built (its bench figures say so); see build/iceoryx2-shim/peer-cargo.log"; \
	fi
endif
