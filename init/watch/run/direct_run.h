/* direct_run.h — what a collection worker and a body worker share to run
 * in a container directly (docs/direct.md): loading the context with the
 * dispatch mode's fallback rules, the environment on top of the
 * container's, starting the process in the container through the two
 * set-up stages (direct_enter.h) and watching it (run_watch.h).
 * Owns: nothing past a call.  Does not own: the records a worker answers
 * with beyond WPROTO_FALLBACK (collect_worker.c, body_worker.c).
 * Context: worker child only (single threaded). */
#ifndef CONTRAINER_DIRECT_RUN_H
#define CONTRAINER_DIRECT_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "body_worker.h"  /* enum direct_want */
#include "run_watch.h"

struct direct_ctx;
struct docker;

/* VARS ("K=V", may be NULL) set on top of a copy of ENV, the exec API's
 * Env semantics; an empty result gets the default PATH.  0 with *RET (a
 * strv), or -ENOMEM. */
int direct_run_env(char *const *env, char *const *vars, char ***ret);

/* Load the context of container ID (DOC/DOCLEN: the caller's inspect of
 * it, NULL: inspect here) for a worker told WANT (not DIRECT_OFF).
 * 0 with *RET (release with direct_ctx_done); 1: run it through the API
 * instead (a WPROTO_FALLBACK record on FD said why, if the context is not
 * reproducible); DIRECT_MUST only: -ENOENT (gone or not running), -EBUSY
 * (paused or restarting), -EOPNOTSUPP (cannot be run directly: the
 * FALLBACK record said why), each with WHY for the worker's answer. */
int direct_run_load(struct docker *d, const char *id, const char *doc, size_t doclen,
                    enum direct_want want, int fd, struct direct_ctx *ret, char *why,
                    size_t whysz);

/* Start ARGV in container context C (EXEC_FD >= 0: that script fd) with
 * VARS on top of the container's environment, stdin /dev/null,
 * stdout/stderr captured; bound and kill it as body_local does, with
 * DEADLINE_MS (deadline.h clock), which also bounds the set-up.  The
 * process is a session leader and our child.  0 with *RET filled (a set-up
 * past the deadline or stopped: RET->timed_out or RET->stopped); -ECANCELED
 * when it never reached the command (WHY says why, RET->wstatus holds the
 * exit status it ended with, no bufs to free); -errno. */
int direct_run(const struct direct_ctx *c, char *const *argv, int exec_fd, char *const *vars,
               int64_t deadline_ms, size_t max_output, struct body_local_result *ret,
               char *why, size_t whysz);

#endif
