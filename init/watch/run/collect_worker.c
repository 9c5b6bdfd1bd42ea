/* collect_worker.c — run a container's scripts in a worker.  See collect_worker.h. */
#include "collect_worker.h"

#include "buf.h"
#include "collect_facts.h"
#include "deadline.h"
#include "exec_api.h"
#include "direct_ctx.h"
#include "direct_run.h"
#include "docker.h"
#include "body_worker.h"
#include "rootfs.h"
#include "strv.h"
#include "worker.h"
#include "wproto.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_created(void *ud, const char *exec_id)
{
        (void)worker_puts(*(int *)ud, WPROTO_EXEC_ID, exec_id);
}

static void put_pair(int fd, uint32_t type, const char *a, const char *b, size_t blen)
{
        size_t al = strlen(a);
        char *p = malloc(al + 1 + blen);

        if (!p) {
                (void)worker_put(fd, WPROTO_ERROR, "out of memory", 13);
                return;
        }
        memcpy(p, a, al + 1);
        if (blen)
                memcpy(p + al + 1, b, blen);
        (void)worker_put(fd, type, p, al + 1 + blen);
        free(p);
}

/* Last line of a script's stderr, for the failure reason. */
static void stderr_tail(const struct buf *b, char *dst, size_t dstsz)
{
        size_t end = b->len, start;

        while (end > 0 && (b->data[end - 1] == '\n' || b->data[end - 1] == '\r'))
                end--;
        start = end;
        while (start > 0 && b->data[start - 1] != '\n')
                start--;
        if (end - start > 200)
                start = end - 200;
        snprintf(dst, dstsz, "%.*s", (int)(end - start), b->data ? b->data + start : "");
}

/* The reason a script failed, from its exec's result. */
static void fail_reason(const struct collect_spec *cs, const struct docker_exec_result *res,
                        char *line, size_t linesz)
{
        char tail[256];

        if (res->stopped) {
                snprintf(line, linesz, "stopped (the controller is stopping)%s",
                         res->killed ? ", killed with its process group" : "");
        } else if (res->timed_out) {
                snprintf(line, linesz, "timed out: the collection deadline (--exec-timeout %us) passed%s",
                         cs->timeout_s,
                         res->killed ? ", killed with its process group"
                         : res->not_visible ? ", left running: its process is not visible here (no --pid=host)"
                                            : "");
        } else if (res->overflow) {
                snprintf(line, linesz, "output over %zu bytes", cs->max_output);
        } else if (res->bad_stream) {
                snprintf(line, linesz, "malformed exec stream");
        } else {
                stderr_tail(&res->out.err, tail, sizeof(tail));
                snprintf(line, linesz, "exit status %d%s%s", res->exit_code,
                         tail[0] ? ": " : "", tail);
        }
}

/* Direct dispatch (docs/watch.md): list through the container's root, run
 * each script through an fd resolved inside it, in context C.  Records as
 * the API path; returns 0. */
