/* body_worker.c — run one body in a worker child.  See body_worker.h.
 * The body is always one argv element of `sh -c` and names and values
 * travel only in the environment (SPEC §2.3, ENGINE-NOTES "Shell
 * injection"). */
#include "body_worker.h"

#include "deadline.h"
#include "direct_ctx.h"
#include "direct_enter.h"
#include "exec_api.h"
#include "docker.h"
#include "frames.h"
#include "nsenter.h"
#include "procguard.h"
#include "strv.h"
#include "worker.h"
#include "wproto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Close every descriptor from LOWEST up without close_range (Linux < 5.9):
 * the numbers /proc/self/fd lists (read with raw getdents64: no malloc), or
 * every number below RLIMIT_NOFILE when /proc is not there.
 * Async-signal-safe. */
int body_close_fds_fallback(int lowest)
{
        char buf[4096];
        struct rlimit rl;
        long n;
        int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (dfd >= 0) {
                while ((n = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
                        for (long off = 0; off < n;) {
                                struct linux_dirent64 {
                                        unsigned long long d_ino;
                                        long long d_off;
                                        unsigned short d_reclen;
                                        unsigned char d_type;
                                        char d_name[];
                                } *e = (void *)(buf + off);
                                int fd = 0;
                                const char *c = e->d_name;

                                off += e->d_reclen;
                                if (*c < '0' || *c > '9')
                                        continue;
                                while (*c >= '0' && *c <= '9' && fd < 1 << 24)
                                        fd = fd * 10 + (*c++ - '0');
                                if (fd >= lowest && fd != dfd)
                                        (void)close(fd);
                        }
                }
                (void)close(dfd);
                if (n == 0)
                        return 0;
        }
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1 << 20)
                rl.rlim_cur = 1 << 20;
        for (int fd = lowest; fd < (int)rl.rlim_cur; fd++)
                (void)close(fd);
        return 0;
}

static int watch_child(pid_t pid, int po[2], int pe[2], int64_t deadline, size_t max_output,
                       struct body_local_result *ret);

/* Close whichever ends of the two output pipes are open (-1: not made). */
static void close_pipes(const int po[2], const int pe[2])
{
        for (int i = 0; i < 2; i++) {
                if (po[i] >= 0)
                        (void)close(po[i]);
                if (pe[i] >= 0)
                        (void)close(pe[i]);
        }
}

int body_local(char *const *argv, char *const *envp, unsigned timeout_s, size_t max_output,
                 struct body_local_result *ret)
{
        int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, r;
        sigset_t stopsigs, saved;
        pid_t pid;

        if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
                r = -errno;
                goto fail;
        }
        /* The worker's stop handler (worker.c) must not run in the child
         * before it resets it: held back across the fork. */
        sigemptyset(&stopsigs);
        sigaddset(&stopsigs, SIGTERM);
        sigaddset(&stopsigs, SIGALRM);
        (void)sigprocmask(SIG_BLOCK, &stopsigs, &saved);
        pid = fork();
        if (pid != 0)
                (void)sigprocmask(SIG_SETMASK, &saved, NULL);
        if (pid < 0) {
                r = -errno;
                goto fail;
        }
        if (pid == 0) {
                sigset_t all;
                int nul = open("/dev/null", O_RDONLY);

                /* async-signal-safe calls only from here to execve */
                (void)setpgid(0, 0);
                (void)signal(SIGPIPE, SIG_DFL);
                (void)signal(SIGTERM, SIG_DFL);
                (void)signal(SIGALRM, SIG_DFL);
                sigemptyset(&all);
                (void)sigprocmask(SIG_SETMASK, &all, NULL);
                if (nul < 0 || dup2(nul, 0) < 0 || dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0)
                        _exit(126);
                if (close_range(3, ~0U, 0) < 0)
                        (void)body_close_fds_fallback(3);
                execve(argv[0], argv, envp);
                _exit(errno == ENOENT ? 127 : 126);
        }
        /* Also from this side: kill(-pid) must not race the child's own
         * setpgid (EACCES after its exec is harmless). */
        (void)setpgid(pid, pid);
        return watch_child(pid, po, pe, deadline_in((int64_t)timeout_s * 1000), max_output, ret);
