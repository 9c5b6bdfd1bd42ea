/* target.h — evaluates a selector (docs/watch.md set algebra) over a snapshot of
 * the running containers, at dispatch time.
 * Owns: the result set's memory.  Borrows: the entry, the snapshot and the
 * registrar strings (results point into them; keep them alive).
 * Does not own: policy (policy.h) or running anything.
 * Pure: no I/O, no globals, no logging. */
#ifndef CONTRAINER_TARGET_H
#define CONTRAINER_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "traits.h"  /* container_ref.traits */

struct header_entry;

struct container_ref {
        const char *id;    /* full 64-hex id */
        const char *name;  /* without the Engine's leading '/' */
        unsigned traits;   /* TRAIT_* (traits.h) */
        bool logged;       /* the controller said once why its exec events are refused */
};

struct snapshot {
        const struct container_ref *containers;  /* the running containers */
        size_t n;
        const char *self_id;  /* the controller's own container id, or NULL/"" */
};

enum target_type { TT_CONTAINER, TT_HOST, TT_CONTRAINER };

/* One resolved target.  For TT_CONTAINER, id/name point into the snapshot
 * or at the registrar strings; for the others they are NULL.
 * is_me: the target is the registrar itself (policy class "me"). */
struct target {
        enum target_type type;
        const char *id;
        const char *name;
        int is_me;
        unsigned traits;  /* TT_CONTAINER: the snapshot's TRAIT_* (0 for a registrar not in it) */
};

struct target_set {
        struct target *v;
        size_t n;
};

/* Evaluate ENTRY's selector left to right: the first term starts the set,
 * "+" adds, "!"/"~" removes.  %me is the registrar (even when it is not in
 * the snapshot, e.g. while its die is dispatched); %all is every container
 * in the snapshot except the controller's own, plus %host and %contrainer;
 * a NAME is the running container of that name (absent: contributes
 * nothing), the registrar's own name is %me, the controller's own name is
 * %contrainer.  Elements are unique, in first-added order.
 * Returns 0 and fills *RET (caller frees with target_set_free), or -ENOMEM. */
int target_eval(const struct header_entry *entry, const struct snapshot *snap,
                const char *registrar_id, const char *registrar_name,
                struct target_set *ret);

/* How a target of TYPE is written: "%host", "%contrainer", or S for a
 * container (S: its id for a queue key, its name for a person).  The one
 * place that maps a type to its text. */
const char *target_text(enum target_type type, const char *s);

/* Free the set's storage; the set becomes empty. */
void target_set_free(struct target_set *set);

#endif
