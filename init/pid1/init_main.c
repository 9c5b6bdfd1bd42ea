/* init_main.c — `contrainer init`: the start-up steps of docs/init.md in order,
 * then the main wait, then shutdown.c.
 * Before pid1_new() succeeds we may still bail out (usage errors exit 2,
 * set-up failures 1).  After it — the point of no return, as in catatonit —
 * every error is logged and the run goes on, and the only way out is
 * through the shutdown sequence, so that children are never left behind. */
#include "init_main.h"
#include "boot.h"
#include "cli_init.h"
#include "critical.h"
#include "deadline.h"
#include "envexport.h"
#include "envplace.h"
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

/* Socket activation (sd_listen_fds(3)): these belong to COMMAND alone,
 * which alone keeps the inherited descriptors (docs/hardening.md). */
static const char *const listen_vars[] = { "LISTEN_FDS", "LISTEN_FDNAMES", "LISTEN_PID" };

/* Start-up steps keep their buffers in frames of their own, below
 * main_wait's, where memtrim_release_startup gives them back: inlined into
 * init_main they made its frame 18 kB, pages PID 1 kept all its life. */
#define STARTUP __attribute__((noinline))

/* What start-up learnt that later steps need. */
struct start {
        const char *runtime_dir;
        char **listen;            /* LISTEN_FDS and LISTEN_FDNAMES as given */
        char listen_pid[32];      /* "LISTEN_PID=" + room for the child's pid */
        struct envplace place;    /* its used part right after the small fields */
        char runsv_dir[4200];     /* RUNTIME/service when there are critical services */
};

/* Its path buffers stay untouched until used: a zeroed 16 kB on the
 * stack would be pages PID 1 keeps all its life (PID 1 memory is
 * benchmarked against tini). */
static void init_start(struct start *s)
{
        s->runtime_dir = NULL;
        s->listen = NULL;
        s->listen_pid[0] = '\0';
        s->runsv_dir[0] = '\0';
        s->place.kind = ENVPLACE_NOWHERE;
        s->place.dir = s->place.sh = s->place.json = "";
}

static const char *env_dir_shown = ENV_DIR;

static void env_skipped(const char *name, int err)
{
        char q[256];

        log_warn_errno(err, "not loading %s/%s: %m", env_dir_shown, log_q(q, sizeof(q), name));
}

static bool is_listen_var(const char *entry)
{
        for (size_t i = 0; i < sizeof(listen_vars) / sizeof(listen_vars[0]); i++) {
                size_t n = strlen(listen_vars[i]);
                if (strncmp(entry, listen_vars[i], n) == 0 && entry[n] == '=')
                        return true;
        }
        return false;
}

/* The start-up environment for the export: ENVIRON without the socket
 * activation variables (kept in S->listen for COMMAND) and with
 * CONTRAINER_ENV_DIR saying where the export went (unset: nowhere). */
static STARTUP int start_env(char *const *environ_, struct start *s, char ***ret)
{
        char **env = NULL;
        int r = 0;

        for (size_t i = 0; r >= 0 && environ_ && environ_[i]; i++) {
                if (strncmp(environ_[i], "CONTRAINER_ENV_DIR=", 19) == 0)
                        continue;
                if (is_listen_var(environ_[i])) {
                        if (strncmp(environ_[i], "LISTEN_PID=", 11) != 0)
                                r = strv_push(&s->listen, environ_[i]);
                        continue;
                }
                r = strv_push(&env, environ_[i]);
        }
        if (r >= 0 && s->place.kind != ENVPLACE_NOWHERE)
                r = strv_env_set(&env, "CONTRAINER_ENV_DIR", s->place.dir);
        if (r < 0) {
                strv_free(env);
                return r;
        }
        *ret = env;
        return 0;
}

/* Choose where the environment goes and say it in one line.  Returns 0, or
 * 1 after an error line when the runtime directory is refused, 2 when
 * CONTRAINER_RUNTIME_DIR is not an absolute path (a usage error, as a bad
 * KILL_PROCESS_TIMEOUT). */
