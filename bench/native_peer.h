/*
 * The peer: native iceoryx2 publish-subscribe (bench/iox2-peer, the binary
 * slotkit-iox2-peer beside slotkit-bench, or $SLOTKIT_IOX2_PEER), measured on
 * the same two CPUs as the backend, in the same run, between the backend's
 * rounds (rounds.c). Not a backend: iceoryx2 as its users call it, in the
 * shape of iceoryx2's own benchmark. Built with the iceoryx2 part; without it
 * every peer figure says "not built".
 */
#ifndef SLOTKIT_BENCH_NATIVE_PEER_H
#define SLOTKIT_BENCH_NATIVE_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One measurement of the peer; NAN where the mode has no such figure. */
typedef struct native_peer_figure {
    double p50_ns, mean_ns; /* latency: one-way */
    double samples_per_s, bytes_per_s;
    int cpu_a, cpu_b;
    char why[200]; /* when it failed */
} native_peer_figure;

/* True when the peer binary is there; else *why says what is missing. */
bool native_peer_available(const char **why);
/* "iceoryx2 0.10.0" or "not built". */
const char *native_peer_version(void);
/* Ping-pong of `size` bytes, `round_trips` measured after `warmup`; false + why. */
bool native_peer_latency(size_t size, int cpu_a, int cpu_b, int64_t round_trips, int64_t warmup,
                         native_peer_figure *out);
/* `samples` samples of `size` bytes through a subscriber buffer of `buffer`; false + why. */
bool native_peer_throughput(size_t size, int cpu_a, int cpu_b, int64_t samples, int buffer, native_peer_figure *out);

#endif
