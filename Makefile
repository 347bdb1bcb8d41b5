# slotkit — one Makefile for the library, backends, suite, harness and checks.
#   make            build (release flavour) into build/release
#   make check      install missing deps, build, run every test (ASan+UBSan, TSan)
#   make run        the main job: conformance of every backend
#   make install PREFIX=/usr/local DESTDIR=
#   make clean
.DEFAULT_GOAL := all
SHELL := /bin/bash

PREFIX ?= /usr/local
DESTDIR ?=
VARIANT ?= release
BUILD_DIR ?= build/$(VARIANT)
B := $(BUILD_DIR)

CC ?= gcc
CSTD := -std=c11 -D_GNU_SOURCE
WARN := -Wall -Wextra -Werror
SAN_asan := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_tsan := -fsanitize=thread
SAN_release :=
SAN_core :=
OPT_release := -O2
OPT_core := -O1
OPT_asan := -O1
OPT_tsan := -O1
SAN := $(SAN_$(VARIANT))
PLUGIN_DIR := $(PREFIX)/lib/slotkit
CFLAGS_ALL := $(CSTD) $(WARN) $(OPT_$(VARIANT)) -g -fPIC $(SAN) \
              -Iinclude -DSLOTKIT_PLUGIN_DIR='"$(PLUGIN_DIR)"' $(CFLAGS)
LDFLAGS_ALL := $(SAN) $(LDFLAGS)
JSON_CFLAGS := $(shell pkg-config --cflags json-c 2>/dev/null)
JSON_LIBS := $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c)

