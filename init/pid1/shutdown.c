/* shutdown.c — ordered shutdown with deadlines (see shutdown.h).
 * The sequence is a table of small steps run in order (after s6-supervise's
 * actions table, flattened: shutdown only ever moves forward).  Each step
 * bounds every wait by a CLOCK_MONOTONIC deadline, so that however children
 * behave the whole sequence ends within 2 x KILL_PROCESS_TIMEOUT +
 * KILL_ALL_PROCESSES_TIMEOUT plus the scripts' own time (phusion's my_init
 * has no overall deadline and can hang; Docker would then SIGKILL us and
 * nobody's finish scripts would run). */
#include "shutdown.h"
#include "boot.h"
#include "cli_init.h"
#include "critical.h"
#include "deadline.h"
#include "log.h"
#include "pid1.h"
#include "runit.h"
#include "strv.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

/* After SIGKILL a process is gone in microseconds unless it sits in an
 * uninterruptible sleep; do not wait for that longer than this. */
#define KILL_REAP_GRACE_MS 250
/* runsvdir and runsv are SIGKILLed (runit.c), so they are gone at once;
 * finish scripts after a 'k' get this much on top. */
#define RUNIT_EXIT_GRACE_MS 500
#define POLL_MS 20

static const char *const pre_dirs[] = { "/etc/shutdown.d", "/etc/my_init.pre_shutdown.d" };
static const char *const post_dirs[] = { "/etc/my_init.post_shutdown.d" };

static void note_command(struct shutdown_ctx *c)
{
        if (c->command > 0 && !c->command_done &&
            pid1_reaped(c->pid1, c->command, &c->command_wstatus))
                c->command_done = true;
}

static void signal_group(pid_t leader, int sig)
{
        /* The group outlives its leader's exit; if it is empty, try the pid. */
        if (kill(-leader, sig) < 0 && errno == ESRCH)
                (void)kill(leader, sig);  /* ESRCH again: already gone */
}

static void step_command(struct shutdown_ctx *c)
{
        int64_t deadline = deadline_in(c->opts->kill_process_timeout_ms);

        note_command(c);
        if (c->command <= 0 || c->command_done)
                return;
        if (!c->command_signalled) {
                signal_group(c->command, SIGTERM);
                signal_group(c->command, SIGCONT);  /* a stopped group must see it */
        }
        while (!c->command_done && !deadline_passed(deadline)) {
                (void)pid1_wait(c->pid1, deadline);
                note_command(c);
        }
        if (c->command_done)
                return;
        log_warn("command did not exit within %u.%03us of SIGTERM, killing it",
                 c->opts->kill_process_timeout_ms / 1000, c->opts->kill_process_timeout_ms % 1000);
        signal_group(c->command, SIGKILL);
        deadline = deadline_in(KILL_REAP_GRACE_MS);
        while (!c->command_done && !deadline_passed(deadline)) {
                (void)pid1_wait(c->pid1, deadline);
                note_command(c);
        }
}

int shutdown_exit_status(const struct shutdown_ctx *c)
{
        if (c->boot_status > 0)
                return c->boot_status;
        if (c->critical_ended)
                return pid1_exit_status(c->critical_wstatus);
        if (!c->opts->command)
                return 0;
        if (c->command_done)
                return pid1_exit_status(c->command_wstatus);
        if (c->command > 0)
                return 128 + SIGKILL;  /* unkillable: it was sent SIGKILL */
        /* Shutdown requested before COMMAND could start. */
        return 128 + pid1_terminate_signal(c->pid1);
}

/* Every shutdown script hears the status we are about to exit with. */
static void run_dirs(struct shutdown_ctx *c, const char *const *dirs, size_t n, const char *what)
{
        char status[48];

        snprintf(status, sizeof(status), "CONTRAINER_EXIT_STATUS=%d", shutdown_exit_status(c));
        if (!c->env) {
                log_warn("no environment (out of memory), not running the %ss", what);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                char **paths = NULL;
                char q[512];
                int r = boot_list(dirs[i], &paths);

                if (r < 0)
                        log_warn_errno(r, "cannot list %s: %m", log_q(q, sizeof(q), dirs[i]));
                else
                        (void)boot_run_with(c->pid1, c->env, paths, what, status);
                strv_free(paths);
                note_command(c);
        }
}

