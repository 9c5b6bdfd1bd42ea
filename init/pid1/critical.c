/* critical.c — critical services (see critical.h).
 * Why the init runs them and not runsv: runit 2.1 keeps no exit status in
 * supervise/status (only ./finish hears it), and runsv restarts a service
 * that ends; s6-overlay asks the user to write a finish script for the
 * same effect.  A critical service has nothing to restart: it runs once,
 * as our child, and its wait status is the container's (docs/hardening.md
 * "Critical services").  runsvdir must then not see it, so when there are
 * critical services it supervises a directory of links to the others. */
#include "critical.h"
#include "deadline.h"
#include "log.h"
#include "pid1.h"
#include "runit.h"
#include "spawn.h"
#include "strv.h"
#include "svconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CRITICAL_POLL_MS 20

struct critical_svc {
        char *dir;         /* the service directory */
        pid_t pid;         /* > 0 while it runs (tracked in pid1) */
        bool done;         /* reaped, or never started */
        bool reported;     /* critical_ended said so */
        int wstatus;
        bool killed;
        int64_t deadline;  /* at shutdown: KILL, then the end of its grace */
};

struct critical {
        struct critical_svc svc[CRITICAL_MAX];
        size_t n;
};

int critical_scan(const char *service_dir, struct critical **ret)
{
        char **dirs = runit_service_dirs(service_dir);
        struct critical *c = NULL;
        int r = 0;

        *ret = NULL;
        for (size_t i = 0; dirs && dirs[i]; i++) {
                if (!svconf_is_critical(dirs[i]))
                        continue;
                if (!c && !(c = calloc(1, sizeof(*c)))) {
                        r = -ENOMEM;
                        break;
                }
                if (c->n == CRITICAL_MAX) {
                        r = -E2BIG;
                        break;
                }
                if (!(c->svc[c->n].dir = strdup(dirs[i]))) {
                        r = -ENOMEM;
                        break;
                }
                c->n++;
        }
        strv_free(dirs);
        if (r < 0) {
                critical_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

struct critical *critical_free(struct critical *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n; i++)
                free(c->svc[i].dir);
        free(c);
        return NULL;
}

static bool is_critical(const struct critical *c, const char *dir)
{
        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->svc[i].dir, dir) == 0)
                        return true;
        return false;
}

/* DIR must be a directory of ours, made 0755 when missing; never a link. */
static int own_dir(const char *dir, mode_t mode)
{
        struct stat st;

        if (mkdir(dir, mode) < 0 && errno != EEXIST)
                return -errno;
        if (lstat(dir, &st) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode))
                return -ELOOP;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        return st.st_uid == geteuid() ? 0 : -EPERM;
}

int critical_runsv_dir(const struct critical *c, const char *service_dir,
                       const char *runtime_dir, char *out, size_t outsz)
{
        char **dirs = runit_service_dirs(service_dir);
        char real[PATH_MAX];
        struct dirent *de;
        DIR *d;
        int fd, r;

        if (!realpath(service_dir, real)) {
                r = -errno;
                goto out;
        }
        r = own_dir(runtime_dir, 0700);
        if (r >= 0 && snprintf(out, outsz, "%s/service", runtime_dir) >= (int)outsz)
                r = -ENAMETOOLONG;
        if (r >= 0)
                r = own_dir(out, 0755);
        if (r < 0)
                goto out;
        fd = open(out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || !(d = fdopendir(fd))) {
                r = -errno;
                if (fd >= 0)
                        (void)close(fd);
                goto out;
        }
        /* Links of an earlier start (a restarted container): made afresh. */
        while ((de = readdir(d)))
                if (de->d_type == DT_LNK)
                        (void)unlinkat(dirfd(d), de->d_name, 0);  /* ENOENT: fine */
        for (size_t i = 0; r >= 0 && dirs && dirs[i]; i++) {
                const char *name = strrchr(dirs[i], '/');
                char target[PATH_MAX + 256];

                if (is_critical(c, dirs[i]) || !name)
                        continue;
                if (snprintf(target, sizeof(target), "%s%s", real, name) >= (int)sizeof(target))
                        r = -ENAMETOOLONG;
                else if (symlinkat(target, dirfd(d), name + 1) < 0)
                        r = -errno;
        }
        (void)closedir(d);
out:
        strv_free(dirs);
        return r;
}