static STARTUP int place_env(struct start *s, char *const *environ_)
{
        const char *rt = NULL;
        char q[512], qr[512];
        int r;

        for (size_t i = 0; environ_ && environ_[i]; i++)
                if (strncmp(environ_[i], "CONTRAINER_RUNTIME_DIR=", 23) == 0)
                        rt = environ_[i] + 23;
        if (envplace_runtime_dir(rt, &s->runtime_dir) < 0) {
                log_error("CONTRAINER_RUNTIME_DIR must be an absolute path, not %s",
                          log_q(q, sizeof(q), rt));
                return 2;
        }
        log_q(qr, sizeof(qr), s->runtime_dir);
        r = envplace_choose(ENV_DIR, s->runtime_dir, &s->place);
        if (r < 0) {
                log_error("runtime directory %s refused (%s): it is never followed or "
                          "written, stopping", qr,
                          r == -ELOOP ? "a symbolic link" : r == -EPERM ?
                          "owned by another user" : strerror(-r));
                return 1;
        }
        if (s->place.kind == ENVPLACE_ETC) {
                log_info("exporting the environment to %s", ENV_DIR);
        } else if (s->place.kind == ENVPLACE_RUNTIME) {
                env_dir_shown = s->place.dir;
                log_errno(LOG_LEVEL_INFO, s->place.etc_err, "exporting the environment to %s "
                          "(%s is not writable: %m)", log_q(q, sizeof(q), s->place.dir), ENV_DIR);
        } else {
                log_errno(LOG_LEVEL_INFO, s->place.etc_err, "not exporting the environment to "
                          "files: neither %s (%m) nor %s (%s) is writable; children get it "
                          "directly", ENV_DIR, qr, strerror(-s->place.runtime_err));
        }
        return 0;
}

/* Boot: --boot-dir, /etc/my_init.d, /etc/rc.local.  Returns 0, or the exit
 * status of a failed boot (after its one error line), or 128+N when
 * terminating signal N interrupted it (docs/init.md "Signals"). */
static STARTUP int run_boot(struct pid1 *p, struct envexport *env, const struct init_opts *o, bool *ran)
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

/* Where runsvdir looks: the service directory itself, or with critical
 * services (run by critical.c) a runtime directory of links to the others. */
static const char *runsv_dir(struct shutdown_ctx *c, struct start *s, const struct init_opts *o)
{
        char q[512];
        int r;

        if (!c->critical)
                return o->service_dir;
        r = critical_runsv_dir(c->critical, o->service_dir, s->runtime_dir, s->runsv_dir,
                               sizeof(s->runsv_dir));
        if (r < 0) {
                log_error_errno(r, "cannot make %s/service for the services that are not "
                                "critical: %m, they will not run",
                                log_q(q, sizeof(q), s->runtime_dir));
                return NULL;
        }
        return s->runsv_dir;
}

/* REFRESH: something ran since the environment was last read (nothing
 * else can have changed the directory: we are the only process).
 * runsvdir runs only where runit can keep its state (a writable
 * supervise directory: /run as another user or on a read-only root);
 * elsewhere one line says so and COMMAND still runs. */
static STARTUP void start_runit(struct shutdown_ctx *c, struct start *s, const struct init_opts *o,
                        bool *refresh)
{
        const char *where = NULL;
        struct stat st;
        char q[512];
        int r;

        if (stat(o->service_dir, &st) < 0 || !S_ISDIR(st.st_mode))
                return;
        r = critical_scan(o->service_dir, &c->critical);
        if (r < 0)
                log_error_errno(r, "cannot look for critical services in %s: %m (at most %d)",
                                log_q(q, sizeof(q), o->service_dir), CRITICAL_MAX);
        r = *refresh ? envexport_refresh(c->env) : 0;
        if (r < 0)
                log_warn_errno(r, "cannot re-read the container environment: %m");
        *refresh = false;
        critical_start(c->critical, c->pid1, envexport_env(c->env));
        if (c->critical)
                *refresh = true;
        c->runsv_dir = runsv_dir(c, s, o);
        if (!c->runsv_dir || !runit_has_services(c->runsv_dir))
                return;
        r = runit_state_ok(c->runsv_dir, &where);
        if (r < 0) {
                char qw[512];
                log_errno(LOG_LEVEL_WARN, r, "services will not run: runit cannot keep its state "
                          "in %s as uid %u: %m (a writable /run, e.g. --tmpfs /run, lets them)",
                          log_q(qw, sizeof(qw), where), (unsigned)geteuid());
                return;
        }
        log_info("starting runsvdir on %s", log_q(q, sizeof(q), c->runsv_dir));
        r = runit_start(c->pid1, c->runsv_dir, envexport_env(c->env), &c->runsvdir);
        if (r < 0)
                log_error_errno(r, "cannot start runsvdir: %m, services will not run");
        /* Services may change the environment before COMMAND starts. */
        if (r >= 0)
                *refresh = true;
}

/* COMMAND's environment: ENV plus the socket activation variables, with
 * LISTEN_PID filled in by the child (spawn.c).  NULL: ENV as it is. */
