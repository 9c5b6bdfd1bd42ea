/* direct_cgroup.c — cgroup files of a container, its freezer, the warm-up.
 * See direct_cgroup.h. */
#include "direct_cgroup.h"

#include "procfile.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int direct_cgroup_dir(const char *mi, const char *ctrls, const char *path, char *ret,
                      size_t retsz)
{
        for (const char *l = mi; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                char root[1024], mnt[1024], fstype[32], opts[1024];
                const char *sep = strstr(l, " - ");
                bool all = true;

                if (!sep || sscanf(l, "%*s %*s %*s %1023s %1023s", root, mnt) != 2 ||
                    sscanf(sep + 3, "%31s %*s %1023s", fstype, opts) != 2)
                        continue;
                if (ctrls[0] == '\0') {
                        if (strcmp(fstype, "cgroup2") != 0)
                                continue;
                } else {
                        char want[256], *save = NULL;
                        if (strcmp(fstype, "cgroup") != 0)
                                continue;
                        snprintf(want, sizeof(want), "%s", ctrls);
                        for (char *t = strtok_r(want, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                                char needle[300];
                                snprintf(needle, sizeof(needle), ",%s,", t);
                                char hay[1100];
                                snprintf(hay, sizeof(hay), ",%s,", opts);
                                if (!strstr(hay, needle))
                                        all = false;
                        }
                        if (!all)
                                continue;
                }
                size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
                if (strncmp(path, root, rl) != 0)
                        continue;
                snprintf(ret, retsz, "%s%s", mnt, path + rl);
                return 0;
        }
        return -ENOENT;
}

/* Is controller NAME one of the comma-separated CTRLS? */
static bool has_ctrl(const char *ctrls, const char *name)
{
        size_t n = strlen(name);

        for (const char *p = ctrls; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
                if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
                        return true;
        return false;
}

int direct_cgroup_files(const char *cgroup, const char *mi, char ***ret_procs,
                        char ***ret_freezer, char *why, size_t whysz)
{
        char *cg = strdup(cgroup), *save = NULL;
        int r;

        if (!cg)
                return -ENOMEM;
        for (char *l = strtok_r(cg, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                char dir[2100], *procs, *fz = NULL;

                if (!c2)
                        continue;
                *c2 = '\0';
                if (direct_cgroup_dir(mi, c1 + 1, c2 + 1, dir, sizeof(dir)) < 0) {
                        snprintf(why, whysz, "cgroup hierarchy '%.100s' of the container is not "
                                 "mounted here", c1 + 1);
                        r = -EOPNOTSUPP;
                        goto out;
                }
                r = -ENOMEM;
                if (asprintf(&procs, "%s/cgroup.procs", dir) < 0 ||
                    strv_consume(ret_procs, procs) < 0)
                        goto out;
                if (c1[1] == '\0' ? asprintf(&fz, "%s/cgroup.freeze", dir) < 0
                    : has_ctrl(c1 + 1, "freezer") ? asprintf(&fz, "%s/freezer.state", dir) < 0
                    : false)
                        goto out;
                if (fz && strv_consume(ret_freezer, fz) < 0)
                        goto out;
        }
        r = 0;
out:
        free(cg);
        return r;
}

bool direct_cgroup_frozen(char *const *freezer)
{
        for (size_t i = 0; freezer && freezer[i]; i++) {
                bool v2 = strstr(freezer[i], "/cgroup.freeze") != NULL, f;
                char *v = NULL;
                int r = procfile_read(freezer[i], PROCFILE_MAX, &v);

                if (r == -ENOENT && v2)
                        continue;  /* the root cgroup (v2) has none */
                if (r < 0)
                        return true;
                f = v2 ? v[0] != '0' : strncmp(v, "THAWED", 6) != 0;
                free(v);
                if (f)
                        return true;
        }
        return false;
}

/* The cgroup.procs file of our own cgroup (the first hierarchy of
 * /proc/self/cgroup, found through MI) into RET.  0 or -errno. */
static int own_procs(const char *mi, char *ret, size_t retsz)
{
        char *own = NULL, *sep, dir[2100];
        int r;

        if (!mi || (r = procfile_read("/proc/self/cgroup", PROCFILE_MAX, &own)) < 0)
                return !mi ? -EINVAL : r;
        /* The first line "N:CTRLS:PATH" names a hierarchy we are in. */
        r = -ENOENT;
        sep = strchr(own, '\n');
        if (sep)
                *sep = '\0';
        sep = strchr(own, ':') ? strchr(strchr(own, ':') + 1, ':') : NULL;
        if (sep) {
                *sep = '\0';
                if (direct_cgroup_dir(mi, strchr(own, ':') + 1, sep + 1, dir, sizeof(dir)) == 0 &&
                    (size_t)snprintf(ret, retsz, "%s/cgroup.procs", dir) < retsz)
                        r = 0;
        }
        free(own);
        return r;
}

/* The first cgroup migration after a quiet spell waits for an RCU grace
 * period (cgroup_threadgroup_rwsem's rcu_sync: ~10 ms here, the largest
 * single cost of a direct run; a cgroup mount with "favordynmods" has no
 * such wait).  Any migration opens the window for the next ones, so a
 * child makes a no-op one — into our own cgroup, where it already is —
 * while we inspect and read the bundle; the run's joins then find the
 * grace period over or under way.  A process, not a thread: the caller
 * forks the run later and that child calls malloc and libcap, which is
 * safe only from a single-threaded parent.  Nobody waits for it: its
 * zombie goes with the caller (the controller, a subreaper, reaps it).
 * It exits at once: nothing stays behind that would keep the host's forks
 * on the slower path. */
void direct_cgroup_warm(const char *mi)
{
        char procs[2200];

        if (own_procs(mi, procs, sizeof(procs)) < 0)
                return;
        if (fork() == 0) {
                int fd;

                /* None of ours (a worker's record pipe, a client's stdout,
                 * the controller's sockets) may stay open behind us. */
                (void)syscall(SYS_close_range, 0U, ~0U, 0U);
                fd = open(procs, O_WRONLY | O_CLOEXEC);
                /* Nothing to do if it fails: only the wait is at stake. */
                if (fd >= 0)
                        (void)!write(fd, "0", 1);
                _exit(0);
        }
}
