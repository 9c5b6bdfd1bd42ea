/* status_server.c — libmicrohttpd daemons in external-poll (epoll) mode.
 * See status_server.h.
 *
 * We create the listening sockets ourselves (MHD_OPTION_LISTEN_SOCKET):
 * that is how MHD serves a unix socket, and it lets us set the socket
 * file's mode before anyone can connect.  Each daemon runs with no thread
 * (no MHD_USE_INTERNAL_POLLING_THREAD): its epoll fd joins the
 * controller's poll set and MHD_run, which never blocks, is called once per
 * loop pass. */
#include "status_server.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define STATUS_CONN_LIMIT 16       /* connections of the unix socket (0600: root's clients) */
#define STATUS_CONN_TIMEOUT_S 10   /* idle connection closed after */
#define STATUS_CONN_MEMORY 32768   /* request pool per connection */
/* On TCP (docs/watch.md "Metrics"), any peer that can reach the address
 * may connect: one address holds at most STATUS_CONN_PER_IP of
 * STATUS_TCP_CONN_LIMIT slots, so it takes 32 addresses (32 containers on
 * a bridge) holding idle clients to keep a Prometheus server out, and an
 * idle or slow client is closed after STATUS_TCP_TIMEOUT_S without a byte
 * (MHD_OPTION_CONNECTION_TIMEOUT).  A slot costs one fd and at most
 * STATUS_CONN_MEMORY. */
#define STATUS_TCP_CONN_LIMIT 128
#define STATUS_CONN_PER_IP 4
#define STATUS_TCP_TIMEOUT_S 5

struct listener {
        struct MHD_Daemon *d;
        int fd;                    /* the listening socket (MHD's to close) */
        bool full;                 /* serves /status too (the unix socket) */
        struct status_server *srv;
};

struct status_server {
        struct status_server_config cfg;
        char *path;                /* the unix socket file we made */
        struct listener l[2];
        size_t n;
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
        struct listener *l = cls;
        struct MHD_Response *resp;
        enum status_page page;
        const char *ctype = "text/plain; charset=utf-8";
        char *body = NULL;
        size_t len = 0;
        int code;
        enum MHD_Result ret;

        (void)version;
        (void)upload;
        (void)con_cls;
        if (*upload_size) {
                *upload_size = 0;  /* a GET has no body: ignore whatever came */
                return MHD_YES;
        }
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
                code = MHD_HTTP_METHOD_NOT_ALLOWED;
                body = strdup("only GET\n");
        } else if (strcmp(url, "/status") == 0 && l->full) {
                page = STATUS_PAGE_STATUS;
                ctype = "application/json";
                code = l->srv->cfg.render(l->srv->cfg.ud, page, &body, &len);
        } else if (strcmp(url, "/metrics") == 0) {
                page = STATUS_PAGE_METRICS;
                ctype = "text/plain; version=0.0.4; charset=utf-8";
                code = l->srv->cfg.render(l->srv->cfg.ud, page, &body, &len);
        } else if (strcmp(url, "/healthz") == 0) {
                page = STATUS_PAGE_HEALTHZ;
                code = l->srv->cfg.render(l->srv->cfg.ud, page, &body, &len);
        } else {
                code = MHD_HTTP_NOT_FOUND;
                body = strdup(l->full ? "not found: GET /status, /metrics or /healthz\n"
                                      : "not found: GET /metrics or /healthz\n");
        }
        if (code < 0 || !body) {
                free(body);
                return MHD_NO;  /* out of memory: MHD closes the connection */
        }
        if (!len)
                len = strlen(body);
        resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
                free(body);
                return MHD_NO;
        }
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        ret = MHD_queue_response(conn, (unsigned)code, resp);
        MHD_destroy_response(resp);
        return ret;
}

/* Bind FD to SA under umask 077 (nobody may connect between bind and
 * chmod), then make it 0600 without following a link put in its place. */
