/* exec_api.c — an exec from create to its process's end.  See exec_api.h.
 *
 * The attached start is read on a curl multi handle so that one poll waits
 * for the stream, the worker's stop request and — when the exec's process
 * is visible to us (the controller shares the host's PID namespace) — its
 * pidfd.  Otherwise the exec is inspected now and then.  Either way the exec
 * is over when its process is and the Engine has seen that (it marks the
 * exec not running before it finishes copying the output): a background
 * child holding the output open gets a short drain and the stream is closed (such a child is the
 * container's own business, as with `docker exec`).  No API call stops an
 * exec (docs/engine-notes.md): a timed-out one is killed with its process group
 * after procguard's checks, or, when its PID is not ours to see, left to the
 * container and reported as such.  argv and env travel as JSON arrays; no
 * shell line is ever built. */
#include "exec_api.h"

#include "deadline.h"
#include "docker.h"
#include "docker_http.h"
#include "buf.h"
#include "procguard.h"
#include "worker.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXEC_API_CALL_S 5L          /* one inspect call */
#define EXEC_API_DRAIN_MS 300       /* output still in flight after the Engine saw the exit */
#define EXEC_API_EXIT_POLL_MS 3000  /* the Engine recording ExitCode after the exit */
#define EXEC_API_INSPECT_FIRST_MS 100
#define EXEC_API_INSPECT_MAX_MS 1000

static cJSON *string_array(char *const *v)
{
        cJSON *a = cJSON_CreateArray();

        for (size_t i = 0; a && v && v[i]; i++) {
                cJSON *s = cJSON_CreateString(v[i]);
                if (!s || !cJSON_AddItemToArray(a, s)) {
                        cJSON_Delete(s);
                        cJSON_Delete(a);
                        return NULL;
                }
        }
        return a;
}

static int exec_create(struct docker *d, const char *id, char *const *argv, char *const *env,
                       long timeout_s, long *ret_status, char *ret_id, size_t idsz)
{
        cJSON *req = cJSON_CreateObject(), *resp = NULL, *x;
        char *body = NULL, path[160];
        struct buf b;
        long status = 0;
        int r;

        buf_init(&b, 65536);
        if (!req || !cJSON_AddTrueToObject(req, "AttachStdout") ||
            !cJSON_AddTrueToObject(req, "AttachStderr") ||
            !cJSON_AddFalseToObject(req, "AttachStdin") ||
            !cJSON_AddFalseToObject(req, "Tty")) {
                r = -ENOMEM;
                goto out;
        }
        x = string_array(argv);
        if (!x || !cJSON_AddItemToObject(req, "Cmd", x)) {
                cJSON_Delete(x);
                r = -ENOMEM;
                goto out;
        }
        if (env) {
                x = string_array(env);
                if (!x || !cJSON_AddItemToObject(req, "Env", x)) {
                        cJSON_Delete(x);
                        r = -ENOMEM;
                        goto out;
                }
        }
        body = cJSON_PrintUnformatted(req);
        if (!body) {
                r = -ENOMEM;
                goto out;
        }
        snprintf(path, sizeof(path), "/containers/%s/exec", id);
        r = docker_request(d, "POST", path, body, timeout_s, &status, &b);
        if (r < 0)
                goto out;
        *ret_status = status;
        if (status != 201) {
                r = status == 404 ? -ENOENT : status == 409 ? -EBUSY : -EPROTO;
                goto out;
        }
        resp = cJSON_ParseWithLength(b.data ? b.data : "", b.len);
        x = resp ? cJSON_GetObjectItemCaseSensitive(resp, "Id") : NULL;
        if (!cJSON_IsString(x) || strlen(x->valuestring) >= idsz ||
            strspn(x->valuestring, "0123456789abcdef") != strlen(x->valuestring)) {
                r = -EPROTO;
                goto out;
        }
        snprintf(ret_id, idsz, "%s", x->valuestring);
        r = 0;
out:
        cJSON_Delete(req);
        cJSON_Delete(resp);
        if (body)
                cJSON_free(body);
        buf_free(&b);
        return r;
}

struct exec_inspect {
        bool running;
        bool has_exit;
        int exit_code;
        long pid;
};

