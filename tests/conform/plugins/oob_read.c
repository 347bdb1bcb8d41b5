/* read_slot reads one byte past a heap block before doing its job: invisible
 * to status checks, caught only by `slotkit conform --memcheck`. */
#define WRAP_NAME "oob_read"
#include <stdlib.h>

#include "wrap_inmem.h"

volatile unsigned char oob_sink;

static slotkit_status oob_read_slot(slotkit_instance *inst, slotkit_handle h, slotkit_slot_header *header, void *buf,
                                    size_t len)
{
    unsigned char *block = calloc(16, 1);
    if (block != NULL) {
        volatile size_t past_the_end = 16; /* the planted off-by-one, hidden from the compiler */
        oob_sink = block[past_the_end];
        free(block);
    }
    return wrapped->ops->read_slot(inst, h, header, buf, len);
}

static void wrap_adjust(slotkit_ops *ops) { ops->read_slot = oob_read_slot; }
