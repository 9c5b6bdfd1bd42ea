/* enroll.h — a collection's answers become registrations (SPEC §2.1): each
 * script's output split into header and body, the header parsed, one log
 * line per registration or failure; then the label hooks the same way
 * (docs/events.md "Label hooks": a script of the same NAME wins); the
 * container's old registrations are replaced.
 * Owns: nothing (a function over the registry).  Does not own: collecting
 * (collector.h), deciding what fires (fire.h).
 * Context: main loop only (called by the pipeline). */
#ifndef CONTRAINER_ENROLL_H
#define CONTRAINER_ENROLL_H

#include <stdbool.h>

struct collect_result;
struct registry;
struct stats;

/* Replace container R->id's registrations in REG by R's answers; a failed
 * collection (R->error without R->gone) keeps them.  KEEP_SERVED: carry the
 * served sets of unchanged registrations over (re-collecting an unchanged
 * container must not run its immediate entries again).  STATS may be NULL. */
void enroll(struct registry *reg, struct stats *stats, const struct collect_result *r,
            bool keep_served);

#endif
