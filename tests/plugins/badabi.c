/* A plug-in built for a future ABI: the loader must refuse it. */
#include "stub_ops.h"
static const slotkit_ops ops = {.abi_version = SLOTKIT_ABI_VERSION + 1, STUB_REQUIRED_OPS};
static const slotkit_backend backend = {.abi_version = SLOTKIT_ABI_VERSION + 1,
                                        .name = "badabi",
                                        .version = "0",
                                        .open = stub_open,
                                        .close = stub_close,
                                        .ops = &ops};
SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void) { return &backend; }
