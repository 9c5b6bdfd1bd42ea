/* docker_http.c — the Engine client's transport.  See docker_http.h.
 *
 * Every request makes its own easy handle: the same code runs in the main
 * loop at start-up and in forked workers, and a child must never touch
 * handles its parent owns. */
#include "docker_http.h"

#include "buf.h"
#include "docker.h"
#include "engine_id.h"
#include "events.h"
#include "strv.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOCKER_JSON_MAX (16u << 20)  /* any JSON answer we read */

/* The only filter the controller asks the Engine for, {"type":["container"]},
 * percent-encoded. */
#define EVENTS_FILTER "%7B%22type%22%3A%5B%22container%22%5D%7D"

struct docker {
        char *socket;
        char api[DOCKER_HTTP_API_MAX];
        char *events_filter;  /* percent-encoded {"type":[..],"label":[..]}, or NULL */
        char *list_filter;    /* percent-encoded {"label":[..]}, or NULL */
        char **labels;        /* --scope's label filters (the ended list's is made from them) */
        struct engine_id id;    /* from the last negotiation */
};

struct docker_http {
        const struct docker_req *req;
        CURL *h;
        struct curl_slist *hdrs;
        char *url;
        int err;        /* the sink's -errno, if it stopped the transfer */
};

struct docker *docker_new(const char *socket_path)
{
        struct docker *d = calloc(1, sizeof(*d));

        if (!d)
                return NULL;
        d->socket = strdup(socket_path);
        if (!d->socket) {
                free(d);
                return NULL;
        }
        snprintf(d->api, sizeof(d->api), "%s", DOCKER_API_OURS);
        return d;
}

struct docker *docker_free(struct docker *d)
{
        if (d) {
                free(d->socket);
                free(d->events_filter);
                free(d->list_filter);
                strv_free(d->labels);
                free(d);
        }
        return NULL;
}

/* The states of a container that ended, as each engine names them in a
 * list filter: Docker's "exited" and "dead"; Podman 4.3 refuses "dead"
 * (HTTP 500) and lists as "stopped" those not yet cleaned up. */
enum ended_states { ENDED_NONE, ENDED_DOCKER, ENDED_PODMAN };

/* {"type":["container"] (WITH_TYPE), "status":[the ENDED states],
 * "label":[LABELS...]}, percent-encoded; NULL on ENOMEM. */
static char *make_filter(char *const *labels, bool with_type, enum ended_states ended)
{
        static const char *const t[] = { "container" }, *const st_docker[] = { "exited", "dead" },
                                 *const st_podman[] = { "exited", "stopped" };
        cJSON *o = cJSON_CreateObject(), *a = NULL;
        char *txt = NULL, *esc = NULL;

        if (!o)
                return NULL;
        if (with_type && !cJSON_AddItemToObject(o, "type", cJSON_CreateStringArray(t, 1)))
                goto out;
        if (ended != ENDED_NONE &&
            !cJSON_AddItemToObject(o, "status",
                                   cJSON_CreateStringArray(ended == ENDED_DOCKER ? st_docker : st_podman, 2)))
                goto out;
        if (labels && labels[0]) {
                a = cJSON_AddArrayToObject(o, "label");
                for (size_t i = 0; a && labels[i]; i++)
                        if (!cJSON_AddItemToArray(a, cJSON_CreateString(labels[i])))
                                goto out;
                if (!a)
                        goto out;
        }
        txt = cJSON_PrintUnformatted(o);
        if (txt)
                esc = docker_http_escape(txt);
out:
        free(txt);
        cJSON_Delete(o);
        return esc;
}

