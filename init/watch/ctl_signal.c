/* ctl_signal.c — the controller's signals and its stop path (SPEC §2.5):
 * the signalfd, reaping, SIGHUP's re-collection, and SIGTERM/SIGINT — stop
 * taking events, give running bodies --stop-timeout, then have their
 * workers kill them with their process groups (worker.h), leaving their
 * events behind the cursor.  See controller_int.h. */
#include "controller_int.h"

#include "cli.h"
#include "dispatch.h"
#include "docker.h"
#include "log.h"
#include "worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

int ctl_signals_setup(struct ctl *c)
{
        sigset_t s;

        sigemptyset(&s);
        sigaddset(&s, SIGTERM);
        sigaddset(&s, SIGINT);
        sigaddset(&s, SIGHUP);
        sigaddset(&s, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &s, NULL) < 0)
                return -errno;
        /* A dead exec connection must be an error return, not our death. */
        if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
                return -errno;
        c->sfd = signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
        return c->sfd < 0 ? -errno : 0;
}

static void reap(struct ctl *c)
{
        int st;
        pid_t pid;

        while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
                worker_forget(pid);
                if (!dispatch_reaped(c->ds, pid, st))
                        (void)ctl_colls_reaped(c, pid, st);
        }
}

static void recollect_all(struct ctl *c)
{
        struct docker_container *list = calloc(c->n_snap ? c->n_snap : 1, sizeof(*list));

        if (!list)
                return;
        for (size_t i = 0; i < c->n_snap; i++) {
                snprintf(list[i].id, sizeof(list[i].id), "%s", c->snap[i].id);
                snprintf(list[i].name, sizeof(list[i].name), "%s", c->snap[i].name);
        }
        if (ctl_queue_collect(c, list, c->n_snap))
                log_info("SIGHUP: collecting the scripts of %zu running container(s) again", c->n_snap);
        free(list);
}

static void begin_stop(struct ctl *c, int sig)
{
        if (c->stopping)
                return;
        c->stopping = true;
        c->stop_deadline_ms = ctl_mono_ms() + (long long)c->o->stop_timeout_s * 1000;
        ctl_stream_close(c);
        dispatch_drop_queued(c->ds);
        /* Collections in flight are abandoned; their events stay behind the
         * cursor and come back on the next start. */
        ctl_queue_drop(c);
        if (sig)
                log_info("%s: stopping, waiting up to %us for %zu running bod%s", strsignal(sig),
                         c->o->stop_timeout_s, dispatch_running(c->ds),
                         dispatch_running(c->ds) == 1 ? "y" : "ies");
}

void ctl_signals_read(struct ctl *c)
{
        struct signalfd_siginfo si;

        while (read(c->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                switch (si.ssi_signo) {
                case SIGTERM:
                case SIGINT:
                        begin_stop(c, (int)si.ssi_signo);
                        break;
                case SIGHUP:
                        if (!c->stopping)
                                recollect_all(c);
                        break;
                case SIGCHLD:
                        break;
                default:
                        break;
                }
        }
        reap(c);
}

bool ctl_stop_done(struct ctl *c)
{
        long long now = ctl_mono_ms();

        if (dispatch_running(c->ds) == 0)
                return true;
        if (now < c->stop_deadline_ms)
                return false;
        if (c->killed_bodies)
                return true;  /* worker_end_all finishes them */
        log_warn("%zu bod%s still running after --stop-timeout %us, killing them with their process groups",
                 dispatch_running(c->ds), dispatch_running(c->ds) == 1 ? "y" : "ies",
                 c->o->stop_timeout_s);
        dispatch_kill_running(c->ds);
        c->killed_bodies = true;
        /* the workers' own grace, then a margin */
        c->stop_deadline_ms = now + (WORKER_STOP_GRACE_S + 1) * 1000;
        return false;
}
