/*
 * The declared prerequisite graph (SPEC §1.4), data only: prereqs_table.c.
 * Every rule with tests has an entry; its prerequisites are the rules its
 * tests rely on beyond their own. prereqs_foundation names, per operation, the
 * rules that establish it: a test may call an operation only if those rules
 * are its own rule or among its rule's transitive prerequisites.
 */
#ifndef SLOTKIT_CONFORMANCE_PREREQS_TABLE_H
#define SLOTKIT_CONFORMANCE_PREREQS_TABLE_H

#include <stddef.h>

#include "op_recorder.h"

typedef struct rule_prereqs {
    const char *rule;
    const char *prereqs; /* space-separated rule IDs */
} rule_prereqs;

extern const rule_prereqs prereqs_table[];
extern const size_t prereqs_table_size;
extern const char *const prereqs_foundation[CONF_OP_COUNT];

#endif
