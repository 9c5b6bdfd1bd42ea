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
#include "run_watch.h"  /* struct body_local_result */

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

/* Fork and exec ARGV[0] (a path) with ENVP in its own process group,
 * stdin /dev/null, stdout/stderr captured, no other descriptor inherited;
 * kill the group on timeout, overflow or a worker stop request.  Done when
 * the child exits (a background process holding its output gets a short
 * drain).  0 with *RET filled (free the bufs), or -errno. */
int body_local(char *const *argv, char *const *envp, unsigned timeout_s, size_t max_output,
                 struct body_local_result *ret);

/* Close every descriptor >= LOWEST the slow way (for kernels without
 * close_range): /proc/self/fd, else up to RLIMIT_NOFILE.  Async-signal-safe.
 * Returns 0.  Exported for its unit test. */
int body_close_fds_fallback(int lowest);

#endif