fail:
        close_pipes(po, pe);
        return r;
}

/* PID is our child, leader of its own process group, writing to the pipes
 * PO and PE (both ends given; all four are closed here).  Capture both up
 * to MAX_OUTPUT, kill the group at DEADLINE, on overflow or on a stop
 * request, reap it.  0 with *RET, or -errno (the child killed). */
static int watch_child(pid_t pid, int po[2], int pe[2], int64_t deadline, size_t max_output,
                       struct body_local_result *ret)
{
        struct body_local_result res = { .wstatus = 0 };
        struct procguard g = PROCGUARD_INIT;
        int64_t drain_end = 0;
        bool exited = false, killed = false;
        int r;

        buf_init(&res.out, max_output);
        buf_init(&res.err, max_output);
        if (procguard_open_child(pid, &g) == 0)
                worker_guard(g.pidfd, pid);
        (void)close(po[1]);
        (void)close(pe[1]);
        po[1] = pe[1] = -1;
        (void)fcntl(po[0], F_SETFL, O_NONBLOCK);
        (void)fcntl(pe[0], F_SETFL, O_NONBLOCK);

        /* Read until both pipes close and the child is gone; a background
         * process that keeps a pipe open cannot hold us past the child's
         * exit by more than a short drain. */
        while (po[0] >= 0 || pe[0] >= 0 || !exited) {
                struct pollfd p[4] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 },
                                       { exited ? -1 : g.pidfd, POLLIN, 0 },
                                       { worker_stop_fd(), POLLIN, 0 } };
                int64_t now = deadline_now(), wake;
                int st;

                if (!exited && waitpid(pid, &st, WNOHANG) == pid) {
                        exited = true;
                        res.wstatus = st;
                        drain_end = now + 200;
                        worker_guard(-1, 0);
                        procguard_close(&g);
                }
                if (exited && (now >= drain_end || (po[0] < 0 && pe[0] < 0)))
                        break;
                if (!killed && !exited && (now >= deadline || worker_stop_requested())) {
                        if (now >= deadline)
                                res.timed_out = true;
                        else
                                res.stopped = true;
                        /* Our child, not reaped: its group id is still its own. */
                        (void)kill(-pid, SIGKILL);
                        killed = true;
                }
                wake = exited ? drain_end : killed ? now + 50 : deadline;
                if (g.pidfd < 0 && !exited && wake > now + 50)
                        wake = now + 50;  /* no pidfd: poll the child's exit */
                if (poll(p, 4, deadline_poll_timeout(wake)) < 0 && errno != EINTR) {
                        r = -errno;
                        if (!exited) {
                                /* Not left running unbounded behind an error. */
                                (void)kill(-pid, SIGKILL);
                                (void)waitpid(pid, &st, 0);
                        }
                        goto out;
                }
                for (int i = 0; i < 2; i++) {
                        int *fd = i ? &pe[0] : &po[0];
                        struct buf *b = i ? &res.err : &res.out;
                        char tmp[16384];
                        ssize_t n;

                        if (*fd < 0)
                                continue;
                        n = read(*fd, tmp, sizeof(tmp));
                        if (n > 0) {
                                if (buf_append(b, tmp, (size_t)n) == -ENOBUFS && !res.overflow) {
                                        res.overflow = true;
                                        if (!exited)
                                                (void)kill(-pid, SIGKILL);
                                        killed = true;
                                }
                        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                                (void)close(*fd);
                                *fd = -1;
                        }
                }
        }
        if (!exited) {
                int st;
                (void)kill(-pid, SIGKILL);
                if (waitpid(pid, &st, 0) == pid)
                        res.wstatus = st;
        }
        *ret = res;
        memset(&res, 0, sizeof(res));
        r = 0;
out:
        worker_guard(-1, 0);
        procguard_close(&g);
        for (int i = 0; i < 2; i++) {
                if (po[i] >= 0)
                        (void)close(po[i]);
                if (pe[i] >= 0)
                        (void)close(pe[i]);
        }
        buf_free(&res.out);
        buf_free(&res.err);
        return r;
}