static int collect_direct(const struct collect_spec *cs, int fd, const struct direct_ctx *c,
                          int64_t deadline)
{
        char **scripts = NULL, line[512], why[768];
        int root, r;

        root = rootfs_open("/proc", c->spec.pid);
        if (root < 0) {
                (void)worker_puts(fd, WPROTO_GONE, "its main process is gone");
                return 0;
        }
        r = rootfs_list_scripts(root, cs->script_dir, COLLECT_MAX_SCRIPTS, &scripts);
        if (r == -ENOENT) {
                (void)worker_put(fd, WPROTO_NODIR, NULL, 0);
                goto out;
        }
        if (r < 0) {
                if (r == -E2BIG)
                        snprintf(line, sizeof(line), "more than %d scripts in the script dir",
                                 COLLECT_MAX_SCRIPTS);
                else
                        snprintf(line, sizeof(line), "listing the script dir: %s", strerror(-r));
                (void)worker_puts(fd, WPROTO_ERROR, line);
                goto out;
        }
        for (size_t i = 0; scripts[i]; i++) {
                char *argv[] = { scripts[i], NULL };
                struct body_local_result res;
                int sfd;

                if (worker_stop_requested())
                        break;
                if (deadline_now() >= deadline) {
                        snprintf(line, sizeof(line), "not run: the collection deadline (--exec-timeout %us) had passed",
                                 cs->timeout_s);
                        put_pair(fd, WPROTO_SCRIPT_FAIL, scripts[i], line, strlen(line));
                        continue;
                }
                sfd = rootfs_open_script(root, scripts[i]);
                if (sfd < 0) {
                        snprintf(line, sizeof(line), "cannot run it: %s",
                                 sfd == -ELOOP ? "it is a symbolic link" : strerror(-sfd));
                        put_pair(fd, WPROTO_SCRIPT_FAIL, scripts[i], line, strlen(line));
                        continue;
                }
                r = direct_run(c, argv, sfd, NULL, deadline, cs->max_output, &res, why, sizeof(why));
                (void)close(sfd);
                if (r == -ECANCELED) {
                        snprintf(line, sizeof(line), "exit status %d: %.400s",
                                 WEXITSTATUS(res.wstatus), why);
                } else if (r < 0) {
                        snprintf(line, sizeof(line), "direct dispatch: %.400s", why);
                } else if (!res.timed_out && !res.overflow && !res.stopped &&
                           WIFEXITED(res.wstatus) && WEXITSTATUS(res.wstatus) == 0) {
                        put_pair(fd, WPROTO_SCRIPT_OK, scripts[i], res.out.data, res.out.len);
                        line[0] = '\0';
                } else {
                        struct docker_exec_result er = {
                                .exit_code = WIFSIGNALED(res.wstatus) ? 128 + WTERMSIG(res.wstatus)
                                                                      : WEXITSTATUS(res.wstatus),
                                .timed_out = res.timed_out, .overflow = res.overflow,
                                .stopped = res.stopped, .killed = res.timed_out || res.stopped,
                        };
                        er.out.err = res.err;
                        fail_reason(cs, &er, line, sizeof(line));
                }
                if (r == 0) {
                        buf_free(&res.out);
                        buf_free(&res.err);
                }
                if (line[0])
                        put_pair(fd, WPROTO_SCRIPT_FAIL, scripts[i], line, strlen(line));
        }
out:
        strv_free(scripts);
        (void)close(root);
        return 0;
}

/* DIRECT_TRY/MUST: 1 when the API path must collect, else 0 (answered). */
static int try_direct(const struct collect_spec *cs, int fd, const struct buf *doc,
                      int64_t deadline)
{
        struct direct_ctx c;
        char why[768];
        int r;

        /* Our inspect's answer: the context needs no second one. */
        r = direct_run_load(cs->docker, cs->container_id, doc->data ? doc->data : "", doc->len,
                            cs->direct, fd, &c, why, sizeof(why));
        if (r == 0) {
                r = collect_direct(cs, fd, &c, deadline);
                direct_ctx_done(&c);
                return r;
        }
        if (r == 1)
                return 1;
        (void)worker_puts(fd, r == -ENOENT ? WPROTO_GONE : WPROTO_ERROR, why);
        return 0;
}

