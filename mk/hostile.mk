# Hostile test plug-ins (tests/plugins/hostile/hostile.c): the inmem backend
# with one misbehaviour each, for scripts/check.d/hostile.sh.
#   $(B)/test-plugins/libslotkit_hostile_<variant>.so
# One source; -DHOSTILE_VARIANT names the misbehaviour. Each plug-in carries
# its own copy of libslotkit (hidden), so it loads from any directory and
# into any host.
HOSTILE_SRC := tests/plugins/hostile/hostile.c
HOSTILE_OPS := open close reserve commit discard read mark_read disconnect slot_count total_size \
               capacity data_ptr commit_in_place read_ptr next_unread type_hash notify_generation \
               wait_for_change
HOSTILE_VARIANTS := hang_wait spin_reserve bad_status flood fork_leave messages \
                    $(addprefix crash_,$(HOSTILE_OPS)) $(addprefix abort_,$(HOSTILE_OPS))
HOSTILE_PLUGINS := $(patsubst %,$(B)/test-plugins/libslotkit_hostile_%.so,$(HOSTILE_VARIANTS))

$(B)/test-plugins/libslotkit_hostile_%.so: $(HOSTILE_SRC) $(B)/lib/libslotkit.a include/slotkit/backend.h \
        include/slotkit/slotkit.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(OPT_$(VARIANT)) -g -fPIC $(SAN) -shared -Iinclude \
	    -DHOSTILE_VARIANT='"$*"' -o $@ $< $(B)/lib/libslotkit.a -Wl,--exclude-libs,ALL \
	    $(LDFLAGS_ALL) -ldl -lpthread -lrt

EXTRA_TARGETS += $(HOSTILE_PLUGINS)