static int bind_private(int fd, const struct sockaddr_un *sa)
{
        mode_t old = umask(077);
        int r = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));

        (void)umask(old);
        if (r < 0 || fchmodat(AT_FDCWD, sa->sun_path, 0600, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return 0;
}

/* A unix socket at PATH, mode 0600.  A live server already there is an
 * error (two controllers on one state dir); a stale socket file is
 * replaced without a moment when PATH is free for someone else to take:
 * the new socket is bound beside it (PATH.new) and renamed over it. */
static int listen_unix(const char *path, char *err, size_t errsz)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX }, tmp = { .sun_family = AF_UNIX };
        struct stat st;
        int fd, probe, r;

        if (strlen(path) >= sizeof(sa.sun_path)) {
                snprintf(err, errsz, "status socket path %s is too long", path);
                return -ENAMETOOLONG;
        }
        memcpy(sa.sun_path, path, strlen(path) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                goto fail;
        r = bind_private(fd, &sa);
        if (r == -EADDRINUSE) {
                /* Something is at PATH: a live server, a stale socket, or
                 * something else (refused). */
                if (lstat(path, &st) < 0)
                        goto fail;
                if (!S_ISSOCK(st.st_mode)) {
                        snprintf(err, errsz, "%s exists and is not a socket", path);
                        (void)close(fd);
                        return -EEXIST;
                }
                probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                if (probe < 0)
                        goto fail;
                if (connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EAGAIN) {
                        snprintf(err, errsz, "%s is served by another process", path);
                        (void)close(probe);
                        (void)close(fd);
                        return -EADDRINUSE;
                }
                (void)close(probe);
                if ((size_t)snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.new", path) <
                    sizeof(tmp.sun_path)) {
                        if (unlink(tmp.sun_path) < 0 && errno != ENOENT)
                                goto fail;
                        r = bind_private(fd, &tmp);
                        if (r == 0 && rename(tmp.sun_path, path) < 0) {
                                r = -errno;
                                (void)unlink(tmp.sun_path);
                        }
                } else {
                        /* no room for PATH.new: remove and bind again */
                        if (unlink(path) < 0 && errno != ENOENT)
                                goto fail;
                        r = bind_private(fd, &sa);
                }
        }
        if (r < 0 || listen(fd, 16) < 0) {
                r = r < 0 ? r : -errno;
                (void)close(fd);
                snprintf(err, errsz, "cannot serve %s: %s", path, strerror(-r));
                return r;
        }
        return fd;
fail:
        r = -errno;
        if (fd >= 0)
                (void)close(fd);
        snprintf(err, errsz, "cannot serve %s: %s", path, strerror(-r));
        return r;
}

/* ADDR:PORT ("0.0.0.0:9323", "[::]:9323", ":9323" for every address). */
static int listen_tcp(const char *spec, bool *ipv6, char *err, size_t errsz)
{
        struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                                  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
        struct addrinfo *ai = NULL;
        char host[256];
        const char *colon = strrchr(spec, ':'), *h;
        size_t hl;
        int fd, r, one = 1;

        if (!colon || !colon[1] || (size_t)(colon - spec) >= sizeof(host)) {
                snprintf(err, errsz, "--metrics-listen needs ADDR:PORT, got '%.200s'", spec);
                return -EINVAL;
        }
        h = spec;
        hl = (size_t)(colon - spec);
        if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
                h++;
                hl -= 2;
        }
        memcpy(host, h, hl);
        host[hl] = '\0';
        r = getaddrinfo(hl ? host : NULL, colon + 1, &hints, &ai);
        if (r != 0) {
                snprintf(err, errsz, "--metrics-listen '%.200s': %s", spec, gai_strerror(r));
                return -EINVAL;
        }
        fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 16) < 0) {
                r = -errno;
                snprintf(err, errsz, "cannot listen on %.200s: %s", spec, strerror(-r));
                if (fd >= 0)
                        (void)close(fd);
                freeaddrinfo(ai);
                return r;
        }
        *ipv6 = ai->ai_family == AF_INET6;
        freeaddrinfo(ai);
        return fd;
}