int docker_set_label_filters(struct docker *d, char *const *labels)
{
        char *ev = NULL, *li = NULL, **copy = NULL;

        for (size_t i = 0; labels && labels[i]; i++)
                if (strv_push(&copy, labels[i]) < 0)
                        goto nomem;
        if (labels && labels[0]) {
                ev = make_filter(labels, true, ENDED_NONE);
                li = make_filter(labels, false, ENDED_NONE);
                if (!ev || !li)
                        goto nomem;
        }
        free(d->events_filter);
        free(d->list_filter);
        strv_free(d->labels);
        d->events_filter = ev;
        d->list_filter = li;
        d->labels = copy;
        return 0;
nomem:
        free(ev);
        free(li);
        strv_free(copy);
        return -ENOMEM;
}

/* Made when asked (only after lost history): the states depend on the
 * engine, known after the negotiation. */
char *docker_ended_filter(const struct docker *d)
{
        return make_filter(d->labels, false, strcmp(d->id.name, "Podman") == 0 ? ENDED_PODMAN : ENDED_DOCKER);
}

const char *docker_list_filter(const struct docker *d)
{
        return d->list_filter;
}

const char *docker_api_version(const struct docker *d)
{
        return d->api;
}

const char *docker_socket_path(const struct docker *d)
{
        return d->socket;
}

const struct engine_id *docker_engine(const struct docker *d)
{
        return &d->id;
}

void docker_http_set_engine(struct docker *d, const struct engine_id *id)
{
        d->id = *id;
}

void docker_http_set_api(struct docker *d, const char *v)
{
        snprintf(d->api, sizeof(d->api), "%s", v);
}

/* "http://localhost/vX.Y" + PATH_QUERY; caller frees; NULL on ENOMEM. */
static char *docker_url(const struct docker *d, const char *path_query)
{
        char *u;

        if (asprintf(&u, "http://localhost/v%s%s", d->api, path_query) < 0)
                return NULL;
        return u;
}

char *docker_events_url(const struct docker *d, uint64_t since_ns, uint64_t until_ns)
{
        char since[40], until[40], *path, *u;

        event_format_since(since_ns, since, sizeof(since));
        if (until_ns && strcmp(d->id.name, "Podman") == 0) {
                /* Podman 4.3 answers nothing when asked with until=; it
                 * ends the answer at the present with stream=false (the
                 * caller drops what came after UNTIL_NS: docs/engines.md). */
                if (asprintf(&path, "/events?since=%s&stream=false&filters=%s", since, EVENTS_FILTER) < 0)
                        return NULL;
        } else if (until_ns) {
                event_format_since(until_ns, until, sizeof(until));
                if (asprintf(&path, "/events?since=%s&until=%s&filters=%s", since, until,
                             d->events_filter ? d->events_filter : EVENTS_FILTER) < 0)
                        return NULL;
        } else if (asprintf(&path, "/events?since=%s&filters=%s", since,
                            d->events_filter ? d->events_filter : EVENTS_FILTER) < 0) {
                return NULL;
        }
        u = docker_url(d, path);
        free(path);
        return u;
}

char *docker_http_escape(const char *s)
{
        static const char hex[] = "0123456789ABCDEF";
        size_t n = strlen(s);
        char *e = malloc(n * 3 + 1), *p = e;

        if (!e)
                return NULL;
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;

                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~') {
                        *p++ = (char)c;
                } else {
                        *p++ = '%';
                        *p++ = hex[c >> 4];
                        *p++ = hex[c & 15];
                }
        }
        *p = '\0';
        return e;
}

void docker_easy_setup(const struct docker *d, void *easy, const char *url)
{
        CURL *h = easy;

        curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, d->socket);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, DOCKER_CONNECT_TIMEOUT_S);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
}

static int curl_to_errno(CURLcode c)
{
        switch (c) {
        case CURLE_OK: return 0;
        case CURLE_COULDNT_CONNECT: return -ECONNREFUSED;
        case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
        case CURLE_WRITE_ERROR: return -ENOBUFS;
        case CURLE_OUT_OF_MEMORY: return -ENOMEM;
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR: return -ECONNRESET;
        default: return -EIO;
        }
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
        struct docker_http *x = ud;
        long status = 0;
        int r;

        if (!x->req->sink)
                return sz * n;
        curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
        r = x->req->sink(x->req->sink_ud, status, p, sz * n);
        if (r < 0) {
                x->err = r;
                return 0;  /* a short count stops the transfer */
        }
        return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
        struct docker_http *x = ud;

        x->req->header(x->req->header_ud, p, sz * n);
        return sz * n;
}

