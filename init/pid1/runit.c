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
#include "svconf.h"

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

/* Services are not our children: their exits wake nobody, and runsv's
 * status updates are not announced.  Told to stop, they are looked at every
 * millisecond for RUNIT_FAST_MS (most services stop within milliseconds of
 * the 'd'; a look is five cheap system calls per service), then at a pace
 * doubling up to RUNIT_POLL_MS.  Not inotify on supervise/: closing an
 * inotify instance that has watches waits for an SRCU grace period
 * (fsnotify_destroy_group), 10-20 ms of the container's stop measured here,
 * and an exiting PID 1 would pay it all the same. */
#define RUNIT_POLL_MS 20
#define RUNIT_FAST_MS 16
/* How long a service must look idle (down, wanting up, nothing running)
 * to count as down: runsv's restart throttle (see wait_down). */
#define RUNIT_IDLE_MS 100
/* How often the just-started runsv processes are looked at at shutdown (they
 * open their control FIFO within a millisecond or two of starting). */
#define RUNIT_START_POLL_MS 2

int runit_start(struct pid1 *p, const char *service_dir, char *const *env, pid_t *ret_pid)
{
        char *argv[] = { "runsvdir", "-P", (char *)service_dir, NULL };
        /* COMMAND need not wait for runsvdir's exec: a failure is its line. */
        struct spawn_opts o = {
                .argv = argv, .envp = env,
                .exec_fail_msg = "contrainer init: error: cannot run runsvdir (not on PATH or "
                                 "not executable), services will not run\n",
        };
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

bool runit_has_services(const char *dir)
{
        struct dirent *de;
        bool any = false;
        DIR *d = opendir(dir);

        if (!d)
                return false;
        while (!any && (de = readdir(d)))
                any = de->d_name[0] != '.';
        (void)closedir(d);
        return any;
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

int runit_status(const char *svc, struct runit_status *ret)
{
        unsigned char st[20];
        char path[4096];
        ssize_t n;
        int fd;

        *ret = (struct runit_status){ 0 };
        if (!supervised(svc))
                return 0;
        ret->supervised = true;
        if (snprintf(path, sizeof(path), "%s/supervise/status", svc) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, st, sizeof(st));
        (void)close(fd);  /* read-only */
        if (n != (ssize_t)sizeof(st))
                return -EIO;
        /* runsv's binary status (runsv.c update_status): TAI64N start time
         * (12 bytes, TAI64 = 2^62 + seconds), pid (4, little endian),
         * paused, want ('u'/'d'), got TERM, state (0 down, 1 run, 2 finish). */
        ret->since = 0;
        for (int i = 0; i < 8; i++)
                ret->since = (ret->since << 8) | st[i];
        ret->since -= (uint64_t)1 << 62;  /* TAI64 label → seconds (≈ Unix time + 10) */
        ret->since_ns = (uint32_t)st[8] << 24 | (uint32_t)st[9] << 16 | (uint32_t)st[10] << 8 | st[11];
        ret->pid = (pid_t)(st[12] | st[13] << 8 | st[14] << 16 | (uint32_t)st[15] << 24);
        ret->want_down = st[17] == 'd';
        ret->state = st[19];
        return 0;
}

/* Is SVC down for good: no runsv supervises it, or its runsv has taken our
 * 'd' (want down) and the service and its finish script are done.  "down"
 * alone is not enough: a runsv that has just opened supervise/ok says so
 * before its first ./run.  *IDLE says whether it is down but still wants
 * up, with nothing running: a runsv in its restart throttle (see
 * wait_down) or, for microseconds, one about to start ./run. */
static bool is_down(const char *svc, bool *idle)
{
        struct runit_status st;

        *idle = false;
        if (runit_status(svc, &st) < 0)
                return true;  /* supervised but no status: runsv is gone meanwhile */
        if (!st.supervised || (st.want_down && st.state == RUNIT_DOWN))
                return true;
        *idle = st.state == RUNIT_DOWN && st.pid == 0;
        return false;
}

char **runit_service_dirs(const char *dir)
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

struct runsv_walk {
        int count;
        int sig;
};

static int each_runsv(pid_t pid, const char *comm, void *ud)
{
        struct runsv_walk *w = ud;

        /* "runsvdir": a child runsvdir forked for a runsv that has not
         * exec'd yet (runsvdir itself is gone by now). */
        if (strcmp(comm, "runsv") != 0 && strcmp(comm, "runsvdir") != 0)
                return 0;
        w->count++;
        /* A descendant we have not reaped yet: the pid is still this runsv. */
        if (w->sig && kill(pid, w->sig) < 0 && errno != ESRCH)
                log_warn("cannot signal runsv %d: %m", (int)pid);
        return 0;
}

/* Send SIG to every runsv among our descendants (0: just count them).
 * Only after runsvdir is gone. */
static int runsv_signal(struct pid1 *p, int sig)
{
        struct runsv_walk w = { .sig = sig };

        if (pid1_for_each_descendant(p, each_runsv, &w) < 0)
                return 0;
        return w.count;
}

static int count_supervised(char *const *svcs)
{
        int n = 0;

        for (size_t i = 0; svcs && svcs[i]; i++)
                n += supervised(svcs[i]);
        return n;
}

/* What the stop protocol knows about each service. */
struct svstate {
        bool sent;           /* it has had its 'd' */
        bool down;           /* seen down for good (it stays so: told down, no runsvdir) */
        bool killed;         /* it has had its 'k' */
        int64_t idle_since;  /* seen idle since (see is_down), 0 = not idle */
        int64_t deadline;    /* its 'k' (timeout-kill, else KILL_PROCESS_TIMEOUT),
                              * then, once killed, the end of its grace */
};

/* 'k' (KILL) to service I of SVCS, whose own deadline has passed: unless it
 * is asleep in runsv's throttle with nothing running (see wait_down). */
static void kill_late(char *const *svcs, struct svstate *st, size_t i, int64_t grace_ms)
{
        char q[512];

        if (st[i].idle_since) {
                st[i].down = true;
                return;
        }
        log_warn("service %s did not stop in time, killing it", log_q(q, sizeof(q), svcs[i]));
        (void)control(svcs[i], 'k');  /* gone meanwhile: then it is down */
        st[i].killed = true;
        st[i].deadline = deadline_in(grace_ms);  /* for runsv to see it and run finish */
}

/* Write 'd' (TERM, CONT, stay down) to every service of SVCS that a runsv
 * supervises and that has not had it yet: a second 'd' would send a second
 * TERM, which many programs take as "quit now". */
static void send_down(char *const *svcs, struct svstate *st)
{
        for (size_t i = 0; svcs && svcs[i]; i++) {
                char q[512];
                int r;

                if (st[i].sent)
                        continue;
                r = control(svcs[i], 'd');
                st[i].sent = r == 0;
                if (r < 0 && r != -ENXIO && r != -ENOENT)
                        log_warn_errno(r, "cannot stop service %s: %m",
                                       log_q(q, sizeof(q), svcs[i]));
        }
}

/* Wait until every service of SVCS is down, 'k'illing each one whose own
 * deadline passes (then giving it GRACE_MS more), or until LIMIT; returns
 * the number of services that had to be killed.  Looked at every
 * millisecond for RUNIT_FAST_MS, then at a pace doubling up to
 * RUNIT_POLL_MS (see RUNIT_POLL_MS); a signal (a child's exit, a second
 * TERM) wakes us too.  A service that crashed within a second of starting
 * has its runsv asleep for a second (restart throttle, TERM blocked) before
 * it reads the 'd': down, nothing running, finish done.  Seen idle like
 * that for RUNIT_IDLE_MS on end, it counts as down (the other idle state,
 * a runsv about to fork ./run, lasts microseconds). */
static int wait_down(struct pid1 *p, char *const *svcs, struct svstate *st, int64_t grace_ms,
                     int64_t limit)
{
        size_t n = strv_len(svcs);
        int64_t pause = 1, fast_until = deadline_in(RUNIT_FAST_MS);
        int killed = 0;

        for (;;) {
                int64_t next = limit;
                size_t left = 0;

                for (size_t i = 0; i < n; i++) {
                        bool idle;

                        if (st[i].down)
                                continue;
                        st[i].down = is_down(svcs[i], &idle);
                        if (!idle)
                                st[i].idle_since = 0;
                        else if (st[i].idle_since == 0)
                                st[i].idle_since = deadline_now();
                        else if (deadline_now() - st[i].idle_since >= RUNIT_IDLE_MS)
                                st[i].down = true;
                        if (!st[i].down && deadline_passed(st[i].deadline)) {
                                if (st[i].killed) {
                                        st[i].down = true;  /* given up: the final sweep */
                                } else {
                                        kill_late(svcs, st, i, grace_ms);
                                        killed += st[i].killed;
                                }
                        }
                        if (st[i].down)
                                continue;
                        left++;
                        next = deadline_min(next, st[i].deadline);
                }
                if (left == 0 || deadline_passed(limit))
                        return killed;
                (void)pid1_wait(p, deadline_min(next, deadline_in(pause)));
                if (pause < RUNIT_POLL_MS && deadline_passed(fast_until))
                        pause = pause * 2 < RUNIT_POLL_MS ? pause * 2 : RUNIT_POLL_MS;
        }
}

/* Stop runsvdir for good: SIGKILL (it keeps no state; its runsv children
 * become ours), so that it starts no runsv and restarts none we end. */
static void kill_runsvdir(struct pid1 *p, pid_t runsvdir, int64_t grace)
{
        if (runsvdir <= 0)
                return;
        /* The pid is safe to signal until we reap it. */
        if (!pid1_reaped(p, runsvdir, NULL) && kill(runsvdir, SIGKILL) < 0 && errno != ESRCH)
                log_warn("cannot stop runsvdir: %m");
        while (!pid1_reaped(p, runsvdir, NULL) && !deadline_passed(grace))
                (void)pid1_wait(p, grace);
        pid1_untrack(p, runsvdir);
}

/* Each service's own grace: its timeout-kill, else DEF_MS (one line for a
 * bad file, which then counts as absent).  Returns the latest deadline. */
static int64_t set_deadlines(char *const *svcs, struct svstate *st, unsigned def_ms)
{
        int64_t latest = deadline_in(def_ms);

        for (size_t i = 0; svcs && svcs[i]; i++) {
                char bad[64], q[512], qb[160];
                unsigned ms;

                if (svconf_timeout_kill(svcs[i], def_ms, &ms, bad, sizeof(bad)) == -EINVAL)
                        log_warn("service %s: timeout-kill %s is not a number of milliseconds "
                                 "(0 to %u), using %u.%03us",
                                 log_q(q, sizeof(q), svcs[i]), log_q(qb, sizeof(qb), bad),
                                 SVCONF_TIMEOUT_KILL_MAX, def_ms / 1000, def_ms % 1000);
                st[i].deadline = deadline_in(ms);
                latest = st[i].deadline > latest ? st[i].deadline : latest;
        }
        return latest;
}

int runit_stop(struct pid1 *p, pid_t runsvdir, const char *service_dir, unsigned kill_ms,
               unsigned grace_ms)
{
        char **svcs = runit_service_dirs(service_dir);
        size_t count = strv_len(svcs);
        struct svstate *st = calloc(count + 1, sizeof(*st));
        int64_t deadline = deadline_in(kill_ms), grace;
        int killed = 0;

        if (!st)
                log_error("out of memory, killing the services");  /* the final sweep ends them */
        /* Every supervised service gets its 'd' at once, before anything
         * else; runsvdir (which only starts runsv processes) goes next. */
        if (st) {
                send_down(svcs, st);
                deadline = set_deadlines(svcs, st, kill_ms);
        }
        kill_runsvdir(p, runsvdir, deadline_in(grace_ms));
        /* A runsv that runsvdir had just started may not supervise its
         * directory yet (and will start ./run as soon as it does): wait
         * until every live runsv reads its control FIFO, so each one gets
         * the 'd'.  One runsv per directory (supervise/lock).  With no
         * child left (runsvdir reaped) there is no runsv to look for. */
        while (st && pid1_has_children(p) && count_supervised(svcs) < runsv_signal(p, 0) &&
               !deadline_passed(deadline))
                (void)pid1_wait(p, deadline_min(deadline, deadline_in(RUNIT_START_POLL_MS)));
        if (st) {
                send_down(svcs, st);  /* those that were not supervised yet */
                killed = wait_down(p, svcs, st, grace_ms, deadline + grace_ms);
        }
        strv_free(svcs);
        free(st);
        grace = deadline_in(grace_ms);

        /* Every service is down and its finish has run: nothing is left for
         * runsv to do but its restart throttle, a blocking sleep(1) with
         * SIGTERM blocked (runsv.c) after a service that ran less than a
         * second.  SIGKILL ends that at once; a log service's svlogd sees
         * EOF on its pipe and exits by itself (or in the final sweep).
         * They are our children by now (runsvdir is gone): once we have
         * none left, there is no need to look through /proc again. */
        for (int n = pid1_has_children(p) ? runsv_signal(p, SIGKILL) : 0;
             n > 0 && !deadline_passed(grace);
             n = pid1_has_children(p) ? runsv_signal(p, 0) : 0)
                (void)pid1_wait(p, deadline_min(grace, deadline_in(RUNIT_POLL_MS)));
        return killed;
}

/* mkdir -p DIR (0755): the parents of a supervise link's target. */
static int make_parents(char *dir)
{
        for (char *s = strchr(dir + 1, '/');; s = strchr(s + 1, '/')) {
                if (s)
                        *s = '\0';
                if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                        int r = -errno;
                        if (s)
                                *s = '/';
                        return r;
                }
                if (!s)
                        return 0;
                *s = '/';
        }
}

/* Can runsv keep its state for the service in SVC?  WHERE gets the place
 * that decides it. */
static int state_ok(const char *svc, char *where, size_t wsz)
{
        char link[4096], target[4096];
        struct stat st;
        ssize_t n;
        char *slash;

        if (snprintf(where, wsz, "%s/supervise", svc) >= (int)wsz)
                return -ENAMETOOLONG;
        if (lstat(where, &st) < 0) {
                if (errno != ENOENT)
                        return -errno;
                /* runsv makes it in the service directory. */
                snprintf(where, wsz, "%s", svc);
                return access(svc, W_OK | X_OK) < 0 ? -errno : 0;
        }
        if (!S_ISLNK(st.st_mode))
                return access(where, W_OK | X_OK) < 0 ? -errno : 0;
        /* Debian's layout: supervise -> /run/runit/supervise/NAME, which
         * runsv makes (its parent must exist: runit-init makes it on a
         * real system, we make it here). */
        n = readlink(where, link, sizeof(link) - 1);
        if (n < 0)
                return -errno;
        link[n] = '\0';
        if (link[0] == '/')
                snprintf(target, sizeof(target), "%s", link);
        else if (snprintf(target, sizeof(target), "%s/%s", svc, link) >= (int)sizeof(target))
                return -ENAMETOOLONG;
        snprintf(where, wsz, "%s", target);
        /* In a world-writable /run (docs/hardening.md) someone else may
         * have put something there first: runsv would follow it. */
        if (lstat(target, &st) == 0) {
                if (!S_ISDIR(st.st_mode))
                        return S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
                if (st.st_uid != geteuid())
                        return -EPERM;
                return access(target, W_OK | X_OK) < 0 ? -errno : 0;
        }
        if (errno != ENOENT)
                return -errno;
        slash = strrchr(target, '/');
        if (!slash || slash == target)
                return -EINVAL;
        *slash = '\0';
        snprintf(where, wsz, "%s", target);
        n = make_parents(target);
        if (n < 0)
                return (int)n;
        return access(target, W_OK | X_OK) < 0 ? -errno : 0;
}

int runit_state_ok(const char *service_dir, const char **ret_where)
{
        static char where[4096];
        char **svcs = runit_service_dirs(service_dir);
        int r = 0;

        for (size_t i = 0; r == 0 && svcs && svcs[i]; i++) {
                char log[4096];
                struct stat st;

                r = state_ok(svcs[i], where, sizeof(where));
                if (r == 0 && snprintf(log, sizeof(log), "%s/log", svcs[i]) < (int)sizeof(log) &&
                    stat(log, &st) == 0 && S_ISDIR(st.st_mode))
                        r = state_ok(log, where, sizeof(where));
        }
        strv_free(svcs);
        *ret_where = where;
        return r;
}
