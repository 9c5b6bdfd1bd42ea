/* exec_main.c — the `contrainer exec` mode.  See exec_main.h and
 * `contrainer exec --help`.  Like `docker exec -i` without -t, the command
 * is a session leader without a controlling terminal (runc calls setsid)
 * whose stdin, stdout and stderr are pipes we relay to and from ours — the
 * caller's own descriptors (a terminal) never enter the container; signals
 * sent to us (INT, TERM, HUP, QUIT, USR1, USR2, WINCH) are passed on to it,
 * and we leave with its status. */
#include "exec_main.h"

#include "cli_exec.h"
#include "deadline.h"
#include "direct_ctx.h"
#include "direct_enter.h"
#include "dl.h"
#include "docker.h"
#include "log.h"
#include "rootfs.h"
#include "strv.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
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

/* Write all of P (N bytes) to FD; 0 or -errno. */
static int write_all(int fd, const char *p, size_t n)
{
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                p += k;
                n -= (size_t)k;
        }
        return 0;
}

/* The command's stdio: three pipes of ours, never the caller's own
 * descriptors (a terminal handed over would stay with whatever the command
 * leaves behind, docs/direct.md "Security").  IO[0] the write end to its
 * stdin, IO[1] and IO[2] the read ends of its stdout and stderr; *CHILD
 * the three other ends, which become its 0, 1 and 2.  0 or -errno. */
static int make_pipes(int io[3], int child[3])
{
        int p[3][2];

        for (int i = 0; i < 3; i++)
                if (pipe2(p[i], O_CLOEXEC) < 0) {
                        int r = -errno;
                        while (i-- > 0) {
                                close(p[i][0]);
                                close(p[i][1]);
                        }
                        return r;
                }
        io[0] = p[0][1];
        child[0] = p[0][0];
        for (int i = 1; i < 3; i++) {
                io[i] = p[i][0];
                child[i] = p[i][1];
        }
        (void)fcntl(io[0], F_SETFL, O_NONBLOCK);
        return 0;
}

/* Relay our stdin to the command and its stdout/stderr to ours, pass on
 * the signals of SFD (forwarded to PID) and wait for PID's end (SIGCHLD on
 * CHLD).  After its end the outputs get a short drain, then every pipe is
 * closed: a background process it left keeps nothing of ours (its reads
 * of stdin see EOF).  Returns PID's exit status as the shell shows it. */