int collect_main(const struct collect_spec *cs, int fd)
{
        /* One deadline for the whole collection (docs/watch.md): scripts share
         * --exec-timeout, they do not each get it. */
        int64_t deadline = deadline_in((int64_t)cs->timeout_s * 1000);
        struct docker_inspect in;
        char **scripts = NULL, line[512];
        struct buf doc = { 0 };
        int r, rl = -ECANCELED;

        /* The outer bound of this worker: the listing calls have their own
         * request timeouts on top of the scripts' deadline. */
        worker_bound(cs->timeout_s + 2 * (unsigned)DOCKER_REQUEST_TIMEOUT_S);

        /* The API path lists the script dir while the inspect is under way
         * (its answer is dropped unless the inspect says "running"); the
         * direct path keeps the inspect's document for the context. */
        if (cs->direct == DIRECT_OFF)
                r = docker_inspect_list_doc(cs->docker, cs->container_id, cs->script_dir,
                                            COLLECT_MAX_SCRIPTS, &in, &rl, &scripts, &doc);
        else
                r = docker_inspect_doc(cs->docker, cs->container_id, &in, &doc);
        if (r == -ENOENT) {
                (void)worker_puts(fd, WPROTO_GONE, "no such container");
                return 0;
        }
        if (r < 0) {
                snprintf(line, sizeof(line), "inspect: %s", strerror(-r));
                (void)worker_puts(fd, WPROTO_ERROR, line);
                return 0;
        }
        snprintf(line, sizeof(line), "%" PRIu64 " %s", in.started_ns, in.name);
        (void)worker_puts(fd, WPROTO_INSPECT, line);
        inspect_traits_line(&in, line, sizeof(line));
        (void)worker_puts(fd, WPROTO_TRAITS, line);
        /* Facts and label hooks from this inspect: no exec (docs/events.md). */
        collect_facts_put(fd, doc.data ? doc.data : "", doc.len, cs->max_output,
                          in.running && !in.paused);
        r = 0;
        if (!in.running) {
                (void)worker_puts(fd, WPROTO_GONE, "container is not running");
        } else if (in.paused) {
                /* Still running (a target of %all), but exec is refused. */
                (void)worker_puts(fd, WPROTO_ERROR, "container is paused, exec is refused");
        } else if (cs->direct != DIRECT_OFF) {
                r = try_direct(cs, fd, &doc, deadline);
        } else {
                r = 2;  /* listed already */
        }
        buf_free(&doc);
        if (r == 0) {
                strv_free(scripts);
                return 0;
        }
        if (r == 1)
                rl = docker_list_scripts(cs->docker, cs->container_id, cs->script_dir,
                                         COLLECT_MAX_SCRIPTS, &scripts);
        r = rl;
        if (r == -ENOENT) {
                (void)worker_put(fd, WPROTO_NODIR, NULL, 0);
                return 0;
        }
        if (r == -E2BIG) {
                snprintf(line, sizeof(line), "more than %d scripts in the script dir",
                         COLLECT_MAX_SCRIPTS);
                (void)worker_puts(fd, WPROTO_ERROR, line);
                return 0;
        }
        if (r < 0) {
                snprintf(line, sizeof(line), "listing the script dir: %s",
                         r == -EPROTO ? "malformed archive"
                         : r == -EREMOTEIO ? "unexpected HTTP status from the Engine"
                         : r == -EFBIG ? "its archive passed the byte cap (the Engine streams the files' contents too: keep large programs outside the script dir)"
                         : strerror(-r));
                (void)worker_puts(fd, r == -ESRCH ? WPROTO_GONE : WPROTO_ERROR, line);
                return 0;
        }
        for (size_t i = 0; scripts[i]; i++) {
                char *argv[] = { scripts[i], NULL };
                struct docker_exec_result res = { .exit_code = -1 };

                if (worker_stop_requested())
                        break;
                (void)worker_put(fd, WPROTO_EXEC_PENDING, NULL, 0);
                r = docker_exec(cs->docker, cs->container_id, argv, NULL, deadline,
                                cs->max_output, on_created, &fd, &res);
                if (r == -ENOENT || r == -EBUSY) {
                        (void)worker_puts(fd, WPROTO_GONE, r == -ENOENT ? "no such container"
                                                                    : "container is not running");
                        break;
                }
                if (r == -ETIME) {
                        snprintf(line, sizeof(line), "not run: the collection deadline (--exec-timeout %us) had passed",
                                 cs->timeout_s);
                        put_pair(fd, WPROTO_SCRIPT_FAIL, scripts[i], line, strlen(line));
                        continue;
                }
                if (r < 0) {
                        snprintf(line, sizeof(line), "exec API: %s", strerror(-r));
                        put_pair(fd, WPROTO_SCRIPT_FAIL, scripts[i], line, strlen(line));
                        continue;
                }
                if (!res.timed_out && !res.overflow && !res.bad_stream && !res.stopped &&
                    res.exit_code == 0) {
                        put_pair(fd, WPROTO_SCRIPT_OK, scripts[i], res.out.out.data,
                                 res.out.out.len);
                } else {
                        fail_reason(cs, &res, line, sizeof(line));
                        put_pair(fd, WPROTO_SCRIPT_FAIL, scripts[i], line, strlen(line));
                }
                docker_exec_result_free(&res);
        }
        strv_free(scripts);
        return 0;
}