static char **command_env(struct start *s, char *const *env)
{
        char **v = NULL;
        int r = 0;

        if (!strv_env_get(s->listen, "LISTEN_FDS"))
                return NULL;
        for (size_t i = 0; r >= 0 && env && env[i]; i++)
                r = strv_push(&v, env[i]);
        for (size_t i = 0; r >= 0 && s->listen[i]; i++)
                r = strv_push(&v, s->listen[i]);
        /* 11 placeholder digits: room for any pid the child writes there. */
        snprintf(s->listen_pid, sizeof(s->listen_pid), "LISTEN_PID=00000000000");
        if (r >= 0)
                r = strv_push(&v, s->listen_pid);
        if (r < 0) {
                log_warn("out of memory: COMMAND does not get LISTEN_FDS");
                return strv_free(v);
        }
        return v;
}

/* Start COMMAND; on an exec failure its child has already _exit()ed with
 * 127/126 and its status arrives like any other.  REFRESH: something that
 * may have changed the environment directory ran since it was last read
 * (a boot script, a service); otherwise the environment is current.
 * COMMAND alone keeps the descriptors we inherited (docs/hardening.md). */
static STARTUP void start_command(struct shutdown_ctx *c, struct start *s, char **command, bool refresh)
{
        struct spawn_opts so = { .argv = command, .new_pgrp = true, .foreground = true,
                                 .keep_fds = true };
        char **with = NULL;
        char q[512];
        pid_t pid;
        int r, e;

        r = refresh ? envexport_refresh(c->env) : 0;
        if (r < 0)
                log_warn_errno(r, "cannot re-read the container environment: %m");
        so.envp = envexport_env(c->env);
        if ((with = command_env(s, so.envp))) {
                so.envp = with;
                so.listen_pid = with[strv_len(with) - 1];  /* the copy of s->listen_pid */
        }
        log_q(q, sizeof(q), command[0]);
        log_info("running command %s", q);
        r = spawn(&so, &pid, &e);
        strv_free(with);  /* exec'd or exited: no longer used */
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
        const char *name;

        for (;;) {
                if (c->command > 0 && pid1_reaped(c->pid1, c->command, &c->command_wstatus)) {
                        c->command_done = true;
                        return;
                }
                if (critical_ended(c->critical, c->pid1, &name, &c->critical_wstatus)) {
                        char q[512];
                        log_error("critical service %s ended with status %d, shutting down",
                                  log_q(q, sizeof(q), name),
                                  pid1_exit_status(c->critical_wstatus));
                        c->critical_ended = true;
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

int init_main(int argc, char **argv)
{
        struct init_opts o;
        struct shutdown_ctx c = { 0 };
        struct pid1 *p = NULL;
        struct start s;  /* not zeroed whole: see init_start() */
        char **env0 = NULL;
        char err[256];
        int r, status;
        bool ran = false;

        init_start(&s);
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
        c.boot_status = place_env(&s, environ);
        r = start_env(environ, &s, &env0);
        c.env = r < 0 ? NULL : s.place.kind == ENVPLACE_NOWHERE || c.boot_status ?
                envexport_new(NULL, NULL, NULL, env_skipped) :
                envexport_new(s.place.dir, s.place.sh, s.place.json, env_skipped);
        if (!c.env) {
                log_error("out of memory");
                c.boot_status = 1;
                goto shutdown;
        }
        r = envexport_start(c.env, env0);
        env0 = strv_free(env0);
        if (r < 0)
                log_warn_errno(r, "cannot export the environment to %s: %m", env_dir_shown);
        if (c.boot_status)
                goto shutdown;

        if (!o.skip_startup_files) {
                c.boot_status = run_boot(p, c.env, &o, &ran);
                if (c.boot_status != 0)
                        goto shutdown;
        }
        if (pid1_terminate_signal(p))
                goto shutdown;
        if (!o.skip_runit)
                start_runit(&c, &s, &o, &ran);
        if (pid1_terminate_signal(p))
                goto shutdown;
        if (o.wait_for_services_ms && c.runsvdir > 0) {
                r = ready_wait(p, c.runsv_dir, envexport_env(c.env),
                               deadline_in(o.wait_for_services_ms), o.kill_process_timeout_ms);
                if (r == 1)
                        c.boot_status = 1;
                if (r == 2)
                        c.boot_status = 128 + pid1_terminate_signal(p);
                if (r != 0)
                        goto shutdown;
        }
        if (o.command)
                start_command(&c, &s, o.command, ran);
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
        status = shutdown_exit_status(&c);
        log_info("exiting with status %d", status);
        envexport_free(c.env);
        critical_free(c.critical);
        strv_free(s.listen);
        pid1_free(p);
        return status;
}
