/*
 * Process trees under a child subreaper: what a test forked, however it
 * detached, is reparented to this process and can be found and killed.
 */
#ifndef SLOTKIT_HARNESS_PROC_TREE_H
#define SLOTKIT_HARNESS_PROC_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Makes this process the reaper of its orphaned descendants. */
bool proc_tree_become_subreaper(void);

/* SIGKILLs root and every descendant of it (one /proc scan). */
void proc_tree_kill(pid_t root);

/* SIGKILLs, with their descendants, every child of this process that is not
 * in keep[0..nkeep): orphans reparented here. Returns how many it found. */
size_t proc_tree_kill_orphans(const pid_t *keep, size_t nkeep);

#endif
