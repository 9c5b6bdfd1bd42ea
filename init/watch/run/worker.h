/* worker.h — forked worker children and the record pipe they answer on.
 * Owns: fork, the child's result pipe and the record framing
 * ({u32 type, u32 len, bytes}) in both directions.  Does not own: what a
 * worker does (collect_worker.c, body_worker.c) or what its records mean.
 * Context: worker_spawn/worker_read/worker_next/worker_kill/worker_escalate/
 * worker_end_all in the main loop; worker_put and the worker_stop_* / worker_guard /
 * worker_bound calls in the child.  A child never touches the parent's curl
 * handles; it makes its own.
 * Stopping (docs/watch.md "Signals"): a worker is in its own process group (a Ctrl-C or
 * a forwarded group signal reaches only the controller) and takes SIGTERM —
 * from worker_kill, or as its parent-death signal — as "kill your body's
 * process group and leave"; its loops watch worker_stop_fd().  Whatever it
 * is doing, WORKER_STOP_GRACE_S after that request a second alarm kills
 * the registered body group (worker_guard) from the handler and _exits. */
#ifndef CONTRAINER_WORKER_H
#define CONTRAINER_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

#define WORKER_RECORD_MAX ((size_t)1 << 31)

struct worker {
        pid_t pid;       /* 0 once reaped */
        int fd;          /* read end, O_NONBLOCK|O_CLOEXEC; -1 after EOF */
        struct buf in;   /* bytes read, not yet consumed as records */
        size_t handed;   /* bytes of the record last returned by worker_next */
        bool reaped;
        int wstatus;
};

/* Fork a child that runs FN(UD, FD) with FD the write end of its pipe and
 * _exits with FN's return value (0..255).  RECORD_MAX bounds one record.
 * The child dies with the parent (PR_SET_PDEATHSIG).  0 or -errno. */
int worker_spawn(struct worker *w, size_t record_max, int (*fn)(void *ud, int fd), void *ud);

/* Read what is available.  1 at EOF (fd closed), 0 otherwise, -errno on a
 * read error (treated like EOF by callers) or -ENOBUFS (record too long). */
int worker_read(struct worker *w);

/* The next complete record: 1 with TYPE/DATA/LEN (DATA valid until the
 * next worker_* call on W), 0 if none is complete yet. */
int worker_next(struct worker *w, uint32_t *type, const char **data, uint32_t *len);

#define WORKER_STOP_GRACE_S 2

/* Ask the child to stop (SIGTERM: it kills its body's process group and
 * exits within WORKER_STOP_GRACE_S), if not reaped; a child that is still
 * there WORKER_KILL_GRACE_MS later gets SIGKILL from worker_escalate (a
 * worker wedged with its handler unable to run must not hold its slot). */
#define WORKER_KILL_GRACE_MS ((WORKER_STOP_GRACE_S + 1) * 1000L)
void worker_kill(struct worker *w);

/* Main loop, after each poll: SIGKILL every worker asked to stop whose
 * grace has ended and that is still our unreaped child (never reaps). */
void worker_escalate(void);

/* Milliseconds until the next worker_escalate is due (-1: none). */
long worker_escalate_ms(void);

/* PID (any child) was reaped: forget it (see worker_end_all). */
void worker_forget(pid_t pid);

/* At exit: stop every worker not yet reaped, wait up to GRACE_MS for them,
 * SIGKILL the rest and reap them all.  Only PIDs that are still our
 * unreaped children are signalled. */
void worker_end_all(long grace_ms);

/* Main loop: every worker forked from now on closes FD first thing (a
 * listening socket of the controller's must not outlive it in a worker
 * that is still finishing).  At most WORKER_CLOSE_MAX fds; 0 or -ENOSPC. */
#define WORKER_CLOSE_MAX 8
int worker_close_in_children(int fd);

/* Close the fd and free the buffer (does not wait). */
void worker_release(struct worker *w);

/* Child side: write one record (blocking, whole).  0 or -errno. */
int worker_put(int fd, uint32_t type, const void *data, size_t len);
int worker_puts(int fd, uint32_t type, const char *s);

/* Child side: readable (poll) once a stop was asked for; -1 outside a
 * worker (then nothing ever asks). */
int worker_stop_fd(void);
bool worker_stop_requested(void);

/* Child side: the body the emergency path kills (its leader's pidfd and
 * pid, see procguard_kill_raw); PIDFD -1 clears it. */
void worker_guard(int pidfd, pid_t pid);

/* Child side: ask for a stop by itself after SECONDS (0: never) — the
 * worker's own outer bound. */
void worker_bound(unsigned seconds);

#endif
