/* A valid descriptor whose open() always fails: the harness must say why in one line. */
#include "stub_ops.h"
static const slotkit_ops ops = {.abi_version = SLOTKIT_ABI_VERSION, STUB_REQUIRED_OPS};
static const slotkit_backend backend = {.abi_version = SLOTKIT_ABI_VERSION,
                                        .name = "refuses",
                                        .version = "0",
                                        .open = stub_open,
                                        .close = stub_close,
                                        .ops = &ops};
SLOTKIT_EXPORT const slotkit_backend *slotkit_backend_entry(void) { return &backend; }
