/* controller_int.h — the controller's shared state, split over controller.c
 * (the loop, the event queue, the cursor), ctl_signal.c (signals, the stop
 * path), ctl_engine.c (the
 * /events stream, subscribing, reconnecting, identity), ctl_collect.c
 * (collection workers and registering their answers), ctl_fire.c (which
 * entries fire on which targets, policy, body jobs, per-registrar caps,
 * refused exec events) and ctl_snap.c (the snapshot of running containers
 * with their TRAIT_*, our exec ids, the de-duplication ring).
 * Context: the main loop of `contrainer watch` only.  Not a public API. */
#ifndef CONTRAINER_CONTROLLER_INT_H
#define CONTRAINER_CONTROLLER_INT_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctl_direct.h"
#include "events.h"
#include "state.h"
#include "target.h"
#include "worker.h"

struct watch_opts;
struct docker;
struct policy;
struct registry;
struct dispatch;
struct registration;
struct header_entry;
struct docker_container;
struct ticket;
struct stats;
struct ctl_status;
struct dispatch_result;

#define COLLECT_PARALLEL 64
#define QUEUE_MAX 100000
#define RECENT_MAX 2048         /* de-duplication ring of event keys */
#define OURS_MAX 4096           /* our recent exec ids */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 10000
#define CURSOR_SAVE_MS 1000
#define PING_IDLE_MS 30000      /* a quiet stream is checked with /_ping this often */
/* How long the head of the queue waits for its start's collection before
 * the start is dispatched to the other registrations without it: one
 * hanging script must not stall every event behind it (ENGINE-NOTES,
 * "What the original tool got wrong" 4).  The late collection then fires
 * its own :start entries and immediates when it is done. */
#define COLLECT_WAIT_MS 2000
/* One container cannot starve the others (SPEC §2.4): bodies queued and
 * not finished per registrar (the overflow is that registrar's loss), and
 * the bytes of all of a container's registrations together (its scripts'
 * outputs), at least --max-output. */
#define REGISTRAR_BODIES_MAX 4096
#define REGISTRATION_BUDGET_MIN (4u << 20)

enum pev_kind { PEV_EVENT, PEV_COLLECT };

struct coll {
        struct coll *next_run;  /* in the list of collections not yet finished */
        char id[80];
        char name[256];
        uint64_t started_ns;
        bool started, done, exec_pending;
        bool gone, nodir;
        bool cancelled;         /* superseded by a newer start or a die of its container */
        unsigned traits;        /* TRAIT_* from its inspect (0: not inspected) */
        size_t bytes;           /* outputs kept so far (the registration budget) */
        struct pev *late;       /* its start event was resolved without it (see resolve) */
        struct worker w;
        /* answers, in script order */
        struct cscript {
                char *path;
                char *out;   /* CR_SCRIPT_OK: stdout; else NULL */
                size_t len;
                char *reason;
        } *s;
        size_t n;
        char *error;
};

struct pev {
        struct pev *next;
        enum pev_kind kind;
        struct event ev;
        bool historic;       /* before the listing: dispatch only */
        bool synthetic;      /* not from the stream: never the cursor */
        bool reconcile_gap;  /* PEV_COLLECT after lost history: dispatch starts */
        uint64_t gap_since;
        struct event *gap_seen;  /* events of the finite replay (gap case) */
        size_t n_gap_seen;
        struct coll **colls;
        size_t n_colls;
        unsigned pending;    /* bodies (and late collections) not finished */
        long long arrived_ms;
};