static int exec_inspect(struct docker *d, const char *exec_id, struct exec_inspect *ret)
{
        struct exec_inspect ei = { .running = false };
        cJSON *j = NULL, *x;
        char path[160];
        long status;
        int r;

        snprintf(path, sizeof(path), "/exec/%s/json", exec_id);
        r = docker_get_json(d, path, EXEC_API_CALL_S, &status, &j);
        if (r < 0)
                return r;
        ei.running = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "Running"));
        x = cJSON_GetObjectItemCaseSensitive(j, "ExitCode");
        if (cJSON_IsNumber(x)) {
                ei.has_exit = true;
                ei.exit_code = x->valueint;
        }
        x = cJSON_GetObjectItemCaseSensitive(j, "Pid");
        if (cJSON_IsNumber(x) && x->valuedouble > 0 && x->valuedouble < 1e9)
                ei.pid = (long)x->valuedouble;
        cJSON_Delete(j);
        *ret = ei;
        return 0;
}

struct exec_sink {
        struct frame_decoder *fd;
        int err;
};

static int exec_write(void *ud, long status, const char *p, size_t n)
{
        struct exec_sink *s = ud;
        int r;

        (void)status;
        r = frame_decoder_feed(s->fd, p, n);
        if (r < 0) {
                s->err = r;
                return r;  /* stops the transfer */
        }
        return 0;
}

/* One exec in flight: what we know of its process. */
struct run {
        struct docker *d;
        const char *id;
        struct docker_exec_result *res;
        struct procguard g;
        bool pid_tried;      /* an inspect gave its PID and we looked at it */
        bool pid_exited;     /* its pidfd says it exited */
        bool exited;         /* the Engine says it exited */
        bool has_exit;
        int exit_code;
};

/* Learn what the Engine knows; look at the PID once it is there. */
static void run_inspect(struct run *x)
{
        struct exec_inspect ei;

        if (exec_inspect(x->d, x->res->exec_id, &ei) < 0)
                return;
        /* Only while the Engine says it runs: after its exit the number may
         * already name another process. */
        if (ei.pid > 0 && ei.running && !x->pid_tried) {
                x->pid_tried = true;
                if (procguard_open_exec((pid_t)ei.pid, x->id, &x->g) == 0)
                        worker_guard(x->g.pidfd, x->g.pid);
        }
        if (!ei.running && ei.has_exit) {
                x->exited = true;
                x->has_exit = true;
                x->exit_code = ei.exit_code;
        }
}

/* Is the held process gone (its pidfd readable)? */
static bool pidfd_exited(const struct run *x)
{
        struct pollfd p = { x->g.pidfd, POLLIN, 0 };

        return x->g.pidfd >= 0 && poll(&p, 1, 0) > 0;
}

/* Wait for the stream, the process's exit, the deadline or a stop. */
static CURLcode run_stream(struct run *x, CURLM *m, int64_t deadline)
{
        int64_t next_inspect = deadline_in(EXEC_API_INSPECT_FIRST_MS), drain_end = 0;
        long every = EXEC_API_INSPECT_FIRST_MS;

        for (;;) {
                struct curl_waitfd w[2];
                unsigned nw = 0;
                int running = 0, left, t;
                int64_t now, wake;
                CURLMsg *msg;

                (void)curl_multi_perform(m, &running);
                while ((msg = curl_multi_info_read(m, &left)))
                        if (msg->msg == CURLMSG_DONE)
                                return msg->data.result;
                now = deadline_now();
                if (!x->pid_exited && pidfd_exited(x)) {
                        /* The Engine sets Running=false and only then lets
                         * the output streams finish: ask it before draining. */
                        x->pid_exited = true;
                        next_inspect = now;
                        every = EXEC_API_INSPECT_FIRST_MS / 2;
                }
                if (x->exited && !drain_end)
                        drain_end = now + EXEC_API_DRAIN_MS;
                if (x->exited && now >= drain_end)
                        return CURLE_OK;  /* done; a background child holds the output */
                if (worker_stop_requested()) {
                        x->res->stopped = true;
                        return CURLE_OK;
                }
                if (now >= deadline) {
                        x->res->timed_out = true;
                        return CURLE_OK;
                }
                if (!x->exited && (x->g.pidfd < 0 || x->pid_exited) && now >= next_inspect) {
                        run_inspect(x);
                        if (!x->pid_exited)
                                every = every * 2 > EXEC_API_INSPECT_MAX_MS ? EXEC_API_INSPECT_MAX_MS : every * 2;
                        next_inspect = deadline_now() + every;
                        continue;
                }
                wake = deadline;
                if (x->exited)
                        wake = deadline_min(wake, drain_end);
                else if (x->g.pidfd < 0 || x->pid_exited)
                        wake = deadline_min(wake, next_inspect);
                if (worker_stop_fd() >= 0)
                        w[nw++] = (struct curl_waitfd){ .fd = worker_stop_fd(), .events = CURL_WAIT_POLLIN };
                if (x->g.pidfd >= 0 && !x->pid_exited)
                        w[nw++] = (struct curl_waitfd){ .fd = x->g.pidfd, .events = CURL_WAIT_POLLIN };
                t = deadline_poll_timeout(wake);
                (void)curl_multi_poll(m, w, nw, t < 0 || t > 1000 ? 1000 : t, NULL);
        }
}

