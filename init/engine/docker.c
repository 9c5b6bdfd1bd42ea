/* docker.c — blocking Engine API client over the unix socket.  See docker.h.
 *
 * Every call makes its own easy handle: the same code runs in the main loop
 * at start-up and in forked workers, and a child must never touch handles
 * its parent owns.  JSON request bodies are built with cJSON (argv and
 * environment travel as JSON arrays; no shell line is ever built) and
 * response trees are deleted before returning. */
#include "docker.h"

#include "buf.h"
#include "docker_int.h"
#include "events.h"
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

struct docker {
        char *socket;
        char api[16];
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
                free(d);
        }
        return NULL;
}

const char *docker_api_version(const struct docker *d)
{
        return d->api;
}

const char *docker_socket_path(const struct docker *d)
{
        return d->socket;
}

char *docker_url(const struct docker *d, const char *path_query)
{
        char *u;

        if (asprintf(&u, "http://localhost/v%s%s", d->api, path_query) < 0)
                return NULL;
        return u;
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

/* ---- plain requests ------------------------------------------------------ */

struct sink {
        struct buf *b;
        bool overflow;
};

static size_t sink_write(char *p, size_t sz, size_t n, void *ud)
{
        struct sink *s = ud;

        if (!s->b)
                return sz * n;
        if (buf_append(s->b, p, sz * n) < 0) {
                s->overflow = true;
                return 0;
        }
        return sz * n;
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

/* Run one request on a fresh handle with an extra header callback. */
static int request_full(struct docker *d, const char *method, const char *url,
                        const char *json_body, long timeout_s, long *ret_status,
                        struct buf *ret_body,
                        size_t (*hdr_cb)(char *, size_t, size_t, void *), void *hdr_ud)
{
        struct sink s = { .b = ret_body };
        struct curl_slist *hdrs = NULL;
        CURL *h = curl_easy_init();
        CURLcode c;
        long status = 0;
        int r;

        if (!h)
                return -ENOMEM;
        docker_easy_setup(d, h, url);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
        if (timeout_s > 0)
                curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
        if (hdr_cb) {
                curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, hdr_cb);
                curl_easy_setopt(h, CURLOPT_HEADERDATA, hdr_ud);
        }
        if (strcmp(method, "POST") == 0) {
                hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
                if (!hdrs) {
                        r = -ENOMEM;
                        goto out;
                }
                curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body ? json_body : "{}");
        } else if (strcmp(method, "HEAD") == 0) {
                curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        }
        c = curl_easy_perform(h);
        if (c != CURLE_OK) {
                r = s.overflow ? -ENOBUFS : curl_to_errno(c);
                goto out;
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        *ret_status = status;
        r = 0;
out:
        curl_slist_free_all(hdrs);
        curl_easy_cleanup(h);
        return r;
}

int docker_request(struct docker *d, const char *method, const char *path_query,
                   const char *json_body, long timeout_s, long *ret_status,
                   struct buf *ret_body)
{
        char *url = docker_url(d, path_query);
        int r;

        if (!url)
                return -ENOMEM;
        r = request_full(d, method, url, json_body, timeout_s, ret_status, ret_body, NULL, NULL);
        free(url);
        return r;
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

/* GET PATH and parse the JSON answer (status 200 only). */
static int get_json(struct docker *d, const char *path, long *ret_status, cJSON **ret)
{
        return docker_get_json(d, path, DOCKER_REQUEST_TIMEOUT_S, ret_status, ret);
}

int docker_curl_errno(int code)
{
        return curl_to_errno((CURLcode)code);
}

/* ---- version negotiation ------------------------------------------------- */

struct ping_hdr {
        char api[16];
};

static size_t ping_header(char *p, size_t sz, size_t n, void *ud)
{
        struct ping_hdr *ph = ud;
        size_t len = sz * n, i;
        static const char key[] = "api-version:";

        if (len > sizeof(key) - 1 && strncasecmp(p, key, sizeof(key) - 1) == 0) {
                const char *v = p + sizeof(key) - 1;
                size_t vl = len - (sizeof(key) - 1);
                while (vl && (*v == ' ' || *v == '\t'))
                        v++, vl--;
                for (i = 0; i < vl && i + 1 < sizeof(ph->api) && v[i] != '\r' && v[i] != '\n'; i++)
                        ph->api[i] = v[i];
                ph->api[i] = '\0';
        }
        return len;
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

int docker_negotiate(struct docker *d)
{
        struct ping_hdr ph = { .api = "" };
        long status = 0, ours = version_num(DOCKER_API_OURS), theirs;
        struct buf b;
        int r;

        buf_init(&b, 4096);
        /* Short: a frozen daemon must not hold the caller's loop long. */
        r = request_full(d, "GET", "http://localhost/_ping", NULL, DOCKER_CONNECT_TIMEOUT_S,
                         &status, &b, ping_header, &ph);
        buf_free(&b);
        if (r < 0)
                return r == -ECONNRESET ? -ECONNREFUSED : r;
        if (status != 200)
                return -EPROTO;
        theirs = version_num(ph.api);
        if (theirs < 0) {
                /* Very old daemons send no header: stay with ours. */
                snprintf(d->api, sizeof(d->api), "%s", DOCKER_API_OURS);
                return 0;
        }
        if (theirs <= ours) {
                snprintf(d->api, sizeof(d->api), "%s", ph.api);
                return 0;
        }
        /* The daemon is newer: ours, unless it no longer supports ours
         * (traefik #12253: Docker 29 dropped everything below 1.44). */
        snprintf(d->api, sizeof(d->api), "%s", DOCKER_API_OURS);
        {
                cJSON *j = NULL, *mv;
                char *url = NULL;
                struct buf vb;

                buf_init(&vb, DOCKER_JSON_MAX);
                url = strdup("http://localhost/version");
                if (!url) {
                        buf_free(&vb);
                        return -ENOMEM;
                }
                r = request_full(d, "GET", url, NULL, DOCKER_REQUEST_TIMEOUT_S, &status, &vb,
                                 NULL, NULL);
                free(url);
                if (r == 0 && status == 200)
                        j = cJSON_ParseWithLength(vb.data ? vb.data : "", vb.len);
                mv = j ? cJSON_GetObjectItemCaseSensitive(j, "MinAPIVersion") : NULL;
                if (cJSON_IsString(mv) && version_num(mv->valuestring) > ours &&
                    strlen(mv->valuestring) < sizeof(d->api))
                        snprintf(d->api, sizeof(d->api), "%s", mv->valuestring);
                cJSON_Delete(j);
                buf_free(&vb);
        }
        return 0;
}

/* ---- containers ---------------------------------------------------------- */

static void copy_name(char *dst, size_t dstsz, const char *src)
{
        if (src[0] == '/')
                src++;
        snprintf(dst, dstsz, "%s", src);
}

int docker_list_running(struct docker *d, struct docker_container **ret, size_t *ret_n)
{
        struct docker_container *v = NULL;
        cJSON *j = NULL, *it;
        long status;
        size_t n = 0;
        int r;

        r = get_json(d, "/containers/json", &status, &j);
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

static int days_from_civil(int y, unsigned m, unsigned dd, long long *ret)
{
        /* Howard Hinnant's days_from_civil: no timegm(), no TZ state. */
        y -= m <= 2;
        long long era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned)(y - era * 400);
        unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        *ret = era * 146097 + (long long)doe - 719468;
        return 0;
}

int docker_parse_time(const char *s, uint64_t *ret)
{
        int y, mo, da, h, mi, se, n = 0;
        long long days, secs, frac = 0;
        int digits = 0;
        const char *p;

        if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &da, &h, &mi, &se, &n) != 6 ||
            n != 19)
                return -EINVAL;
        if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || se > 60 || y < 1970)
                return -EINVAL;
        p = s + n;
        if (*p == '.') {
                for (p++; *p >= '0' && *p <= '9'; p++) {
                        if (digits < 9) {
                                frac = frac * 10 + (*p - '0');
                                digits++;
                        }
                }
                if (digits == 0)
                        return -EINVAL;
                while (digits < 9) {
                        frac *= 10;
                        digits++;
                }
        }
        days_from_civil(y, (unsigned)mo, (unsigned)da, &days);
        secs = days * 86400 + h * 3600 + mi * 60 + se;
        if (*p == 'Z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                int oh, om, k = 0;
                if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5)
                        return -EINVAL;
                secs -= (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
                p += 6;
        } else {
                return -EINVAL;
        }
        if (*p || secs < 0)
                return -EINVAL;
        *ret = (uint64_t)secs * 1000000000ull + (uint64_t)frac;
        return 0;
}

