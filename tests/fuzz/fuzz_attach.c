/*
 * libFuzzer target: segment bytes -> attach -> every operation (R-POSIX-2,
 * R-POSIX-9, R-POSIX-10 of docs/SPEC.md).
 *
 * An input is an operation script followed by the bytes of a POSIX segment:
 *   [0, SCRIPT_BYTES)   SCRIPT_OPS operations of 4 bytes: op, a, b, c
 *   [SCRIPT_BYTES, end) the segment: /dev/shm/slotkit-fuzz-<pid>, exactly
 * The target writes the segment into a shm object it owns, stamps itself as
 * the creator (a segment whose creator is gone is refused as stale, and the
 * fuzzer cannot guess a live pid's start time), attaches through the public
 * ABI (slotkit_pool_open, role ATTACH), runs the script with the arguments
 * it chose, closes and unlinks. One operation writes a byte into the segment
 * through a second mapping, as a peer may at any time after attach.
 *
 * Built with ASan+UBSan, and with the backend's waits on peers shortened
 * (PEER_WAIT_LIMIT_NS, PIN_WAIT_LIMIT_NS), so a forged lock or pin count
 * costs milliseconds, not a second, per input. It aborts on an invariant the
 * API promises: a length beyond the capacity, a geometry that changes, a
 * status outside the enum, a poisoned call without a reason.
 *
 *   make fuzz FUZZ_SECONDS=N     (mk/fuzz.mk; corpus in tests/fuzz/corpus)
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/proc_identity.h"
#include "common/shm_segment.h"
#include "posix/segment.h"
#include "slotkit/slotkit.h"

#include "fuzz_input.h"

#define MAX_SEGMENT (1u << 20)
#define HANDLES 8u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                        \
    do {                                                        \
        if (!(cond)) {                                          \
            fprintf(stderr, "fuzz_attach: invariant broken: "); \
            fprintf(stderr, __VA_ARGS__);                       \
            fprintf(stderr, " (%s:%d)\n", __FILE__, __LINE__);  \
            abort();                                            \
        }                                                       \
    } while (0)

/* What one run knows about the pool it attached to. */
struct run {
    slotkit_pool *pool;
    unsigned char *peer; /* the target's own mapping: a peer's writes */
    size_t bytes;
    size_t slots, capacity; /* as attach reported them: must never change */
    uint64_t segment_id;
    slotkit_handle handles[HANDLES];
};

static void check_status(slotkit_status st, const char *op)
{
    CHECK((unsigned)st < SLOTKIT_STATUS_COUNT, "%s returned status %d", op, (int)st);
    if (st == SLOTKIT_LOCK_POISONED) {
        const slotkit_error *e = slotkit_last_error();
        CHECK(e->status == st && e->message[0] != '\0', "%s: LOCK_POISONED without a reason", op);
    }
}

/* A handle: one the run was given, or one made of the script's bytes. */
static slotkit_handle pick_handle(const struct run *r, uint8_t a, uint8_t b)
{
    if (a < 0xC0) return r->handles[a % HANDLES];
    slotkit_handle h = {.segment_id = (a & 1u) ? r->segment_id ^ b : r->segment_id,
                        .slot_index = (uint32_t)b | ((a & 0x20u) ? 0xFFFFFF00u : 0u)};
    return h;
}

static void keep_handle(struct run *r, uint8_t c, slotkit_handle h) { r->handles[c % HANDLES] = h; }

static void op_read(struct run *r, uint8_t a, uint8_t b, uint8_t c)
{
    static unsigned char buf[MAX_SEGMENT];
    const size_t len = (c & 0x80u) ? sizeof buf : (size_t)(c & 0x7Fu);
    slotkit_slot_header header;
    slotkit_status st = slotkit_read(r->pool, pick_handle(r, a, b), &header, buf, len);
    check_status(st, "read_slot");
    if (st == SLOTKIT_OK || st == SLOTKIT_INVALID_ARGUMENT)
        CHECK(header.sample_size <= r->capacity, "read_slot: sample_size %u > capacity %zu", header.sample_size,
              r->capacity);
    if (st == SLOTKIT_OK)
        CHECK(header.sample_size <= len, "read_slot: OK with %u bytes into %zu", header.sample_size, len);
}

static void op_read_ptr(struct run *r, uint8_t a, uint8_t b)
{
    const void *ptr = NULL;
    size_t len = 0;
    slotkit_status st = slotkit_slot_read_ptr(r->pool, pick_handle(r, a, b), &ptr, &len);
    check_status(st, "slot_read_ptr");
    if (st != SLOTKIT_OK) return;
    CHECK(len <= r->capacity, "slot_read_ptr: length %zu > capacity %zu", len, r->capacity);
    unsigned sum = 0; /* touch every byte: ASan or SIGSEGV if outside */
    for (size_t i = 0; i < len; i++) sum += ((const volatile unsigned char *)ptr)[i];
    (void)sum;
}

static void op_data_ptr(struct run *r, uint8_t a, uint8_t b, uint8_t c)
{
    void *ptr = NULL;
    size_t cap = 0;
    slotkit_handle h = pick_handle(r, a, b);
    slotkit_status st = slotkit_slot_data_ptr(r->pool, h, &ptr, &cap);
    check_status(st, "slot_data_ptr");
    if (st != SLOTKIT_OK) return;
    CHECK(cap == r->capacity, "slot_data_ptr: capacity %zu, pool's %zu", cap, r->capacity);
    memset(ptr, c, cap);
    uint32_t sn;
    check_status(slotkit_commit_in_place(r->pool, h, (size_t)c % (cap + 2u), &sn), "commit_in_place");
}

