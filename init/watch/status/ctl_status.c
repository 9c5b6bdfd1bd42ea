/* ctl_status.c — the controller's side of docs/status.md: the stats it feeds
 * (stats.h) and the status server it runs from its poll loop
 * (status_server.h), with pages rendered from the loop's own state
 * (status_render.h).  Also says once at start-up what this deployment
 * cannot do (docs/images.md: no --privileged / --pid=host under Swarm).
 * See ctl_status.h. */
#include "ctl_status.h"

#include "deadline.h"
#include "dispatch.h"
#include "dl.h"
#include "docker.h"
#include "log.h"
#include "registry.h"
#include "stats.h"
#include "status_render.h"
#include "status_server.h"
#include "strv.h"
#include "target.h"
#include "worker.h"
#include "wproto.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATUS_JSON_MAX (4u << 20)  /* bytes of one /status answer */
#define CAP_SYS_ADMIN_BIT 21

struct ctl_status {
        struct ctl_status_config cfg;
        struct status_server *srv;
        const char *unavailable[3];
};

/* The value of NAME in the "K=V" vector V, or "". */
static const char *var(char *const *v, const char *name)
{
        size_t nl = strlen(name);

        for (size_t i = 0; v && v[i]; i++)
                if (strncmp(v[i], name, nl) == 0 && v[i][nl] == '=')
                        return v[i] + nl + 1;
        return "";
}

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

/* The stats' class of R, from its binary outcome (wproto.h). */
static enum stats_result classify(const struct dispatch_result *r)
{
        if (!r->outcome)
                return r->worker_killed ? STATS_TIMEOUT : STATS_ERROR;
        switch (r->outcome->kind) {
        case WPROTO_EXIT:
                return r->outcome->exit_code == 0 ? STATS_OK : STATS_FAILED;
        case WPROTO_TIMEOUT:
                return STATS_TIMEOUT;
        case WPROTO_OVERFLOW:
                return STATS_OVERFLOW;
        case WPROTO_NOTRUN:
                return STATS_GONE;
        case WPROTO_STOPPED:
                return STATS_STOPPED;
        default:
                return STATS_ERROR;
        }
}

void ctl_status_on_result(struct stats *stats, const struct dispatch_result *r)
{
        struct stats_dispatch d = {
                .time_ns = deadline_wall_ns(),
                .result = classify(r),
                .duration_ms = r->run_ms > 0 ? (uint64_t)r->run_ms : 0,
                .latency_ms = r->latency_ms > 0 ? (uint64_t)r->latency_ms : 0,
        };

        COPY(d.registrar_id, var(r->vars, "CONTRAINER_REGISTRAR_ID"));
        COPY(d.registrar, var(r->vars, "CONTRAINER_REGISTRAR_NAME"));
        COPY(d.event, var(r->vars, "CONTRAINER_EVENT"));
        COPY(d.target, r->target ? r->target : "");
        COPY(d.path, r->type == TT_HOST ? "host" : r->type == TT_CONTRAINER ? "local"
                          : r->direct ? "direct" : "api");
        COPY(d.status, r->status && r->status[0] ? r->status : "worker died");
        stats_record(stats, &d);
}

static int render(void *ud, enum status_page page, char **body, size_t *len)
{
        const struct ctl_status *st = ud;
        const struct ctl_status_config *c = &st->cfg;
        struct status_info i;

        c->info(c->ud, &i);
        i.unavailable = st->unavailable;
        switch (page) {
        case STATUS_PAGE_STATUS:
                *body = status_render_json(&i, c->stats, c->reg, STATUS_JSON_MAX, len);
                return *body ? 200 : -ENOMEM;
        case STATUS_PAGE_METRICS:
                *body = status_render_metrics(&i, c->stats, c->reg, len);
                return *body ? 200 : -ENOMEM;
        case STATUS_PAGE_HEALTHZ:
        default:
                *body = strdup(i.connected ? "ok: the event stream is live\n"
                                            : "unavailable: no event stream from the Docker Engine\n");
                *len = *body ? strlen(*body) : 0;
                return !*body ? -ENOMEM : i.connected ? 200 : 503;
        }
}

/* Effective capabilities include CAP_SYS_ADMIN (/proc/self/status CapEff)? */
static bool has_sys_admin(void)
{
        char line[256];
        bool yes = false;
        FILE *f = fopen("/proc/self/status", "re");

        if (!f)
                return false;
        while (fgets(line, sizeof(line), f)) {
                unsigned long long caps;
                if (sscanf(line, "CapEff: %llx", &caps) == 1) {
                        yes = (caps >> CAP_SYS_ADMIN_BIT) & 1;
                        break;
                }
        }
        (void)fclose(f);
        return yes;
}

