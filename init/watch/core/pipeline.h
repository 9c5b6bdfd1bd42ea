/* pipeline.h — the controller's core, in the order data flows (SPEC §2.3,
 * §2.5): events (from the stream, already parsed) pass the replay filter
 * and de-duplication (seen.h) into a queue; a start waits for its
 * container's collection (collector.h), whose answers become registrations
 * (enroll.h); the head of the queue is resolved in arrival order — the
 * snapshot (snapshot.h) and the registry follow starts, dies and renames,
 * and fire.h turns registrations into body jobs, handed on through the
 * enqueue callback with a ticket; resolved events wait until every ticket
 * is done; the cursor is the newest event with nothing unfinished at or
 * before it.
 * Owns: the event queue, the in-flight list, the tickets, the cursor, the
 * fire stage, the facts of each container for its bodies (facts.h), the
 * --scope check of names (docs/events.md "Scope").  Borrows: the other stages (created and wired by
 * controller.c).  Does not own: the Engine (stream.h), running jobs
 * (dispatch.h), saving the cursor (the caller, cursor.h).
 * Context: main loop only.  Needs no Engine: the unit tests drive it with
 * a fake collection worker and a job sink. */
#ifndef CONTRAINER_PIPELINE_H
#define CONTRAINER_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct collect_result;
struct collector;
struct docker_container;
struct event;
struct fire_job;
struct policy;
struct registry;
struct scope;
struct seen;
struct snapshot_store;
struct cursor;
struct stats;

#define PIPELINE_QUEUE_MAX 100000
/* How long the head of the queue waits for its start's collection before
 * the start is dispatched to the other registrations without it: one
 * hanging script must not stall every event behind it (ENGINE-NOTES,
 * "What the original tool got wrong" 4).  The late collection then fires
 * its own :start entries and immediates when it is done. */
#define PIPELINE_COLLECT_WAIT_MS 2000

struct pipeline_config {
        struct seen *seen;
        struct snapshot_store *snap;
        struct collector *col;
        struct registry *reg;
        struct policy *policy;
        struct stats *stats;      /* may be NULL */
        /* Queue JOB with TICKET (given back to pipeline_body_done when its
         * body finished); takes JOB->vars in every case.  0 or <0 (not
         * queued: the job is lost, its event does not wait for it). */
        int (*enqueue)(void *ud, const struct fire_job *job, void *ticket);
        /* Is a body worker between "about to create an exec" and its id?
         * (The exec's events can overtake the worker's record.)  May be NULL. */
        bool (*exec_pending)(void *ud);
        /* --scope (docs/events.md "Scope"), may be NULL: containers whose
         * name fails it are invisible (the Engine applies its label
         * filters before anything reaches the pipeline). */
        const struct scope *scope;
        void *ud;
};

/* Lost history (SPEC §2.5): the stream did not resume with the cursor's
 * event.  SEEN: the events the finite replay did return (copied). */
struct pipeline_gap {
        uint64_t since;
        const struct event *seen;
        size_t n_seen;
        /* The stopped containers: those that ended after SINCE get their
         * die dispatched, with the exit code of their inspect
         * (docs/events.md "Catch-up"). */
        const struct docker_container *ended;
        size_t n_ended;
};

struct pipeline;

struct pipeline *pipeline_new(const struct pipeline_config *cfg);  /* NULL on ENOMEM */
/* Frees what is queued or in flight (their collections too).  NULL-safe. */
struct pipeline *pipeline_free(struct pipeline *p);

/* The controller is container SELF_ID ("" on the host, or unidentified)
 * named SELF_NAME; IN_CONTAINER: it runs in some container. */
void pipeline_set_self(struct pipeline *p, const char *self_id, const char *self_name,
                       bool in_container);

/* The cursor to start from (DIRTY: not yet saved). */
void pipeline_set_cursor(struct pipeline *p, const struct cursor *c, bool dirty);
const struct cursor *pipeline_cursor(const struct pipeline *p);
bool pipeline_cursor_dirty(const struct pipeline *p);
void pipeline_cursor_saved(struct pipeline *p);

/* The stream was (re)subscribed from the cursor, and the container list
 * was taken at LISTING_NS: events before that are "historic" (dispatched
 * only: the listing already reflects them). */
void pipeline_resubscribed(struct pipeline *p, uint64_t listing_ns);

/* After an outage: the containers of the snapshot not in LIST are gone,
 * their registrations dropped (one line each). */
void pipeline_forget_gone(struct pipeline *p, const struct docker_container *list, size_t n);

/* Queue the collection of the containers in LIST (not the controller's
 * own).  GAP (may be NULL): lost history, dispatch the dies and starts the
 * Engine no longer has.  0 or -ENOMEM. */
int pipeline_collect(struct pipeline *p, const struct docker_container *list, size_t n,
                     const struct pipeline_gap *gap);

/* One event from the stream (or a finite replay). */
void pipeline_event(struct pipeline *p, const struct event *e);

/* Resolve the head of the queue as far as it can go. */
void pipeline_resolve(struct pipeline *p);

/* Pop finished events; the newest real one becomes the cursor. */
void pipeline_advance(struct pipeline *p);

/* The body of TICKET finished. */
void pipeline_body_done(struct pipeline *p, void *ticket);

/* collector's on_detached_done (COOKIE: the start's event). */
void pipeline_late_done(struct pipeline *p, const struct collect_result *r, void *cookie);

/* Stop taking work: drop what is queued and not resolved (its events stay
 * behind the cursor). */
void pipeline_stop(struct pipeline *p);

size_t pipeline_queued(const struct pipeline *p);
/* Is anything queued or in flight? */
bool pipeline_busy(const struct pipeline *p);
/* Does the head of the queue wait for a collection (re-check soon)? */
bool pipeline_head_waits(const struct pipeline *p);

#endif
