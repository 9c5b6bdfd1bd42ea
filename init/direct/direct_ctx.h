/* direct_ctx.h — gathers the exact execution context `docker exec` would
 * give a process in one running container, from the sources of truth the
 * Engine and runc use: the Engine's inspect (Config.User/Env/WorkingDir),
 * the container's OCI bundle config.json (found through its
 * containerd-shim's working directory), /proc of the container's main
 * process and of its shim, and the container's own /etc/passwd and
 * /etc/group read inside its root (rootfs.c).
 * Owns: struct direct_ctx (namespace fds, cgroup.procs paths, capability
 * masks, rlimits, seccomp BPF copied from the main process, user, env…).
 * Does not own: applying it (direct_enter.c), the Engine transport (docker.c).
 * Context: main loop or a worker child, before fork.  Needs libcap resolved
 * (dl_load_exec) and root privileges (ptrace, setns). */
#ifndef CONTRAINER_DIRECT_CTX_H
#define CONTRAINER_DIRECT_CTX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "direct_spec.h"
#include "direct_user.h"

struct docker;
struct sock_filter;

struct direct_ctx {
        struct direct_spec spec;
        pid_t shim;                             /* parent of the main process */
        int nsfd[DNS_N];                        /* fd to setns(2) into, -1 = already there */
        char **cgroup_procs;                    /* cgroup.procs files of every hierarchy */
        char **freezer;                         /* freezer.state (v1), cgroup.freeze (v2) */
        uint64_t caps[DCAP_N];                  /* masks, bit = CAP_* number */
        struct rlimit rlimit[DIRECT_RLIMITS];   /* the shim's, then the bundle's */
        int oom_score_adj;
        mode_t umask;
        struct sock_filter *bpf;                /* NULL = no seccomp filter */
        unsigned short bpf_len;
        struct direct_user user;
        char **env;
        char cwd[4096];
};

/* GET /containers/REF/json into the inspect part of *RET (the Id, the main
 * pid, Config; RET->why says what is not reproduced).  0; -ENOENT (no such
 * container); -errno with WHY.  On success release with direct_spec_done. */
int direct_ctx_inspect(struct docker *d, const char *ref, struct direct_spec *ret, char *why,
                       size_t whysz);

/* Gather the context of container REF (id or name) through the Engine D,
 * or take it from the controller's cache (direct_cache.h: REF is the full
 * id, the same main process, not frozen) and redo only what the Engine
 * redoes at each exec (namespaces, user, groups, environment).
 * 0 with *RET filled (release with direct_ctx_done); -EOPNOTSUPP when the
 * context cannot be reproduced exactly (WHY says why: user namespace,
 * unknown security option, …); -ENOENT (no such container); other -errno
 * with WHY describing the failed step. */
int direct_ctx_load(struct docker *d, const char *ref, struct direct_ctx *ret, char *why,
                    size_t whysz);

/* direct_ctx_load with the Engine's inspect of REF already in hand: DOC
 * (DOCLEN bytes; NULL: inspect it here) is the answer to GET
 * /containers/REF/json of the caller, who checked it answers for REF (the
 * full id); its Id must equal REF.  A start then costs one inspect. */
int direct_ctx_load_doc(struct docker *d, const char *ref, const char *doc, size_t doclen,
                        struct direct_ctx *ret, char *why, size_t whysz);

/* Is SHIM, as it is now, the runtime shim of main process PID: PID's
 * parent, in our PID namespace (so outside the container's, where nothing
 * can stand in for it), running a containerd-shim executable?  0, or
 * -EOPNOTSUPP with WHY.  Exported for its unit test. */
int direct_ctx_check_shim(pid_t pid, pid_t shim, char *why, size_t whysz);

/* Release everything; *C becomes empty (nsfd -1).  NULL-safe fields. */
void direct_ctx_done(struct direct_ctx *c);

#endif
