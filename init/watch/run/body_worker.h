/* body_worker.h — one body run, inside a forked worker (docs/watch.md
 * "Dispatch"): on a container through the exec API, on %contrainer as a local
 * `sh -c BODY`, on %host the same after entering the host's namespaces.
 * Owns: the child side of a body job.  Does not own: the records
 * (wproto.h), queues, limits or logging (dispatch.c reads the records and logs).
 * Context: worker child only (body_main); body_local is also used by
 * nothing else but is exported for its unit test. */
#ifndef CONTRAINER_JOBRUN_H
#define CONTRAINER_JOBRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct direct_ctx;
struct docker;

/* A body worker answers in the one worker protocol (wproto.h): exec
 * pending/id, fallback, direct, then one binary outcome and the tails. */

/* What a worker is told to do for one container (docs/watch.md). */
enum direct_want {
        DIRECT_OFF = 0,   /* exec API */
        DIRECT_TRY = 1,   /* direct; where not reproducible: say why, use the API */
        DIRECT_MUST = 2,  /* direct; where not reproducible: say why, fail */
};

#define BODY_TAIL 1024

enum body_where { BODY_CONTAINER, BODY_CONTRAINER, BODY_HOST };

struct body_spec {
        enum body_where where;
        struct docker *docker;      /* BODY_CONTAINER */
        const char *container_id;   /* BODY_CONTAINER */
        const char *body;
        char **vars;                /* the body variables, "K=V" */
        unsigned timeout_s;
        size_t max_output;
        const char *sysimage;       /* BODY_HOST */
        enum direct_want direct;    /* BODY_CONTAINER */
};

/* The worker's whole job: run, answer on FD.  Returns the worker's exit
 * status (0; non-zero only if the answer could not be written). */
int body_main(const struct body_spec *js, int fd);

struct body_local_result {
        int wstatus;
        bool timed_out;
        bool stopped;         /* the worker was asked to stop: killed */
        bool overflow;
        struct buf out, err;  /* capped at max_output each */
};

/* Fork and exec ARGV[0] (a path) with ENVP in its own process group,
 * stdin /dev/null, stdout/stderr captured, no other descriptor inherited;
 * kill the group on timeout, overflow or a worker stop request.  Done when
 * the child exits (a background process holding its output gets a short
 * drain).  0 with *RET filled (free the bufs), or -errno. */
int body_local(char *const *argv, char *const *envp, unsigned timeout_s, size_t max_output,
                 struct body_local_result *ret);

/* Start ARGV in container context C (direct_enter_spawn; EXEC_FD >= 0:
 * that script fd) with VARS ("K=V", may be NULL) set on top of the
 * container's environment, stdin /dev/null, stdout/stderr captured; bound
 * and kill it as body_local does, with DEADLINE_MS (deadline.h clock).
 * The process is a session leader and our child.  0 with *RET filled;
 * -ECANCELED when it never reached the command (WHY says why, RET->wstatus
 * holds the exit status it ended with, no bufs to free); -errno.
 * Single-threaded callers only (it switches pid_for_children). */
int body_direct(const struct direct_ctx *c, char *const *argv, int exec_fd, char *const *vars,
                  int64_t deadline_ms, size_t max_output, struct body_local_result *ret,
                  char *why, size_t whysz);

/* direct_ctx_load(D, ID) failed with R: was it the container's state (gone,
 * not running, paused, restarting) rather than a context that cannot be
 * reproduced?  1 with WHY the API path's wording and *GONE (true: gone or
 * not running, false: paused or restarting); 0 it is the context (WHY
 * untouched). */
int body_direct_state(struct docker *d, const char *id, int r, bool *gone, char *why,
                        size_t whysz);

/* Close every descriptor >= LOWEST the slow way (for kernels without
 * close_range): /proc/self/fd, else up to RLIMIT_NOFILE.  Async-signal-safe.
 * Returns 0.  Exported for its unit test. */
int body_close_fds_fallback(int lowest);

#endif
