/* jobrun.c — run one body in a worker child.  See jobrun.h.
 * The body is always one argv element of `sh -c` and names and values
 * travel only in the environment (SPEC §2.3, ENGINE-NOTES "Shell
 * injection"). */
#include "jobrun.h"

#include "docker.h"
#include "frames.h"
#include "nsenter.h"
#include "strv.h"
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ms(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int jobrun_local(char *const *argv, char *const *envp, unsigned timeout_s, size_t max_output,
                 struct jobrun_local_result *ret)
{
        struct jobrun_local_result res = { .wstatus = 0 };
        int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, r;
        long long deadline = now_ms() + (long long)timeout_s * 1000;
        bool exited = false, killed = false;
        pid_t pid;

        buf_init(&res.out, max_output);
        buf_init(&res.err, max_output);
        if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
                r = -errno;
                goto out;
        }
        pid = fork();
        if (pid < 0) {
                r = -errno;
                goto out;
        }
        if (pid == 0) {
                sigset_t all;
                int nul = open("/dev/null", O_RDONLY);

                /* async-signal-safe calls only from here to execve */
                (void)setpgid(0, 0);
                (void)signal(SIGPIPE, SIG_DFL);
                sigemptyset(&all);
                (void)sigprocmask(SIG_SETMASK, &all, NULL);
                if (nul < 0 || dup2(nul, 0) < 0 || dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0)
                        _exit(126);
                (void)close_range(3, ~0U, 0);
                execve(argv[0], argv, envp);
                _exit(errno == ENOENT ? 127 : 126);
        }
        /* Also from this side: kill(-pid) must not race the child's own
         * setpgid (EACCES after its exec is harmless). */
        (void)setpgid(pid, pid);
        (void)close(po[1]);
        (void)close(pe[1]);
        po[1] = pe[1] = -1;
        (void)fcntl(po[0], F_SETFL, O_NONBLOCK);
        (void)fcntl(pe[0], F_SETFL, O_NONBLOCK);

        /* Read until both pipes close and the child is gone; a background
         * process that keeps a pipe open cannot hold us past the child's
         * exit by more than a short grace. */
        long long grace_end = 0;
        while (po[0] >= 0 || pe[0] >= 0 || !exited) {
                struct pollfd p[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
                long long now = now_ms(), wait_ms;
                int st;

                if (!exited && waitpid(pid, &st, WNOHANG) == pid) {
                        exited = true;
                        res.wstatus = st;
                        grace_end = now + 200;
                }
                if (exited && (now >= grace_end || (po[0] < 0 && pe[0] < 0)))
                        break;
                if (!killed && now >= deadline) {
                        res.timed_out = true;
                        (void)kill(-pid, SIGKILL);
                        killed = true;
                }
                wait_ms = exited ? grace_end - now : killed ? 50 : deadline - now;
                if (wait_ms > 50 && (!exited))
                        wait_ms = 50;  /* poll the child's exit */
                if (wait_ms < 0)
                        wait_ms = 0;
                if (poll(p, 2, (int)wait_ms) < 0 && errno != EINTR) {
                        r = -errno;
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

static void put_tail(int fd, uint32_t type, const struct buf *b)
{
        size_t off = b->len > JOBRUN_TAIL ? b->len - JOBRUN_TAIL : 0;

        (void)worker_put(fd, type, b->data ? b->data + off : "", b->len - off);
}

static void on_created(void *ud, const char *exec_id)
{
        (void)worker_puts(*(int *)ud, JR_EXEC_ID, exec_id);
}

static int run_container(const struct jobrun_spec *js, int fd)
{
        char *argv[] = { "sh", "-c", (char *)js->body, NULL };
        struct docker_exec_result res = { .exit_code = -1 };
        char st[64];
        int r;

        (void)worker_put(fd, JR_EXEC_PENDING, NULL, 0);
        r = docker_exec(js->docker, js->container_id, argv, js->vars, js->timeout_s,
                        js->max_output, on_created, &fd, &res);
        if (r == -ENOENT || r == -EBUSY) {
                (void)worker_puts(fd, JR_STATUS, "gone");
                (void)worker_puts(fd, JR_REASON, r == -ENOENT ? "no such container"
                                                              : "container is not running");
                return 0;
        }
        if (r < 0) {
                (void)worker_puts(fd, JR_STATUS, "error");
                snprintf(st, sizeof(st), "exec API: %s", strerror(-r));
                (void)worker_puts(fd, JR_REASON, st);
                return 0;
        }
        if (res.timed_out)
                snprintf(st, sizeof(st), res.killed ? "timeout killed" : "timeout");
        else if (res.overflow)
                snprintf(st, sizeof(st), "overflow");
        else if (res.bad_stream)
                snprintf(st, sizeof(st), "error");
        else
                snprintf(st, sizeof(st), "exit %d", res.exit_code);
        (void)worker_puts(fd, JR_STATUS, st);
        if (res.bad_stream)
                (void)worker_puts(fd, JR_REASON, "malformed exec stream");
        put_tail(fd, JR_OUT, &res.out.out);
        put_tail(fd, JR_ERR, &res.out.err);
        docker_exec_result_free(&res);
        return 0;
}

static int run_local(const struct jobrun_spec *js, int fd)
{
        char *argv[] = { "/bin/sh", "-c", (char *)js->body, NULL };
        char **env = NULL, reason[512], st[64];
        struct jobrun_local_result res;
        int r;

        if (js->where == JOBRUN_HOST) {
                r = nsenter_host(js->sysimage, &env, reason, sizeof(reason));
                if (r < 0) {
                        (void)worker_puts(fd, JR_STATUS, "error");
                        (void)worker_puts(fd, JR_REASON, reason);
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
        r = jobrun_local(argv, env, js->timeout_s, js->max_output, &res);
        strv_free(env);
        if (r < 0) {
                (void)worker_puts(fd, JR_STATUS, "error");
                snprintf(reason, sizeof(reason), "cannot run sh: %s", strerror(-r));
                (void)worker_puts(fd, JR_REASON, reason);
                return 0;
        }
        if (res.timed_out)
                snprintf(st, sizeof(st), "timeout killed");
        else if (res.overflow)
                snprintf(st, sizeof(st), "overflow");
        else if (WIFEXITED(res.wstatus))
                snprintf(st, sizeof(st), "exit %d", WEXITSTATUS(res.wstatus));
        else if (WIFSIGNALED(res.wstatus))
                snprintf(st, sizeof(st), "exit %d", 128 + WTERMSIG(res.wstatus));
        else
                snprintf(st, sizeof(st), "error");
        (void)worker_puts(fd, JR_STATUS, st);
        put_tail(fd, JR_OUT, &res.out);
        put_tail(fd, JR_ERR, &res.err);
        buf_free(&res.out);
        buf_free(&res.err);
        return 0;
nomem:
        strv_free(env);
        (void)worker_puts(fd, JR_STATUS, "error");
        (void)worker_puts(fd, JR_REASON, "out of memory");
        return 0;
}

int jobrun_main(const struct jobrun_spec *js, int fd)
{
        if (js->where == JOBRUN_CONTAINER)
                return run_container(js, fd);
        return run_local(js, fd);
}
