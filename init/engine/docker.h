/* docker.h — the Engine API client, blocking, over the unix socket
 * (libcurl): the one header the rest of the program uses for the Engine.
 * Owns: the calls the controller and `contrainer exec` need (ping and
 * version negotiation, list, inspect (with its document, or with the
 * archive listing of a script dir at once), the archive listing of a script
 * dir, a finite /events query: docker.c) and the transport they share (one
 * request function, URLs, the /events URL: docker_http.c, whose internal
 * header docker_http.h the exec life cycle, exec_api.c, also uses).  RFC 3339
 * parsing is rfc3339.c's.  cJSON trees never leave docker.c, docker_http.c
 * and exec_api.c.
 * Does not own: the live /events stream's loop (the controller drives it on
 * a multi handle; docker_events_url/docker_easy_setup give it the same
 * transport).
 * Context: the main loop (start-up, reconnect: short calls) and forked worker
 * children (collections, bodies), each on its own fresh easy handles.
 * Never logs: returns -errno and fills a reason where useful. */
#ifndef CONTRAINER_DOCKER_H
#define CONTRAINER_DOCKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "frames.h"
#include "inspect.h"

struct docker;
struct event;

#define DOCKER_API_OURS "1.41"
#define DOCKER_CONNECT_TIMEOUT_S 5L
#define DOCKER_REQUEST_TIMEOUT_S 30L

/* A client for SOCKET_PATH (copied), speaking DOCKER_API_OURS until
 * docker_negotiate.  NULL on ENOMEM. */
struct docker *docker_new(const char *socket_path);
struct docker *docker_free(struct docker *d);

/* GET /_ping and /version: use the lower of our version and the daemon's,
 * but never below the daemon's minimum (its /version, or the 400 with
 * which it refuses ours); remember who it is (docker_engine).
 * 0, -ECONNREFUSED (socket missing or daemon not answering), -EPROTO. */
int docker_negotiate(struct docker *d);
const char *docker_api_version(const struct docker *d);
/* The engine's name and version as the last docker_negotiate read them
 * (engine_id.h; empty fields before, or when /version said nothing). */
struct engine_id;
const struct engine_id *docker_engine(const struct docker *d);
const char *docker_socket_path(const struct docker *d);

/* --scope's label filters (docs/events.md "Scope"): from now on the
 * /events URL and the container list ask the Engine for containers with
 * every one of LABELS ("KEY" or "KEY=VALUE"; NULL or empty: none).
 * 0 or -ENOMEM. */
int docker_set_label_filters(struct docker *d, char *const *labels);

/* The /events URL: events of type container since SINCE_NS, up to
 * UNTIL_NS (0: no end, the live stream; Podman, which answers nothing
 * with until=, is asked for what it has now, stream=false: drop what
 * came after UNTIL_NS).  The one place it is built.
 * Caller frees; NULL on ENOMEM. */
char *docker_events_url(const struct docker *d, uint64_t since_ns, uint64_t until_ns);

/* Common options on a libcurl easy handle EASY (a CURL *): unix socket,
 * connect timeout, URL, no signals.  For the live /events stream's handle
 * (the controller's main loop). */
void docker_easy_setup(const struct docker *d, void *easy, const char *url);

/* One request.  METHOD "GET"/"POST"/"HEAD"; JSON_BODY may be NULL.
 * TIMEOUT_S 0 = no total timeout.  The body is kept up to MAX bytes.
 * Returns 0 with *RET_STATUS and RET_BODY filled (RET_BODY must be an
 * initialised buf, may be NULL), -ECONNREFUSED, -ETIMEDOUT, -ENOBUFS (body
 * over MAX), -EIO. */
struct buf;
int docker_request(struct docker *d, const char *method, const char *path_query,
                   const char *json_body, long timeout_s, long *ret_status,
                   struct buf *ret_body);

struct docker_container {
        char id[80];
        char name[256];   /* without the leading '/' */
};

/* GET /containers/json: the running containers.  *RET is a new array of *RET_N
 * (caller frees).  0 or -errno. */
int docker_list_running(struct docker *d, struct docker_container **ret, size_t *ret_n);

/* GET /containers/json?all=1, status exited or dead (and --scope's
 * labels): the stopped containers, newest first, at most MAX (docs/events.md
 * "Catch-up").  *RET new array (caller frees).  0 or -errno. */
int docker_list_ended(struct docker *d, size_t max, struct docker_container **ret, size_t *ret_n);

/* GET /containers/{ID}/json (inspect.h parses it).  ID must be the full id:
 * an answer for another container (the Engine also resolves names and id
 * prefixes) is -ENOENT.  0, -ENOENT (no such container), -errno. */
int docker_inspect(struct docker *d, const char *id, struct docker_inspect *ret);

/* docker_inspect, and the answer's JSON in *RET_DOC (on success only; the
 * caller buf_frees it; NULL: not kept). */
int docker_inspect_doc(struct docker *d, const char *id, struct docker_inspect *ret,
                       struct buf *ret_doc);

/* The executable regular files directly in DIR inside container ID, as
 * absolute paths, sorted byte-wise, at most MAX (more: -E2BIG).  Read from
 * the archive API (a tar), so the container needs no shell.
 * 0 (*RET new NULL-terminated vector, possibly empty), -ENOENT (no such
 * dir), -ESRCH (no such container), -errno. */
int docker_list_scripts(struct docker *d, const char *id, const char *dir, size_t max,
                        char ***ret);

/* docker_inspect and docker_list_scripts of ID at once (two connections
 * on one multi handle: the listing does not wait for the inspect).
 * Returns docker_inspect's result; only when that is 0, *RET_LIST is
 * docker_list_scripts's (with *RET_SCRIPTS on 0), else -ECANCELED. */
int docker_inspect_list(struct docker *d, const char *id, const char *dir, size_t max,
                        struct docker_inspect *ret, int *ret_list, char ***ret_scripts);

/* docker_inspect_list, and the inspect's JSON in *RET_DOC (on success
 * only; the caller buf_frees it; NULL: not kept). */
int docker_inspect_list_doc(struct docker *d, const char *id, const char *dir, size_t max,
                            struct docker_inspect *ret, int *ret_list, char ***ret_scripts,
                            struct buf *ret_doc);

/* GET /events?since=SINCE&until=UNTIL (finite; type=container): the
 * parseable events in order (malformed lines skipped), at most MAX.
 * *RET new array (caller frees).  0 or -errno. */
int docker_events_between(struct docker *d, uint64_t since_ns, uint64_t until_ns,
                          size_t max, struct event **ret, size_t *ret_n);

/* "2026-01-02T03:04:05.123456789Z" (RFC 3339, UTC or an offset) → ns since
 * the epoch.  0 or -EINVAL.  Pure: rfc3339_parse (rfc3339.h). */
int docker_parse_time(const char *s, uint64_t *ret);

#endif
