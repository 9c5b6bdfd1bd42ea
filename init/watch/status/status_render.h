/* status_render.h — the bodies of `GET /status` (JSON, docs/status.md) and
 * `GET /metrics` (Prometheus text exposition format 0.0.4).
 * Owns: the document layouts and metric names.  Does not own: the numbers
 * (stats.h), the registrations (registry.h), serving (status_server.h).
 * Pure: no I/O, no logging; output bounded by the caller's MAX.
 * Context: main loop (called by the status server's handler). */
#ifndef CONTRAINER_STATUS_RENDER_H
#define CONTRAINER_STATUS_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stats;
struct registry;

/* What the controller says about itself, beyond stats and registry. */
struct status_info {
        const char *version;
        const char *node;            /* the controller's container or host name */
        const char *engine;          /* the Engine's socket path */
        const char *api_version;     /* negotiated; "" before the first connection */
        const char *engine_name;     /* "Docker", "Podman", "" unknown (engine_id.h) */
        const char *engine_version;  /* as its /version says, "" unknown */
        const char *direct_mode;     /* direct dispatch in effect: "direct", "api", "auto" (NULL: dispatch_mode) */
        const char *direct_reason;   /* why not (everywhere, or the last container that fell back); "" none */
        size_t direct_fallbacks;     /* containers sent to the API */
        bool connected;              /* the event stream is live */
        uint64_t cursor_time_nano;   /* 0: none */
        const char *cursor_id;
        const char *cursor_action;
        const char *dispatch_mode;   /* "api" */
        const char *const *unavailable;  /* features this deployment lacks, NULL-terminated (may be NULL) */
        const char *const *scope;    /* --scope filters, NULL-terminated (may be NULL: none) */
        size_t events_queued;        /* events not yet resolved */
        size_t bodies_queued;
        size_t bodies_running;
        uint64_t now_ns;             /* CLOCK_REALTIME, for ages */
};

/* The /status JSON of I, S and R, at most MAX bytes: containers past the
 * cap are left out and "truncated": true says so.  Returns a malloc'ed
 * NUL-terminated string (caller frees) with its length in *RET_LEN, or
 * NULL on ENOMEM. */
char *status_render_json(const struct status_info *i, const struct stats *s,
                         const struct registry *r, size_t max, size_t *ret_len);

/* The /metrics text of I and S.  Returns a malloc'ed NUL-terminated string
 * (caller frees), length in *RET_LEN, or NULL on ENOMEM. */
char *status_render_metrics(const struct status_info *i, const struct stats *s,
                            const struct registry *r, size_t *ret_len);

#endif
