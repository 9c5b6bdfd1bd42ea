/* docker.c — the Engine API calls: version negotiation, the running
 * containers, inspect, the archive listing of a script dir, a finite
 * /events query.  See docker.h.
 *
 * Every call goes through docker_http_run (docker_http.c: the transport,
 * a fresh easy handle each time), but the inspect with the listing, whose
 * two transfers run on one multi handle; response trees are deleted before
 * returning. */
#include "docker.h"

#include "buf.h"
#include "docker_http.h"
#include "engine_id.h"
#include "events.h"
#include "rfc3339.h"
#include "strv.h"
#include "tarlist.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define DOCKER_JSON_MAX (16u << 20)  /* any JSON answer we read */

/* GET PATH and parse the JSON answer (status 200 only). */
static int get_json(struct docker *d, const char *path, long *ret_status, cJSON **ret)
{
        return docker_get_json(d, path, DOCKER_REQUEST_TIMEOUT_S, ret_status, ret);
}

static int sink_buf(void *ud, long status, const char *p, size_t n)
{
        (void)status;
        return buf_append(ud, p, n) < 0 ? -ENOBUFS : 0;
}

/* ---- version negotiation ------------------------------------------------- */

struct ping_hdr {
        char api[16];
};

static void ping_header(void *ud, const char *p, size_t len)
{
        struct ping_hdr *ph = ud;
        static const char key[] = "api-version:";
        size_t i;

        if (len > sizeof(key) - 1 && strncasecmp(p, key, sizeof(key) - 1) == 0) {
                const char *v = p + sizeof(key) - 1;
                size_t vl = len - (sizeof(key) - 1);
                while (vl && (*v == ' ' || *v == '\t'))
                        v++, vl--;
                for (i = 0; i < vl && i + 1 < sizeof(ph->api) && v[i] != '\r' && v[i] != '\n'; i++)
                        ph->api[i] = v[i];
                ph->api[i] = '\0';
        }
}

/* "1.41" → 1041; -1 if not a version. */
static long version_num(const char *v)
{
        char *end;
        long maj, min;

        if (!v || !*v)
                return -1;
        maj = strtol(v, &end, 10);
        if (*end != '.')
                return -1;
        min = strtol(end + 1, &end, 10);
        if (*end || maj < 0 || min < 0 || min > 999)
                return -1;
        return maj * 1000 + min;
}

/* GET URL (short timeout) into B; 0 with *RET_STATUS, or -errno. */
static int get_small(struct docker *d, const char *url, struct buf *b, struct ping_hdr *ph,
                     long *ret_status)
{
        return docker_http_run(d, &(struct docker_req){
                                       .url = url, .timeout_s = DOCKER_CONNECT_TIMEOUT_S,
                                       .sink = sink_buf, .sink_ud = b,
                                       .header = ph ? ping_header : NULL, .header_ud = ph },
                               ret_status);
}

/* A daemon that refuses our version says so in a 400 (Docker 25+:
 * "client version 1.41 is too old. Minimum supported API version is
 * 1.44, ..."): that minimum into RET (DOCKER_HTTP_API_MAX), or "". */
static void minimum_from_refusal(const struct buf *b, char *ret)
{
        static const char key[] = "Minimum supported API version is ";
        const char *p = b->data ? memmem(b->data, b->len, key, sizeof(key) - 1) : NULL;
        size_t i = 0;

        ret[0] = '\0';
        if (!p)
                return;
        p += sizeof(key) - 1;
        while (i + 1 < DOCKER_HTTP_API_MAX && p + i < b->data + b->len &&
               ((p[i] >= '0' && p[i] <= '9') || p[i] == '.'))
                i++;
        memcpy(ret, p, i);
        ret[i] = '\0';
        if (i && ret[i - 1] == '.')
                ret[i - 1] = '\0';  /* the sentence's full stop */
        if (version_num(ret) < 0)
                ret[0] = '\0';
}