struct ctl {
        const struct watch_opts *o;
        struct docker *docker;
        struct policy *policy;
        struct registry *reg;
        struct dispatch *ds;
        int sfd;
        /* identity */
        char self_id[80];
        char self_name[256];
        bool identified;
        bool in_container;      /* runs in a container (identified or not) */
        /* snapshot of running containers */
        struct container_ref *snap;
        size_t n_snap, cap_snap;
        /* event queue and resolved events waiting for their bodies */
        struct pev *q_head, *q_tail;
        size_t q_len;
        struct pev *if_head, *if_tail;
        /* collections */
        struct coll *coll_run;  /* started or waiting to start */
        size_t n_coll_started;
        /* stream */
        CURLM *multi;
        CURL *stream;
        struct line_splitter *ls;
        bool connected;
        bool outage_logged;
        long backoff_ms;
        long long retry_at_ms;
        long long stream_seen_ms;  /* last bytes on the stream, or last good /_ping */
        uint64_t listing_ns;
        /* replay filter */
        struct state_cursor cursor;     /* last saved / to save */
        bool cursor_dirty;
        long long cursor_saved_ms;
        struct state_cursor resume;     /* the cursor we resubscribed with */
        struct event recent[RECENT_MAX];
        size_t n_recent, recent_pos;
        char ours[OURS_MAX][80];
        size_t ours_pos;
        /* bodies queued and not finished, per registrar (ctl_fire.c) */
        struct rqueued {
                char id[80];
                size_t n;
                bool logged;  /* its overflow was said */
        } *rq;
        size_t n_rq;
        struct ticket *tickets;  /* bodies queued and not finished */
        /* lifecycle */
        bool stopping;
        long long stop_deadline_ms;
        bool killed_bodies;
        /* status and metrics (ctl_status.c) */
        struct stats *stats;
        struct ctl_direct direct;    /* --dispatch (SPEC §2.6) */
        struct ctl_status *status;
};

/* ---- controller.c ---- */
/* Free every event still queued (not yet resolved), with its collections. */
void ctl_queue_drop(struct ctl *c);

/* ---- ctl_snap.c ---- */
/* CLOCK_MONOTONIC in ms / CLOCK_REALTIME in ns (the Engine's timeNano clock). */
long long ctl_mono_ms(void);

uint64_t ctl_real_ns(void);

/* Snapshot of running containers: the name of ID (borrowed) or NULL; remove ID. */
const char *ctl_snap_name(const struct ctl *c, const char *id);

void ctl_snap_remove(struct ctl *c, const char *id);

/* The snapshot's entry of ID (borrowed) or NULL. */
struct container_ref *ctl_snap_find(const struct ctl *c, const char *id);

/* Add ID or rename it; TRAITS (TRAIT_*) replace the known ones when they
 * hold TRAIT_KNOWN (0: keep what is known).  TRAIT_SELF is added here when
 * the controller could not identify its own container.  0 or -ENOMEM. */
int ctl_snap_set(struct ctl *c, const char *id, const char *name, unsigned traits);

/* New TRAITS of ID, if it is in the snapshot (a late collection's inspect). */
void ctl_snap_traits(struct ctl *c, const char *id, unsigned traits);

void ctl_snap_clear(struct ctl *c);

/* Our recent exec ids (a ring of OURS_MAX): their exec_* events are never dispatched. */
void ctl_ours_add(struct ctl *c, const char *exec_id);

bool ctl_ours_has(const struct ctl *c, const char *exec_id);

/* De-duplication ring of the last RECENT_MAX events taken (event_same). */
bool ctl_recent_has(const struct ctl *c, const struct event *e);

void ctl_recent_add(struct ctl *c, const struct event *e);

/* ---- controller.c ---- */
/* Append P to the event queue (which then owns it). */
void ctl_queue_push(struct ctl *c, struct pev *p);

/* Attach a new collection of container ID/NAME to P (started by ctl_colls_io).  0 or -ENOMEM. */
int ctl_pev_add_coll(struct ctl *c, struct pev *p, const char *id, const char *name);

/* Queue a PEV_COLLECT for the containers in LIST (all of them). */
struct pev *ctl_queue_collect(struct ctl *c, const struct docker_container *list, size_t n);

/* Is E's action (text before ':') exactly A? */
bool ctl_is_action(const struct event *e, const char *a);

/* ---- ctl_engine.c ---- */
/* Remove and free the /events handle, if any. */
void ctl_stream_close(struct ctl *c);

/* Subscribe (since=cursor, or now), check for lost history, list the
 * running containers and queue their collection.  Blocking, short. */
int ctl_connect_engine(struct ctl *c, bool first);

/* The Engine is gone (WHY): close the stream, log once per outage, back off
 * from BACKOFF_MIN_MS doubling to BACKOFF_MAX_MS. */
void ctl_schedule_retry(struct ctl *c, const char *why);

