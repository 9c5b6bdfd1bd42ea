/* status_server.h — the controller's HTTP side (docs/status.md) on
 * libmicrohttpd in external-poll mode: no thread of its own, every request
 * is answered from the controller's poll loop, so handlers may read the
 * loop's state without locks.  A unix socket (mode 0600) serves /status,
 * /metrics and /healthz; an optional TCP listener serves /metrics and
 * /healthz only.  Slow clients cannot stall the loop: sockets are
 * non-blocking, connections are capped in number, memory and idle time.
 * Owns: the listening sockets, the MHD daemons.  Does not own: what the
 * pages say (the caller's render callback, see status_render.h).
 * Context: main loop of `contrainer watch`, after dl_load_httpd. */
#ifndef CONTRAINER_STATUS_SERVER_H
#define CONTRAINER_STATUS_SERVER_H

#include <stddef.h>

enum status_page { STATUS_PAGE_STATUS, STATUS_PAGE_METRICS, STATUS_PAGE_HEALTHZ };

struct status_server_config {
        const char *socket_path;    /* unix socket; NULL: none */
        const char *listen;         /* "ADDR:PORT" for TCP; NULL: none */
        /* Fill *BODY (malloc'ed, taken) and *LEN for PAGE; return the HTTP
         * status code (200, 503, ...) or < 0 on ENOMEM. */
        int (*render)(void *ud, enum status_page page, char **body, size_t *len);
        void *ud;
};

struct status_server;

/* Bind and listen (an old socket file at SOCKET_PATH is replaced).  Returns
 * 0 with *RET set, or -errno with a description in ERR. */
int status_server_new(const struct status_server_config *cfg, struct status_server **ret,
                      char *err, size_t errsz);
struct status_server *status_server_free(struct status_server *s);  /* unlinks the socket */

/* The fds to poll for input (at most MAX; one per listener) and lower
 * *TIMEOUT_MS to MHD's own next deadline.  Returns the count. */
size_t status_server_fds(struct status_server *s, int *fds, size_t max, long *timeout_ms);

/* The listening sockets (at most MAX): for forked children to close.
 * Returns the count. */
size_t status_server_listen_fds(const struct status_server *s, int *fds, size_t max);

/* Accept, read, answer and time out whatever is ready; never blocks. */
void status_server_run(struct status_server *s);

#endif