int docker_negotiate(struct docker *d)
{
        struct ping_hdr ph = { .api = "" };
        long status = 0, ours = version_num(DOCKER_API_OURS), theirs, chosen;
        struct engine_id id = { .name = "" };
        char url[64], min[DOCKER_HTTP_API_MAX];
        const char *api;
        struct buf b;
        int r;

        buf_init(&b, 4096);
        /* Short: a frozen daemon must not hold the caller's loop long. */
        r = get_small(d, "http://localhost/_ping", &b, &ph, &status);
        buf_free(&b);
        if (r < 0)
                return r == -ECONNRESET ? -ECONNREFUSED : r;
        if (status != 200)
                return -EPROTO;
        /* Who it is, and its range (docs/engines.md): a /version that is
         * missing, malformed or lies leaves the name unknown and the
         * ping's header in charge. */
        buf_init(&b, DOCKER_JSON_MAX);
        /* Not short: Podman runs conmon and its runtime to answer it. */
        if (docker_http_run(d, &(struct docker_req){
                                    .url = "http://localhost/version", .timeout_s = DOCKER_REQUEST_TIMEOUT_S,
                                    .sink = sink_buf, .sink_ud = &b },
                            &status) == 0 &&
            status == 200)
                (void)engine_id_parse(b.data ? b.data : "", b.len, &id);
        buf_free(&b);
        docker_http_set_engine(d, &id);
        theirs = version_num(ph.api);
        if (theirs < 0)
                theirs = version_num(id.api_max);
        /* Very old daemons send no header: stay with ours. */
        chosen = theirs < 0 || theirs > ours ? ours : theirs;
        api = chosen == ours ? DOCKER_API_OURS : theirs == version_num(ph.api) ? ph.api : id.api_max;
        /* Never below the daemon's minimum (traefik #12253: Docker 29
         * dropped everything below 1.44), unless it is above the
         * daemon's maximum (a lie: the probe below settles it). */
        if (version_num(id.api_min) > chosen && (theirs < 0 || version_num(id.api_min) <= theirs)) {
                chosen = version_num(id.api_min);
                api = id.api_min;
        }
        docker_http_set_api(d, api);
        /* Prove it on a versioned path (the cheapest): a daemon whose
         * /version omits or understates its minimum refuses the version
         * with a 400 that names the minimum.  Any other answer, or none,
         * leaves the choice as it is: the calls that follow will tell. */
        snprintf(url, sizeof(url), "http://localhost/v%s/_ping", docker_api_version(d));
        buf_init(&b, 4096);
        r = get_small(d, url, &b, NULL, &status);
        if (r == 0 && status == 400) {
                minimum_from_refusal(&b, min);
                if (version_num(min) > chosen)
                        docker_http_set_api(d, min);
        }
        buf_free(&b);
        return 0;
}

/* ---- containers ---------------------------------------------------------- */

static void copy_name(char *dst, size_t dstsz, const char *src)
{
        if (src[0] == '/')
                src++;
        snprintf(dst, dstsz, "%s", src);
}

/* GET PATH, a container list: at most MAX (0: all) into *RET and *RET_N. */
static int list_get(struct docker *d, const char *path, size_t max, struct docker_container **ret,
                    size_t *ret_n)
{
        struct docker_container *v = NULL;
        cJSON *j = NULL, *it;
        long status;
        size_t n = 0;
        int r;

        r = get_json(d, path, &status, &j);
        if (r < 0)
                return r;
        if (!cJSON_IsArray(j)) {
                r = -EPROTO;
                goto out;
        }
        v = calloc((size_t)cJSON_GetArraySize(j) + 1, sizeof(*v));
        if (!v) {
                r = -ENOMEM;
                goto out;
        }
        cJSON_ArrayForEach(it, j) {
                cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "Id");
                cJSON *names = cJSON_GetObjectItemCaseSensitive(it, "Names");
                cJSON *n0 = cJSON_IsArray(names) ? cJSON_GetArrayItem(names, 0) : NULL;

                if (max && n >= max)
                        break;
                if (!cJSON_IsString(id) || strlen(id->valuestring) >= sizeof(v[n].id))
                        continue;
                snprintf(v[n].id, sizeof(v[n].id), "%s", id->valuestring);
                copy_name(v[n].name, sizeof(v[n].name), cJSON_IsString(n0) ? n0->valuestring : "");
                n++;
        }
        *ret = v;
        *ret_n = n;
        v = NULL;
        r = 0;