static void op_geometry(struct run *r)
{
    size_t count = 0;
    check_status(slotkit_slot_count(r->pool, &count), "slot_count");
    CHECK(count == r->slots, "slot_count %zu, was %zu at attach", count, r->slots);
    CHECK(slotkit_slot_capacity(r->pool) == r->capacity, "slot_capacity changed");
    CHECK(slotkit_slot_total_size(r->pool) == SLOTKIT_SLOT_TOTAL_SIZE(r->capacity), "slot_total_size changed");
    uint8_t hash[16];
    (void)slotkit_type_hash(r->pool, hash);
}

static void run_op(struct run *r, const uint8_t op[4])
{
    const uint8_t a = op[1], b = op[2], c = op[3];
    static const unsigned char payload[MAX_SEGMENT];
    slotkit_handle h;
    uint32_t sn;
    bool found = false;
    switch (op[0] % 14u) {
    case 0:
        if (slotkit_reserve(r->pool, (uint32_t)a | (uint32_t)b << 24, &h) == SLOTKIT_OK) keep_handle(r, c, h);
        break;
    case 1:
        check_status(slotkit_commit(r->pool, pick_handle(r, a, b), payload, (size_t)c % (r->capacity + 2u), &sn),
                     "commit");
        break;
    case 2: check_status(slotkit_discard(r->pool, pick_handle(r, a, b)), "discard"); break;
    case 3: op_read(r, a, b, c); break;
    case 4: op_read_ptr(r, a, b); break;
    case 5: check_status(slotkit_mark_read(r->pool, pick_handle(r, a, b), c % 40u), "mark_read"); break;
    case 6: check_status(slotkit_mark_reader_disconnected(r->pool, c % 40u), "disconnect"); break;
    case 7:
        check_status(slotkit_next_unread(r->pool, c % 40u, &found, &h), "next_unread");
        if (found) keep_handle(r, a, h);
        break;
    case 8: op_data_ptr(r, a, b, c); break;
    case 9: op_geometry(r); break;
    case 10:
        slotkit_wait_for_change(r->pool, slotkit_notify_generation(r->pool) + (c & 1u), c & 2u ? 1000u : 0u);
        break;
    default: /* a peer writes one byte anywhere in the segment */ r->peer[((size_t)a << 8 | b) % r->bytes] = c; break;
    }
}

/* The segment the input describes, with this process as its creator. */
static bool write_segment(const char *shm_name, const uint8_t *bytes, size_t size)
{
    static unsigned char image[MAX_SEGMENT];
    memcpy(image, bytes, size);
    if (size >= sizeof(struct shm_segment_header)) {
        struct shm_segment_header h;
        memcpy(&h, image, sizeof h);
        uint64_t token = 0;
        (void)proc_start_token(getpid(), &token, NULL);
        h.creator_pid = (int32_t)getpid();
        h.creator_start_token = token;
        memcpy(image, &h, sizeof h);
    }
    int fd = shm_open(shm_name, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return false;
    bool ok = write(fd, image, size) == (ssize_t)size;
    close(fd);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* No magic yet reads as a creator still initialising, which attach
     * rightly waits 200 ms for: not worth an input. */
    if (size < SCRIPT_BYTES + 8u || size - SCRIPT_BYTES > MAX_SEGMENT) return -1;
    const uint8_t *segment = data + SCRIPT_BYTES;
    const size_t bytes = size - SCRIPT_BYTES;
    static const uint8_t no_magic[8];
    if (memcmp(segment, no_magic, sizeof no_magic) == 0) return -1;

    char name[64], shm_name[80];
    snprintf(name, sizeof name, "fuzz-%ld", (long)getpid());
    snprintf(shm_name, sizeof shm_name, "/slotkit-%s", name);
    if (!write_segment(shm_name, segment, bytes))
        abort(); /* /dev/shm full or unusable: not a finding, but nothing works */

    slotkit_config config = {.name = name, .role = SLOTKIT_ROLE_ATTACH};
    struct run r = {0};
    slotkit_error err;
    slotkit_status st = slotkit_pool_open(posix_backend(), &config, &r.pool, &err);
    if (st != SLOTKIT_OK) {
        CHECK(st == SLOTKIT_INCOMPATIBLE, "attach returned %s: %s", slotkit_strerror(st), err.message);
        CHECK(err.message[0] != '\0' && !strchr(err.message, '\n'), "attach's message: '%s'", err.message);
        shm_unlink(shm_name);
        return 0;
    }
    int fd = shm_open(shm_name, O_RDWR, 0);
    r.peer = fd < 0 ? MAP_FAILED : mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (fd >= 0) close(fd);
    if (r.peer == MAP_FAILED) abort();
    r.bytes = bytes;
    CHECK(slotkit_slot_count(r.pool, &r.slots) == SLOTKIT_OK && r.slots >= 1, "slot_count");
    r.capacity = slotkit_slot_capacity(r.pool);
    memcpy(&r.segment_id, segment + offsetof(struct shm_segment_header, segment_id), sizeof r.segment_id);
    for (size_t i = 0; i < HANDLES; i++)
        r.handles[i] = (slotkit_handle){.segment_id = r.segment_id, .slot_index = (uint32_t)i};

    for (size_t i = 0; i < SCRIPT_OPS; i++) run_op(&r, data + 4u * i);
    op_geometry(&r);

    slotkit_pool_close(r.pool);
    munmap(r.peer, bytes);
    shm_unlink(shm_name);
    return 0;
}
