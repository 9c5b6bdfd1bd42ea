/* init_main.c — `contrainer init`: the start-up steps of docs/init.md in order,
 * then the main wait, then shutdown.c.
 * Before pid1_new() succeeds we may still bail out (usage errors exit 2,
 * set-up failures 1).  After it — the point of no return, as in catatonit —
 * every error is logged and the run goes on, and the only way out is
 * through the shutdown sequence, so that children are never left behind. */
#include "init_main.h"
#include "boot.h"
#include "cli_init.h"
#include "deadline.h"
#include "envexport.h"
#include "log.h"
#include "memtrim.h"
#include "pid1.h"
#include "ready.h"
#include "runit.h"
#include "shutdown.h"
#include "spawn.h"
#include "strv.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define ENV_DIR "/etc/container_environment"
#define ENV_SH "/etc/container_environment.sh"
#define ENV_JSON "/etc/container_environment.json"

static void env_skipped(const char *name, int err)
{
        char q[256];

        log_warn_errno(err, "not loading %s/%s: %m", ENV_DIR, log_q(q, sizeof(q), name));
}

/* Boot: --boot-dir, /etc/my_init.d, /etc/rc.local.  Returns 0, or the exit
 * status of a failed boot (after its one error line), or 128+N when
 * terminating signal N interrupted it (docs/init.md "Signals"). */
static int run_boot(struct pid1 *p, struct envexport *env, const struct init_opts *o, bool *ran)
{
        const char *dirs[] = { o->boot_dir, "/etc/my_init.d" };
        struct boot_failure f = { 0 };
        char q[512];
        int r = 0;

        for (size_t i = 0; i <= sizeof(dirs) / sizeof(dirs[0]) && r == 0; i++) {
                char **paths = NULL;

                if (i < sizeof(dirs) / sizeof(dirs[0])) {
                        int l = boot_list(dirs[i], &paths);
                        if (l < 0)
                                log_warn_errno(l, "cannot list %s: %m, skipping it",
                                               log_q(q, sizeof(q), dirs[i]));
                } else if (boot_is_runnable("/etc/rc.local")) {
                        if (strv_push(&paths, "/etc/rc.local") < 0)
                                log_error("out of memory, not running /etc/rc.local");
                }
                if (paths)
                        *ran = true;
                r = boot_run(p, env, paths, "boot script", true, o->kill_process_timeout_ms, &f);
                strv_free(paths);
        }
        if (r == 1) {
                if (f.signal)
                        log_error("boot script %s was killed by signal %d (SIG%s), stopping",
                                  log_q(q, sizeof(q), f.path), f.signal,
                                  sigabbrev_np(f.signal) ?: "?");
                else
                        log_error("boot script %s failed with exit status %d, stopping",
                                  log_q(q, sizeof(q), f.path), f.status);
                free(f.path);
                return f.status;
        }
        if (r == 2)
                return 128 + pid1_terminate_signal(p);
        if (r < 0)
                log_error_errno(r, "boot: %m");
        return 0;
}

/* REFRESH: something ran since the environment was last read (nothing
 * else can have changed the directory: we are the only process). */
static void start_runit(struct shutdown_ctx *c, const struct init_opts *o, bool *refresh)
{
        struct stat st;
        char q[512];
        int r;

        if (stat(o->service_dir, &st) < 0 || !S_ISDIR(st.st_mode))
                return;
        r = *refresh ? envexport_refresh(c->env) : 0;
        if (r < 0)
                log_warn_errno(r, "cannot re-read the container environment: %m");
        *refresh = false;
        log_info("starting runsvdir on %s", log_q(q, sizeof(q), o->service_dir));
        r = runit_start(c->pid1, o->service_dir, envexport_env(c->env), &c->runsvdir);
        if (r < 0)
                log_error_errno(r, "cannot start runsvdir: %m, services will not run");
        /* Services may change the environment before COMMAND starts. */
        if (r >= 0 && runit_has_services(o->service_dir))
                *refresh = true;
}

/* Start COMMAND; on an exec failure its child has already _exit()ed with
 * 127/126 and its status arrives like any other.  REFRESH: something that
 * may have changed the environment directory ran since it was last read
 * (a boot script, a service); otherwise the environment is current. */
static void start_command(struct shutdown_ctx *c, char **command, bool refresh)
{
        struct spawn_opts so = { .argv = command, .new_pgrp = true, .foreground = true };
        char q[512];
        pid_t pid;
        int r, e;

        r = refresh ? envexport_refresh(c->env) : 0;
        if (r < 0)
                log_warn_errno(r, "cannot re-read the container environment: %m");
        so.envp = envexport_env(c->env);
        log_q(q, sizeof(q), command[0]);
        log_info("running command %s", q);
        r = spawn(&so, &pid, &e);
        if (r < 0) {
                log_error_errno(r, "cannot start command %s: %m", q);
                c->command_done = true;
                c->command_wstatus = 126 << 8;  /* as an exit(126) */
                return;
        }
        if (e != 0)
                log_errno(LOG_LEVEL_ERROR, -e, "cannot run command %s: %m", q);
        r = pid1_track(c->pid1, pid);
        if (r < 0)
                log_error_errno(r, "cannot track the command: %m");  /* cannot happen: table is empty */
        c->command = pid;
        pid1_set_forward(c->pid1, -pid);
}

