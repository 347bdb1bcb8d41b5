# Placement planner and topology JSON (hwloc) and NUMA memory binding/read-back
# (libnuma), with their tests on the XML topologies in bench/topologies/.
ifeq ($(call part_on,bench),yes)
PLACEMENT_HWLOC_CFLAGS := $(shell pkg-config --cflags hwloc 2>/dev/null)
PLACEMENT_HWLOC_LIBS := $(shell pkg-config --libs hwloc 2>/dev/null || echo -lhwloc)
PLACEMENT_SRC := bench/placement.c bench/topology_json.c bench/numa_mem.c
PLACEMENT_TEST_SRC := tests/bench/test_placement.c tests/bench/test_topology_json.c

# Only these objects: the benchmark shim's own fragment sets its objects' flags.
$(call obj,$(PLACEMENT_SRC) $(PLACEMENT_TEST_SRC)): PART_INCLUDES := -Ibench $(PLACEMENT_HWLOC_CFLAGS)
# The tests find the XML topologies from any working directory
# ($SLOTKIT_TOPOLOGIES overrides).
$(call obj,$(PLACEMENT_TEST_SRC)): PART_INCLUDES += -DSLOTKIT_TOPOLOGY_DIR='"$(CURDIR)/bench/topologies"'

$(B)/bin/slotkit-placement-tests: $(call obj,$(PLACEMENT_TEST_SRC) $(PLACEMENT_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PLACEMENT_HWLOC_LIBS) -lnuma $(JSON_LIBS) -lcriterion

EXTRA_TARGETS += $(B)/bin/slotkit-placement-tests
endif
