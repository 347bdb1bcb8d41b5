/*
 * The fixture of the POSIX backend's own tests (tests/posix): pool names
 * unique to the test process, pools and names cleaned up in the suites'
 * .fini (also when a test failed), and a throwaway second user for the
 * ownership tests.
 */
#ifndef SLOTKIT_TESTS_POSIX_FIXTURE_H
#define SLOTKIT_TESTS_POSIX_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "slotkit/slotkit.h"

/* Unlinks every name a test used, closes its pools, removes its user. */
void fixture_fini(void);

/* A pool name unique to this process and test; its shm name
 * ("/slotkit-<name>") is unlinked in .fini. Returns static storage. */
const char *fresh_name(const char *tag);

/* Registers any shm name ("/...") for unlinking in .fini. */
void register_shm_name(const char *shm_name);

/* Forgets the last registered name (it is gone already: reuse the entry). */
void release_last_name(void);

/* "/slotkit-<name>" for a pool name (static buffer). */
const char *shm_name_of(const char *pool_name);

slotkit_config make_config(const char *name, slotkit_role role, size_t count, size_t cap);

/* Pools opened through these are closed in .fini unless forgotten. */
void adopt(slotkit_pool *pool);
void forget(slotkit_pool *pool);
slotkit_status try_open(const slotkit_config *config, slotkit_pool **out, slotkit_error *err);
slotkit_pool *must_open(const char *name, slotkit_role role, size_t count, size_t cap);
slotkit_pool *must_create(const char *name, size_t count, size_t cap);

/* ATTACH must fail with INCOMPATIBLE and a one-line message containing
 * every word given (NULL: none). */
void expect_attach_incompatible(const char *name, const char *word1, const char *word2);

/* Maps a pool's segment read-write, for corrupting it. */
void *map_segment(const char *name, size_t *out_size);

bool shm_exists(const char *name);

/* Gives this test process (and its children) a /dev/shm of its own, so a
 * `slotkit clean` it runs neither removes nor races with other tests'
 * segments. Needs root (a mount namespace); false where it cannot. */
bool private_dev_shm(void);

/* A second local user to act as (root only): useradd'ed, removed again in
 * .fini. false with *why (static) when the test cannot have one. */
bool throwaway_user(uid_t *uid, gid_t *gid, const char **why);

/* In a forked child: become that user for good; false on failure. */
bool become_user(uid_t uid, gid_t gid);

/* A child running as that user: killed in .fini before the user is
 * removed (userdel refuses a user with processes). 0 forgets it. */
void user_child(pid_t pid);

#endif