/* The main wait: until COMMAND exits or a terminating signal arrives.
 * Once nothing has happened for RELEASE_IDLE_MS, start-up memory is given
 * back (once): a command that ends at once (`docker run IMAGE true`) never
 * pays for that, and the timed-out turn has bound (lazily, through the
 * PLT) every library function the quiet loop calls, so that nothing
 * touches the dynamic symbol tables again afterwards. */
#define RELEASE_IDLE_MS 100

static __attribute__((noinline)) void main_wait(struct shutdown_ctx *c)
{
        bool released = false;

        for (;;) {
                if (c->command > 0 && pid1_reaped(c->pid1, c->command, &c->command_wstatus)) {
                        c->command_done = true;
                        return;
                }
                if (pid1_terminate_signal(c->pid1)) {
                        c->command_signalled = true;  /* pid1 forwarded it */
                        return;
                }
                if (released) {
                        (void)pid1_wait(c->pid1, DEADLINE_NEVER);
                } else if (pid1_wait(c->pid1, deadline_in(RELEASE_IDLE_MS)) == 0) {
                        memtrim_release_startup();
                        released = true;
                }
        }
}

/* Take the terminal back once COMMAND's group is gone, so shutdown scripts
 * can use it.  Our SIGTTOU is blocked, which lets tcsetpgrp proceed from a
 * background group (tcsetpgrp(3)). */
static void reclaim_terminal(void)
{
        if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) != getpgrp())
                (void)tcsetpgrp(STDIN_FILENO, getpgrp());  /* not our terminal: fine */
}

static int exit_status(const struct shutdown_ctx *c, const struct init_opts *o, int boot_status)
{
        if (boot_status > 0)
                return boot_status;
        if (!o->command)
                return 0;
        if (c->command_done)
                return pid1_exit_status(c->command_wstatus);
        if (c->command > 0)
                return 128 + SIGKILL;  /* unkillable: it was sent SIGKILL */
        /* Shutdown requested before COMMAND could start. */
        return 128 + pid1_terminate_signal(c->pid1);
}

int init_main(int argc, char **argv)
{
        struct init_opts o;
        struct shutdown_ctx c = { 0 };
        struct pid1 *p = NULL;
        char err[256];
        int r, boot_status = 0, status;
        bool ran = false;

        log_setup("contrainer init", LOG_LEVEL_INFO, false);
        r = cli_parse_init(argc, argv, environ, &o, err, sizeof(err));
        if (r < 0) {
                log_error("%s", err);
                return 2;
        }
        if (r == CLI_HELP) {
                fputs(cli_init_help, stdout);
                return 0;
        }
        if (r == CLI_VERSION) {
                puts("contrainer " CONTRAINER_VERSION);
                return 0;
        }
        if (o.command && !o.command[0])
                o.command = NULL;
        if (o.quiet)
                log_setup("contrainer init", LOG_LEVEL_ERROR, false);

        r = pid1_new(&p);
        if (r < 0) {
                log_error_errno(r, "cannot set up signal handling and reaping: %m");
                return 1;
        }
        /* ---- point of no return: leave only through shutdown_run ---- */
        if (!pid1_is_pid1(p))
                log_info("not PID 1 (pid %d): running as a child subreaper, reaping "
                         "orphans of our descendants", (int)getpid());
        c.pid1 = p;
        c.opts = &o;
        c.env = envexport_new(ENV_DIR, ENV_SH, ENV_JSON, env_skipped);
        if (!c.env) {
                log_error("out of memory");
                goto shutdown;
        }
        r = envexport_start(c.env, environ);
        if (r < 0)
                log_warn_errno(r, "cannot export the environment to %s: %m", ENV_DIR);

        if (!o.skip_startup_files) {
                boot_status = run_boot(p, c.env, &o, &ran);
                if (boot_status != 0)
                        goto shutdown;
        }
        if (pid1_terminate_signal(p))
                goto shutdown;
        if (!o.skip_runit)
                start_runit(&c, &o, &ran);
        if (pid1_terminate_signal(p))
                goto shutdown;
        if (o.wait_for_services_ms && c.runsvdir > 0) {
                r = ready_wait(p, o.service_dir, envexport_env(c.env),
                               deadline_in(o.wait_for_services_ms), o.kill_process_timeout_ms);
                if (r == 1)
                        boot_status = 1;
                if (r == 2)
                        boot_status = 128 + pid1_terminate_signal(p);
                if (r != 0)
                        goto shutdown;
        }
        if (o.command)
                start_command(&c, o.command, ran);
        main_wait(&c);
        if (c.command_done) {
                status = pid1_exit_status(c.command_wstatus);
                if (WIFSIGNALED(c.command_wstatus))
                        log_info("command exited on signal %d (SIG%s)", WTERMSIG(c.command_wstatus),
                                 sigabbrev_np(WTERMSIG(c.command_wstatus)) ?: "?");
                else
                        log_info("command exited with status %d", status);
        }
shutdown:
        if (c.command_done)
                reclaim_terminal();
        shutdown_run(&c);
        reclaim_terminal();
        status = exit_status(&c, &o, boot_status);
        log_info("exiting with status %d", status);
        envexport_free(c.env);
        pid1_free(p);
        return status;
}
