/* pid1.h — the signal and reaping core of `contrainer init`.
 * Owns: the blocked signal mask, the signalfd, the subreaper flag, reaping
 * every child and orphan, forwarding signals to one target, remembering the
 * exit status of a few tracked pids, and wstatus → exit code.
 * Does not own: what to run or when to stop (init_main.c, boot.c, runit.c,
 * shutdown.c ask it to wait and then look at what happened).
 * Context: the main loop of init only (one instance, made at start-up). */
#ifndef CONTRAINER_PID1_H
#define CONTRAINER_PID1_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct pid1;

/* Block every asynchronous signal, open the signalfd and, when not PID 1,
 * become a child subreaper.  Returns 0 and *ret, or -errno (nothing is left
 * changed only for -ENOMEM; callers exit on any error, this is start-up). */
int pid1_new(struct pid1 **ret);

/* Free the handle and close the signalfd (signals stay blocked).  NULL ok. */
struct pid1 *pid1_free(struct pid1 *p);

/* Are we PID 1 of our PID namespace? */
bool pid1_is_pid1(const struct pid1 *p);

/* Where forwarded signals go: a pid (> 0), a process group (< 0, as for
 * kill(2)) or nobody (0). */
void pid1_set_forward(struct pid1 *p, pid_t target);

/* Remember the exit status of PID when it is reaped (up to a small fixed
 * number of pids at once).  Returns 0 or -ENOSPC. */
int pid1_track(struct pid1 *p, pid_t pid);

/* Has tracked PID been reaped?  Returns true and *ret_wstatus (if not NULL),
 * and forgets it; false while it runs or if it was never tracked. */
bool pid1_reaped(struct pid1 *p, pid_t pid, int *ret_wstatus);

/* Stop tracking PID without looking at it (e.g. after giving up on it). */
void pid1_untrack(struct pid1 *p, pid_t pid);

/* Wait until a signal arrives or DEADLINE (deadline.h) passes, then handle
 * every pending signal (forward, note SIGTERM/SIGINT/SIGQUIT) and reap every
 * exited child.  Returns 1 if something was handled, 0 at the deadline,
 * -errno if the signalfd failed (callers keep going: reaping still ran). */
int pid1_wait(struct pid1 *p, int64_t deadline);

/* The first SIGTERM/SIGINT/SIGQUIT received (0 = none yet). */
int pid1_terminate_signal(const struct pid1 *p);

/* Does any child of ours remain (after reaping)?  Orphans count: they are
 * our children, as PID 1 or as subreaper. */
bool pid1_has_children(struct pid1 *p);

/* Call FN(pid, comm, ud) for every live (not zombie) process whose parent
 * chain in /proc leads to us; FN returning < 0 stops the walk with that
 * value.  Returns the number of processes visited or -errno. */
int pid1_for_each_descendant(struct pid1 *p, int (*fn)(pid_t pid, const char *comm, void *ud),
                             void *ud);

/* Exit code for a wait(2) status: the exit code, or 128+N when killed by
 * signal N (as shells do).  Pure. */
int pid1_exit_status(int wstatus);

/* Should signal SIG be forwarded (every catchable one but SIGCHLD and the
 * synchronous/terminal-stop ones listed in docs/init.md)?  Pure. */
bool pid1_is_forwarded(int sig);

#endif
