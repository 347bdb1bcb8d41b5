# Test plug-ins for `slotkit conform` itself (tests/conform/plugins): inmem
# with one behaviour changed, linked against libslotkit.so.
#   $(B)/conform-plugins/libslotkit_<name>.so
CONF_TEST_PLUGINS := $(patsubst tests/conform/plugins/%.c,$(B)/conform-plugins/libslotkit_%.so,\
                       $(wildcard tests/conform/plugins/*.c))
EXTRA_TARGETS += $(CONF_TEST_PLUGINS)

# The library's soname, so plug-ins linked against the build tree load from it.
$(B)/lib/libslotkit.so.0: $(B)/lib/libslotkit.so
	ln -sf libslotkit.so $@

$(B)/conform-plugins/libslotkit_%.so: tests/conform/plugins/%.c tests/conform/plugins/wrap_inmem.h \
        $(B)/lib/libslotkit.so.0
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g -fPIC -shared -Iinclude $(SAN) -o $@ $< -L$(B)/lib -lslotkit \
	    -Wl,-rpath,'$$ORIGIN/../lib'

# Reruns the suite on the reference backends (no false failures): RUNS=20 by default.
.PHONY: conform-soak
conform-soak: all
	@scripts/conform-soak.sh

# A plug-in built against the frozen level-1 header (tests/abi/level1): its
# ops table ends before every later field, so it proves the loader reads only
# what a level has (ASan-built in the asan variant, where an over-read is caught).
$(B)/conform-plugins/libslotkit_level1.so: examples/backend-template/template_backend.c \
        tests/abi/level1/slotkit/backend.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g -fPIC -shared $(SAN) -Itests/abi/level1 -o $@ $<
EXTRA_TARGETS += $(B)/conform-plugins/libslotkit_level1.so

# The one-test loop of a backend author: make conform BACKEND=./libslotkit_mine.so FILTER='commit/*'
# (EXPECT=file.expect: judge against its expected verdicts, docs/expectations.md)
.PHONY: conform
conform: all
	@build/release/bin/slotkit conform --no-store --backend "$(or $(BACKEND),inmem)" \
	    $(if $(FILTER),--filter '$(FILTER)') $(if $(VERBOSE),--verbose) $(if $(EXPECT),--expect '$(EXPECT)')
