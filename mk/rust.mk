# The Rust parts: the backend kit with its example backend (bindings/rust) and
# the upstream zerodds-flatdata plug-ins (adapters/zerodds-flatdata). Both
# workspaces build once, release profile, with --locked, into one target dir
# shared by every VARIANT; each variant gets copies of the cdylibs:
#   $(B)/lib/slotkit/libslotkit_{rust_example,zerodds_inmem,zerodds_posix}.so
ifeq ($(call part_on,rust),yes)
RUST_TARGET := build/rust-target
RUST_WORKSPACES := bindings/rust adapters/zerodds-flatdata
RUST_PLUGINS := rust_example zerodds_inmem zerodds_posix

EXTRA_TARGETS += rust-plugins

# Phony: cargo decides what is stale (a no-op build takes well under a second).
.PHONY: rust-plugins
rust-plugins:
	@scripts/build-rust.sh $(RUST_TARGET) $(B)/lib/slotkit $(RUST_TARGET)/cargo-$(VARIANT).log \
	    $(RUST_WORKSPACES) -- $(RUST_PLUGINS)
endif
