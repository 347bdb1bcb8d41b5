#include "util.h"

#include <errno.h>
#include <sched.h>
#include <time.h>

const char *status_name(slotkit_status status)
{
    switch (status) {
    case SLOTKIT_OK: return "OK";
    case SLOTKIT_NO_FREE_SLOT: return "NO_FREE_SLOT";
    case SLOTKIT_OUT_OF_BOUNDS: return "OUT_OF_BOUNDS";
    case SLOTKIT_SAMPLE_TOO_LARGE: return "SAMPLE_TOO_LARGE";
    case SLOTKIT_LOCK_POISONED: return "LOCK_POISONED";
    case SLOTKIT_IN_PLACE_UNSUPPORTED: return "IN_PLACE_UNSUPPORTED";
    case SLOTKIT_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case SLOTKIT_INCOMPATIBLE: return "INCOMPATIBLE";
    case SLOTKIT_SYSTEM_ERROR: return "SYSTEM_ERROR";
    case SLOTKIT_UNSUPPORTED: return "UNSUPPORTED";
    }
    return "(not a slotkit_status)";
}

bool same_handle(slotkit_handle a, slotkit_handle b)
{
    return a.segment_id == b.segment_id && a.slot_index == b.slot_index;
}

slotkit_handle foreign_handle(slotkit_handle real)
{
    slotkit_handle forged = real;
    /* Any other value must be refused; flip high and low bits so neither a
     * truncating nor a masking comparison can accept it. */
    forged.segment_id = real.segment_id ^ 0x8000000000000001ull;
    return forged;
}

void fill_pattern(void *buf, size_t len, uint64_t seed)
{
    unsigned char *bytes = buf;
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    for (size_t i = 0; i < len; i++) {
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9ull;
        bytes[i] = (unsigned char)(x >> 56);
    }
}

bool pattern_ok(const void *buf, size_t len, uint64_t seed)
{
    const unsigned char *bytes = buf;
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    for (size_t i = 0; i < len; i++) {
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9ull;
        if (bytes[i] != (unsigned char)(x >> 56)) {
            return false;
        }
    }
    return true;
}

double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sleep_s(double seconds)
{
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

bool serial_after(uint32_t a, uint32_t b) { return a != b && (uint32_t)(a - b) < 0x80000000u; }

uint64_t rng_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

void random_delay(uint64_t *rng, unsigned max_spins)
{
    uint64_t r = rng_next(rng);
    if ((r & 7u) == 0) {
        sched_yield(); /* sometimes let the other side run first */
        return;
    }
    unsigned spins = (unsigned)((r >> 8) % ((uint64_t)max_spins + 1u));
    for (volatile unsigned i = 0; i < spins; i++) {}
}
