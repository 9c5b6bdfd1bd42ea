/* snapshot.h — what the controller knows of the running containers: id,
 * name and TRAIT_* (target.h) from their inspect, kept up to date by the
 * pipeline as starts, dies and renames are resolved, and read as a
 * `struct snapshot` view when targets are evaluated (target.h).
 * Owns: the entries and their strings; the "not identified" rule (a
 * controller in a container it cannot find treats every container it
 * cannot tell apart from itself as itself: TRAIT_SELF, fail closed).
 * Does not own: inspecting (collect_worker.c's workers do), logging.
 * Pure data structure: no I/O.  Main loop only. */
#ifndef CONTRAINER_SNAPSHOT_H
#define CONTRAINER_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "target.h"  /* struct snapshot, struct container_ref */

struct snapshot_store;

/* A new, empty store; NULL on ENOMEM.  snapshot_free(NULL) is a no-op. */
struct snapshot_store *snapshot_new(void);
struct snapshot_store *snapshot_free(struct snapshot_store *s);

/* The controller's own container is SELF_ID ("" when unknown, copied);
 * IN_CONTAINER: it runs in some container (identified or not). */
void snapshot_set_self(struct snapshot_store *s, const char *self_id, bool in_container);

/* The view for target_eval (borrowed until the next change). */
struct snapshot snapshot_view(const struct snapshot_store *s);

size_t snapshot_count(const struct snapshot_store *s);
const struct container_ref *snapshot_at(const struct snapshot_store *s, size_t i);

/* The entry of ID (borrowed) or NULL; its name or NULL. */
const struct container_ref *snapshot_find(const struct snapshot_store *s, const char *id);
const char *snapshot_name(const struct snapshot_store *s, const char *id);

/* Add ID or rename it; TRAITS replace the known ones when they hold
 * TRAIT_KNOWN (0: keep what is known).  0 or -ENOMEM. */
int snapshot_set(struct snapshot_store *s, const char *id, const char *name, unsigned traits);

/* New TRAITS (with TRAIT_KNOWN) of ID, if it is in the store. */
void snapshot_traits(struct snapshot_store *s, const char *id, unsigned traits);

void snapshot_remove(struct snapshot_store *s, const char *id);

/* Must ID's exec_* events be refused although their exec id is not one of
 * ours (its labels shadow execID, or it was never inspected)?  0: no;
 * 1: yes, and it is the first time for this container (say it once);
 * 2: yes, said already.  A container not in the store is refused (2). */
int snapshot_exec_refusal(struct snapshot_store *s, const char *id);

#endif
