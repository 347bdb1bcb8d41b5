/* The report's tables of figures beside their limit and native iceoryx2 (report_peer.c). */
#ifndef SLOTKIT_HARNESS_REPORT_PEER_H
#define SLOTKIT_HARNESS_REPORT_PEER_H

#include "report_render.h"

/* Every backend's busy-poll 64 B latency against native iceoryx2 (after the limits). */
void report_section_peer(report_out *o, const report_model *m);
/* One backend's cases measured in rounds: backend / native iceoryx2 / limit. */
void report_backend_peer(report_out *o, const report_backend *b);

#endif
