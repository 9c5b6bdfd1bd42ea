/* dispatch.h — body jobs: one FIFO per target (a container id, "%host" or
 * "%contrainer"), one running job per target, at most JOBS running in all,
 * different targets in parallel (docs/watch.md "Dispatch").  Each job runs in a
 * forked worker (body_worker.h); dispatch reads its records (wproto.h: a binary
 * outcome), logs one line per body (target, event, exit status, duration,
 * output and stderr tails) and reports completion through a callback with
 * the caller's ticket.
 * Does not own: deciding targets or policy (fire.h), the environment's
 * content (the caller passes the body variables, docs/watch.md), the --dispatch state
 * (asked through the direct_want / on_fallback callbacks).
 * Context: main loop only. */
#ifndef CONTRAINER_DISPATCH_H
#define CONTRAINER_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "body_worker.h"  /* enum direct_want */
#include "target.h"

struct docker;
struct rbody;
struct wproto_outcome;

#define DISPATCH_MAX_QUEUED 100000  /* jobs waiting in all queues */

/* A finished body, for the status side (stats.h); borrowed during the call. */
struct dispatch_result {
        enum target_type type;
        const char *target;        /* container name, "%host", "%contrainer" */
        char *const *vars;         /* the body's CONTRAINER_* variables */
        const struct wproto_outcome *outcome;  /* NULL: the worker died or was killed */
        bool worker_killed;        /* no answer in time: the worker itself was stopped */
        const char *status;        /* the outcome as text (wproto_outcome_text), or "timeout (worker killed)" */
        long long run_ms;          /* worker start to end */
        long long latency_ms;      /* queued to end */
        bool direct;               /* ran in the container's context, no exec (docs/watch.md) */
};

struct dispatch_config {
        unsigned jobs;
        unsigned timeout_s;
        size_t max_output;
        const char *sysimage;
        struct docker *docker;
        /* Direct dispatch: how to run a body on container ID (NULL: always the API) */
        enum direct_want (*direct_want)(void *ud, const char *id);
        /* A worker says container ID (NAME) cannot be run directly: REASON/LEN. */
        void (*on_fallback)(void *ud, const char *id, const char *name, const char *reason,
                            size_t len);
        void (*on_exec_id)(void *ud, const char *exec_id);
        void (*on_done)(void *ud, void *ticket);
        void (*on_result)(void *ud, const struct dispatch_result *r);  /* may be NULL */
        void *ud;
};

struct dispatch;

struct dispatch *dispatch_new(const struct dispatch_config *cfg);
struct dispatch *dispatch_free(struct dispatch *ds);

/* Queue BODY (a reference is taken) on target TYPE/ID/NAME with the
 * variables VARS (taken, "K=V").  LABEL says where it comes from, for the
 * log (copied).  TICKET comes back through on_done.  0, -ENOMEM, -E2BIG
 * (queue cap: the job is dropped and logged, on_done is not called). */
int dispatch_enqueue(struct dispatch *ds, enum target_type type, const char *id,
                     const char *name, struct rbody *body, char **vars, const char *label,
                     void *ticket);

/* Start queued jobs as the limits allow. */
void dispatch_pump(struct dispatch *ds);

/* Fill FDS with the running workers' pipes (at most MAX); returns the count. */
size_t dispatch_fds(const struct dispatch *ds, int *fds, size_t max);

/* Read every worker's pipe (non-blocking), handle records, finish jobs whose
 * worker is done, enforce the safety deadline.  Call after poll and after
 * reaping. */
void dispatch_io(struct dispatch *ds);

/* A child was reaped: true if it was one of ours. */
bool dispatch_reaped(struct dispatch *ds, pid_t pid, int wstatus);

/* Is any worker between "about to create an exec" and "its id is known"? */
bool dispatch_exec_pending(const struct dispatch *ds);

size_t dispatch_running(const struct dispatch *ds);
size_t dispatch_queued(const struct dispatch *ds);

/* Forget every job not yet started (their tickets are not completed). */
void dispatch_drop_queued(struct dispatch *ds);

/* Stop every running job (shutdown after --stop-timeout): its worker kills
 * the body with its process group and exits (worker_kill); such a job's
 * ticket is never completed, so its event stays behind the cursor. */
void dispatch_kill_running(struct dispatch *ds);

/* Milliseconds until the next safety deadline (-1: none). */
long dispatch_next_timeout_ms(const struct dispatch *ds);

#endif
