/* Claims in-place loans but provides no in-place entries: the loader must refuse it. */
#include "stub_ops.h"
static const slotkit_ops ops = {.abi_version = SLOTKIT_ABI_VERSION, STUB_REQUIRED_OPS};
static const slotkit_backend backend = {.abi_version = SLOTKIT_ABI_VERSION,
                                        .name = "badcaps",
                                        .version = "0",
                                        .capabilities = SLOTKIT_CAP_IN_PLACE,
                                        .open = stub_open,
                                        .close = stub_close,
                                        .ops = &ops};
SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void) { return &backend; }
