# The layered build: the core needs a C compiler, make, Criterion and json-c;
# each optional part is built where its dependencies are and named, with what
# it lacks, where they are not.
#   make WITHOUT="bench iceoryx2"   hide parts as if their dependencies were absent
#   make parts                      what each part needs and whether it is built
# CI=true requires every part: a missing one fails the build instead of being skipped.
# Included by the Makefile before the parts' own fragments (mk/*.mk).

OPTIONAL_PARTS := bench iceoryx2 report fuzz rust
# kind:thing:package — kind is c (a C header), cxx (a C++ header) or cmd (a program).
PART_NEEDS_bench := cxx:benchmark/benchmark.h:libbenchmark-dev c:numa.h:libnuma-dev c:hwloc.h:libhwloc-dev \
                    cmd:$(or $(CXX),g++):g++
PART_NEEDS_iceoryx2 := cmd:cargo:Rust-1.89+_from_rustup.rs
PART_NEEDS_report := cmd:gnuplot:gnuplot-nox
PART_NEEDS_fuzz := cmd:clang:clang
PART_NEEDS_rust := cmd:cargo:Rust-1.88+_from_rustup.rs
PART_WHAT_bench := slotkit-bench and the placement planner
PART_WHAT_iceoryx2 := the iceoryx2 adapter plug-in
PART_WHAT_report := figures in slotkit report
PART_WHAT_fuzz := make fuzz
PART_WHAT_rust := the Rust backend kit, its example and the zerodds-flatdata plug-ins

WITHOUT ?=
# \043 is '#': make would read a literal one as a comment.
probe_c = $(shell printf '\043include <%s>\n' '$(1)' | $(CC) -E -x c - >/dev/null 2>&1 && echo ok)
probe_cxx = $(shell printf '\043include <%s>\n' '$(1)' | $(or $(CXX),g++) -E -x c++ - >/dev/null 2>&1 && echo ok)
probe_cmd = $(shell command -v '$(1)' >/dev/null 2>&1 && echo ok)
need_field = $(word $(2),$(subst :, ,$(1)))
need_missing = $(if $(call probe_$(call need_field,$(1),1),$(call need_field,$(1),2)),,\
                 $(call need_field,$(1),2)[$(call need_field,$(1),3)])
# Probed once per make invocation (a sub-make probes again: `make check`
# installs packages between its first parse and the build).
missing_list = $(strip $(foreach n,$(PART_NEEDS_$(1)),$(call need_missing,$(n))))
$(foreach p,$(filter-out $(WITHOUT),$(OPTIONAL_PARTS)),$(eval PART_LACKS_$(p) := $(call missing_list,$(p))))
$(foreach p,$(OPTIONAL_PARTS),$(eval PART_MISSING_$(p) := $(if $(filter $(p),$(WITHOUT)),hidden by WITHOUT,\
    $(if $(PART_LACKS_$(p)),missing $(PART_LACKS_$(p))))))
# yes when part $(1) is built
part_on = $(if $(PART_MISSING_$(1)),,yes)
PARTS_MISSING := $(strip $(foreach p,$(OPTIONAL_PARTS),$(if $(PART_MISSING_$(p)),$(p))))

# The line each missing part prints, and the target a missing part's own
# commands (make bench, make fuzz) answer with.
part_line = slotkit: part '$(1)' ($(PART_WHAT_$(1))) not built: $(PART_MISSING_$(1))
part_refuse = @echo "$(call part_line,$(1))" >&2; exit 2

.PHONY: parts-status parts
parts-status:
	@$(foreach p,$(PARTS_MISSING),echo "$(call part_line,$(p))" >&2;) true
ifeq ($(CI),true)
	@$(if $(PARTS_MISSING),echo "slotkit: CI=true requires every part; missing: $(PARTS_MISSING)" >&2; exit 1,true)
endif

parts:
	@echo "core: library, reference backends, conformance suite, slotkit (cc, make, Criterion, json-c)"
	@$(foreach p,$(OPTIONAL_PARTS),echo "$(p): $(PART_WHAT_$(p)): $(if $(PART_MISSING_$(p)),NOT built: $(PART_MISSING_$(p)),built)";) true
