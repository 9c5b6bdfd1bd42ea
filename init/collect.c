/* collect.c — run a container's scripts in a worker.  See collect.h. */
#include "collect.h"

#include "deadline.h"
#include "dexec.h"
#include "docker.h"
#include "strv.h"
#include "worker.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_created(void *ud, const char *exec_id)
{
        (void)worker_puts(*(int *)ud, CR_EXEC_ID, exec_id);
}

static void put_pair(int fd, uint32_t type, const char *a, const char *b, size_t blen)
{
        size_t al = strlen(a);
        char *p = malloc(al + 1 + blen);

        if (!p) {
                (void)worker_put(fd, CR_ERROR, "out of memory", 13);
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

int collect_main(const struct collect_spec *cs, int fd)
{
        /* One deadline for the whole collection (SPEC §2.4): scripts share
         * --exec-timeout, they do not each get it. */
        int64_t deadline = deadline_in((int64_t)cs->timeout_s * 1000);
        struct docker_inspect in;
        char **scripts = NULL, line[512];
        int r;

        /* The outer bound of this worker: the listing calls have their own
         * request timeouts on top of the scripts' deadline. */
        worker_bound(cs->timeout_s + 2 * (unsigned)DOCKER_REQUEST_TIMEOUT_S);

        r = docker_inspect(cs->docker, cs->container_id, &in);
        if (r == -ENOENT) {
                (void)worker_puts(fd, CR_GONE, "no such container");
                return 0;
        }
        if (r < 0) {
                snprintf(line, sizeof(line), "inspect: %s", strerror(-r));
                (void)worker_puts(fd, CR_ERROR, line);
                return 0;
        }
        snprintf(line, sizeof(line), "%" PRIu64 " %s", in.started_ns, in.name);
        (void)worker_puts(fd, CR_INSPECT, line);
        inspect_traits_line(&in, line, sizeof(line));
        (void)worker_puts(fd, CR_TRAITS, line);
        if (!in.running) {
                (void)worker_puts(fd, CR_GONE, "container is not running");
                return 0;
        }
        if (in.paused) {
                /* Still running (a target of %all), but exec is refused. */
                (void)worker_puts(fd, CR_ERROR, "container is paused, exec is refused");
                return 0;
        }
        r = docker_list_scripts(cs->docker, cs->container_id, cs->script_dir,
                                COLLECT_MAX_SCRIPTS, &scripts);
        if (r == -ENOENT) {
                (void)worker_put(fd, CR_NODIR, NULL, 0);
                return 0;
        }
        if (r == -E2BIG) {
                snprintf(line, sizeof(line), "more than %d scripts in the script dir",
                         COLLECT_MAX_SCRIPTS);
                (void)worker_puts(fd, CR_ERROR, line);
                return 0;
        }
        if (r < 0) {
                snprintf(line, sizeof(line), "listing the script dir: %s",
                         r == -EPROTO ? "malformed archive"
                         : r == -EREMOTEIO ? "unexpected HTTP status from the Engine" : strerror(-r));
                (void)worker_puts(fd, r == -ESRCH ? CR_GONE : CR_ERROR, line);
                return 0;
        }
        for (size_t i = 0; scripts[i]; i++) {
                char *argv[] = { scripts[i], NULL };
                struct docker_exec_result res = { .exit_code = -1 };

                if (worker_stop_requested())
                        break;
                (void)worker_put(fd, CR_EXEC_PENDING, NULL, 0);
                r = docker_exec(cs->docker, cs->container_id, argv, NULL, deadline,
                                cs->max_output, on_created, &fd, &res);
                if (r == -ENOENT || r == -EBUSY) {
                        (void)worker_puts(fd, CR_GONE, r == -ENOENT ? "no such container"
                                                                    : "container is not running");
                        break;
                }
                if (r == -ETIME) {
                        snprintf(line, sizeof(line), "not run: the collection deadline (--exec-timeout %us) had passed",
                                 cs->timeout_s);
                        put_pair(fd, CR_SCRIPT_FAIL, scripts[i], line, strlen(line));
                        continue;
                }
                if (r < 0) {
                        snprintf(line, sizeof(line), "exec API: %s", strerror(-r));
                        put_pair(fd, CR_SCRIPT_FAIL, scripts[i], line, strlen(line));
                        continue;
                }
                if (!res.timed_out && !res.overflow && !res.bad_stream && !res.stopped &&
                    res.exit_code == 0) {
                        put_pair(fd, CR_SCRIPT_OK, scripts[i], res.out.out.data,
                                 res.out.out.len);
                } else {
                        fail_reason(cs, &res, line, sizeof(line));
                        put_pair(fd, CR_SCRIPT_FAIL, scripts[i], line, strlen(line));
                }
                docker_exec_result_free(&res);
        }
        strv_free(scripts);
        return 0;
}
