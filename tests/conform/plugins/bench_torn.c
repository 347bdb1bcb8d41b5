/* Tears every 3rd sample a thread reads: its first bytes (up to 32, half of
 * a small sample) come from the sample read before, as when the writer
 * overwrites a slot during the copy. `slotkit bench` must report the cases
 * that read samples invalid (torn), not as a speed. */
#define WRAP_NAME "bench_torn"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "wrap_inmem.h"

enum { TEAR_BYTES = 32 };

static _Thread_local unsigned reads;
static _Thread_local unsigned char previous[TEAR_BYTES];
/* slot_read_ptr hands out a torn copy, one buffer a thread, freed when the thread ends. */
typedef struct copy_buffer {
    size_t size;
    unsigned char bytes[];
} copy_buffer;
static pthread_key_t copy_key;
static pthread_once_t copy_once = PTHREAD_ONCE_INIT;
static void make_copy_key(void) { pthread_key_create(&copy_key, free); }

static unsigned char *copy_of(size_t len)
{
    pthread_once(&copy_once, make_copy_key);
    copy_buffer *b = pthread_getspecific(copy_key);
    if (b != NULL && b->size >= len) return b->bytes;
    free(b);
    b = malloc(sizeof *b + len);
    if (b != NULL) b->size = len;
    pthread_setspecific(copy_key, b);
    return b ? b->bytes : NULL;
}

/* Tears p (len bytes) on every 3rd call; remembers its head for the next. */
static void tear(unsigned char *p, size_t len)
{
    size_t n = len / 2 < TEAR_BYTES ? len / 2 : TEAR_BYTES;
    unsigned char head[TEAR_BYTES];
    memcpy(head, p, n);
    if (++reads % 3 == 0) memcpy(p, previous, n);
    memcpy(previous, head, n);
}

static slotkit_status torn_read(slotkit_instance *inst, slotkit_handle h, slotkit_slot_header *hdr, void *buf,
                                size_t buf_len)
{
    slotkit_status s = wrapped->ops->read_slot(inst, h, hdr, buf, buf_len);
    if (s == SLOTKIT_OK && buf != NULL) tear(buf, hdr->sample_size);
    return s;
}

static slotkit_status torn_read_ptr(slotkit_instance *inst, slotkit_handle h, const void **out, size_t *len)
{
    slotkit_status s = wrapped->ops->slot_read_ptr(inst, h, out, len);
    if (s != SLOTKIT_OK) return s;
    unsigned char *copy = copy_of(*len);
    if (copy == NULL) return SLOTKIT_SYSTEM_ERROR;
    memcpy(copy, *out, *len);
    tear(copy, *len);
    *out = copy;
    return s;
}

static void wrap_adjust(slotkit_ops *ops)
{
    ops->read_slot = torn_read;
    ops->slot_read_ptr = torn_read_ptr;
}
