/*
 * Writes the seed corpus of fuzz_attach (tests/fuzz/corpus/): real segments
 * of the POSIX backend in a few geometries and states, each behind an
 * operation script, in the input format fuzz_attach.c describes.
 *   make fuzz-seeds
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "slotkit/slotkit.h"

#include "fuzz_input.h"

/* Ops: reserve, commit, read, read_ptr, mark, next_unread, data_ptr, ... in
 * the encoding of fuzz_attach.c's run_op (op % 14, then a, b, c). */
static const uint8_t script_round_trip[SCRIPT_BYTES] = {
    0,  1, 0,   0,    1,  0, 0, 9, 3, 0,    0, 0x80, 4, 0,    0, 0,  5, 0,    0, 0, 7, 1, 0, 0,
    3,  1, 0,   0x80, 8,  2, 0, 7, 0, 3,    0, 3,    9, 0,    0, 0,  6, 0,    0, 0, 0, 0, 0, 4,
    2,  4, 0,   0,    10, 0, 0, 2, 3, 0xC0, 7, 1,    5, 0xE1, 1, 33, 1, 0xC0, 0, 5, 7, 0, 0, 2,
    11, 0, 200, 255,  12, 1, 8, 0, 3, 2,    0, 0x80, 4, 3,    0, 0,  0, 0,    0, 0, 1, 0, 0, 1,
};

static uint32_t prng_state = 12345u;
static uint8_t prng(void)
{
    prng_state = prng_state * 1103515245u + 12345u;
    return (uint8_t)(prng_state >> 16);
}

static void write_seed(const char *dir, const char *tag, const uint8_t *script, const char *name)
{
    char shm[256];
    snprintf(shm, sizeof shm, "/slotkit-%s", name);
    int fd = shm_open(shm, O_RDONLY, 0);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(shm);
        exit(1);
    }
    void *base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    char path[512];
    snprintf(path, sizeof path, "%s/seed-%s", dir, tag);
    FILE *out = fopen(path, "wb");
    if (base == MAP_FAILED || !out || fwrite(script, 1, SCRIPT_BYTES, out) != SCRIPT_BYTES ||
        fwrite(base, 1, (size_t)st.st_size, out) != (size_t)st.st_size || fclose(out) != 0) {
        perror(path);
        exit(1);
    }
    munmap(base, (size_t)st.st_size);
}

struct seed {
    const char *tag;
    size_t slots, capacity;
    int committed; /* samples committed for readers 0 and 1 */
    int loans;     /* further slots left loaned */
    int hash;
};

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/fuzz/corpus";
    const struct seed seeds[] = {
        {"fresh-1x0", 1, 0, 0, 0, 0},    {"fresh-2x16", 2, 16, 0, 0, 0},  {"pending-4x64", 4, 64, 3, 0, 1},
        {"full-3x100", 3, 100, 2, 1, 0}, {"loaned-2x48", 2, 48, 0, 2, 1}, {"mixed-5x32", 5, 32, 2, 2, 0},
    };
    static const uint8_t hash[16] = "fuzz-type-hash!";
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        const struct seed *s = &seeds[i];
        char name[64];
        snprintf(name, sizeof name, "fuzz-seed-%ld-%zu", (long)getpid(), i);
        slotkit_config config = {.name = name,
                                 .role = SLOTKIT_ROLE_CREATE,
                                 .slot_count = s->slots,
                                 .slot_capacity = s->capacity,
                                 .type_hash = s->hash ? hash : NULL,
                                 .first_sequence_number = i % 2 ? 0xFFFFFFFEu : 0u};
        slotkit_pool *pool = NULL;
        slotkit_error err;
        if (slotkit_pool_open(posix_backend(), &config, &pool, &err) != SLOTKIT_OK) {
            fprintf(stderr, "make_seeds: %s\n", err.message);
            return 1;
        }
        static const char text[128] = "a sample for the fuzzer";
        for (int k = 0; k < s->committed + s->loans; k++) {
            slotkit_handle h;
            uint32_t sn;
            if (slotkit_reserve(pool, 3u, &h) != SLOTKIT_OK) break;
            if (k < s->committed) slotkit_commit(pool, h, text, s->capacity < 20 ? s->capacity : 20, &sn);
        }
        uint8_t random_script[SCRIPT_BYTES];
        for (size_t b = 0; b < SCRIPT_BYTES; b++) random_script[b] = prng();
        char tag[80];
        write_seed(dir, s->tag, script_round_trip, name);
        snprintf(tag, sizeof tag, "%s-random", s->tag);
        write_seed(dir, tag, random_script, name);
        slotkit_pool_close(pool);
    }
    return 0;
}
