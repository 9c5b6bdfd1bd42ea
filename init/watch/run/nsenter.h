/* nsenter.h — entering the host from the controller (docs/watch.md "Targets").
 * Owns: opening $SYSIMAGE/proc/1/ns/{user,ipc,uts,net,pid,cgroup,mnt},
 * setns into those that differ from ours (mnt last, mandatory), and reading
 * host PID 1's environment from $SYSIMAGE/proc/1/environ (NUL-separated,
 * never through a shell).
 * Does not own: what runs there (body_worker.c), whether %host is allowed
 * (policy.c).
 * Context: a forked worker child only — setns changes the whole process,
 * and the PID namespace applies to children forked afterwards. */
#ifndef CONTRAINER_NSENTER_H
#define CONTRAINER_NSENTER_H

#include <stddef.h>

#define NSENTER_ENV_MAX (1u << 20)  /* host PID 1's environ at most (more: -ENOBUFS) */

/* Read SYSIMAGE/proc/1/environ into *RET_ENV (new vector), then enter the
 * namespaces and chdir("/").  0, or -errno with a one-line reason in ERR. */
int nsenter_host(const char *sysimage, char ***ret_env, char *err, size_t errsz);

/* Pure: split a NUL-separated environ block into "K=V" strings (entries
 * without '=' dropped).  0 or -ENOMEM. */
int nsenter_split_environ(const char *p, size_t len, char ***ret);

#endif