/* VARS set on top of ENV (copied): the exec API's Env semantics. */
static int env_with(char *const *env, char *const *vars, char ***ret)
{
        char **v = NULL;

        for (size_t i = 0; env && env[i]; i++)
                if (strv_push(&v, env[i]) < 0)
                        goto nomem;
        for (size_t i = 0; vars && vars[i]; i++) {
                const char *eq = strchr(vars[i], '=');
                char name[128];
                size_t nl = eq ? (size_t)(eq - vars[i]) : 0;

                if (!eq || nl == 0 || nl >= sizeof(name))
                        continue;
                memcpy(name, vars[i], nl);
                name[nl] = '\0';
                if (strv_env_set(&v, name, eq + 1) < 0)
                        goto nomem;
        }
        if (!v && strv_push(&v, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0)
                goto nomem;
        *ret = v;
        return 0;
nomem:
        strv_free(v);
        return -ENOMEM;
}

int body_direct(const struct direct_ctx *c, char *const *argv, int exec_fd, char *const *vars,
                  int64_t deadline_ms, size_t max_output, struct body_local_result *ret,
                  char *why, size_t whysz)
{
        struct direct_ctx cc = *c;
        int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, saved[3] = { -1, -1, -1 }, nul = -1;
        int r, code = DIRECT_EXIT_SETUP;
        sigset_t none;
        pid_t pid = 0;

        cc.env = NULL;
        if ((r = env_with(c->env, vars, &cc.env)) < 0) {
                snprintf(why, whysz, "out of memory");
                return r;
        }
        if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 ||
            (nul = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
                r = -errno;
                snprintf(why, whysz, "pipe: %m");
                goto fail;
        }
        /* direct_enter_spawn hands our stdio to the command: make them the
         * pipes for the moment of the fork (a worker never logs meanwhile). */
        for (int i = 0; i < 3; i++)
                saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
        if (dup2(nul, 0) < 0 || dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0) {
                r = -errno;
                snprintf(why, whysz, "dup2: %m");
        } else {
                /* Bounded by the run's deadline and the worker's stop
                 * request; the set-up holds every signal itself. */
                sigemptyset(&none);
                r = direct_enter_spawn(&cc, argv, exec_fd, &none, deadline_ms, worker_stop_fd(),
                                       &pid, &code, why, whysz);
        }
        for (int i = 0; i < 3; i++) {
                if (saved[i] >= 0) {
                        (void)dup2(saved[i], i);
                        (void)close(saved[i]);
                } else {
                        (void)close(i);
                }
        }
        (void)close(nul);
        strv_free(cc.env);
        if (r == -ETIMEDOUT || r == -EINTR) {
                /* Killed in its set-up: the run's outcome, as a body's. */
                close_pipes(po, pe);
                *ret = (struct body_local_result){ .timed_out = r == -ETIMEDOUT,
                                                   .stopped = r == -EINTR };
                buf_init(&ret->out, max_output);
                buf_init(&ret->err, max_output);
                return 0;
        }
        if (r < 0) {
                if (r == -ECANCELED)
                        *ret = (struct body_local_result){ .wstatus = (code & 0xff) << 8 };
                goto fail_env_done;
        }
        return watch_child(pid, po, pe, deadline_ms, max_output, ret);
fail:
        strv_free(cc.env);
        if (nul >= 0)
                (void)close(nul);
fail_env_done:
        close_pipes(po, pe);
        return r;
}

int body_direct_state(struct docker *d, const char *id, int r, bool *gone, char *why,
                        size_t whysz)
{
        struct direct_spec sp = { 0 };
        char w[512];

        if (r != -ENOENT && r != -EOPNOTSUPP)
                return 0;
        if (r == -ENOENT || direct_ctx_inspect(d, id, &sp, w, sizeof(w)) == -ENOENT) {
                *gone = true;
                snprintf(why, whysz, "no such container");
                return 1;
        }
        r = !sp.running || sp.paused || sp.restarting;
        if (r) {
                *gone = !sp.running;
                snprintf(why, whysz, "%s", !sp.running ? "container is not running"
                                           : sp.paused ? "container is paused, exec is refused"
                                                       : "container is restarting");
        }
        direct_spec_done(&sp);
        return r;
}

static void put_tail(int fd, uint32_t type, const struct buf *b)
{
        size_t off = b->len > BODY_TAIL ? b->len - BODY_TAIL : 0;

        (void)worker_put(fd, type, b->data ? b->data + off : "", b->len - off);
}

static void on_created(void *ud, const char *exec_id)
{
        (void)worker_puts(*(int *)ud, WPROTO_EXEC_ID, exec_id);
}

/* An outcome of KIND alone (not run, failed, overflow). */
static void put_kind(int fd, enum wproto_kind kind)
{
        (void)wproto_put_outcome(fd, &(struct wproto_outcome){ .kind = kind });
}

/* The outcome of a local or direct run (its group is killed on a timeout
 * or a stop). */
static void put_local_outcome(int fd, const struct body_local_result *res)
{
        struct wproto_outcome o = { .kind = WPROTO_FAILED };

        if (res->stopped || res->timed_out)
                o = (struct wproto_outcome){ .kind = res->stopped ? WPROTO_STOPPED : WPROTO_TIMEOUT,
                                             .killed = 1 };
        else if (res->overflow)
                o.kind = WPROTO_OVERFLOW;
        else if (WIFEXITED(res->wstatus))
                o = (struct wproto_outcome){ .kind = WPROTO_EXIT, .exit_code = WEXITSTATUS(res->wstatus) };
        else if (WIFSIGNALED(res->wstatus))
                o = (struct wproto_outcome){ .kind = WPROTO_EXIT, .exit_code = 128 + WTERMSIG(res->wstatus) };
        (void)wproto_put_outcome(fd, &o);
}

/* Answer a finished local or direct run: its outcome, then the tails of
 * its output; RES's buffers are freed. */
static void put_local_result(int fd, struct body_local_result *res)
{
        put_local_outcome(fd, res);
        put_tail(fd, WPROTO_OUT, &res->out);
        put_tail(fd, WPROTO_ERR, &res->err);
        buf_free(&res->out);
        buf_free(&res->err);
}

/* The body in container context C: no Engine exec, so no exec events. */
static int run_direct(const struct body_spec *js, int fd, const struct direct_ctx *c)
{
        char *argv[] = { "sh", "-c", (char *)js->body, NULL };
        struct body_local_result res;
        char why[768];
        int r;

        (void)worker_put(fd, WPROTO_DIRECT, NULL, 0);
        r = body_direct(c, argv, -1, js->vars, deadline_in((int64_t)js->timeout_s * 1000),
                          js->max_output, &res, why, sizeof(why));
        if (r == -ECANCELED) {
                /* As docker exec: the runtime's error, the status 125..127. */
                (void)wproto_put_outcome(fd, &(struct wproto_outcome){
                        .kind = WPROTO_EXIT, .exit_code = WEXITSTATUS(res.wstatus) });
                (void)worker_puts(fd, WPROTO_ERR, why);
                return 0;
        }
        if (r < 0) {
                put_kind(fd, WPROTO_FAILED);
                (void)worker_puts(fd, WPROTO_REASON, why);
                return 0;
        }
        put_local_result(fd, &res);
        return 0;
}

/* DIRECT_TRY/MUST: load the context and run there.  1 when the API must
 * run it instead, else 0 (answered). */
static int try_direct(const struct body_spec *js, int fd)
{
        struct direct_ctx c;
        char why[768];
        bool gone;
        int r;

        r = direct_ctx_load(js->docker, js->container_id, &c, why, sizeof(why));
        if (r == 0) {
                r = run_direct(js, fd, &c);
                direct_ctx_done(&c);
                return r;
        }
        /* The container's state (stopped, paused): the API path says so
         * in its own words; only a context that cannot be reproduced is
         * the container's trait (logged once). */
        if (body_direct_state(js->docker, js->container_id, r, &gone, why, sizeof(why))) {
                if (js->direct != DIRECT_MUST)
                        return 1;
                put_kind(fd, gone ? WPROTO_NOTRUN : WPROTO_FAILED);
                (void)worker_puts(fd, WPROTO_REASON, why);
                return 0;
        }
        if (r == -EOPNOTSUPP || js->direct == DIRECT_MUST)
                (void)worker_puts(fd, WPROTO_FALLBACK, why);
        if (js->direct != DIRECT_MUST)
                return 1;
        put_kind(fd, WPROTO_FAILED);
        (void)worker_puts(fd, WPROTO_REASON, "--dispatch direct: this container cannot be run directly");
        return 0;
}

static int run_container(const struct body_spec *js, int fd)
{
        char *argv[] = { "sh", "-c", (char *)js->body, NULL };
        struct docker_exec_result res = { .exit_code = -1 };
        struct wproto_outcome o = { .kind = WPROTO_FAILED };
        char st[64];
        int r;

        if (js->direct != DIRECT_OFF && try_direct(js, fd) == 0)
                return 0;
        (void)worker_put(fd, WPROTO_EXEC_PENDING, NULL, 0);
        r = docker_exec(js->docker, js->container_id, argv, js->vars,
                        deadline_in((int64_t)js->timeout_s * 1000), js->max_output, on_created,
                        &fd, &res);
        if (r == -ENOENT || r == -EBUSY) {
                put_kind(fd, WPROTO_NOTRUN);
                (void)worker_puts(fd, WPROTO_REASON, r == -ENOENT ? "no such container"
                                                              : "container is not running");
                return 0;
        }
        if (r < 0) {
                put_kind(fd, WPROTO_FAILED);
                snprintf(st, sizeof(st), "exec API: %s", strerror(-r));
                (void)worker_puts(fd, WPROTO_REASON, st);
                return 0;
        }
        if (res.stopped || res.timed_out)
                o = (struct wproto_outcome){ .kind = res.stopped ? WPROTO_STOPPED : WPROTO_TIMEOUT,
                                             .killed = res.killed,
                                             .not_visible = !res.killed && res.not_visible };
        else if (res.overflow)
                o.kind = WPROTO_OVERFLOW;
        else if (!res.bad_stream)
                o = (struct wproto_outcome){ .kind = WPROTO_EXIT, .exit_code = res.exit_code };
        (void)wproto_put_outcome(fd, &o);
        if (res.bad_stream)
                (void)worker_puts(fd, WPROTO_REASON, "malformed exec stream");
        put_tail(fd, WPROTO_OUT, &res.out.out);
        put_tail(fd, WPROTO_ERR, &res.out.err);
        docker_exec_result_free(&res);
        return 0;
}

static int run_local(const struct body_spec *js, int fd)
{
        char *argv[] = { "/bin/sh", "-c", (char *)js->body, NULL };
        char **env = NULL, reason[512];
        struct body_local_result res;
        int r;

        if (js->where == BODY_HOST) {
                r = nsenter_host(js->sysimage, &env, reason, sizeof(reason));
                if (r < 0) {
                        put_kind(fd, WPROTO_FAILED);
                        (void)worker_puts(fd, WPROTO_REASON, reason);
                        return 0;
                }
        } else {
                for (char **e = environ; e && *e; e++)
                        if (strv_push(&env, *e) < 0)
                                goto nomem;
        }
        for (char **v = js->vars; v && *v; v++) {
                char *eq = strchr(*v, '='), name[128];
                size_t nl = eq ? (size_t)(eq - *v) : 0;
                if (!eq || nl >= sizeof(name))
                        continue;
                memcpy(name, *v, nl);
                name[nl] = '\0';
                if (strv_env_set(&env, name, eq + 1) < 0)
                        goto nomem;
        }
        if (!env && strv_push(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0)
                goto nomem;
        r = body_local(argv, env, js->timeout_s, js->max_output, &res);
        strv_free(env);
        if (r < 0) {
                put_kind(fd, WPROTO_FAILED);
                snprintf(reason, sizeof(reason), "cannot run sh: %s", strerror(-r));
                (void)worker_puts(fd, WPROTO_REASON, reason);
                return 0;
        }
        put_local_result(fd, &res);
        return 0;
nomem:
        strv_free(env);
        put_kind(fd, WPROTO_FAILED);
        (void)worker_puts(fd, WPROTO_REASON, "out of memory");
        return 0;
}

int body_main(const struct body_spec *js, int fd)
{
        /* The worker's outer bound: the run's own deadline plus the exec
         * API's calls around it (dispatch's safety kill comes later). */
        worker_bound(js->timeout_s + 10);
        if (js->where == BODY_CONTAINER)
                return run_container(js, fd);
        return run_local(js, fd);
}
