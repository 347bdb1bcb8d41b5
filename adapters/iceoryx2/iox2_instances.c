/*
 * Who has a pool open. Across processes: the user table in the accounting
 * segment (one proc identity per open instance; the last live user removes
 * the pool's iceoryx2 domain). In this process: the list of open instances,
 * which fork walks to wait until none is inside iceoryx2.
 */
#include <pthread.h>

#include "common/proc_identity.h"
#include "iox2_instance.h"

/* A dead user's entry counts as free. */
bool users_enter(slotkit_instance *inst)
{
    const uint64_t me = proc_identity_self();
    for (int i = 0; i < (int)IOX2_MAX_INSTANCES; i++) {
        uint64_t v = atomic_load(&inst->users[i]);
        if ((v == 0 || proc_identity_is_dead(v)) && atomic_compare_exchange_strong(&inst->users[i], &v, me)) {
            inst->user_index = i;
            return true;
        }
    }
    return false;
}

bool users_leave(slotkit_instance *inst)
{
    if (inst->user_index >= 0) atomic_store(&inst->users[inst->user_index], 0);
    inst->user_index = -1;
    for (unsigned i = 0; i < IOX2_MAX_INSTANCES; i++) {
        uint64_t v = atomic_load(&inst->users[i]);
        if (v != 0 && !proc_identity_is_dead(v)) return false;
    }
    return true;
}

/* Takes every entry of a pool's user table for this process, unless one
 * belongs to a live process (then gives back what it took). Entries are
 * taken in order, so of two processes doing this only one can win, and an
 * attacher arriving meanwhile finds no free entry (users_enter fails). */
bool users_fence(_Atomic uint64_t *users)
{
    const uint64_t me = proc_identity_self();
    for (unsigned i = 0; i < IOX2_MAX_INSTANCES; i++) {
        uint64_t v = atomic_load(&users[i]);
        for (;;) {
            if (v != 0 && !proc_identity_is_dead(v)) {
                for (unsigned j = 0; j < i; j++) atomic_store(&users[j], 0);
                return false;
            }
            if (atomic_compare_exchange_strong(&users[i], &v, me)) break;
        }
    }
    return true;
}

/* ---- fork safety ----------------------------------------------------------
 * Tests (and users) fork while a pool is open. A service thread that is inside
 * iceoryx2 at that moment could leave a lock of the Rust side held in the
 * child, so fork waits until no instance is inside iceoryx2. */
static pthread_mutex_t open_list_lock = PTHREAD_MUTEX_INITIALIZER;
static slotkit_instance *open_list;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void atfork_prepare(void)
{
    pthread_mutex_lock(&open_list_lock);
    for (slotkit_instance *i = open_list; i; i = i->next_open) pthread_mutex_lock(&i->lock);
}

static void atfork_release(void)
{
    for (slotkit_instance *i = open_list; i; i = i->next_open) pthread_mutex_unlock(&i->lock);
    pthread_mutex_unlock(&open_list_lock);
}

static void atfork_install(void) { (void)pthread_atfork(atfork_prepare, atfork_release, atfork_release); }

void fork_guard_install(void) { pthread_once(&atfork_once, atfork_install); }

void open_list_add(slotkit_instance *inst)
{
    pthread_mutex_lock(&open_list_lock);
    inst->next_open = open_list;
    open_list = inst;
    pthread_mutex_unlock(&open_list_lock);
}

void open_list_remove(slotkit_instance *inst)
{
    pthread_mutex_lock(&open_list_lock);
    for (slotkit_instance **p = &open_list; *p; p = &(*p)->next_open) {
        if (*p == inst) {
            *p = inst->next_open;
            break;
        }
    }
    pthread_mutex_unlock(&open_list_lock);
}
