/* facts.h — per container, the "K=V" facts every body of its events gets
 * besides the event's own (docs/events.md "Environment":
 * CONTRAINER_SOURCE_IMAGE and CONTRAINER_LABEL_*), as its last collection
 * read them from the inspect; kept until its die has been dispatched.
 * Owns: the table and copies of the strings.  Does not own: reading them
 * (collect_facts.c), building a body's environment (fire.c).
 * Indexed by container id: a lookup costs one hash, whatever the number
 * of containers.  Pure data structure: no I/O.  Main loop only. */
#ifndef CONTRAINER_FACTS_H
#define CONTRAINER_FACTS_H

#include <stddef.h>

struct facts;

struct facts *facts_new(void);               /* NULL on ENOMEM */
struct facts *facts_free(struct facts *f);   /* NULL-safe, returns NULL */

/* Container ID's facts are now VARS (copied; NULL or empty: none kept).
 * 0 or -ENOMEM (then the old ones are kept). */
int facts_set(struct facts *f, const char *id, char *const *vars);

/* ID's facts (borrowed until the next set/drop of ID), or NULL. */
char *const *facts_get(const struct facts *f, const char *id);

/* Forget ID. */
void facts_drop(struct facts *f, const char *id);

size_t facts_count(const struct facts *f);

#endif
