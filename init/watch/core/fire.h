/* fire.h — what fires (SPEC §2.3, §2.4): for an event, every matching
 * entry of every registration, its targets evaluated over a snapshot view,
 * the policy per target (one denial line per registration and target) and
 * one body job per allowed target; immediate entries once per target.
 * Owns: the per-registrar count of bodies queued and not finished (the
 * REGISTRAR_BODIES_MAX cap, its overflow said once) and the controller's
 * identity for the body environment.  Does not own: queueing or running a
 * job (the emit callback hands each job on: fire dispatches nothing),
 * the registrations (registry.h) or the snapshot (snapshot.h).
 * Context: main loop only. */
#ifndef CONTRAINER_FIRE_H
#define CONTRAINER_FIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "target.h"  /* enum target_type, struct snapshot */

struct event;
struct policy;
struct rbody;
struct registry;
struct stats;

/* Bodies queued and not finished per registrar (the overflow is that
 * registrar's loss, SPEC §2.4). */
#define REGISTRAR_BODIES_MAX 4096

/* One body to run on one target (borrowed during emit). */
struct fire_job {
        enum target_type type;
        const char *id;            /* TT_CONTAINER: the target's id; else NULL */
        const char *name;          /* TT_CONTAINER: its name; else NULL */
        struct rbody *body;        /* the registration's (take a reference to keep it) */
        char **vars;               /* the SPEC §2.3 environment, "K=V": emit takes it */
        const char *label;         /* "registrar 'x' script '/p' event 'start'", for the log */
        const char *registrar_id;  /* give it back to fire_body_done */
};

struct fire_config {
        struct policy *policy;     /* borrowed */
        struct stats *stats;       /* borrowed, may be NULL */
        /* Queue JOB for the event COOKIE (as given to fire_event /
         * fire_immediates); takes JOB->vars in every case.  0 when queued,
         * <0 when not (then the target is not served). */
        int (*emit)(void *ud, void *cookie, const struct fire_job *job);
        /* The "K=V" facts of container ID for its bodies (docs/events.md
         * "Environment": CONTRAINER_SOURCE_IMAGE, CONTRAINER_LABEL_*),
         * borrowed, or NULL.  May be NULL. */
        char *const *(*facts)(void *ud, const char *id);
        void *ud;
};

struct fire;

struct fire *fire_new(const struct fire_config *cfg);  /* NULL on ENOMEM */
struct fire *fire_free(struct fire *f);                /* NULL-safe, returns NULL */

/* The controller is container SELF_ID ("" on the host) named SELF_NAME (copied). */
void fire_set_self(struct fire *f, const char *self_id, const char *self_name);

/* Every entry of REG that fires on EV's action, over VIEW; SRC_NAME is the
 * source container's name.  ONLY_ID (not NULL): only that registrar's
 * registrations.  Each registration's body runs at most once per target
 * for one event.  Returns how many jobs were emitted. */
size_t fire_event(struct fire *f, struct registry *reg, const struct snapshot *view,
                  const struct event *ev, const char *src_name, const char *only_id,
                  void *cookie);

/* Immediate entries: each target not yet served gets the body once per
 * registration; a target is served once its job is emitted.  Returns the
 * count of jobs. */
size_t fire_immediates(struct fire *f, struct registry *reg, const struct snapshot *view,
                       void *cookie);

/* A job of REGISTRAR_ID finished (or was dropped after being emitted). */
void fire_body_done(struct fire *f, const char *registrar_id);

#endif
