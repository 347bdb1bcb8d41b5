# part: bench build/asan/bin/slotkit-placement-tests
# Placement planner on the XML topologies in bench/topologies/, and NUMA
# pinning/binding read-back on this machine (sourced by scripts/check.sh).
run_logged placement-asan 300 env SLOTKIT_TOPOLOGIES="$ROOT/bench/topologies" \
    build/asan/bin/slotkit-placement-tests