/* After the stream: the exit code, bounded (the Engine records it a moment
 * after the process exits). */
static void run_exit_code(struct run *x)
{
        int64_t until = deadline_in(EXEC_API_EXIT_POLL_MS);
        struct timespec ts = { 0, 10 * 1000 * 1000 };

        while (!x->has_exit && !deadline_passed(until)) {
                run_inspect(x);
                if (!x->has_exit)
                        (void)nanosleep(&ts, NULL);
        }
}

/* Kill it with its group if it still runs and procguard vouches for it. */
static void run_kill(struct run *x)
{
        if (x->pid_exited)
                return;  /* done; what is left of its group is the container's */
        if (x->g.pidfd < 0 && !x->pid_tried)
                run_inspect(x);
        if (x->g.pidfd >= 0) {
                if (procguard_kill_group(&x->g) == 0)
                        x->res->killed = true;
                return;
        }
        if (!x->exited)
                x->res->not_visible = true;
}

int docker_exec(struct docker *d, const char *id, char *const *argv, char *const *env,
                int64_t deadline_ms, size_t max_output,
                void (*on_created)(void *userdata, const char *exec_id), void *userdata,
                struct docker_exec_result *ret)
{
        struct docker_exec_result res = { .exit_code = -1 };
        struct run x = { .d = d, .id = id, .res = &res, .g = PROCGUARD_INIT };
        struct exec_sink s = { .fd = &res.out };
        char path[160];
        struct docker_req req = { .method = "POST", .path = path,
                                  .json_body = "{\"Detach\":false,\"Tty\":false}",
                                  .sink = exec_write, .sink_ud = &s };
        struct docker_http *h = NULL;
        CURLM *m = NULL;
        CURLcode c;
        long status = 0, left_s = (long)((deadline_ms - deadline_now()) / 1000);
        int r;

        frame_decoder_init(&res.out, max_output);
        if (deadline_passed(deadline_ms)) {
                r = -ETIME;
                goto out;
        }
        r = exec_create(d, id, argv, env, left_s < 1 ? 1 : left_s > DOCKER_REQUEST_TIMEOUT_S
                        ? DOCKER_REQUEST_TIMEOUT_S : left_s, &status, res.exec_id, sizeof(res.exec_id));
        if (r < 0) {
                ret->http_status = status;
                goto out;
        }
        if (on_created)
                on_created(userdata, res.exec_id);

        snprintf(path, sizeof(path), "/exec/%s/start", res.exec_id);
        h = docker_http_open(d, &req);
        m = curl_multi_init();
        if (!h || !m) {
                r = -ENOMEM;
                goto out;
        }
        if (curl_multi_add_handle(m, docker_http_easy(h)) != CURLM_OK) {
                r = -ENOMEM;
                goto out;
        }
        c = run_stream(&x, m, deadline_ms);
        r = docker_http_end(h, (int)c, &status);
        (void)curl_multi_remove_handle(m, docker_http_easy(h));  /* closes the stream */
        if (status >= 400) {
                r = status == 404 ? -ENOENT : status == 409 ? -EBUSY : -EPROTO;
                res.http_status = status;
                goto out;
        }
        if (r == -ENOBUFS && s.err == -ENOBUFS)
                res.overflow = true;
        else if (r == -EPROTO && s.err == -EPROTO)
                res.bad_stream = true;
        else if (r < 0) {
                run_kill(&x);  /* the stream broke: do not leave it behind */
                goto out;
        }
        if (res.out.overflow)
                res.overflow = true;
        if (!(res.timed_out || res.overflow || res.bad_stream || res.stopped)) {
                run_exit_code(&x);
                if (!x.has_exit) {
                        r = -ETIMEDOUT;
                        run_kill(&x);
                        goto out;
                }
                res.exit_code = x.exit_code;
        } else if (!x.exited) {
                run_kill(&x);
        }
        *ret = res;
        memset(&res, 0, sizeof(res));
        r = 0;
out:
        worker_guard(-1, 0);
        procguard_close(&x.g);
        frame_decoder_free(&res.out);
        if (h && m)
                (void)curl_multi_remove_handle(m, docker_http_easy(h));
        docker_http_close(h);
        if (m)
                curl_multi_cleanup(m);
        return r;
}

void docker_exec_result_free(struct docker_exec_result *r)
{
        if (r)
                frame_decoder_free(&r->out);
}
