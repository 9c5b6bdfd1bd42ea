/* runit.h — runit's runsvdir under init: start it, stop everything it runs.
 * Owns: the runsvdir command line and the stop protocol (runsv's control
 * FIFO, the same 'd' then 'k' that `sv force-stop` sends, then SIGHUP to
 * runsvdir, which TERMs every runsv).
 * Does not own: reaping (pid1.c), deadlines' values (shutdown.c).
 * Context: the init main loop. */
#ifndef CONTRAINER_RUNIT_H
#define CONTRAINER_RUNIT_H

#include <stdint.h>
#include <sys/types.h>

struct pid1;

/* Start `runsvdir -P SERVICE_DIR` (runsvdir looked up on ENV's PATH) and
 * track it.  Returns 0 and *ret_pid, or -errno (-ENOENT: no runsvdir);
 * an exec failure is returned, the child is reaped later. */
int runit_start(struct pid1 *p, const char *service_dir, char *const *env, pid_t *ret_pid);

/* Stop all services in parallel: 'd' (TERM, CONT, no restart) to each
 * supervised service, wait until they are down or DEADLINE, 'k' (KILL) to
 * the rest, then SIGHUP runsvdir and wait until it and every runsv is gone
 * or GRACE passes.  RUNSVDIR may be 0 (already gone).  Logs what it had to
 * kill.  Returns the number of services that had to be killed. */
int runit_stop(struct pid1 *p, pid_t runsvdir, const char *service_dir, int64_t deadline,
               int64_t grace);

#endif
