/* procguard.h — signalling a process the controller did not fork itself
 * (an exec's process inside a container) or did (a local body), without
 * ever hitting a PID that was reused (docs/watch.md "Bounded").
 * Owns: pidfds, the check that a PID is still that container's (its
 * /proc/PID/cgroup names the container id) and a session and group leader
 * (an exec's process is both: runc calls setsid), and killing a whole
 * process group behind such a check.  Does not own: finding the PID (the
 * exec API does), deciding when to kill (exec_api.c, body_worker.c), logging.
 * Context: forked worker children; the pure matchers anywhere. */
#ifndef CONTRAINER_PROCGUARD_H
#define CONTRAINER_PROCGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct procguard {
        int pidfd;   /* -1: none */
        pid_t pid;   /* also the process group id */
};

#define PROCGUARD_INIT { .pidfd = -1, .pid = 0 }

/* Pure: does the text of a /proc/PID/cgroup file (LEN bytes) put the process
 * in container ID (64 hex)?  True when some line's path has ID as a whole
 * component or as a component's core ("docker-ID.scope", "ID/…"), i.e. not
 * inside a longer hex word. */
bool procguard_cgroup_match(const char *text, size_t len, const char *id);

/* Pure: is the /proc/PID/stat text (LEN bytes) that of a process that
 * leads its own session and process group (pgrp == session == PID)? */
bool procguard_stat_leader(const char *text, size_t len, pid_t pid);

/* Take hold of PID, an exec's process in container ID, as seen in our /proc
 * (the Engine reports host PIDs): a pidfd first, then the cgroup and leader
 * checks, then the pidfd must still be alive, so that the checks were about
 * the process the pidfd holds.  0 with *RET filled; -ESRCH (no such process
 * or it exited), -EXDEV (a process that is not that container's exec: the
 * PID is not ours to see, e.g. no --pid=host), -errno. */
int procguard_open_exec(pid_t pid, const char *id, struct procguard *ret);

/* Take hold of our own child PID (not reaped yet).  0 or -errno. */
int procguard_open_child(pid_t pid, struct procguard *ret);

/* Is the held process still alive (not exited)? */
bool procguard_alive(const struct procguard *g);

/* SIGKILL the held process's whole group, then the process itself through
 * the pidfd; only while the pidfd says it is alive.  0, -ESRCH (it had
 * exited: nothing signalled), -EBADF (no pidfd). */
int procguard_kill_group(const struct procguard *g);

/* The same on raw values, async-signal-safe (for a signal handler). */
int procguard_kill_raw(int pidfd, pid_t pid);

/* Close the pidfd (no signal).  Safe on an empty guard. */
void procguard_close(struct procguard *g);

#endif