void critical_start(struct critical *c, struct pid1 *p, char *const *env)
{
        for (size_t i = 0; c && i < c->n; i++) {
                struct critical_svc *s = &c->svc[i];
                char *argv[] = { "./run", NULL };
                struct spawn_opts o = { .argv = argv, .envp = env, .new_pgrp = true,
                                        .cwd = s->dir };
                char q[512];
                int r, e = 0;

                log_q(q, sizeof(q), s->dir);
                log_info("starting critical service %s", q);
                r = spawn(&o, &s->pid, &e);
                if (r >= 0 && e == 0)
                        r = pid1_track(p, s->pid);  /* cannot fail: a handful of pids */
                if (r < 0 || e != 0) {
                        /* An exec failure has _exit()ed: the next pass reaps it. */
                        log_error_errno(r < 0 ? r : -e, "cannot run critical service %s "
                                        "(its ./run): %m", q);
                        s->done = true;
                        s->wstatus = (r < 0 ? 126 : spawn_exec_status(e)) << 8;
                        s->pid = 0;
                }
        }
}

static void note(struct critical_svc *s, struct pid1 *p)
{
        if (s->pid > 0 && !s->done && pid1_reaped(p, s->pid, &s->wstatus))
                s->done = true;
}

bool critical_ended(struct critical *c, struct pid1 *p, const char **ret_name, int *ret_wstatus)
{
        for (size_t i = 0; c && i < c->n; i++) {
                struct critical_svc *s = &c->svc[i];

                note(s, p);
                if (!s->done || s->reported)
                        continue;
                s->reported = true;
                *ret_name = s->dir;
                *ret_wstatus = s->wstatus;
                return true;
        }
        return false;
}

static void signal_svc(const struct critical_svc *s, int sig)
{
        if (kill(-s->pid, sig) < 0 && errno == ESRCH)
                (void)kill(s->pid, sig);  /* ESRCH again: gone */
}

void critical_term(struct critical *c, unsigned kill_ms)
{
        for (size_t i = 0; c && i < c->n; i++) {
                struct critical_svc *s = &c->svc[i];
                char bad[64], q[512], qb[160];
                unsigned ms;

                if (s->done || s->pid <= 0)
                        continue;
                if (svconf_timeout_kill(s->dir, kill_ms, &ms, bad, sizeof(bad)) == -EINVAL)
                        log_warn("service %s: timeout-kill %s is not a number of milliseconds "
                                 "(0 to %u), using %u.%03us",
                                 log_q(q, sizeof(q), s->dir), log_q(qb, sizeof(qb), bad),
                                 SVCONF_TIMEOUT_KILL_MAX, kill_ms / 1000, kill_ms % 1000);
                s->deadline = deadline_in(ms);
                signal_svc(s, SIGTERM);
                signal_svc(s, SIGCONT);
        }
}

void critical_wait(struct critical *c, struct pid1 *p, unsigned grace_ms)
{
        for (;;) {
                int64_t next = DEADLINE_NEVER;
                size_t left = 0;

                for (size_t i = 0; c && i < c->n; i++) {
                        struct critical_svc *s = &c->svc[i];
                        char q[512];

                        note(s, p);
                        if (s->done || s->pid <= 0)
                                continue;
                        if (deadline_passed(s->deadline)) {
                                if (s->killed) {
                                        pid1_untrack(p, s->pid);  /* unkillable: the sweep's */
                                        s->done = true;
                                        continue;
                                }
                                log_warn("critical service %s did not stop in time, killing it",
                                         log_q(q, sizeof(q), s->dir));
                                signal_svc(s, SIGKILL);
                                s->killed = true;
                                s->deadline = deadline_in(grace_ms);
                        }
                        left++;
                        next = deadline_min(next, s->deadline);
                }
                if (left == 0)
                        return;
                (void)pid1_wait(p, deadline_min(next, deadline_in(CRITICAL_POLL_MS)));
        }
}