#define DRAIN_MS 200
static int relay(pid_t pid, int io[3], int sfd, int chld)
{
        char buf[65536];
        size_t blen = 0, boff = 0;
        bool in_open = true, exited = false;
        int64_t drain_end = 0;
        int status = DIRECT_EXIT_SETUP;

        while (!exited || ((io[1] >= 0 || io[2] >= 0) && deadline_now() < drain_end)) {
                struct pollfd p[6] = {
                        { in_open && blen == 0 && !exited ? 0 : -1, POLLIN, 0 },
                        { blen > 0 ? io[0] : -1, POLLOUT, 0 },
                        { io[1], POLLIN, 0 }, { io[2], POLLIN, 0 },
                        { sfd, POLLIN, 0 }, { chld, POLLIN, 0 },
                };

                if (poll(p, 6, exited ? deadline_poll_timeout(drain_end) : -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (p[0].revents) {
                        ssize_t n = read(0, buf, sizeof(buf));
                        if (n > 0) {
                                blen = (size_t)n;
                                boff = 0;
                        } else if (n == 0 || errno != EINTR) {
                                in_open = false;  /* EOF (or no stdin): the command's too */
                        }
                }
                if (p[1].revents) {
                        ssize_t n = write(io[0], buf + boff, blen);
                        if (n > 0) {
                                boff += (size_t)n;
                                blen -= (size_t)n;
                        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                                blen = 0;  /* it closed its stdin */
                                in_open = false;
                        }
                }
                if (!in_open && blen == 0 && io[0] >= 0) {
                        close(io[0]);
                        io[0] = -1;
                }
                for (int i = 1; i < 3; i++) {
                        ssize_t n;

                        if (!p[1 + i].revents || io[i] < 0)
                                continue;
                        n = read(io[i], buf + (sizeof(buf) / 2), sizeof(buf) / 2);
                        if (n > 0)
                                (void)write_all(i, buf + (sizeof(buf) / 2), (size_t)n);
                        else if (n == 0 || errno != EINTR) {
                                close(io[i]);
                                io[i] = -1;
                        }
                }
                if (p[4].revents) {
                        struct signalfd_siginfo si;
                        while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
                                if (!exited)
                                        (void)kill(pid, (int)si.ssi_signo);
                }
                if (p[5].revents) {
                        struct signalfd_siginfo si;
                        int ws;

                        while (read(chld, &si, sizeof(si)) == (ssize_t)sizeof(si))
                                ;
                        if (!exited && waitpid(pid, &ws, WNOHANG) == pid) {
                                exited = true;
                                status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
                                drain_end = deadline_now() + DRAIN_MS;
                                in_open = false;
                                blen = 0;
                                if (io[0] >= 0) {
                                        close(io[0]);
                                        io[0] = -1;
                                }
                        }
                }
        }
        for (int i = 0; i < 3; i++)
                if (io[i] >= 0)
                        close(io[i]);
        return status;
}

static int run(struct docker *d, const struct exec_opts *o)
{
        static const int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
        struct direct_ctx c;
        sigset_t set, fset, cset, old;
        char why[768], **argv = NULL;
        int r, code = DIRECT_EXIT_SETUP, fd = -1, sfd, chld;
        int io[3] = { -1, -1, -1 }, child[3] = { -1, -1, -1 }, saved[3];
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
        sigemptyset(&fset);
        for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
                sigaddset(&fset, fwd[i]);
        sigemptyset(&cset);
        sigaddset(&cset, SIGCHLD);
        set = fset;
        sigaddset(&set, SIGCHLD);
        sigprocmask(SIG_BLOCK, &set, &old);
        (void)signal(SIGPIPE, SIG_IGN);  /* a reader that left: EPIPE, not our end */
        sfd = signalfd(-1, &fset, SFD_CLOEXEC | SFD_NONBLOCK);
        chld = signalfd(-1, &cset, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0 || chld < 0 || make_pipes(io, child) < 0) {
                log_error("cannot set up the command's stdio: %s", strerror(errno));
                r = -1;
                goto out;
        }
        /* The set-up hands our stdio to the command: the pipes, for the
         * moment of the fork only. */
        for (int i = 0; i < 3; i++) {
                saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
                (void)dup2(child[i], i);
        }
        /* A forwarded signal (^C) during the set-up ends it: a container
         * that stops it cannot keep us. */
        r = direct_enter_spawn(&c, argv ? argv : o->cmd, fd, &old, 0, sfd, &pid, &code, why,
                               sizeof(why));
        for (int i = 0; i < 3; i++) {
                if (saved[i] >= 0) {
                        (void)dup2(saved[i], i);
                        close(saved[i]);
                } else {
                        close(i);
                }
                close(child[i]);
        }
        if (r < 0) {
                struct signalfd_siginfo si;
                log_error("%s", why);
                if (r == -EINTR && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
                        code = 128 + (int)si.ssi_signo;
                for (int i = 0; i < 3; i++)
                        close(io[i]);
                goto out;
        }
        code = relay(pid, io, sfd, chld);
        r = 0;
out:
        direct_ctx_done(&c);
        strv_free(argv);
        if (fd >= 0)
                close(fd);
        if (sfd >= 0)
                close(sfd);
        if (chld >= 0)
                close(chld);
        return r < 0 && code == 0 ? DIRECT_EXIT_SETUP : code;
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