/* %host needs host PID 1's namespaces ($SYSIMAGE/proc/1/ns, i.e. --pid=host
 * or the host's /proc) and the right to enter them (CAP_SYS_ADMIN, i.e.
 * --privileged): a Swarm service gets neither (docs/images.md).  In a container
 * (/.dockerenv) whose PID 1 shares our mount namespace, PID 1 is the
 * container's own init, not the host's. */
static void check_host_access(struct ctl_status *st)
{
        const struct ctl_status_config *c = &st->cfg;
        char path[4200];
        const char *why = NULL;
        struct stat p1, self;

        snprintf(path, sizeof(path), "%s/proc/1/ns/mnt", strcmp(c->sysimage, "/") ? c->sysimage : "");
        if (stat(path, &p1) < 0 || access(path, R_OK) < 0)
                why = "the host's PID 1 is not visible (no --pid=host, no SYSIMAGE)";
        else if (access("/.dockerenv", F_OK) == 0 && stat("/proc/self/ns/mnt", &self) == 0 &&
                 self.st_ino == p1.st_ino && self.st_dev == p1.st_dev)
                why = "PID 1 is this container's own init (no --pid=host)";
        else if (!has_sys_admin())
                why = "no CAP_SYS_ADMIN (not --privileged)";
        if (!why)
                return;
        /* Direct dispatch needs the engine's processes, not the host's
         * PID 1: whether it is off, and why, ctl_direct says. */
        st->unavailable[0] = "%host";
        st->unavailable[1] = c->direct_on ? NULL : "direct dispatch";
        log_warn("%s, as under Docker Swarm: targets on the host%s are not available here; "
                 "every other feature works", why, c->direct_on ? "" : " and direct dispatch");
}

struct ctl_status *ctl_status_start(const struct ctl_status_config *cfg)
{
        struct status_server_config sc = { .listen = cfg->metrics_listen, .render = render };
        struct ctl_status *st = calloc(1, sizeof(*st));
        char err[512], *path = NULL;
        int r;

        if (!st) {
                log_error("out of memory, no status socket");
                return NULL;
        }
        st->cfg = *cfg;
        sc.ud = st;
        r = dl_load_httpd(err, sizeof(err));
        if (r < 0) {
                log_warn("%s: no status socket and no metrics, going on without them", err);
                goto out;
        }
        if (cfg->status_socket) {
                sc.socket_path = cfg->status_socket;
        } else {
                if (asprintf(&path, "%s/status.sock", cfg->state_dir) < 0) {
                        log_error("out of memory, no status socket");
                        goto out;
                }
                /* the state dir is made at the first cursor save otherwise */
                if (mkdir(cfg->state_dir, 0700) < 0 && errno != EEXIST)
                        log_warn("cannot create %s: %m", cfg->state_dir);
                sc.socket_path = path;
        }
        r = status_server_new(&sc, &st->srv, err, sizeof(err));
        if (r < 0)
                log_warn("%s; going on without the status socket%s", err, sc.listen ? " and metrics" : "");
        else
                log_debug("status on %s%s%s", sc.socket_path, sc.listen ? ", metrics on " : "",
                          sc.listen ? sc.listen : "");
        if (r >= 0) {
                /* Workers finishing after a SIGKILLed controller must not
                 * keep its port bound (or its socket answering). */
                int lfd[2];
                size_t nl = status_server_listen_fds(st->srv, lfd, 2);

                for (size_t i = 0; i < nl; i++)
                        (void)worker_close_in_children(lfd[i]);
        }
        free(path);
out:
        /* Last, right before the first connection: start-up says at most
         * this one line before the Engine's. */
        check_host_access(st);
        return st;
}

size_t ctl_status_fds(struct ctl_status *st, struct curl_waitfd *w, size_t max, long *timeout_ms)
{
        int fds[CTL_STATUS_FDS];
        size_t n;

        if (!st || !st->srv)
                return 0;
        n = status_server_fds(st->srv, fds, max < CTL_STATUS_FDS ? max : CTL_STATUS_FDS, timeout_ms);
        for (size_t i = 0; i < n; i++)
                w[i] = (struct curl_waitfd){ .fd = fds[i], .events = CURL_WAIT_POLLIN };
        return n;
}

void ctl_status_io(struct ctl_status *st)
{
        if (st)
                status_server_run(st->srv);
}

struct ctl_status *ctl_status_stop(struct ctl_status *st)
{
        if (st)
                status_server_free(st->srv);
        free(st);
        return NULL;
}
