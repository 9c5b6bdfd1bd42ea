/* test_direct_warm.c — the cgroup warmer (direct_warm.h) against a stand-in:
 * a plain file as its "cgroup.procs" and a mountinfo that says a temporary
 * directory is a cgroup mount with a docker/ directory in it.  A directory
 * made there arms the warmer (it then writes "0" to the file); it holds
 * nothing else of ours; freeing it ends it. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "direct_warm.h"

static char dir[] = "/tmp/ctr-warm.XXXXXX";
static char procs[300], mi[1200];

static void setup(void)
{
        FILE *f;

        cr_assert_not_null(mkdtemp(dir));
        snprintf(procs, sizeof(procs), "%s/procs", dir);
        f = fopen(procs, "w");
        cr_assert_not_null(f);
        fclose(f);
        snprintf(mi, sizeof(mi), "%s/docker", dir);
        cr_assert_eq(mkdir(mi, 0755), 0);
        snprintf(mi, sizeof(mi),
                 "25 1 0:22 / /proc rw - proc proc rw\n"
                 "31 23 0:28 / %s rw,relatime - cgroup cgroup rw,cpu\n", dir);
}

static void teardown(void)
{
        char cmd[400];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}

static off_t size_of(const char *p)
{
        struct stat st;

        return stat(p, &st) == 0 ? st.st_size : -1;
}

/* Poll FD and feed W until the stand-in procs file is written, or 5 s. */
static bool armed_within(struct direct_warm *w)
{
        for (int i = 0; i < 500; i++) {
                struct pollfd p = { .fd = direct_warm_fd(w), .events = POLLIN };

                if (poll(&p, 1, 10) > 0)
                        direct_warm_io(w);
                if (size_of(procs) > 0)
                        return true;
        }
        return false;
}

/* The warmer: the one child whose comm is contrainer-warm. */
static pid_t find_warmer(void)
{
        DIR *d = opendir("/proc");
        struct dirent *de;
        pid_t found = 0;

        while (d && (de = readdir(d))) {
                char path[300], comm[64] = "";
                int ppid = 0;
                FILE *f;

                snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
                f = fopen(path, "r");
                if (!f)
                        continue;
                if (fscanf(f, "%*d (%63[^)]) %*c %d", comm, &ppid) == 2 &&
                    ppid == getpid() && strcmp(comm, "contrainer-warm") == 0)
                        found = atoi(de->d_name);
                fclose(f);
        }
        if (d)
                closedir(d);
        return found;
}

/* The warmer names itself after the fork: wait for that, up to 5 s. */
static pid_t wait_warmer(void)
{
        pid_t pid = 0;

        for (int i = 0; i < 500 && !(pid = find_warmer()); i++)
                usleep(10000);
        return pid;
}

TestSuite(direct_warm, .init = setup, .fini = teardown);

Test(direct_warm, a_new_container_cgroup_arms_it_and_free_ends_it)
{
        struct direct_warm *w = direct_warm_new(procs, mi);
        char sub[400], fdpath[64], link[400];
        pid_t pid;
        ssize_t n;

        cr_assert_not_null(w);
        cr_assert_geq(direct_warm_fd(w), 0, "the docker/ directory is watched");
        pid = wait_warmer();
        cr_assert_gt(pid, 0);
        /* It holds its pipe (0) and the procs file (1), nothing else. */
        snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd/2", (int)pid);
        cr_assert_eq(access(fdpath, F_OK), -1, "fd 2 and above are closed");
        snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd/1", (int)pid);
        n = readlink(fdpath, link, sizeof(link) - 1);
        cr_assert_gt(n, 0);
        link[n] = '\0';
        cr_assert_str_eq(link, procs);
        cr_assert_eq(size_of(procs), 0, "idle: no migration");

        snprintf(sub, sizeof(sub), "%s/docker/0123abcd", dir);
        cr_assert_eq(mkdir(sub, 0755), 0);
        cr_assert(armed_within(w), "a new directory arms the warmer");

        direct_warm_free(w);
        cr_assert_eq(kill(pid, 0), -1, "freed: the warmer is gone and reaped");
        cr_assert_eq(errno, ESRCH);
}

Test(direct_warm, arming_by_hand_without_a_watch)
{
        /* No cgroup mount in the mountinfo: nothing to watch. */
        struct direct_warm *w = direct_warm_new(procs, "25 1 0:22 / /proc rw - proc proc rw\n");
        pid_t pid;

        cr_assert_not_null(w);
        pid = wait_warmer();
        cr_assert_gt(pid, 0);
        direct_warm_arm(w, 50);
        for (int i = 0; i < 500 && size_of(procs) == 0; i++)
                usleep(10000);
        cr_assert_gt(size_of(procs), 0, "armed by hand");
        direct_warm_free(w);
        cr_assert_eq(kill(pid, 0), -1);
}

Test(direct_warm, no_procs_file_no_warmer)
{
        char missing[400];

        snprintf(missing, sizeof(missing), "%s/none/cgroup.procs", dir);
        cr_assert_null(direct_warm_new(missing, mi));
        cr_assert_eq(find_warmer(), 0);
        /* NULL-safe */
        direct_warm_arm(NULL, 10);
        direct_warm_io(NULL);
        direct_warm_free(NULL);
        cr_assert_eq(direct_warm_fd(NULL), -1);
}

Test(direct_warm, a_parent_directory_made_later_is_watched_from_the_next_arming)
{
        struct direct_warm *w;
        char sub[450], parent[400];

        snprintf(parent, sizeof(parent), "%s/docker", dir);
        cr_assert_eq(rmdir(parent), 0);
        w = direct_warm_new(procs, mi);
        cr_assert_not_null(w);
        cr_assert_eq(mkdir(parent, 0755), 0);  /* the Engine's first container */
        direct_warm_arm(w, 0);                 /* looks again; arms for nothing */
        snprintf(sub, sizeof(sub), "%s/0123abcd", parent);
        cr_assert_eq(mkdir(sub, 0755), 0);
        cr_assert(armed_within(w), "the new parent directory is watched");
        direct_warm_free(w);
}
