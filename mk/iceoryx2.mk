# The iceoryx2 adapter: a C plug-in over a small Rust shim that links the
# pinned iceoryx2 crate (adapters/iceoryx2/shim, fetched from crates.io).
#   $(B)/lib/slotkit/libslotkit_iceoryx2.so   found by `--backend iceoryx2`
# The shim is built once, release profile, and shared by every VARIANT; only
# the C part is built per variant (sanitizers). Without cargo or crates.io the
# build says so in one line and the rest of slotkit still builds.
ifeq ($(call part_on,iceoryx2),yes)
IOX2_DIR := adapters/iceoryx2
IOX2_SHIM_TARGET := build/iceoryx2-shim/target
IOX2_SHIM_LIB := $(IOX2_SHIM_TARGET)/release/libslotkit_iox2_shim.a
IOX2_PLUGIN := $(B)/lib/slotkit/libslotkit_iceoryx2.so
# The adapter reuses the reference slot table for its accounting.
IOX2_OBJ := $(call obj,$(wildcard $(IOX2_DIR)/*.c) $(wildcard ref/common/*.c))

EXTRA_TARGETS += iceoryx2-plugin

$(B)/obj/$(IOX2_DIR)/%.o: PART_INCLUDES := -Iref -Ilib

# Phony: cargo decides what is stale in the shim (a no-op build takes well
# under a second), and a failed fetch must not stop the other targets.
.PHONY: iceoryx2-plugin
iceoryx2-plugin: $(IOX2_OBJ) $(IOX2_DIR)/plugin.map
	@if $(IOX2_DIR)/build-shim.sh $(IOX2_DIR)/shim/Cargo.toml $(IOX2_SHIM_TARGET) \
	        build/iceoryx2-shim/cargo.log; then \
	    mkdir -p $(dir $(IOX2_PLUGIN)); \
	    if [ ! -e $(IOX2_PLUGIN) ] || [ -n "$$(find $(IOX2_OBJ) $(IOX2_SHIM_LIB) $(IOX2_DIR)/plugin.map \
	            -newer $(IOX2_PLUGIN) 2>/dev/null | head -n 1)" ]; then \
	        echo "$(CC) -shared -o $(IOX2_PLUGIN) ... $(IOX2_SHIM_LIB)"; \
	        $(CC) -shared -Wl,--version-script=$(IOX2_DIR)/plugin.map -Wl,--exclude-libs,ALL \
	            -Wl,--gc-sections $(LDFLAGS_ALL) -o $(IOX2_PLUGIN) $(IOX2_OBJ) $(IOX2_SHIM_LIB) \
	            -lpthread -ldl -lrt -lm || exit 1; \
	    fi; \
	fi
endif
