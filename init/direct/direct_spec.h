/* direct_spec.h — what a `docker exec` of a container would be given, read
 * from the two documents the Engine and runc read: the container's inspect
 * JSON (Config.User/Env/WorkingDir/Hostname, HostConfig) and its OCI bundle
 * config.json (process capabilities, no_new_privs, rlimits, oomScoreAdj,
 * umask, namespaces, seccomp presence and flags, LSM labels).
 * Owns: parsing both into a plain struct and the rules that say a document
 * asks for something the direct path does not reproduce (a reason string).
 * Does not own: fetching the documents, /proc, applying (direct_ctx.c,
 * direct_enter.c).  Pure: no I/O, no globals, no logging. */
#ifndef CONTRAINER_DIRECT_SPEC_H
#define CONTRAINER_DIRECT_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DIRECT_RLIMITS 16       /* RLIMIT_CPU … RLIMIT_RTTIME */
#define DIRECT_DOC_MAX (4u << 20)

enum direct_capset { DCAP_BOUNDING, DCAP_EFFECTIVE, DCAP_INHERITABLE, DCAP_PERMITTED, DCAP_AMBIENT, DCAP_N };

/* Namespace types in /proc/PID/ns order of joining (mnt last but one:
 * paths opened before it stay valid; cgroup after the cgroup.procs writes). */
enum direct_ns { DNS_IPC, DNS_UTS, DNS_NET, DNS_PID, DNS_CGROUP, DNS_MNT, DNS_N };

struct direct_spec {
        /* inspect */
        char id[80];
        pid_t pid;
        bool running, paused, restarting;
        char *user;             /* Config.User, "" if unset */
        char *hostname;         /* Config.Hostname */
        char *workdir;          /* Config.WorkingDir, "" if unset */
        char **env;             /* Config.Env (may be NULL) */
        char **group_add;       /* HostConfig.GroupAdd (may be NULL) */
        /* bundle */
        char **caps[DCAP_N];    /* capability names, NULL = none */
        bool no_new_privs;
        bool has_oom;
        int oom_score_adj;
        bool has_umask;
        mode_t umask;
        struct { bool set; uint64_t soft, hard; } rlimit[DIRECT_RLIMITS];
        bool ns_listed[DNS_N];  /* runc joins these; the rest stay the shim's */
        bool seccomp;           /* linux.seccomp present */
        unsigned seccomp_flags; /* SECCOMP_FILTER_FLAG_* */
        /* the first thing not reproduced, or NULL */
        char why[256];
};

/* Fill the inspect part of *S from JSON (LEN bytes).  0; -EINVAL (not an
 * inspect document); -ENOMEM.  Sets S->why for what is not reproduced. */
int direct_spec_inspect(struct direct_spec *s, const char *json, size_t len);

/* Fill the bundle part of *S from config.json (LEN bytes).  Same returns. */
int direct_spec_bundle(struct direct_spec *s, const char *json, size_t len);

/* Free what the parsers allocated; *S becomes zero. */
void direct_spec_done(struct direct_spec *s);


#endif
