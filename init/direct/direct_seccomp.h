/* direct_seccomp.h — copy the seccomp filter a container's runtime gave its
 * main process, for a direct run to install the same (docs/direct.md).
 * Owns: the ptrace stop of that process (seize, interrupt, copy, detach)
 * and the proof that the copy is the oldest filter, i.e. runc's, not one
 * the container added itself.
 * Does not own: which process, or whether a filter is wanted
 * (direct_ctx.c); installing it (direct_enter.c).
 * Context: a worker or the exec CLI, single threaded, with
 * CAP_SYS_PTRACE and CAP_SYS_ADMIN (PTRACE_SECCOMP_GET_FILTER). */
#ifndef CONTRAINER_DIRECT_SECCOMP_H
#define CONTRAINER_DIRECT_SECCOMP_H

#include <stddef.h>
#include <sys/types.h>

struct sock_filter;

/* Copy the oldest seccomp filter of process PID into *RET (malloc'd,
 * *RET_LEN instructions).  The process is stopped for the copy and
 * resumed with any signal that reached it meanwhile re-delivered.  0;
 * -EOPNOTSUPP with WHY (no filter, cannot attach, cannot copy); -ENOMEM. */
int direct_seccomp_copy(pid_t pid, struct sock_filter **ret, unsigned short *ret_len, char *why,
                        size_t whysz);

#endif
