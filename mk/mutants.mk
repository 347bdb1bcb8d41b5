# Mutation check of the conformance suite (tests/mutants/, scripts/mutants.sh,
# docs/mutants.md): single, realistic bugs planted in the independent simple
# backend and in the reference slot table / inmem, each of which the suite
# must catch.
#   $(B)/simple/libslotkit_simple.so   the simple backend, a plug-in
#   make mutants                       every mutant (MUTANTS_ARGS, e.g. --jobs 2)
#   make mutants-quick                 the `quick` subset that make check runs
SIMPLE_PLUGIN := $(B)/simple/libslotkit_simple.so

# Built against include/ alone, like any third-party plug-in.
$(SIMPLE_PLUGIN): tests/mutants/simple/simple_backend.c include/slotkit/backend.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(OPT_$(VARIANT)) -g -fPIC $(SAN) -Iinclude -shared -Wl,-z,defs \
	    -o $@ $< -lpthread

EXTRA_TARGETS += $(SIMPLE_PLUGIN)

MUTANTS_ARGS ?=
.PHONY: mutants mutants-quick mutants-sanitizer-harness
mutants: all mutants-sanitizer-harness
	@scripts/mutants.sh $(MUTANTS_ARGS)
# Mutants tagged asan/tsan that survive the release run are run again under
# these (make check builds them anyway).
mutants-sanitizer-harness:
	@$(MAKE) --no-print-directory VARIANT=asan build/asan/bin/slotkit build/asan/bin/slotkit-conformance
	@$(MAKE) --no-print-directory VARIANT=tsan build/tsan/bin/slotkit-conformance
mutants-quick: all
	@scripts/mutants.sh --quick $(MUTANTS_ARGS)