int docker_inspect(struct docker *d, const char *id, struct docker_inspect *ret)
{
        struct docker_inspect in;
        char path[160];
        struct buf b;
        long status = 0;
        int r;

        if (strlen(id) >= sizeof(in.id) || strchr(id, '/') || strchr(id, '?'))
                return -EINVAL;
        snprintf(path, sizeof(path), "/containers/%s/json", id);
        buf_init(&b, INSPECT_JSON_MAX);
        r = docker_request(d, "GET", path, NULL, DOCKER_REQUEST_TIMEOUT_S, &status, &b);
        if (r < 0)
                goto out;
        if (status != 200) {
                r = status == 404 ? -ENOENT : -EPROTO;
                goto out;
        }
        r = inspect_parse(b.data ? b.data : "", b.len, d->socket, &in);
        if (r < 0)
                goto out;
        /* The Engine resolves names and id prefixes too: a container NAMED
         * after a dead container's id would answer for it. */
        if (strcmp(in.id, id) != 0) {
                r = -ENOENT;
                goto out;
        }
        if (in.started_at[0] && docker_parse_time(in.started_at, &in.started_ns) < 0)
                in.started_ns = 0;
        *ret = in;
out:
        buf_free(&b);
        return r;
}

/* ---- script listing through the archive API ------------------------------ */