out:
        free(v);
        cJSON_Delete(j);
        return r;
}

int docker_list_running(struct docker *d, struct docker_container **ret, size_t *ret_n)
{
        const char *lf = docker_list_filter(d);
        char *path = NULL;
        int r;

        if (lf && asprintf(&path, "/containers/json?filters=%s", lf) < 0)
                return -ENOMEM;
        r = list_get(d, path ? path : "/containers/json", 0, ret, ret_n);
        free(path);
        return r;
}

int docker_list_ended(struct docker *d, size_t max, struct docker_container **ret, size_t *ret_n)
{
        char *f = docker_ended_filter(d), *path = NULL;
        int r;

        if (!f || asprintf(&path, "/containers/json?all=1&filters=%s", f) < 0) {
                free(f);
                return -ENOMEM;
        }
        r = list_get(d, path, max, ret, ret_n);
        free(path);
        free(f);
        return r;
}

int docker_parse_time(const char *s, uint64_t *ret)
{
        return rfc3339_parse(s, ret);
}

static int inspect_path(const char *id, char *path, size_t pathsz)
{
        if (strlen(id) >= sizeof(((struct docker_inspect *)0)->id) || strchr(id, '/') ||
            strchr(id, '?'))
                return -EINVAL;
        snprintf(path, pathsz, "/containers/%s/json", id);
        return 0;
}

/* The driver options of IN's local volumes (GET /volumes/NAME): a volume
 * can bind any host path (docker volume create -o o=bind -o device=/),
 * which the container's inspect does not show.  Any failure counts as a
 * volume that could not be checked (host-equivalent: fail closed). */
static void check_volumes(struct docker *d, struct docker_inspect *in)
{
        for (unsigned i = 0; i < in->nvolumes && !in->volume_unchecked; i++) {
                char *esc = docker_http_escape(in->volumes[i]);
                char path[1024];
                struct buf b;
                long status = 0;
                int r = -ENOMEM;

                buf_init(&b, INSPECT_VOLUME_JSON_MAX);
                if (esc && (size_t)snprintf(path, sizeof(path), "/volumes/%s", esc) < sizeof(path))
                        r = docker_request(d, "GET", path, NULL, DOCKER_REQUEST_TIMEOUT_S, &status, &b);
                if (r == 0 && status == 200)
                        inspect_volume_apply(b.data ? b.data : "", b.len, docker_socket_path(d), in);
                else
                        in->volume_unchecked = true;
                free(esc);
                buf_free(&b);
        }
}

/* The inspect of ID from the Engine's answer (STATUS, body B). */
static int inspect_answer(struct docker *d, const char *id, long status, const struct buf *b,
                          struct docker_inspect *ret)
{
        struct docker_inspect in;
        int r;

        if (status != 200)
                return status == 404 ? -ENOENT : -EPROTO;
        r = inspect_parse(b->data ? b->data : "", b->len, docker_socket_path(d), &in);
        if (r < 0)
                return r;
        /* The Engine resolves names and id prefixes too: a container NAMED
         * after a dead container's id would answer for it. */
        if (strcmp(in.id, id) != 0)
                return -ENOENT;
        if (in.started_at[0] && rfc3339_parse(in.started_at, &in.started_ns) < 0)
                in.started_ns = 0;
        check_volumes(d, &in);
        *ret = in;
        return 0;
}

int docker_inspect_doc(struct docker *d, const char *id, struct docker_inspect *ret,
                       struct buf *ret_doc)
{
        char path[160];
        struct buf b;
        long status = 0;
        int r;

        r = inspect_path(id, path, sizeof(path));
        if (r < 0)
                return r;
        buf_init(&b, INSPECT_JSON_MAX);
        r = docker_request(d, "GET", path, NULL, DOCKER_REQUEST_TIMEOUT_S, &status, &b);
        if (r == 0)
                r = inspect_answer(d, id, status, &b, ret);
        if (r == 0 && ret_doc) {
                *ret_doc = b;
                return 0;
        }
        buf_free(&b);
        return r;
}

