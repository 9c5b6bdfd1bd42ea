/* ready.c — wait for the services to be ready (see ready.h).
 * sv(8)'s rule for `sv -w start`: a service is up once runsv reports `run`
 * and its ./check exits 0, or, without ./check, once it has been `run` for
 * a second (a service that dies at once is not up).  Services are looked at
 * every READY_POLL_MS; a ready service is not looked at again. */
#include "ready.h"
#include "buf.h"
#include "deadline.h"
#include "log.h"
#include "pid1.h"
#include "runit.h"
#include "spawn.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READY_POLL_MS 50
/* sv(8): `run` for a second counts as up when there is no ./check. */
#define READY_RUN_MS 1000
#define READY_KILL_REAP_MS 250

static bool has_down(const char *svc)
{
        char down[4096];

        return snprintf(down, sizeof(down), "%s/down", svc) < (int)sizeof(down) &&
               access(down, F_OK) == 0;
}

/* The enabled service directories of DIR: those runsvdir supervises
 * (runit_service_dirs), without a `down` file (runsv(8): "do not start"). */
static char **enabled_services(const char *dir)
{
        char **svcs = runit_service_dirs(dir);
        size_t n = 0;

        for (size_t i = 0; svcs && svcs[i]; i++) {
                if (has_down(svcs[i]))
                        free(svcs[i]);
                else
                        svcs[n++] = svcs[i];
        }
        if (svcs)
                svcs[n] = NULL;
        return svcs;
}

/* Milliseconds since the status' TAI64N time stamp (runsv writes
 * 2^62 + 10 + Unix seconds; see runit_status). */
static int64_t ms_since(const struct runit_status *st)
{
        struct timespec now;
        int64_t then;

        (void)clock_gettime(CLOCK_REALTIME, &now);
        then = ((int64_t)st->since - 10) * 1000 + st->since_ns / 1000000;
        return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 - then;
}

/* Run SVC/check (it exists and is executable) and wait for it, bounded by
 * DEADLINE.  Returns 1 if it exited 0, 0 if not (or past the deadline: its
 * group is killed), 2 if a terminating signal arrived (its group is killed
 * KILL_MS later if it does not exit). */
static int run_check(struct pid1 *p, const char *svc, char *const *env, int64_t deadline,
                     unsigned kill_ms)
{
        char *argv[] = { "./check", NULL };
        struct spawn_opts o = { .argv = argv, .envp = env, .new_pgrp = true, .cwd = svc };
        int64_t end = deadline;
        bool killed = false, stopping = false;
        pid_t pid;
        int r, e, st = 0;

        if (pid1_terminate_signal(p))
                return 2;
        r = spawn(&o, &pid, &e);
        if (r < 0 || pid1_track(p, pid) < 0) {
                char q[512];

                log_warn_errno(r < 0 ? r : -ENOSPC, "cannot run %s/check: %m",
                               log_q(q, sizeof(q), svc));
                if (r >= 0)
                        (void)kill(pid, SIGKILL);  /* untracked: reaped as an orphan */
                return 0;
        }
        pid1_set_forward(p, -pid);
        while (!pid1_reaped(p, pid, &st)) {
                if (!stopping && pid1_terminate_signal(p)) {
                        stopping = true;
                        end = deadline_in(kill_ms);
                        /* pid1 forwarded it, unless it came before the group
                         * existed; a second one is harmless. */
                        (void)kill(-pid, pid1_terminate_signal(p));
                        (void)kill(-pid, SIGCONT);
                }
                if (deadline_passed(end)) {
                        if (killed)
                                break;
                        (void)kill(-pid, SIGKILL);
                        killed = true;
                        end = deadline_in(READY_KILL_REAP_MS);
                }
                (void)pid1_wait(p, end);
        }
        pid1_set_forward(p, 0);
        if (killed)
                (void)kill(-pid, SIGKILL);  /* its background children too */
        pid1_untrack(p, pid);
        if (stopping)
                return 2;
        return !killed && st == 0;
}

/* Is SVC ready now?  1 yes, 0 not yet, 2 stopped by a terminating signal. */
static int is_ready(struct pid1 *p, const char *svc, char *const *env, int64_t deadline,
                    unsigned kill_ms)
{
        struct runit_status st;
        char check[4096];

        if (runit_status(svc, &st) < 0 || !st.supervised || st.state != RUNIT_RUN || st.want_down)
                return 0;
        if (snprintf(check, sizeof(check), "%s/check", svc) >= (int)sizeof(check))
                return 0;
        if (access(check, X_OK) == 0)
                return run_check(p, svc, env, deadline, kill_ms);
        return ms_since(&st) >= READY_RUN_MS;
}

static void say_not_ready(char *const *svcs, const bool *ready, int64_t waited_ms)
{
        struct buf b;

        buf_init(&b, 64 * 1024);
        for (size_t i = 0; svcs && svcs[i]; i++) {
                char q[512];

                if (ready[i])
                        continue;
                if (b.len)
                        (void)buf_puts(&b, ", ");
                (void)buf_puts(&b, log_q(q, sizeof(q), svcs[i]));
        }
        log_error("services not ready after %u.%03us: %s", (unsigned)(waited_ms / 1000),
                  (unsigned)(waited_ms % 1000), b.data ? b.data : "?");
        buf_free(&b);
}

int ready_wait(struct pid1 *p, const char *service_dir, char *const *env, int64_t deadline,
               unsigned kill_ms)
{
        int64_t start = deadline_now();
        char **svcs = enabled_services(service_dir);
        size_t n = strv_len(svcs);
        bool *ready = calloc(n + 1, sizeof(*ready));
        int r = 0;

        if (!ready) {
                strv_free(svcs);
                log_error("out of memory, not waiting for the services");
                return 0;
        }
        for (;;) {
                size_t left = 0;

                for (size_t i = 0; i < n && r != 2; i++) {
                        int k;

                        if (ready[i])
                                continue;
                        k = is_ready(p, svcs[i], env, deadline, kill_ms);
                        if (k == 2)
                                r = 2;
                        ready[i] = k == 1;
                        left += !ready[i];
                }
                if (r == 2 || pid1_terminate_signal(p)) {
                        r = 2;
                        break;
                }
                if (left == 0) {
                        log_info("all %zu services ready", n);
                        break;
                }
                if (deadline_passed(deadline)) {
                        say_not_ready(svcs, ready, deadline_now() - start);
                        r = 1;
                        break;
                }
                (void)pid1_wait(p, deadline_min(deadline, deadline_in(READY_POLL_MS)));
        }
        free(ready);
        strv_free(svcs);
        return r;
}