struct tar_sink {
        struct tar_lister t;
        long status;
        int err;
        CURL *h;
};

static size_t tar_write(char *p, size_t sz, size_t n, void *ud)
{
        struct tar_sink *s = ud;
        int r;

        if (s->status == 0)
                curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &s->status);
        if (s->status != 200)
                return sz * n;  /* an error document: ignore its body */
        r = tar_lister_feed(&s->t, p, sz * n);
        if (r < 0) {
                s->err = r;
                return 0;
        }
        return sz * n;
}

int docker_list_scripts(struct docker *d, const char *id, const char *dir, size_t max,
                        char ***ret)
{
        struct tar_sink s = { .status = 0 };
        char *esc = NULL, *path = NULL, *url = NULL, **names = NULL;
        CURLcode c;
        int r;

        tar_lister_init(&s.t, max);
        s.h = curl_easy_init();
        if (!s.h) {
                r = -ENOMEM;
                goto out;
        }
        esc = curl_easy_escape(s.h, dir, 0);
        if (!esc || asprintf(&path, "/containers/%s/archive?path=%s", id, esc) < 0) {
                path = NULL;
                r = -ENOMEM;
                goto out;
        }
        url = docker_url(d, path);
        if (!url) {
                r = -ENOMEM;
                goto out;
        }
        docker_easy_setup(d, s.h, url);
        curl_easy_setopt(s.h, CURLOPT_WRITEFUNCTION, tar_write);
        curl_easy_setopt(s.h, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(s.h, CURLOPT_TIMEOUT, DOCKER_REQUEST_TIMEOUT_S);
        c = curl_easy_perform(s.h);
        curl_easy_getinfo(s.h, CURLINFO_RESPONSE_CODE, &s.status);
        if (s.err) {
                r = s.err;
                goto out;
        }
        if (c != CURLE_OK) {
                r = curl_to_errno(c);
                goto out;
        }
        if (s.status == 404) {
                /* Both "no such container" and "no such path" are 404; the
                 * caller inspected the container first, so this is the dir. */
                r = -ENOENT;
                goto out;
        }
        if (s.status != 200) {
                r = s.status == 409 ? -ESRCH : -EREMOTEIO;
                goto out;
        }
        r = tar_lister_take(&s.t, &names);
        if (r < 0)
                goto out;
        /* Turn the names into absolute paths inside the container. */
        for (size_t i = 0; names[i]; i++) {
                char *full;
                size_t dl = strlen(dir);
                if (asprintf(&full, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
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
        tar_lister_free(&s.t);
        if (esc)
                curl_free(esc);
        free(path);
        free(url);
        if (s.h)
                curl_easy_cleanup(s.h);
        return r;
}

/* ---- finite /events query ------------------------------------------------ */

struct ev_collect {
        struct event *v;
        size_t n, max;
        int err;
};

static int ev_line(void *ud, const char *line, size_t len)
{
        struct ev_collect *c = ud;
        struct event e;

        if (event_parse(line, len, &e, NULL) < 0)
                return 0;  /* malformed: skipped, the caller only needs the good ones */
        if (c->n >= c->max)
                return 0;
        c->v[c->n++] = e;
        return 0;
}

struct ev_sink {
        struct line_splitter *ls;
        struct ev_collect *c;
};

static size_t ev_write(char *p, size_t sz, size_t n, void *ud)
{
        struct ev_sink *s = ud;

        (void)line_splitter_feed(s->ls, p, sz * n, ev_line, s->c, NULL);
        return sz * n;
}

int docker_events_between(struct docker *d, uint64_t since_ns, uint64_t until_ns,
                          size_t max, struct event **ret, size_t *ret_n)
{
        struct ev_collect c = { .max = max };
        struct ev_sink s = { .c = &c };
        char since[40], until[40], *path = NULL, *url = NULL, *esc = NULL;
        CURL *h = curl_easy_init();
        CURLcode cc;
        long status = 0;
        int r;

        s.ls = line_splitter_new(EVENT_LINE_MAX);
        c.v = calloc(max ? max : 1, sizeof(*c.v));
        if (!h || !s.ls || !c.v) {
                r = -ENOMEM;
                goto out;
        }
        event_format_since(since_ns, since, sizeof(since));
        event_format_since(until_ns, until, sizeof(until));
        esc = curl_easy_escape(h, "{\"type\":[\"container\"]}", 0);
        if (!esc || asprintf(&path, "/events?since=%s&until=%s&filters=%s", since, until, esc) < 0) {
                path = NULL;
                r = -ENOMEM;
                goto out;
        }
        url = docker_url(d, path);
        if (!url) {
                r = -ENOMEM;
                goto out;
        }
        docker_easy_setup(d, h, url);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, ev_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, DOCKER_REQUEST_TIMEOUT_S);
        cc = curl_easy_perform(h);
        if (cc != CURLE_OK) {
                r = curl_to_errno(cc);
                goto out;
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
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
        if (esc)
                curl_free(esc);
        free(path);
        free(url);
        if (h)
                curl_easy_cleanup(h);
        return r;
}
