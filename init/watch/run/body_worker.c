/* body_worker.c — run one body in a worker child.  See body_worker.h.
 * The body is always one argv element of `sh -c` and names and values
 * travel only in the environment (docs/watch.md, docs/engine-notes.md
 * "Shell injection"). */
#include "body_worker.h"

#include "deadline.h"
#include "direct_ctx.h"
#include "direct_enter.h"
#include "direct_run.h"
#include "exec_api.h"
#include "docker.h"
#include "frames.h"
#include "nsenter.h"
#include "procguard.h"
#include "run_watch.h"
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
        return run_watch(pid, po, pe, deadline_in((int64_t)timeout_s * 1000), max_output, ret);
fail:
        run_watch_close_pipes(po, pe);
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
        r = direct_run(c, argv, -1, js->vars, deadline_in((int64_t)js->timeout_s * 1000),
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
        int r;

        r = direct_run_load(js->docker, js->container_id, NULL, 0, js->direct, fd, &c, why,
                            sizeof(why));
        if (r == 0) {
                r = run_direct(js, fd, &c);
                direct_ctx_done(&c);
                return r;
        }
        if (r == 1)
                return 1;
        put_kind(fd, r == -ENOENT ? WPROTO_NOTRUN : WPROTO_FAILED);
        (void)worker_puts(fd, WPROTO_REASON, why);
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
        char **env = NULL, **base, reason[512];
        struct body_local_result res;
        int r;

        if (js->where == BODY_HOST) {
                r = nsenter_host(js->sysimage, &env, reason, sizeof(reason));
                if (r < 0) {
                        put_kind(fd, WPROTO_FAILED);
                        (void)worker_puts(fd, WPROTO_REASON, reason);
                        return 0;
                }
        }
        base = env;  /* the host's (nsenter), else ours: the SPEC variables on top */
        env = NULL;
        r = direct_run_env(js->where == BODY_HOST ? base : environ, js->vars, &env);
        strv_free(base);
        if (r < 0)
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