static int start(struct status_server *s, int fd, bool full, bool ipv6, char *err, size_t errsz)
{
        struct listener *l = &s->l[s->n];

        l->full = full;
        l->srv = s;
        l->fd = fd;
        l->d = MHD_start_daemon(MHD_USE_EPOLL | (ipv6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL,
                                answer, l,
                                MHD_OPTION_LISTEN_SOCKET, fd,
                                MHD_OPTION_CONNECTION_LIMIT,
                                (unsigned)(full ? STATUS_CONN_LIMIT : STATUS_TCP_CONN_LIMIT),
                                MHD_OPTION_CONNECTION_TIMEOUT,
                                (unsigned)(full ? STATUS_CONN_TIMEOUT_S : STATUS_TCP_TIMEOUT_S),
                                MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)STATUS_CONN_MEMORY,
                                MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                (unsigned)(full ? 0 : STATUS_CONN_PER_IP),
                                MHD_OPTION_END);
        if (!l->d) {
                (void)close(fd);
                snprintf(err, errsz, "libmicrohttpd would not start on the %s listener",
                         full ? "status" : "metrics");
                return -EIO;
        }
        s->n++;
        return 0;
}

int status_server_new(const struct status_server_config *cfg, struct status_server **ret,
                      char *err, size_t errsz)
{
        struct status_server *s = calloc(1, sizeof(*s));
        bool ipv6 = false;
        int fd, r;

        if (!s)
                return -ENOMEM;
        s->cfg = *cfg;
        if (cfg->socket_path) {
                fd = listen_unix(cfg->socket_path, err, errsz);
                if (fd < 0) {
                        r = fd;
                        goto fail;
                }
                s->path = strdup(cfg->socket_path);
                if (!s->path) {
                        (void)close(fd);
                        r = -ENOMEM;
                        goto fail;
                }
                r = start(s, fd, true, false, err, errsz);
                if (r < 0)
                        goto fail;
        }
        if (cfg->listen) {
                fd = listen_tcp(cfg->listen, &ipv6, err, errsz);
                if (fd < 0) {
                        r = fd;
                        goto fail;
                }
                r = start(s, fd, false, ipv6, err, errsz);
                if (r < 0)
                        goto fail;
        }
        *ret = s;
        return 0;
fail:
        status_server_free(s);
        return r;
}

struct status_server *status_server_free(struct status_server *s)
{
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n; i++)
                MHD_stop_daemon(s->l[i].d);  /* closes the listening socket too */
        if (s->path)
                (void)unlink(s->path);  /* best effort: the file is only a name */
        free(s->path);
        free(s);
        return NULL;
}

size_t status_server_listen_fds(const struct status_server *s, int *fds, size_t max)
{
        size_t n = 0;

        for (size_t i = 0; s && i < s->n && n < max; i++)
                fds[n++] = s->l[i].fd;
        return n;
}

size_t status_server_fds(struct status_server *s, int *fds, size_t max, long *timeout_ms)
{
        size_t n = 0;

        for (size_t i = 0; s && i < s->n && n < max; i++) {
                const union MHD_DaemonInfo *info =
                        MHD_get_daemon_info(s->l[i].d, MHD_DAEMON_INFO_EPOLL_FD);
                MHD_UNSIGNED_LONG_LONG t;

                if (info)
                        fds[n++] = info->epoll_fd;
                if (MHD_get_timeout(s->l[i].d, &t) == MHD_YES && (long long)t < *timeout_ms)
                        *timeout_ms = (long)t;
        }
        return n;
}

void status_server_run(struct status_server *s)
{
        for (size_t i = 0; s && i < s->n; i++)
                (void)MHD_run(s->l[i].d);
}
