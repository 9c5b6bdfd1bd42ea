/* ctl_status.h — the controller's side of docs/status.md: the status server
 * (status_server.h) run from the poll loop, pages rendered from a
 * status_info the loop fills on demand (status_render.h), the finished
 * bodies into the stats, and the one start-up line saying what this
 * deployment cannot do (docs/images.md: no --privileged / --pid=host under Swarm).
 * Owns: the server and the "unavailable" list.  Does not own: the stats or
 * the registry (borrowed), the loop's state (read through the info callback).
 * Context: main loop only. */
#ifndef CONTRAINER_CTL_STATUS_H
#define CONTRAINER_CTL_STATUS_H

#include <stdbool.h>
#include <stddef.h>

struct curl_waitfd;
struct dispatch_result;
struct registry;
struct stats;
struct status_info;

#define CTL_STATUS_FDS 2  /* poll fds of the status server (unix + TCP) */

struct ctl_status_config {
        /* From the command line (cli_watch.h), borrowed: */
        const char *sysimage;         /* --sysimage: where the host's /proc is */
        const char *state_dir;        /* the socket's default folder */
        const char *status_socket;    /* --status-socket, NULL: <state_dir>/status.sock */
        const char *metrics_listen;   /* --metrics-listen, NULL: off */
        bool direct_on;               /* direct dispatch is in effect (ctl_direct.h) */
        struct stats *stats;          /* borrowed, may be NULL */
        const struct registry *reg;   /* borrowed */
        /* Fill *I with the loop's state now (the unavailable list is ours). */
        void (*info)(void *ud, struct status_info *i);
        void *ud;
};

struct ctl_status;

/* Say what this deployment cannot do, serve the status socket and
 * --metrics-listen.  Failures are logged; the controller goes on without
 * them.  NULL only on ENOMEM (logged). */
struct ctl_status *ctl_status_start(const struct ctl_status_config *cfg);

/* Stop serving; NULL-safe; returns NULL. */
struct ctl_status *ctl_status_stop(struct ctl_status *st);

/* The server's fds into W (at most MAX), lowering *TIMEOUT_MS.  NULL-safe. */
size_t ctl_status_fds(struct ctl_status *st, struct curl_waitfd *w, size_t max, long *timeout_ms);

/* Serve whatever is ready (never blocks).  NULL-safe. */
void ctl_status_io(struct ctl_status *st);

/* A finished body into STATS (may be NULL). */
void ctl_status_on_result(struct stats *stats, const struct dispatch_result *r);

#endif
