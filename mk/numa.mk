# NUMA for real (docs/numa-emulation.md): the benchmarks' placement, the NUMA
# memory paths and the report's cross-node sections, run inside qemu-emulated
# multi-node machines.
#   make numa-check        three topologies, every step (about 4 minutes here)
#   make numa-check QUICK=1  one topology and the planted-bug run (make check)
# The planted-bug binary is slotkit-bench with every memory binding sent to
# node 0 whatever the case asks: numa-check must fail it, or it proves nothing.
ifeq ($(call part_on,bench),yes)
NUMA_PLANT_FIND := numa_bitmask_setbit(nodes, (unsigned)pc->
NUMA_PLANT_REPLACE := numa_bitmask_setbit(nodes, 0 * (unsigned)pc->

$(B)/numa-planted/pools.c: bench/pools.c
	@mkdir -p $(dir $@)
	sed 's/$(NUMA_PLANT_FIND)/$(NUMA_PLANT_REPLACE)/g' $< >$@
	@! cmp -s $< $@ || { echo "numa: the planted bug no longer applies to bench/pools.c" >&2; rm -f $@; exit 1; }

$(B)/numa-planted/pools.o: $(B)/numa-planted/pools.c
	$(CC) $(CFLAGS_ALL) -Ibench -Ilib $(BENCH_HWLOC_CFLAGS) $(JSON_CFLAGS) -c $< -o $@

$(B)/numa-planted/slotkit-bench: $(filter-out $(B)/obj/bench/pools.o,$(BENCH_OBJ)) $(B)/numa-planted/pools.o \
                                 $(BENCH_PLACEMENT_OBJ) $(B)/lib/libslotkit.a
	$(CXX) $(LDFLAGS_ALL) -o $@ $^ -lbenchmark $(BENCH_HWLOC_LIBS) -lnuma $(JSON_LIBS) -ldl -lpthread -lrt -lm

.PHONY: numa-check numa-planted
numa-planted: build/release/numa-planted/slotkit-bench
numa-check: deps-all
	@$(MAKE) --no-print-directory variant-build VARIANT=release
	@$(MAKE) --no-print-directory numa-planted VARIANT=release
	@scripts/numa-check.sh $(if $(QUICK),--quick)
else
.PHONY: numa-check numa-planted
numa-check numa-planted:
	$(call part_refuse,bench)
endif
