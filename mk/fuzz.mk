# Fuzzing the POSIX backend's attach and operations (tests/fuzz/fuzz_attach.c):
# libFuzzer (clang) with ASan+UBSan, segment bytes -> attach -> every operation.
#   make fuzz FUZZ_SECONDS=N   build, then fuzz N seconds from tests/fuzz/corpus;
#                              new inputs go to build/fuzz/corpus, crashes to
#                              build/fuzz/artifacts/ (reproduce: build/fuzz/fuzz_attach FILE)
#   make fuzz-build            the target alone (scripts/check.d/fuzz.sh runs it)
#   make fuzz-seeds            rewrite the seed corpus from real segments
# Not part of `make`: clang and libFuzzer (scripts/deps.sh) are needed only here.
ifeq ($(call part_on,fuzz),yes)
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR := build/fuzz
FUZZ_BIN := $(FUZZ_DIR)/fuzz_attach
FUZZ_SRC := tests/fuzz/fuzz_attach.c $(LIB_SRC) $(REF_SRC)
# The backend's waits on a stuck peer, shortened (and its liveness checks
# made more often, to match): a forged lock word or pin count then costs the
# fuzzer a fraction of a millisecond per input instead of a second.
FUZZ_CFLAGS := $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
               -Iinclude -Iref -Ilib -DSLOTKIT_PLUGIN_DIR='"$(PLUGIN_DIR)"' \
               -DPEER_WAIT_LIMIT_NS=200000ull -DPIN_WAIT_LIMIT_NS=50000ull \
               -DOWNER_CHECK_INTERVAL=32u
FUZZ_RUN_FLAGS ?= -timeout=10 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts/

.PHONY: fuzz fuzz-build fuzz-seeds
fuzz-build: $(FUZZ_BIN)

$(FUZZ_BIN): $(FUZZ_SRC) tests/fuzz/fuzz_input.h $(wildcard include/slotkit/*.h ref/*/*.h lib/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_SRC) -ldl -lpthread -lrt

fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/artifacts
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) $(FUZZ_RUN_FLAGS) $(FUZZ_DIR)/corpus tests/fuzz/corpus

fuzz-seeds: $(B)/lib/libslotkit.a
	@mkdir -p $(FUZZ_DIR) tests/fuzz/corpus
	$(CC) $(CSTD) $(WARN) -O1 -g -Iinclude -o $(FUZZ_DIR)/make_seeds tests/fuzz/make_seeds.c \
	    $(B)/lib/libslotkit.a -ldl -lpthread -lrt
	$(FUZZ_DIR)/make_seeds tests/fuzz/corpus
else
.PHONY: fuzz fuzz-build
fuzz fuzz-build:
	$(call part_refuse,fuzz)
endif
