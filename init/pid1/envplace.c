/* envplace.c — choose where the environment export goes (see envplace.h).
 * A read-only root (docker run --read-only, Kubernetes
 * readOnlyRootFilesystem) or another user (--user, OpenShift's arbitrary
 * UIDs) cannot write /etc; s6-overlay keeps its run-time state under /run
 * for the same reason.  The runtime directory may live on a volume shared
 * with others (an emptyDir, a bind mount), so it is used only when it is
 * ours: a planted symlink or someone else's directory is refused, never
 * followed (docs/hardening.md "The runtime directory"). */
#include "envplace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int envplace_runtime_dir(const char *runtime, const char **ret)
{
        if (!runtime || !*runtime)
                runtime = ENVPLACE_RUNTIME_DEFAULT;
        if (runtime[0] != '/' || strlen(runtime) > 4000)
                return -EINVAL;
        *ret = runtime;
        return 0;
}

/* Can we make or rewrite DIR and the .sh/.json beside it?  access(2) asks
 * with our real ids, which are the effective ones here (no setuid), and
 * says EROFS for a read-only mount. */
static int writable(const char *dir)
{
        char parent[4096];
        const char *slash = strrchr(dir, '/');
        struct stat st;

        if (!slash || (size_t)(slash - dir) >= sizeof(parent))
                return -EINVAL;
        memcpy(parent, dir, (size_t)(slash - dir));
        parent[slash - dir] = '\0';
        if (access(parent[0] ? parent : "/", W_OK | X_OK) < 0)
                return -errno;
        if (lstat(dir, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        return access(dir, W_OK | X_OK) < 0 ? -errno : 0;
}

/* Is RT (lstat'ed into ST) a directory of ours?  Never follows it. */
static int ours(const struct stat *st)
{
        if (S_ISLNK(st->st_mode))
                return -ELOOP;
        if (!S_ISDIR(st->st_mode))
                return -ENOTDIR;
        if (st->st_uid != geteuid())
                return -EPERM;
        return 0;
}

static int fill(struct envplace *p, enum envplace_kind kind, const char *dir)
{
        size_t n = strlen(dir);

        if (n >= 4096)
                return -ENAMETOOLONG;
        p->kind = kind;
        /* dir\0 dir.sh\0 dir.json\0: at most 3 * 4096 + 12 bytes */
        snprintf(p->buf, sizeof(p->buf), "%s%c%s.sh%c%s.json", dir, 0, dir, 0, dir);
        p->dir = p->buf;
        p->sh = p->buf + n + 1;
        p->json = p->sh + n + 4;
        return 0;
}

int envplace_choose(const char *etc_dir, const char *runtime_dir, struct envplace *ret)
{
        char dir[4096];
        struct stat st;
        int r;

        /* Field by field: zeroing the path buffers would touch pages that
         * PID 1 then keeps for its whole life (its memory is benchmarked). */
        ret->kind = ENVPLACE_NOWHERE;
        ret->dir = ret->sh = ret->json = "";
        ret->etc_err = ret->runtime_err = 0;
        ret->etc_err = writable(etc_dir);
        if (ret->etc_err == 0)
                return fill(ret, ENVPLACE_ETC, etc_dir);
        if (lstat(runtime_dir, &st) < 0) {
                if (errno != ENOENT) {
                        ret->runtime_err = -errno;
                        return 0;
                }
                /* Made by us, for us alone (it holds secrets passed with -e). */
                if (mkdir(runtime_dir, 0700) < 0 && errno != EEXIST) {
                        ret->runtime_err = -errno;
                        return 0;
                }
                if (lstat(runtime_dir, &st) < 0) {
                        ret->runtime_err = -errno;
                        return 0;
                }
        }
        r = ours(&st);
        if (r < 0) {
                ret->runtime_err = r;
                return r;  /* refused: never followed, never written */
        }
        if (access(runtime_dir, W_OK | X_OK) < 0) {
                ret->runtime_err = -errno;
                return 0;
        }
        if (snprintf(dir, sizeof(dir), "%s/container_environment", runtime_dir) >= (int)sizeof(dir))
                return -ENAMETOOLONG;
        r = writable(dir);
        if (r < 0) {
                ret->runtime_err = r;
                return 0;
        }
        return fill(ret, ENVPLACE_RUNTIME, dir);
}