/* When disconnected and the back-off has passed: ctl_connect_engine, logging recovery. */
void ctl_try_reconnect(struct ctl *c);

/* Did the /events transfer end?  Then ctl_schedule_retry. */
void ctl_stream_check(struct ctl *c);

/* A stream quiet for PING_IDLE_MS: is the daemon still there?  A frozen
 * daemon keeps the socket open without EOF (ENGINE-NOTES: "detect death
 * by EOF/error plus a periodic /_ping").  The ping is blocking but short
 * (milliseconds when the daemon answers). */
void ctl_stream_liveness(struct ctl *c);

/* ---- ctl_collect.c ---- */
/* The bytes all of one container's registrations may hold together. */
size_t ctl_budget(const struct ctl *c);

/* Free a collection (killing its worker if still running). */
void ctl_coll_free(struct coll *k);

/* A new collection of ID/NAME on the run list, not yet started; NULL on ENOMEM. */
struct coll *ctl_coll_new(struct ctl *c, const char *id, const char *name);

/* Read every collection worker's answers, finish the done ones (late ones
 * register and fire here), start waiting ones up to COLLECT_PARALLEL. */
void ctl_colls_io(struct ctl *c);

/* Is a collection worker between "about to create an exec" and its id? */
bool ctl_colls_exec_pending(const struct ctl *c);

/* A child was reaped: true if it was a collection worker. */
bool ctl_colls_reaped(struct ctl *c, pid_t pid, int st);

/* Replace container K's registrations by the answers of its collection.
 * KEEP_SERVED: carry the served sets of unchanged registrations over. */
void ctl_install(struct ctl *c, struct coll *k, bool keep_served);

/* Collections of container ID still running for an already resolved start
 * are superseded (a newer start, a die): their answers are dropped. */
void ctl_cancel_late(struct ctl *c, const char *id);

/* ---- ctl_fire.c ---- */
/* Every entry of every registration that fires on EV's action. */
void ctl_dispatch_event(struct ctl *c, struct pev *p, const struct event *ev,
                        const char *only_id);

/* Immediate entries: each target not yet served gets the body once. */
void ctl_serve_immediates(struct ctl *c, struct pev *p);

/* Does any entry of any registration fire on ACTION? */
bool ctl_any_entry_matches(const struct ctl *c, const char *action);

/* An exec_* event EV that must not be dispatched although its exec id is not
 * one of ours: its container's labels shadow execID (Docker copies labels
 * over event attributes, so our own execs cannot be recognised), or the
 * container was never inspected.  Said once per container. */
bool ctl_exec_refused(struct ctl *c, const struct event *ev);

/* dispatch's on_done: TICKET (from ctl_fire.c) finished. */
void ctl_body_done(struct ctl *c, void *ticket);

/* Free the per-registrar counters and the tickets of bodies that never
 * finished (dropped at shutdown).  At exit, after dispatch_free. */
void ctl_fire_free(struct ctl *c);

/* ---- ctl_status.c ---- */
#define CTL_STATUS_FDS 2  /* poll fds of the status server (unix + TCP) */

/* Create the stats, say what this deployment cannot do, serve the status
 * socket and --metrics-listen.  Failures are logged; the controller goes on. */
void ctl_status_start(struct ctl *c);

/* Stop serving, free the stats. */
void ctl_status_stop(struct ctl *c);

/* The status server's fds into W (at most MAX), lowering *TIMEOUT_MS. */
size_t ctl_status_fds(struct ctl *c, struct curl_waitfd *w, size_t max, long *timeout_ms);

/* Serve whatever is ready (never blocks). */
void ctl_status_io(struct ctl *c);

/* dispatch_config.on_result: a finished body into the stats. */
void ctl_status_on_result(void *ud, const struct dispatch_result *r);
/* ---- ctl_signal.c ---- */
/* Block TERM, INT, HUP, CHLD into a signalfd (c->sfd), ignore SIGPIPE.  0 or -errno. */
int ctl_signals_setup(struct ctl *c);

/* Handle every pending signal, then reap children. */
void ctl_signals_read(struct ctl *c);

/* While stopping: may the loop end?  Kills the bodies still running at
 * --stop-timeout (once). */
bool ctl_stop_done(struct ctl *c);

#endif
