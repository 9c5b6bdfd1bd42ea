/* runit.c — start runsvdir, stop the services (see runit.h).
 * Why the control FIFO and not `sv -w N force-stop`: sv only waits whole
 * seconds and polls its status, so fractional KILL_PROCESS_TIMEOUTs (tests,
 * tight stop graces) would be stretched; writing the same one-byte commands
 * ourselves (runsv(8): "d" = TERM+CONT and stay down, "k" = KILL) to every
 * service at once is the same protocol with our monotonic deadline. */
#include "runit.h"
#include "deadline.h"
#include "log.h"
#include "pid1.h"
#include "spawn.h"
#include "strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How often supervise/stat is looked at while waiting (services are not our
 * children, their exits wake nobody). */
#define RUNIT_POLL_MS 20
/* How often SIGHUP is repeated until runsvdir is gone (see runit_stop). */
#define RUNSVDIR_HUP_MS 50

int runit_start(struct pid1 *p, const char *service_dir, char *const *env, pid_t *ret_pid)
{
        char *argv[] = { "runsvdir", "-P", (char *)service_dir, NULL };
        struct spawn_opts o = { .argv = argv, .envp = env };
        pid_t pid;
        int r, e;

        r = spawn(&o, &pid, &e);
        if (r < 0)
                return r;
        r = pid1_track(p, pid);
        if (r < 0)
                return r;
        if (e != 0)
                return -e;
        *ret_pid = pid;
        return 0;
}

/* Write command C to SVC/supervise/control.  -ENXIO: no runsv reads it. */
static int control(const char *svc, char c)
{
        char path[4096];
        int fd, r = 0;

        if (snprintf(path, sizeof(path), "%s/supervise/control", svc) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, &c, 1) != 1)
                r = -errno;
        (void)close(fd);  /* a FIFO: nothing buffered to lose */
        return r;
}

/* Is a runsv reading SVC/supervise/ok?  (sv(8) probes the same way.) */
static bool supervised(const char *svc)
{
        char path[4096];
        int fd;

        if (snprintf(path, sizeof(path), "%s/supervise/ok", svc) >= (int)sizeof(path))
                return false;
        fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return false;
        (void)close(fd);
        return true;
}

/* Is SVC down: supervise/stat says "down", or no runsv supervises it. */
static bool is_down(const char *svc)
{
        char path[4096], buf[16] = "";
        ssize_t n;
        int fd;

        if (!supervised(svc))
                return true;
        if (snprintf(path, sizeof(path), "%s/supervise/stat", svc) >= (int)sizeof(path))
                return true;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return true;
        n = read(fd, buf, sizeof(buf) - 1);
        (void)close(fd);
        return n >= 4 && strncmp(buf, "down", 4) == 0;
}

/* The supervised service directories of DIR (those with a runsv reading
 * their control FIFO), as full paths. */
static char **list_services(const char *dir)
{
        char **svcs = NULL;
        struct dirent *de;
        DIR *d = opendir(dir);

        if (!d)
                return NULL;
        while ((de = readdir(d))) {
                char *path;
                struct stat st;

                if (de->d_name[0] == '.')
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                        break;
                if (strv_consume(&svcs, path) < 0) {
                        free(path);
                        break;
                }
        }
        (void)closedir(d);
        if (svcs)
                strv_sort(svcs);  /* qsort(NULL, 0) is undefined */
        return svcs;
}

static int count_runsv(pid_t pid, const char *comm, void *ud)
{
        (void)pid;
        if (strcmp(comm, "runsv") == 0 || strcmp(comm, "runsvdir") == 0)
                (*(int *)ud)++;
        return 0;
}

/* Wait until every service of SVCS is down or DEADLINE passes. */
static void wait_down(struct pid1 *p, char *const *svcs, int64_t deadline)
{
        for (;;) {
                bool all_down = true;

                for (size_t i = 0; svcs && svcs[i] && all_down; i++)
                        all_down = is_down(svcs[i]);
                if (all_down || deadline_passed(deadline))
                        return;
                (void)pid1_wait(p, deadline_min(deadline, deadline_in(RUNIT_POLL_MS)));
        }
}

int runit_stop(struct pid1 *p, pid_t runsvdir, const char *service_dir, int64_t deadline,
               int64_t grace)
{
        char **svcs = list_services(service_dir);
        int killed = 0;

        for (size_t i = 0; svcs && svcs[i]; i++) {
                int r = control(svcs[i], 'd');
                char q[512];

                if (r < 0 && r != -ENXIO && r != -ENOENT)
                        log_warn_errno(r, "cannot stop service %s: %m",
                                       log_q(q, sizeof(q), svcs[i]));
        }
        wait_down(p, svcs, deadline);
        for (size_t i = 0; svcs && svcs[i]; i++) {
                char q[512];

                if (is_down(svcs[i]))
                        continue;
                log_warn("service %s did not stop in time, killing it",
                         log_q(q, sizeof(q), svcs[i]));
                (void)control(svcs[i], 'k');  /* gone meanwhile: then it is down */
                killed++;
        }
        /* Let runsv see the deaths and run the finish scripts before runsvdir
         * tells it to exit (it would otherwise race the SIGCHLD). */
        if (killed)
                wait_down(p, svcs, grace);
        strv_free(svcs);

        if (runsvdir > 0 && !pid1_reaped(p, runsvdir, NULL)) {
                /* runsvdir(8): on HUP it TERMs every runsv and exits.  But it
                 * only unblocks HUP around its iopause(), without a self-pipe:
                 * a HUP that arrives while blocked is handled just before the
                 * sleep and then sleeps out the whole rescan interval (up to
                 * 5 s).  Repeating the HUP interrupts that sleep.  The pid is
                 * safe to signal until we reap it. */
                while (!pid1_reaped(p, runsvdir, NULL) && !deadline_passed(grace)) {
                        if (kill(runsvdir, SIGHUP) < 0 && errno != ESRCH)
                                log_warn("cannot signal runsvdir: %m");
                        (void)pid1_wait(p, deadline_min(grace, deadline_in(RUNSVDIR_HUP_MS)));
                }
                pid1_untrack(p, runsvdir);
        }
        /* runsv exits once its service (and log service) are down. */
        for (;;) {
                int n = 0;

                if (pid1_for_each_descendant(p, count_runsv, &n) < 0 || n == 0 ||
                    deadline_passed(grace))
                        break;
                (void)pid1_wait(p, deadline_min(grace, deadline_in(RUNIT_POLL_MS)));
        }
        return killed;
}