struct docker_http *docker_http_open(struct docker *d, const struct docker_req *req)
{
        struct docker_http *x = calloc(1, sizeof(*x));
        const char *method = req->method ? req->method : "GET";

        if (!x)
                return NULL;
        x->req = req;
        x->h = curl_easy_init();
        x->url = req->url ? strdup(req->url) : docker_url(d, req->path);
        if (!x->h || !x->url)
                return docker_http_close(x);
        docker_easy_setup(d, x->h, x->url);
        curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
        if (req->timeout_s > 0)
                curl_easy_setopt(x->h, CURLOPT_TIMEOUT, req->timeout_s);
        if (req->header) {
                curl_easy_setopt(x->h, CURLOPT_HEADERFUNCTION, on_header);
                curl_easy_setopt(x->h, CURLOPT_HEADERDATA, x);
        }
        if (strcmp(method, "POST") == 0) {
                x->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
                if (!x->hdrs)
                        return docker_http_close(x);
                curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->hdrs);
                curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, req->json_body ? req->json_body : "{}");
        } else if (strcmp(method, "HEAD") == 0) {
                curl_easy_setopt(x->h, CURLOPT_NOBODY, 1L);
        }
        return x;
}

void *docker_http_easy(struct docker_http *x)
{
        return x->h;
}

int docker_http_end(struct docker_http *x, int code, long *ret_status)
{
        long status = 0;

        curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
        *ret_status = status;
        if (x->err)
                return x->err;
        return curl_to_errno((CURLcode)code);
}

struct docker_http *docker_http_close(struct docker_http *x)
{
        if (x) {
                curl_slist_free_all(x->hdrs);
                if (x->h)
                        curl_easy_cleanup(x->h);
                free(x->url);
                free(x);
        }
        return NULL;
}

int docker_http_run(struct docker *d, const struct docker_req *req, long *ret_status)
{
        struct docker_http *x = docker_http_open(d, req);
        long status = 0;
        int r;

        if (!x)
                return -ENOMEM;
        r = docker_http_end(x, curl_easy_perform(x->h), &status);
        docker_http_close(x);
        if (r == 0)
                *ret_status = status;
        return r;
}

static int sink_buf(void *ud, long status, const char *p, size_t n)
{
        (void)status;
        return buf_append(ud, p, n) < 0 ? -ENOBUFS : 0;
}

int docker_request(struct docker *d, const char *method, const char *path_query,
                   const char *json_body, long timeout_s, long *ret_status,
                   struct buf *ret_body)
{
        struct docker_req req = {
                .method = method, .path = path_query, .json_body = json_body,
                .timeout_s = timeout_s, .sink = ret_body ? sink_buf : NULL, .sink_ud = ret_body,
        };

        return docker_http_run(d, &req, ret_status);
}

int docker_get_json(struct docker *d, const char *path, long timeout_s, long *ret_status,
                    cJSON **ret)
{
        struct buf b;
        long status = 0;
        cJSON *j;
        int r;

        buf_init(&b, DOCKER_JSON_MAX);
        r = docker_request(d, "GET", path, NULL, timeout_s, &status, &b);
        if (r < 0)
                goto out;
        *ret_status = status;
        if (status != 200) {
                r = status == 404 ? -ENOENT : -EPROTO;
                goto out;
        }
        j = cJSON_ParseWithLength(b.data ? b.data : "", b.len);
        if (!j) {
                r = -EPROTO;
                goto out;
        }
        *ret = j;
        r = 0;
out:
        buf_free(&b);
        return r;
}
