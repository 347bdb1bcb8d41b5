/* Fails exactly one MUST rule (R-HASH-1): the type hash it reports back is
 * not the one the pool was opened with. Everything else is inmem's; the
 * --expect tests pin this one failure. */
#define WRAP_NAME "wrong_hash"
#include "wrap_inmem.h"

static bool flipped_type_hash(slotkit_instance *inst, uint8_t out_hash[16])
{
    if (!wrapped->ops->type_hash(inst, out_hash)) return false;
    out_hash[0] ^= 0x5a;
    return true;
}

static void wrap_adjust(slotkit_ops *ops) { ops->type_hash = flipped_type_hash; }
