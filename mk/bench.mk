# Benchmarks (issue 5): slotkit-bench, C over Google Benchmark through a
# one-file C++ shim (bench/gbench.cc), driven by `slotkit bench`.
#   make bench                 every suite against every backend `slotkit backends` lists
#   make bench-callgrind       instructions per reserve+commit+read+mark_read (inmem, 64 B)
ifeq ($(call part_on,bench),yes)
BENCH_SRC := bench/main.c bench/plan.c bench/cases.c bench/common.c bench/pools.c bench/limits.c bench/ops.c \
             bench/latency.c bench/throughput.c bench/whole.c bench/validate.c \
             bench/verify.c bench/placement_probe.c bench/rounds.c bench/native_peer.c \
             bench/slot_floor.c
BENCH_OBJ := $(call obj,$(BENCH_SRC)) $(B)/obj/bench/gbench.o
# The placement planner, the topology JSON and NUMA helpers are built by mk/bench-placement.mk.
BENCH_PLACEMENT_OBJ := $(call obj,$(PLACEMENT_SRC))
BENCH_HWLOC_CFLAGS := $(shell pkg-config --cflags hwloc 2>/dev/null)
BENCH_HWLOC_LIBS := $(shell pkg-config --libs hwloc 2>/dev/null || echo -lhwloc)
CXX ?= g++

$(call obj,$(BENCH_SRC)): PART_INCLUDES := -Ibench -Ilib $(BENCH_HWLOC_CFLAGS)

$(B)/obj/bench/gbench.o: bench/gbench.cc bench/gbench.h
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 $(WARN) $(OPT_$(VARIANT)) -g -fPIC $(SAN) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(B)/bin/slotkit-bench: $(BENCH_OBJ) $(BENCH_PLACEMENT_OBJ) $(B)/lib/libslotkit.a
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS_ALL) -o $@ $^ -lbenchmark $(BENCH_HWLOC_LIBS) -lnuma $(JSON_LIBS) -ldl -lpthread -lrt -lm

EXTRA_TARGETS += $(B)/bin/slotkit-bench

BENCH_SUITE ?= all
BENCH_ARGS ?=
.PHONY: bench bench-callgrind
bench: all
	@set -e; slotkit=build/release/bin/slotkit; \
	 backends=$$($$slotkit backends --names); \
	 for b in $$backends; do \
	     echo "== slotkit bench --backend $$b --suite $(BENCH_SUITE) $(BENCH_ARGS)"; \
	     $$slotkit bench --backend $$b --suite $(BENCH_SUITE) $(BENCH_ARGS); \
	 done

# callgrind counts instructions of the measured loop only (--toggle-collect),
# a fixed number of round trips after a warm-up; repeatable where time is not.
CALLGRIND_ROUNDS ?= 100000
CALLGRIND_BACKEND ?= inmem
CALLGRIND_PAYLOAD ?= 64
bench-callgrind: all
	@out=build/bench-callgrind; mkdir -p $$out; \
	 valgrind --tool=callgrind --toggle-collect=ops_callgrind_loop --callgrind-out-file=$$out/callgrind.out \
	     build/release/bin/slotkit-bench --backend=$(CALLGRIND_BACKEND) --callgrind-ops=$(CALLGRIND_ROUNDS) \
	     --payload=$(CALLGRIND_PAYLOAD) >$$out/run.log 2>&1 || { cat $$out/run.log; exit 1; }; \
	 ir=$$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' $$out/callgrind.out | tail -n 1); \
	 [ -n "$$ir" ] || ir=$$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' $$out/callgrind.out | tail -n 1); \
	 per=$$(awk -v ir=$$ir -v n=$(CALLGRIND_ROUNDS) 'BEGIN { printf "%.1f", ir / n }'); \
	 echo "bench-callgrind: backend $(CALLGRIND_BACKEND), $(CALLGRIND_PAYLOAD) B: $$ir instructions in $(CALLGRIND_ROUNDS) round trips = $$per instructions per reserve+commit+read+mark_read (target <= 150)"; \
	 printf '{"tool": "callgrind", "valgrind": "%s", "benchmarks": [{"name": "ops/copy/size:%s", "payload_bytes": %s, "backend": "%s", "instructions": %s, "rounds": %s, "instructions_per_op": %s}]}\n' \
	     "$$(valgrind --version)" $(CALLGRIND_PAYLOAD) $(CALLGRIND_PAYLOAD) $(CALLGRIND_BACKEND) $$ir $(CALLGRIND_ROUNDS) $$per >$$out/callgrind.json; \
	 echo "bench-callgrind: $$out/callgrind.json"
else
.PHONY: bench bench-callgrind
bench bench-callgrind:
	$(call part_refuse,bench)
endif
