/* seen.h — the controller's memory of what it has already taken: the
 * replay filter (since= is inclusive: the cursor's own event, and anything
 * older, comes back after a resubscription), the de-duplication ring of the
 * last SEEN_RECENT_MAX events (docs/watch.md: by id, action, timeNano) and the
 * ring of its own last SEEN_OURS_MAX exec ids, whose exec_* events are never
 * dispatched (docs/watch.md, the self-loop guard).
 * Owns: those rings (heap, fixed size: no allocation after seen_new).
 * Does not own: the queue the events go to, or the cursor (pipeline.h).
 * Pure: no I/O, no logging.  Main loop only. */
#ifndef CONTRAINER_SEEN_H
#define CONTRAINER_SEEN_H

#include <stdbool.h>

struct event;
struct cursor;

#define SEEN_RECENT_MAX 2048
#define SEEN_OURS_MAX 4096

struct seen;

/* A new, empty memory; NULL on ENOMEM.  seen_free(NULL) is a no-op; returns NULL. */
struct seen *seen_new(void);
struct seen *seen_free(struct seen *s);

/* The stream was (re)subscribed with since=C: events before C, and C's own
 * event, are replays of what was handled already. */
void seen_resume(struct seen *s, const struct cursor *c);

/* Is E new?  False for a replay (seen_resume), an event taken before (the
 * ring; E is added to it otherwise) or an exec_* event of one of our own
 * exec ids. */
bool seen_take(struct seen *s, const struct event *e);

/* One of our workers created exec EXEC_ID (copied; the oldest is forgotten). */
void seen_ours_add(struct seen *s, const char *exec_id);

/* Is EXEC_ID ("" never is) one of our recent exec ids? */
bool seen_ours_has(const struct seen *s, const char *exec_id);

#endif
