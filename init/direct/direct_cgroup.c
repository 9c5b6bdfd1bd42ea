/* direct_cgroup.c — cgroup files of a container and its freezer.
 * See direct_cgroup.h. */
#include "direct_cgroup.h"

#include "procfile.h"
#include "strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
