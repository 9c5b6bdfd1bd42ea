/* docker_http.h — the Engine client's transport: libcurl over the unix
 * socket, written once.
 * Owns: struct docker (the socket path, the negotiated API version), URLs
 * ("http://localhost/vX.Y" + path, the /events URL with its filter),
 * the options of every easy handle, the body sink, libcurl's errors as
 * -errno, and the one request function (docker_http_run) — or, for a
 * transfer the caller drives on a multi handle, the same set-up
 * (docker_http_open … docker_http_close).
 * Does not own: what a call means (docker.c: the API calls; exec_api.c: an
 * exec's life cycle), logging (never logs).
 * Context: as docker.h; a forked child makes its own handles.  Used by the
 * Engine client's own files only; the rest of the program uses docker.h. */
#ifndef CONTRAINER_DOCKER_HTTP_H
#define CONTRAINER_DOCKER_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct docker;
struct cJSON;

/* One request.  Zeroed fields take the defaults. */
struct docker_req {
        const char *method;     /* "GET" (or NULL), "POST" (JSON body), "HEAD" */
        const char *path;       /* "/containers/json?all=1", under /vX.Y ... */
        const char *url;        /* ... or a whole URL ("http://localhost/_ping") */
        const char *json_body;  /* POST: the body; NULL sends "{}" */
        long timeout_s;         /* the whole transfer; 0 = none (connecting is
                                 * always bounded: DOCKER_CONNECT_TIMEOUT_S) */
        /* The answer's body piece by piece, with its HTTP status: return 0
         * to go on, or -errno to stop the transfer (the request then ends
         * with that -errno).  NULL: the body is dropped. */
        int (*sink)(void *ud, long status, const char *p, size_t n);
        void *sink_ud;
        /* Each header line of the answer ("Name: value\r\n"); NULL: none. */
        void (*header)(void *ud, const char *line, size_t n);
        void *header_ud;
};

/* The one blocking request: REQ on a fresh easy handle, performed.
 * Returns 0 with *RET_STATUS (any HTTP status), or -errno: the sink's,
 * -ECONNREFUSED, -ETIMEDOUT, -ECONNRESET, -ENOMEM, -EIO. */
int docker_http_run(struct docker *d, const struct docker_req *req, long *ret_status);

/* The same set-up for a transfer the caller runs itself (a multi handle):
 * a new transfer for REQ (REQ and its strings must outlive it), NULL on
 * ENOMEM; docker_http_easy gives its CURL *; docker_http_end turns its
 * libcurl result CODE (a CURLcode) into docker_http_run's returns and sets
 * *RET_STATUS in every case (0 when no answer came); docker_http_close
 * frees it (NULL is fine) and returns NULL. */
struct docker_http;
struct docker_http *docker_http_open(struct docker *d, const struct docker_req *req);
void *docker_http_easy(struct docker_http *x);
int docker_http_end(struct docker_http *x, int code, long *ret_status);
struct docker_http *docker_http_close(struct docker_http *x);

/* GET PATH with a total TIMEOUT_S and parse the JSON answer (status 200
 * only; *RET: a cJSON tree the caller deletes).  0, -ENOENT (404), -EPROTO,
 * -errno. */
int docker_get_json(struct docker *d, const char *path, long timeout_s, long *ret_status,
                    struct cJSON **ret);

#define DOCKER_HTTP_API_MAX 16  /* an API version's size, NUL included */

/* Use API version V ("1.44"; shorter than DOCKER_HTTP_API_MAX) from now on. */
void docker_http_set_api(struct docker *d, const char *v);

/* What the last negotiation learnt of the engine (engine_id.h). */
struct engine_id;
void docker_http_set_engine(struct docker *d, const struct engine_id *id);

/* S percent-encoded for a query value, as curl_easy_escape (all but
 * A-Z a-z 0-9 - . _ ~).  Caller frees; NULL on ENOMEM. */
char *docker_http_escape(const char *s);

/* The list's filters for /containers/json (percent-encoded), or NULL. */
const char *docker_list_filter(const struct docker *d);

/* The filters of the stopped containers' list (status exited or dead, and
 * the label filters), percent-encoded; caller frees; NULL on ENOMEM. */
char *docker_ended_filter(const struct docker *d);

#endif
