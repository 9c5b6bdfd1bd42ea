/* exec_main.c — the `contrainer exec` mode.  See exec_main.h and
 * `contrainer exec --help`.  Like `docker exec` without -t, the command is
 * a session leader without a controlling terminal (runc calls setsid);
 * signals sent to us (INT, TERM, HUP, QUIT, USR1, USR2, WINCH) are passed
 * on to it, and we leave with its status. */
#include "exec_main.h"

#include "cli_exec.h"
#include "direct_ctx.h"
#include "direct_enter.h"
#include "dl.h"
#include "docker.h"
#include "log.h"
#include "rootfs.h"
#include "strv.h"

#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define LIST_MAX 4096

static int list_scripts(struct docker *d, const struct exec_opts *o)
{
        struct direct_spec s = { 0 };
        char why[512], **names = NULL;
        int root, r;

        r = direct_ctx_inspect(d, o->container, &s, why, sizeof(why));
        if (r < 0) {
                log_error("%s", why);
                return DIRECT_EXIT_SETUP;
        }
        if (!s.running || s.pid <= 0) {
                log_error("container '%s' is not running", o->container);
                direct_spec_done(&s);
                return DIRECT_EXIT_SETUP;
        }
        root = rootfs_open("/proc", s.pid);
        direct_spec_done(&s);
        if (root < 0) {
                log_error_errno(root, "cannot open the container's root: %m");
                return DIRECT_EXIT_SETUP;
        }
        r = rootfs_list_scripts(root, o->list_dir, LIST_MAX, &names);
        close(root);
        if (r == -ENOENT)
                return 0;  /* no script dir: nothing to list, as the archive path */
        if (r < 0) {
                log_error_errno(r, "cannot list '%s' in the container: %m", o->list_dir);
                return DIRECT_EXIT_SETUP;
        }
        for (size_t i = 0; names[i]; i++)
                puts(names[i]);
        strv_free(names);
        return fflush(stdout) == 0 ? 0 : 1;
}

/* --script PATH: an fd of PATH resolved inside the container's root (never
 * a symlink) and the argv [PATH, ARG...].  0, or the exit status to leave
 * with (the reason said). */
static int script_argv(const struct direct_ctx *c, const struct exec_opts *o, char ***ret_argv,
                       int *ret_fd)
{
        char **argv = NULL;
        int root, fd;

        root = rootfs_open("/proc", c->spec.pid);
        if (root < 0) {
                log_error_errno(root, "cannot open the container's root: %m");
                return DIRECT_EXIT_SETUP;
        }
        fd = rootfs_open_script(root, o->script);
        close(root);
        if (fd < 0) {
                log_error_errno(fd, "cannot run '%s' in the container: %s", o->script,
                                fd == -ELOOP ? "it is a symbolic link" : strerror(-fd));
                return fd == -ENOENT ? DIRECT_EXIT_NOTFOUND : DIRECT_EXIT_NOEXEC;
        }
        if (strv_push(&argv, o->script) < 0)
                goto nomem;
        for (size_t i = 0; o->args && o->args[i]; i++)
                if (strv_push(&argv, o->args[i]) < 0)
                        goto nomem;
        *ret_argv = argv;
        *ret_fd = fd;
        return 0;
nomem:
        strv_free(argv);
        close(fd);
        log_error("out of memory");
        return DIRECT_EXIT_SETUP;
}

static int run(struct docker *d, const struct exec_opts *o)
{
        static const int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
        struct direct_ctx c;
        sigset_t set, old;
        char why[768], **argv = NULL;
        int r, code = DIRECT_EXIT_SETUP, fd = -1;
        pid_t pid;

        r = direct_ctx_load(d, o->container, &c, why, sizeof(why));
        if (r < 0) {
                if (r == -EOPNOTSUPP)
                        log_error("cannot reproduce docker exec's context for '%s': %s",
                                  o->container, why);
                else
                        log_error("%s", why);
                return DIRECT_EXIT_SETUP;
        }
        if (o->script) {
                r = script_argv(&c, o, &argv, &fd);
                if (r != 0) {
                        direct_ctx_done(&c);
                        return r;
                }
        }
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
                sigaddset(&set, fwd[i]);
        sigprocmask(SIG_BLOCK, &set, &old);
        r = direct_enter_spawn(&c, argv ? argv : o->cmd, fd, &old, 0, -1, &pid, &code, why,
                               sizeof(why));
        direct_ctx_done(&c);
        strv_free(argv);
        if (fd >= 0)
                close(fd);
        if (r < 0) {
                log_error("%s", why);
                return code;
        }
        for (;;) {
                siginfo_t si;
                int ws;

                if (sigwaitinfo(&set, &si) < 0)
                        continue;  /* EINTR only */
                if (si.si_signo != SIGCHLD) {
                        /* Nothing to do if it already ended: SIGCHLD follows. */
                        (void)kill(pid, si.si_signo);
                        continue;
                }
                r = waitpid(pid, &ws, WNOHANG);
                if (r == pid)
                        return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
        }
}

int exec_main(int argc, char **argv)
{
        struct exec_opts o;
        struct docker *d;
        char err[512];
        int r;

        log_setup("contrainer exec", LOG_LEVEL_INFO, false);
        r = cli_exec_parse(argc, argv, environ, &o, err, sizeof(err));
        if (r == CLI_EXEC_HELP) {
                fputs(cli_exec_help, stdout);
                return 0;
        }
        if (r == CLI_EXEC_VERSION) {
                puts("contrainer " CONTRAINER_VERSION);
                return 0;
        }
        if (r < 0) {
                log_error("%s (see 'contrainer exec --help')", err);
                return 2;
        }
        r = dl_load_exec(err, sizeof(err));
        if (r < 0) {
                log_error("%s", err);
                return DIRECT_EXIT_SETUP;
        }
        if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK || !(d = docker_new(o.docker_socket))) {
                log_error("cannot set up libcurl");
                return DIRECT_EXIT_SETUP;
        }
        r = docker_negotiate(d);
        if (r < 0) {
                log_error_errno(r, "cannot talk to the Engine on '%s': %m", o.docker_socket);
                docker_free(d);
                return DIRECT_EXIT_SETUP;
        }
        r = o.list_dir ? list_scripts(d, &o) : run(d, &o);
        docker_free(d);
        return r;
}
