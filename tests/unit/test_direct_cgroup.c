/* test_direct_cgroup.c — /proc/PID/cgroup lines mapped to our own mounts
 * (v1 controllers, named hierarchies, cgroup2, a mount of a sub-tree), the
 * freezer files found on the way, and reading them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "direct_cgroup.h"
#include "strv.h"

static const char *MI =
        "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
        "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
        "41 31 0:38 /docker /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

Test(direct_cgroup, dir_maps_controllers_names_and_cgroup2_subtrees)
{
        char d[256];

        cr_assert_eq(direct_cgroup_dir(MI, "cpu,cpuacct", "/docker/x", d, sizeof(d)), 0);
        cr_assert_str_eq(d, "/sys/fs/cgroup/cpu,cpuacct/docker/x");
        cr_assert_eq(direct_cgroup_dir(MI, "cpuacct", "/docker/x", d, sizeof(d)), 0);
        cr_assert_eq(direct_cgroup_dir(MI, "name=systemd", "/docker/x", d, sizeof(d)), 0);
        cr_assert_str_eq(d, "/sys/fs/cgroup/systemd/docker/x");
        cr_assert_eq(direct_cgroup_dir(MI, "", "/docker/x", d, sizeof(d)), 0);
        cr_assert_str_eq(d, "/sys/fs/cgroup/unified/x");
        cr_assert_eq(direct_cgroup_dir(MI, "", "/other/x", d, sizeof(d)), -ENOENT);
        cr_assert_eq(direct_cgroup_dir(MI, "memory", "/docker/x", d, sizeof(d)), -ENOENT);
}

Test(direct_cgroup, files_give_procs_of_every_hierarchy_and_the_freezers)
{
        const char *cg = "4:freezer:/docker/x\n3:name=systemd:/docker/x\n2:cpu,cpuacct:/docker/x\n"
                         "0::/docker/x\n";
        char **procs = NULL, **fz = NULL, why[200] = "";

        cr_assert_eq(direct_cgroup_files(cg, MI, &procs, &fz, why, sizeof(why)), 0);
        cr_assert_eq(strv_len(procs), 4);
        cr_assert_str_eq(procs[0], "/sys/fs/cgroup/freezer/docker/x/cgroup.procs");
        cr_assert_str_eq(procs[3], "/sys/fs/cgroup/unified/x/cgroup.procs");
        cr_assert_eq(strv_len(fz), 2);
        cr_assert_str_eq(fz[0], "/sys/fs/cgroup/freezer/docker/x/freezer.state");
        cr_assert_str_eq(fz[1], "/sys/fs/cgroup/unified/x/cgroup.freeze");
        strv_free(procs);
        strv_free(fz);
}

Test(direct_cgroup, a_hierarchy_not_mounted_here_is_eopnotsupp)
{
        char **procs = NULL, **fz = NULL, why[200] = "";

        cr_assert_eq(direct_cgroup_files("5:memory:/docker/x\n", MI, &procs, &fz, why, sizeof(why)),
                     -EOPNOTSUPP);
        cr_assert(strstr(why, "'memory'"));
        strv_free(procs);
        strv_free(fz);
}

static char *file(const char *text)
{
        char *p = strdup("/tmp/ctrtest-freezer-XXXXXX");
        int fd = mkstemp(p);

        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
        return p;
}

Test(direct_cgroup, frozen_reads_v1_state_and_v2_freeze)
{
        char *thawed = file("THAWED\n"), *frz = file("FROZEN\n"), *v2 = file("0\n");
        char v2name[300];
        char *ok[] = { thawed, NULL, NULL }, *bad[] = { thawed, frz, NULL };
        char *missing[] = { "/nonexistent/cgroup.freeze", NULL };
        char *unreadable[] = { "/nonexistent/freezer.state", NULL };

        cr_assert_not(direct_cgroup_frozen(ok));
        cr_assert(direct_cgroup_frozen(bad));
        cr_assert_not(direct_cgroup_frozen(missing));
        cr_assert(direct_cgroup_frozen(unreadable));
        /* v2: named cgroup.freeze, "1" = frozen */
        snprintf(v2name, sizeof(v2name), "%s.d", v2);
        cr_assert_eq(mkdir(v2name, 0700), 0);
        strcat(v2name, "/cgroup.freeze");
        {
                FILE *f = fopen(v2name, "we");
                fputs("1\n", f);
                fclose(f);
        }
        char *v2frozen[] = { v2name, NULL };
        cr_assert(direct_cgroup_frozen(v2frozen));
        unlink(v2name);
        *strrchr(v2name, '/') = '\0';
        rmdir(v2name);
        unlink(thawed);
        unlink(frz);
        unlink(v2);
        free(thawed);
        free(frz);
        free(v2);
}
