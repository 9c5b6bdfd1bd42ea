/* direct_warm.h — keeps the kernel's cgroup-migration lock warm while the
 * Engine starts a container, so that a direct run joins its cgroups at once.
 *
 * The first cgroup migration after a quiet spell waits for an RCU grace
 * period (cgroup_threadgroup_rwsem's rcu_sync, 10-12 ms here, see
 * direct_cgroup.h); the state stays warm for about one grace period after
 * each migration.  The Engine makes a container's cgroup directories
 * (runc create) well before the start event (~130 ms here): an inotify
 * watch on the directories the Engine makes them in (<cgroup mount>/docker,
 * <cgroup mount>/system.slice) arms a warmer process, which then moves
 * itself into its own cgroup (a no-op migration) every DIRECT_WARM_EVERY_MS
 * for a while, so that the start's direct runs find no wait.  Also armed
 * (shorter) when a start is handed to a direct worker.  Cost: a few
 * hundred no-op migrations per container start, nothing while idle.
 * Without a watchable directory (e.g. a private cgroup namespace, another
 * --cgroup-parent) only the arming at dispatch time helps.
 * Owns: the warmer process (forked once, ends with the controller or when
 * its command pipe closes), its pipe, the inotify watch.
 * Does not own: the one-shot warm-up of workers and the exec CLI
 * (direct_cgroup.h).
 * Context: the controller's main loop. */
#ifndef CONTRAINER_DIRECT_WARM_H
#define CONTRAINER_DIRECT_WARM_H

#define DIRECT_WARM_EVERY_MS 4
#define DIRECT_WARM_CREATE_MS 1000  /* armed for, after a cgroup directory appeared */

struct direct_warm;

/* Start the warmer, migrating through OWN_PROCS (our own cgroup.procs),
 * and watch the Engine's cgroup directories found in mountinfo text MI.
 * NULL when it cannot start (only latency is at stake; errno says why). */
struct direct_warm *direct_warm_new(const char *own_procs, const char *mi);

/* The inotify fd to poll for input (-1: none). */
int direct_warm_fd(const struct direct_warm *w);

/* Read the pending inotify events; a new directory arms the warmer for
 * DIRECT_WARM_CREATE_MS.  NULL-safe. */
void direct_warm_io(struct direct_warm *w);

/* Arm the warmer for MS milliseconds (at most 2550) from now.  While no
 * directory is watched (the Engine makes its parent directory with its
 * first container), this also looks for them again (at most every 10 s).
 * NULL-safe. */
void direct_warm_arm(struct direct_warm *w, int ms);

/* End the warmer (SIGKILL, reaped) and close everything.  NULL-safe. */
void direct_warm_free(struct direct_warm *w);

#endif