# Embedded backends and the library that reaches every backend.
REF_SRC := ref/common/backend_util.c ref/common/shm_segment.c ref/common/slot_table.c ref/common/slot_table_ops.c ref/common/proc_identity.c ref/inmem/inmem.c $(wildcard ref/posix/*.c)
LIB_SRC := lib/error.c lib/loader.c lib/pool.c
HARNESS_SRC := $(wildcard harness/*.c) conformance/report_record.c
CONF_SRC := $(wildcard conformance/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)
POSIX_TEST_SRC := $(wildcard tests/posix/*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
LIB_OBJ := $(call obj,$(LIB_SRC) $(REF_SRC))

BINS := $(B)/bin/slotkit $(B)/bin/slotkit-conformance $(B)/bin/slotkit-unit-tests \
        $(B)/bin/slotkit-posix-tests
LIBS := $(B)/lib/libslotkit.a $(B)/lib/libslotkit.so
TEST_PLUGINS := $(B)/test-plugins/libslotkit_nosymbol.so $(B)/test-plugins/libslotkit_badabi.so \
                $(B)/test-plugins/libslotkit_badcaps.so $(B)/test-plugins/libslotkit_refuses.so

.PHONY: all build deps deps-all check run install clean variant-build parts
all build: deps
	@$(MAKE) --no-print-directory variant-build VARIANT=release

# The core (library, reference backends, suite, harness) needs a C compiler,
# make, Criterion and json-c. Each optional part (mk/parts.mk) is built where
# its dependencies are and says what is missing where they are not.
EXTRA_TARGETS :=
-include mk/parts.mk
# Each part beyond the core (adapters, benchmarks, ...) brings its own
# fragment in mk/, adding to EXTRA_TARGETS (built by every variant).
-include $(sort $(filter-out mk/parts.mk,$(wildcard mk/*.mk)))

variant-build: parts-status $(BINS) $(LIBS) $(TEST_PLUGINS) $(EXTRA_TARGETS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(PART_INCLUDES) $(JSON_CFLAGS) -MMD -MP -c $< -o $@

# Layering: only the library and the backends see ref/; the suite, the harness
# and the tests reach a backend through include/ and the loader alone.
# The POSIX backend's own tests look at its segment layout, so they see ref/ too.
$(B)/obj/lib/%.o $(B)/obj/ref/%.o $(B)/obj/tests/posix/%.o: PART_INCLUDES := -Iref -Ilib
# The harness reads the suite's result records (conformance/report_record.h).
$(B)/obj/harness/%.o $(B)/obj/tests/unit/%.o $(B)/obj/tests/harness/%.o: PART_INCLUDES += -Iconformance

$(B)/lib/libslotkit.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	ar rcs $@ $^

# The shared library exports only slotkit_* symbols (the version script).
$(B)/lib/libslotkit.so: $(LIB_OBJ) lib/libslotkit.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,--version-script=lib/libslotkit.map -Wl,-soname,libslotkit.so.0 $(LDFLAGS_ALL) \
	    -o $@ $(LIB_OBJ) -ldl -lpthread -lrt

$(B)/bin/slotkit: $(call obj,$(HARNESS_SRC)) $(B)/lib/libslotkit.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(JSON_LIBS) -ldl -lpthread

$(B)/bin/slotkit-conformance: $(call obj,$(CONF_SRC)) $(B)/lib/libslotkit.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lcriterion -ldl -lpthread

# The unit tests also cover the suite's prerequisite graph.
UNIT_CONF_OBJ := $(call obj,conformance/prereqs.c conformance/prereqs_table.c conformance/op_recorder.c)
$(B)/bin/slotkit-unit-tests: $(call obj,$(UNIT_SRC)) $(filter-out $(B)/obj/harness/main.o,$(call obj,$(HARNESS_SRC))) \
        $(UNIT_CONF_OBJ) $(B)/lib/libslotkit.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lcriterion $(JSON_LIBS) -ldl -lpthread

$(B)/bin/slotkit-posix-tests: $(call obj,$(POSIX_TEST_SRC)) $(B)/lib/libslotkit.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lcriterion -ldl -lpthread -lrt

# Deliberately broken plug-ins for the loader's error paths.
$(B)/test-plugins/libslotkit_%.so: tests/plugins/%.c include/slotkit/backend.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -fPIC -shared -Iinclude -o $@ $<

VERSION := $(shell sed -n 's/.*SLOTKIT_VERSION "\(.*\)"/\1/p' include/slotkit/slotkit.h)

install: all
	install -d $(DESTDIR)$(PREFIX)/include/slotkit $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PLUGIN_DIR) $(DESTDIR)$(PREFIX)/libexec/slotkit
	install -m 644 include/slotkit/*.h $(DESTDIR)$(PREFIX)/include/slotkit/
	install -m 644 build/release/lib/libslotkit.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 build/release/lib/libslotkit.so $(DESTDIR)$(PREFIX)/lib/libslotkit.so.0
	ln -sf libslotkit.so.0 $(DESTDIR)$(PREFIX)/lib/libslotkit.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' slotkit.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/slotkit.pc
	install -m 755 build/release/bin/slotkit $(DESTDIR)$(PREFIX)/bin/
	install -m 755 build/release/bin/slotkit-conformance $(DESTDIR)$(PREFIX)/libexec/slotkit/
	if [ -x build/release/bin/slotkit-bench ]; then install -m 755 build/release/bin/slotkit-bench $(DESTDIR)$(PREFIX)/libexec/slotkit/; fi
	if [ -x build/release/bin/slotkit-iox2-peer ]; then install -m 755 build/release/bin/slotkit-iox2-peer $(DESTDIR)$(PREFIX)/libexec/slotkit/; fi
	for p in build/release/lib/slotkit/*.so; do [ -e "$$p" ] && install -m 755 "$$p" $(DESTDIR)$(PLUGIN_DIR)/ || true; done

# `make` installs (as root) or names only what the core lacks; `make check`
# and `make run` install every part's dependencies.
deps:
	@scripts/deps.sh core
deps-all:
	@scripts/deps.sh all

check: deps-all
	@$(MAKE) --no-print-directory variant-build VARIANT=release
	@$(MAKE) --no-print-directory variant-build VARIANT=asan
	@$(MAKE) --no-print-directory variant-build VARIANT=tsan
	@scripts/check.sh

run: deps-all
	@$(MAKE) --no-print-directory variant-build VARIANT=release
	@scripts/run.sh

clean:
	rm -rf build examples/backend-template/build

-include $(shell find build -name '*.d' 2>/dev/null)