static void step_pre_scripts(struct shutdown_ctx *c)
{
        /* COMMAND's turn is over: later signals are not forwarded to it. */
        pid1_set_forward(c->pid1, 0);
        run_dirs(c, pre_dirs, sizeof(pre_dirs) / sizeof(pre_dirs[0]), "shutdown script");
}

/* runsv's services and the critical ones stop in parallel, each within
 * its own grace (timeout-kill, else KILL_PROCESS_TIMEOUT). */
static void step_services(struct shutdown_ctx *c)
{
        critical_term(c->critical, c->opts->kill_process_timeout_ms);
        if (c->runsvdir > 0) {
                log_info("stopping services");
                (void)runit_stop(c->pid1, c->runsvdir, c->runsv_dir,
                                 c->opts->kill_process_timeout_ms, RUNIT_EXIT_GRACE_MS);
                c->runsvdir = 0;
        }
        critical_wait(c->critical, c->pid1, KILL_REAP_GRACE_MS);
        note_command(c);
}

static void step_post_scripts(struct shutdown_ctx *c)
{
        run_dirs(c, post_dirs, sizeof(post_dirs) / sizeof(post_dirs[0]), "post-shutdown script");
}

struct sweep {
        int sig;
        int count;
};

static int sweep_one(pid_t pid, const char *comm, void *ud)
{
        struct sweep *s = ud;

        (void)comm;
        s->count++;
        if (s->sig && kill(pid, s->sig) < 0 && errno != ESRCH)
                return -errno;
        return 0;
}

/* Send SIG to everyone left (0: just count); returns whether anyone is.
 * As PID 1 kill(-1) reaches exactly our namespace.  Otherwise kill(-1)
 * would reach every process of the machine (phusion's my_init does it),
 * so only our own descendants, found through /proc, are signalled. */
static bool signal_rest(struct shutdown_ctx *c, int sig)
{
        struct sweep s = { .sig = sig };

        if (pid1_is_pid1(c->pid1)) {
                if (sig && kill(-1, sig) < 0 && errno != ESRCH)
                        log_warn("cannot signal the remaining processes: %m");
                return pid1_has_children(c->pid1);
        }
        if (pid1_for_each_descendant(c->pid1, sweep_one, &s) < 0)
                log_warn("cannot walk /proc for our descendants: %m");
        return s.count > 0 || pid1_has_children(c->pid1);
}

/* Wait until nobody is left or DEADLINE; returns whether anyone is. */
static bool wait_rest(struct shutdown_ctx *c, int64_t deadline)
{
        for (;;) {
                bool left = signal_rest(c, 0);

                note_command(c);
                if (!left || deadline_passed(deadline))
                        return left;
                /* Only our children's exits wake us; descendants further down
                 * (not PID 1) are polled for. */
                (void)pid1_wait(c->pid1, deadline_min(deadline, deadline_in(POLL_MS)));
        }
}

static void step_kill_all(struct shutdown_ctx *c)
{
        int64_t deadline;

        if (c->opts->no_kill_all_on_exit || !signal_rest(c, 0))
                return;
        log_info("killing all processes");
        signal_rest(c, SIGTERM);
        signal_rest(c, SIGCONT);
        deadline = deadline_in(c->opts->kill_all_processes_timeout_ms);
        if (!wait_rest(c, deadline))
                return;
        log_warn("processes left after %u.%03us, sending SIGKILL",
                 c->opts->kill_all_processes_timeout_ms / 1000,
                 c->opts->kill_all_processes_timeout_ms % 1000);
        signal_rest(c, SIGKILL);
        (void)wait_rest(c, deadline_in(KILL_REAP_GRACE_MS));
}

static void (*const steps[])(struct shutdown_ctx *) = {
        step_command,
        step_pre_scripts,
        step_services,
        step_post_scripts,
        step_kill_all,
};

void shutdown_run(struct shutdown_ctx *c)
{
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
                steps[i](c);
        note_command(c);
}
