/* direct_enter.h — start a process in a container's exact `docker exec`
 * context (a struct direct_ctx), the way runc's setns init does it
 * (libcontainer/nsenter/nsexec.c, setns_init_linux.go), with nothing of
 * the caller visible in the container (docs/direct.md "Security").
 * Owns: the two set-up stages and their ordered set-up: cgroups, namespaces,
 * session, session keyring, oom_score_adj, rlimits, no_new_privs, umask,
 * seccomp, bounding set, user and groups, capability sets, ambient set,
 * working directory, PATH lookup, exec.
 * Does not own: gathering the context (direct_ctx.c), waiting for the
 * process, signals (the caller).
 * Context: a single-threaded process (the exec CLI or a worker child). */
#ifndef CONTRAINER_DIRECT_ENTER_H
#define CONTRAINER_DIRECT_ENTER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct direct_ctx;

/* Exit statuses of a child that did not reach the command (as docker exec's
 * runtime errors and tini): 125 set-up failed, 126 cannot execute, 127 not
 * found. */
#define DIRECT_EXIT_SETUP 125
#define DIRECT_EXIT_NOEXEC 126
#define DIRECT_EXIT_NOTFOUND 127

/* Start ARGV (looked up in the container's PATH as runc does) in context C
 * with stdin/stdout/stderr inherited (the only descriptors it gets, with
 * EXEC_FD); the child restores MASK before exec.
 * EXEC_FD >= 0 (from rootfs_open_script): execute that file instead, with
 * execveat(EXEC_FD, "", AT_EMPTY_PATH); ARGV[0] is only its name, and a
 * "#!" script sees /dev/fd/N as its path (the kernel's way, execveat(2)).
 * Waits until the child has exec'd (the report pipe closes) or failed, at
 * most until DEADLINE (deadline.h clock; 0: none) or until STOP_FD (-1:
 * none) is readable.  The child is our child, a session leader.
 * Returns 0 with *RET_PID; -ECANCELED with WHY set and *RET_CODE the exit
 * status the failed set-up ended with; -ETIMEDOUT (deadline) or -EINTR
 * (STOP_FD) with WHY, the set-up killed; other -errno with WHY.  On every
 * failure the set-up processes are SIGKILLed and reaped.  Single-threaded
 * callers; signals are held only across the fork. */
int direct_enter_spawn(const struct direct_ctx *c, char *const *argv, int exec_fd,
                       const sigset_t *mask, int64_t deadline, int stop_fd, pid_t *ret_pid,
                       int *ret_code, char *why, size_t whysz);

#endif
