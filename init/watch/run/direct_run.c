/* direct_run.c — a script or body run directly in a container, from a
 * worker.  See direct_run.h. */
#include "direct_run.h"

#include "direct_ctx.h"
#include "direct_enter.h"
#include "run_watch.h"
#include "strv.h"
#include "worker.h"
#include "wproto.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* VARS set on top of ENV (copied): the exec API's Env semantics. */
int direct_run_env(char *const *env, char *const *vars, char ***ret)
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

int direct_run(const struct direct_ctx *c, char *const *argv, int exec_fd, char *const *vars,
               int64_t deadline_ms, size_t max_output, struct body_local_result *ret,
               char *why, size_t whysz)
{
        struct direct_ctx cc = *c;
        int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, saved[3] = { -1, -1, -1 }, nul = -1;
        int r, code = DIRECT_EXIT_SETUP;
        sigset_t none;
        pid_t pid = 0;

        cc.env = NULL;
        if ((r = direct_run_env(c->env, vars, &cc.env)) < 0) {
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
                run_watch_close_pipes(po, pe);
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
        return run_watch(pid, po, pe, deadline_ms, max_output, ret);
fail:
        strv_free(cc.env);
        if (nul >= 0)
                (void)close(nul);
fail_env_done:
        run_watch_close_pipes(po, pe);
        return r;
}

static int direct_run_state(struct docker *d, const char *id, int r, bool *gone, char *why,
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

int direct_run_load(struct docker *d, const char *id, const char *doc, size_t doclen,
                    enum direct_want want, int fd, struct direct_ctx *ret, char *why,
                    size_t whysz)
{
        bool gone;
        int r;

        r = doc ? direct_ctx_load_doc(d, id, doc, doclen, ret, why, whysz)
                : direct_ctx_load(d, id, ret, why, whysz);
        if (r == 0)
                return 0;
        /* The container's state (stopped, paused): the API path says so
         * in its own words; only a context that cannot be reproduced is
         * the container's trait (logged once). */
        if (direct_run_state(d, id, r, &gone, why, whysz)) {
                if (want != DIRECT_MUST)
                        return 1;
                return gone ? -ENOENT : -EBUSY;
        }
        /* Not reproduced, or not even readable (EPERM, EACCES): the
         * container's trait, said once, with the reason. */
        if (r == -EOPNOTSUPP || r == -EPERM || r == -EACCES || want == DIRECT_MUST)
                (void)worker_puts(fd, WPROTO_FALLBACK, why);
        if (want != DIRECT_MUST)
                return 1;
        snprintf(why, whysz, "--dispatch direct: this container cannot be run directly");
        return -EOPNOTSUPP;
}
