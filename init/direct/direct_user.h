/* direct_user.h — the user, groups and environment `docker exec` gives a
 * process, computed from a container's configuration and its own
 * /etc/passwd and /etc/group (the texts, read by the caller inside the
 * container's root).
 * Owns: the user-spec resolution (moby/sys/user GetExecUser as the Engine's
 * getUser and runc's setupUser apply it) and the exec environment
 * (CreateDaemonEnvironment + ReplaceOrAppendEnvValues + runc's HOME).
 * Does not own: reading the files, applying the result (direct_enter.c).
 * Pure: no I/O, no globals, no logging.  Context: any, before fork. */
#ifndef CONTRAINER_DIRECT_USER_H
#define CONTRAINER_DIRECT_USER_H

#include <stddef.h>
#include <sys/types.h>

#define DIRECT_USER_MAX_GROUPS 256
#define DIRECT_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct direct_user {
        uid_t uid;
        gid_t gid;
        size_t ngroups;                         /* supplementary groups, deduplicated */
        gid_t groups[DIRECT_USER_MAX_GROUPS];
        char home[256];                         /* runc: first passwd entry of uid, else "/" */
};

/* Resolve SPEC ("", "name", "uid", "name:group", "uid:gid", …) against the
 * PASSWD and GROUP texts (NULL = file missing) plus GROUP_ADD (HostConfig.
 * GroupAdd: names or gids, may be NULL).  Result: uid, gid; groups = gid ∪
 * the user's memberships (implicit group form only) ∪ GROUP_ADD — what the
 * Engine (>= 20.10.18) writes to the OCI process and runc passes to
 * setgroups(2).  0 with *RET filled, or -EINVAL with *RET_WHY set to a
 * static description (user or group not found, id out of range). */
int direct_user_resolve(const char *spec, const char *passwd, const char *group,
                        char *const *group_add, struct direct_user *ret, const char **ret_why);

/* The exec environment: PATH=default, HOSTNAME=HOSTNAME, then CONFIG_ENV
 * ("K=V" replaces or appends; a bare "K" removes K), then HOME=HOME when no
 * HOME is set (runc).  Returns a new vector (strv_free) or NULL on ENOMEM. */
char **direct_env_build(const char *hostname, char *const *config_env, const char *home);

#endif
