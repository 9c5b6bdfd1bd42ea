/* nsenter.c — enter host PID 1's namespaces.  See nsenter.h.
 * Every ns file is opened before the first setns: after entering the mount
 * namespace, $SYSIMAGE/proc may no longer name the same thing.  Namespaces
 * equal to ours are skipped (setns into our own user namespace fails with
 * EINVAL, and the rest would be no-ops).  Only mnt is mandatory: without
 * it "%host" would silently run in the controller's filesystem. */
#include "nsenter.h"

#include "procfile.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int nsenter_split_environ(const char *p, size_t len, char ***ret)
{
        char **v = NULL;
        size_t i = 0;

        while (i < len) {
                size_t l = strnlen(p + i, len - i);
                if (l && memchr(p + i, '=', l) && p[i] != '=') {
                        char *s = strndup(p + i, l);
                        if (!s || strv_consume(&v, s) < 0) {
                                free(s);
                                strv_free(v);
                                return -ENOMEM;
                        }
                }
                i += l + 1;
        }
        if (!v) {
                v = calloc(1, sizeof(*v));
                if (!v)
                        return -ENOMEM;
        }
        *ret = v;
        return 0;
}

static int read_environ(const char *path, char ***ret)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        char *data = NULL;
        size_t len = 0;
        int r;

        if (fd < 0)
                return -errno;
        r = procfile_read_fd(fd, NSENTER_ENV_MAX, &data, &len);
        (void)close(fd);
        if (r == 0)
                r = nsenter_split_environ(data, len, ret);
        free(data);
        return r;
}

static const struct {
        const char *name;
        int type;
} ns_order[] = {
        { "user", CLONE_NEWUSER }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
        { "net", CLONE_NEWNET },   { "pid", CLONE_NEWPID }, { "cgroup", CLONE_NEWCGROUP },
        { "mnt", CLONE_NEWNS },
};
#define NS_N (sizeof(ns_order) / sizeof(ns_order[0]))

static bool same_as_ours(int fd, const char *name)
{
        struct stat a, b;
        char path[64];

        snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
        if (fstat(fd, &a) < 0 || stat(path, &b) < 0)
                return false;
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int nsenter_host(const char *sysimage, char ***ret_env, char *err, size_t errsz)
{
        int fds[NS_N];
        char path[4096], **env = NULL;
        const char *root = strcmp(sysimage, "/") == 0 ? "" : sysimage;
        int r;

        for (size_t i = 0; i < NS_N; i++)
                fds[i] = -1;
        snprintf(path, sizeof(path), "%s/proc/1/environ", root);
        r = read_environ(path, &env);
        if (r < 0) {
                snprintf(err, errsz, "cannot read host environment %s: %s", path, strerror(-r));
                goto out;
        }
        for (size_t i = 0; i < NS_N; i++) {
                snprintf(path, sizeof(path), "%s/proc/1/ns/%s", root, ns_order[i].name);
                fds[i] = open(path, O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0) {
                        if (ns_order[i].type == CLONE_NEWNS) {
                                r = -errno;
                                snprintf(err, errsz, "cannot open host mount namespace %s: %s",
                                         path, strerror(-r));
                                goto out;
                        }
                        continue;
                }
                if (same_as_ours(fds[i], ns_order[i].name)) {
                        (void)close(fds[i]);
                        fds[i] = -1;
                }
        }
        for (size_t i = 0; i < NS_N; i++) {
                if (fds[i] < 0)
                        continue;
                if (setns(fds[i], ns_order[i].type) < 0 && ns_order[i].type == CLONE_NEWNS) {
                        r = -errno;
                        snprintf(err, errsz, "cannot enter host mount namespace: %s", strerror(-r));
                        goto out;
                }
                /* Any other namespace we cannot enter stays ours (docs/watch.md
                 * "Targets": where the controller can enter them). */
        }
        if (chdir("/") < 0) {
                r = -errno;
                snprintf(err, errsz, "cannot chdir to the host's /: %s", strerror(-r));
                goto out;
        }
        *ret_env = env;
        env = NULL;
        r = 0;
out:
        for (size_t i = 0; i < NS_N; i++)
                if (fds[i] >= 0)
                        (void)close(fds[i]);
        strv_free(env);
        return r;
}
