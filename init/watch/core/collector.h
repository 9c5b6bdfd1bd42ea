/* collector.h — collections in the main loop: a collection of one
 * container's scripts runs in a forked worker (collect_worker.h), at most
 * COLLECT_PARALLEL at once; the collector reads the worker's records into
 * a collect_result and says when it is done.
 * Owns: the run list, the workers, the answers; the per-container output
 * budget.  Does not own: registering the answers (enroll.h), the events
 * that wait for a collection (pipeline.h), what the snapshot or the exec id
 * ring do with what a worker tells (callbacks).
 * Context: main loop only.  Data flows out through collector_result, the
 * callbacks and collector_fds; nothing here calls another stage. */
#ifndef CONTRAINER_COLLECTOR_H
#define CONTRAINER_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "collect_worker.h"  /* struct collect_spec, enum direct_want */

struct docker;

#define COLLECT_PARALLEL 64
/* One container cannot starve the others (SPEC §2.4): the bytes of all of
 * a container's registrations together (its scripts' outputs), at least
 * --max-output. */
#define REGISTRATION_BUDGET_MIN (4u << 20)

/* One script's answer. */
struct collect_script {
        char *path;
        char *out;     /* it succeeded: its stdout (NUL-terminated), else NULL */
        size_t len;
        char *reason;  /* it failed: why */
        bool label;    /* a label hook: PATH is its NAME (docs/events.md "Label hooks") */
};

/* What a collection found, in script order. */
struct collect_result {
        char id[80];
        char name[256];         /* the inspect's name once known */
        uint64_t started_ns;    /* State.StartedAt (0: unknown) */
        unsigned traits;        /* TRAIT_* (0: not inspected) */
        bool done;
        bool gone;              /* vanished or not running: not collected */
        bool nodir;             /* no script dir */
        bool cancelled;         /* detached, then superseded (collector_cancel) */
        bool worker_failed;     /* the worker ended badly without answering */
        const char *error;      /* the collection itself failed (NULL: no) */
        char **facts;           /* "K=V" its events' bodies get (NULL-terminated, may be NULL) */
        bool has_exit_code;     /* not running: how it ended (docs/events.md "Catch-up") */
        int exit_code;
        uint64_t finished_ns;   /* State.FinishedAt (0: unknown) */
        const struct collect_script *s;
        size_t n;
};

struct collector_config {
        struct docker *docker;
        const char *script_dir;
        unsigned timeout_s;
        size_t max_output;
        /* SPEC §2.6: how to run container ID (NULL: always DIRECT_OFF) */
        enum direct_want (*direct_want)(void *ud, const char *id);
        /* A worker says container ID (NAME) cannot be run directly: REASON/LEN. */
        void (*on_fallback)(void *ud, const char *id, const char *name, const char *reason,
                            size_t len);
        /* The worker's job (NULL: collect_main).  A seam for tests: a fake
         * engine answers the records from a table. */
        int (*child)(const struct collect_spec *cs, int fd);
        /* A worker created exec EXEC_ID (its events must not be dispatched). */
        void (*on_exec_id)(void *ud, const char *exec_id);
        /* The inspect of container ID gave TRAITS. */
        void (*on_traits)(void *ud, const char *id, unsigned traits);
        /* A detached collection is done (R->cancelled: superseded); COOKIE
         * as given to collector_detach.  The collection is freed after. */
        void (*on_detached_done)(void *ud, const struct collect_result *r, void *cookie);
        void *ud;
};

struct collector;
struct coll;

/* NULL on ENOMEM.  collector_free kills what still runs; NULL-safe. */
struct collector *collector_new(const struct collector_config *cfg);
struct collector *collector_free(struct collector *c);

/* A new collection of container ID/NAME, started by collector_io as the
 * cap allows.  Owned by the caller until collector_drop or
 * collector_detach.  NULL on ENOMEM. */
struct coll *collector_add(struct collector *c, const char *id, const char *name);

/* Its answers so far (borrowed, valid until collector_drop). */
const struct collect_result *collector_result(const struct coll *k);

/* Free K (killing its worker if it still runs).  NULL-safe. */
void collector_drop(struct collector *c, struct coll *k);

/* The caller no longer waits for K: when done, on_detached_done(COOKIE)
 * is called and K is freed by the collector. */
void collector_detach(struct collector *c, struct coll *k, void *cookie);

/* Detached collections of container ID are superseded (a newer start, a
 * die): their workers are stopped, they end as cancelled. */
void collector_cancel(struct collector *c, const char *id);

/* Read every worker's records, finish the done ones, start waiting ones. */
void collector_io(struct collector *c);

/* The running workers' pipes into FDS (at most MAX); the count. */
size_t collector_fds(const struct collector *c, int *fds, size_t max);

/* Is any collection not yet done (running or waiting)? */
bool collector_busy(const struct collector *c);

/* Is a worker between "about to create an exec" and its id? */
bool collector_exec_pending(const struct collector *c);

/* A child was reaped: true if it was a collection worker. */
bool collector_reaped(struct collector *c, pid_t pid, int wstatus);

/* The bytes all of one container's registrations may hold together. */
size_t collector_budget(const struct collector *c);

#endif