int docker_inspect(struct docker *d, const char *id, struct docker_inspect *ret)
{
        return docker_inspect_doc(d, id, ret, NULL);
}

/* ---- script listing through the archive API ------------------------------ */

struct tar_sink {
        struct tar_lister t;
};

static int tar_sink(void *ud, long status, const char *p, size_t n)
{
        struct tar_sink *s = ud;

        if (status != 200)
                return 0;  /* an error document: ignore its body */
        int r = tar_lister_feed(&s->t, p, n);

        return r < 0 ? r : 0;
}

struct list_req {
        struct tar_sink s;
        struct docker_req req;
        const char *dir;
        char *path;
};

static int list_begin(struct list_req *l, const char *id, const char *dir, size_t max)
{
        char *esc = docker_http_escape(dir);

        *l = (struct list_req){ .dir = dir,
                                .req = { .timeout_s = DOCKER_REQUEST_TIMEOUT_S, .sink = tar_sink } };
        l->req.sink_ud = &l->s;
        tar_lister_init(&l->s.t, max);
        if (!esc || asprintf(&l->path, "/containers/%s/archive?path=%s", id, esc) < 0)
                l->path = NULL;
        free(esc);
        l->req.path = l->path;
        return l->path ? 0 : -ENOMEM;
}

/* The listing from the transfer's result R and STATUS; frees L. */
static int list_end(struct list_req *l, int r, long status, char ***ret)
{
        char **names = NULL;

        if (r < 0)
                goto out;
        if (status == 404) {
                /* Both "no such container" and "no such path" are 404; the
                 * caller inspected the container, so this is the dir. */
                r = -ENOENT;
                goto out;
        }
        if (status != 200) {
                r = status == 409 ? -ESRCH : -EREMOTEIO;
                goto out;
        }
        r = tar_lister_take(&l->s.t, &names);
        if (r < 0)
                goto out;
        /* Turn the names into absolute paths inside the container. */
        for (size_t i = 0; names[i]; i++) {
                char *full;
                size_t dl = strlen(l->dir);
                if (asprintf(&full, "%s%s%s", l->dir, dl && l->dir[dl - 1] == '/' ? "" : "/",
                             names[i]) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
                free(names[i]);
                names[i] = full;
        }
        *ret = names;
        names = NULL;
        r = 0;
out:
        strv_free(names);
        tar_lister_free(&l->s.t);
        free(l->path);
        return r;
}

int docker_list_scripts(struct docker *d, const char *id, const char *dir, size_t max,
                        char ***ret)
{
        struct list_req l;
        long status = 0;
        int r = list_begin(&l, id, dir, max);

        if (r == 0)
                r = docker_http_run(d, &l.req, &status);
        return list_end(&l, r, status, ret);
}

int docker_inspect_list(struct docker *d, const char *id, const char *dir, size_t max,
                        struct docker_inspect *ret, int *ret_list, char ***ret_scripts)
{
        return docker_inspect_list_doc(d, id, dir, max, ret, ret_list, ret_scripts, NULL);
}

int docker_inspect_list_doc(struct docker *d, const char *id, const char *dir, size_t max,
                            struct docker_inspect *ret, int *ret_list, char ***ret_scripts,
                            struct buf *ret_doc)
{
        struct docker_req ireq = { .timeout_s = DOCKER_REQUEST_TIMEOUT_S, .sink = sink_buf };
        struct docker_http *hi = NULL, *hl = NULL;
        char ipath[160];
        struct list_req l;
        long istatus = 0, lstatus = 0;
        int r, ri = -EINPROGRESS, rl = -EINPROGRESS, running = 1;
        bool listed = false;
        struct buf b;
        CURLM *m;

        *ret_list = -ECANCELED;
        r = inspect_path(id, ipath, sizeof(ipath));
        if (r < 0)
                return r;
        buf_init(&b, INSPECT_JSON_MAX);
        m = curl_multi_init();
        ireq.path = ipath;
        ireq.sink_ud = &b;
        r = list_begin(&l, id, dir, max);
        if (r == 0 && m) {
                hi = docker_http_open(d, &ireq);
                hl = docker_http_open(d, &l.req);
        }
        if (!m || !hi || !hl || curl_multi_add_handle(m, docker_http_easy(hi)) != CURLM_OK ||
            curl_multi_add_handle(m, docker_http_easy(hl)) != CURLM_OK) {
                r = -ENOMEM;
                goto out;
        }
        /* Both transfers carry their own timeouts: the loop ends. */
        while (running) {
                CURLMsg *msg;
                int left;

                if (curl_multi_perform(m, &running) != CURLM_OK)
                        break;
                while ((msg = curl_multi_info_read(m, &left))) {
                        if (msg->msg != CURLMSG_DONE)
                                continue;
                        if (msg->easy_handle == docker_http_easy(hi))
                                ri = docker_http_end(hi, (int)msg->data.result, &istatus);
                        else if (msg->easy_handle == docker_http_easy(hl))
                                rl = docker_http_end(hl, (int)msg->data.result, &lstatus);
                }
                if (running && curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK)
                        break;
        }
        if (ri == -EINPROGRESS)
                ri = -EIO;
        if (rl == -EINPROGRESS)
                rl = -EIO;
        r = ri < 0 ? ri : inspect_answer(d, id, istatus, &b, ret);
        if (r == 0) {
                *ret_list = list_end(&l, rl, lstatus, ret_scripts);
                listed = true;
        }
out:
        if (!listed)
                (void)list_end(&l, -ECANCELED, 0, ret_scripts);
        if (m) {
                if (hi)
                        (void)curl_multi_remove_handle(m, docker_http_easy(hi));
                if (hl)
                        (void)curl_multi_remove_handle(m, docker_http_easy(hl));
        }
        docker_http_close(hi);
        docker_http_close(hl);
        if (m)
                curl_multi_cleanup(m);
        if (r == 0 && ret_doc)
                *ret_doc = b;
        else
                buf_free(&b);
        return r;
}

/* ---- finite /events query ------------------------------------------------ */

struct ev_collect {
        struct event *v;
        size_t n, max;
        uint64_t until;  /* later events are dropped (an engine without until=) */
};

static int ev_line(void *ud, const char *line, size_t len)
{
        struct ev_collect *c = ud;
        struct event e;

        if (event_parse(line, len, &e, NULL) < 0)
                return 0;  /* malformed: skipped, the caller only needs the good ones */
        if (c->until && e.time_nano > c->until)
                return 0;
        if (c->n >= c->max)
                return 0;
        c->v[c->n++] = e;
        return 0;
}

struct ev_sink {
        struct line_splitter *ls;
        struct ev_collect *c;
};

static int ev_sink(void *ud, long status, const char *p, size_t n)
{
        struct ev_sink *s = ud;

        (void)status;
        (void)line_splitter_feed(s->ls, p, n, ev_line, s->c, NULL);
        return 0;
}

int docker_events_between(struct docker *d, uint64_t since_ns, uint64_t until_ns,
                          size_t max, struct event **ret, size_t *ret_n)
{
        struct ev_collect c = { .max = max, .until = until_ns };
        struct ev_sink s = { .c = &c };
        struct docker_req req = { .timeout_s = DOCKER_REQUEST_TIMEOUT_S, .sink = ev_sink,
                                  .sink_ud = &s };
        long status = 0;
        int r;

        s.ls = line_splitter_new(EVENT_LINE_MAX);
        c.v = calloc(max ? max : 1, sizeof(*c.v));
        req.url = docker_events_url(d, since_ns, until_ns);
        if (!s.ls || !c.v || !req.url) {
                r = -ENOMEM;
                goto out;
        }
        r = docker_http_run(d, &req, &status);
        if (r < 0)
                goto out;
        if (status != 200) {
                r = -EPROTO;
                goto out;
        }
        (void)line_splitter_feed(s.ls, "\n", 1, ev_line, &c, NULL);
        *ret = c.v;
        *ret_n = c.n;
        c.v = NULL;
        r = 0;
out:
        free(c.v);
        line_splitter_free(s.ls);
        free((char *)req.url);
        return r;
}
