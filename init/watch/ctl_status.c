/* ctl_status.c — the controller's side of SPEC §2.7: the stats it feeds
 * (stats.h) and the status server it runs from its poll loop
 * (status_server.h), with pages rendered from the loop's own state
 * (status_render.h).  Also says once at start-up what this deployment
 * cannot do (SPEC §2.8: no --privileged / --pid=host under Swarm).
 * See controller_int.h. */
#include "controller_int.h"

#include "cli.h"
#include "dispatch.h"
#include "dl.h"
#include "docker.h"
#include "log.h"
#include "registry.h"
#include "stats.h"
#include "status_render.h"
#include "status_server.h"
#include "strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATUS_JSON_MAX (4u << 20)  /* bytes of one /status answer */
#define CAP_SYS_ADMIN_BIT 21

struct ctl_status {
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

void ctl_status_on_result(void *ud, const struct dispatch_result *r)
{
        struct ctl *c = ud;
        struct stats_dispatch d = {
                .time_ns = ctl_real_ns(),
                .result = stats_classify(r->status),
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
        stats_record(c->stats, &d);
}

static void fill_info(const struct ctl *c, struct status_info *i)
{
        *i = (struct status_info){
                .version = CONTRAINER_VERSION,
                .node = c->self_name,
                .engine = c->o->docker_socket,
                .api_version = docker_api_version(c->docker),
                .connected = c->connected,
                .cursor_time_nano = c->cursor.time_nano,
                .cursor_id = c->cursor.id,
                .cursor_action = c->cursor.action,
                .dispatch_mode = ctl_direct_mode_name(c->o->dispatch),
                .unavailable = c->status ? c->status->unavailable : NULL,
                .events_queued = c->q_len,
                .bodies_queued = dispatch_queued(c->ds),
                .bodies_running = dispatch_running(c->ds),
                .now_ns = ctl_real_ns(),
        };
}

static int render(void *ud, enum status_page page, char **body, size_t *len)
{
        const struct ctl *c = ud;
        struct status_info i;

        fill_info(c, &i);
        switch (page) {
        case STATUS_PAGE_STATUS:
                *body = status_render_json(&i, c->stats, c->reg, STATUS_JSON_MAX, len);
                return *body ? 200 : -ENOMEM;
        case STATUS_PAGE_METRICS:
                *body = status_render_metrics(&i, c->stats, c->reg, len);
                return *body ? 200 : -ENOMEM;
        case STATUS_PAGE_HEALTHZ:
        default:
                *body = strdup(c->connected ? "ok: the event stream is live\n"
                                            : "unavailable: no event stream from the Docker Engine\n");
                *len = *body ? strlen(*body) : 0;
                return !*body ? -ENOMEM : c->connected ? 200 : 503;
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
 * --privileged): a Swarm service gets neither (SPEC §2.8).  In a container
 * (/.dockerenv) whose PID 1 shares our mount namespace, PID 1 is the
 * container's own init, not the host's. */
static void check_host_access(struct ctl *c)
{
        char path[4200];
        const char *why = NULL;
        struct stat p1, self;

        snprintf(path, sizeof(path), "%s/proc/1/ns/mnt", strcmp(c->o->sysimage, "/") ? c->o->sysimage : "");
        if (stat(path, &p1) < 0 || access(path, R_OK) < 0)
                why = "the host's PID 1 is not visible (no --pid=host, no SYSIMAGE)";
        else if (access("/.dockerenv", F_OK) == 0 && stat("/proc/self/ns/mnt", &self) == 0 &&
                 self.st_ino == p1.st_ino && self.st_dev == p1.st_dev)
                why = "PID 1 is this container's own init (no --pid=host)";
        else if (!has_sys_admin())
                why = "no CAP_SYS_ADMIN (not --privileged)";
        if (!why)
                return;
        c->status->unavailable[0] = "%host";
        c->status->unavailable[1] = "direct dispatch";
        log_warn("%s, as under Docker Swarm: targets on the host and direct dispatch are not available here; "
                 "every other feature works", why);
}

void ctl_status_start(struct ctl *c)
{
        struct status_server_config sc = { .listen = c->o->metrics_listen, .render = render, .ud = c };
        char err[512], *path = NULL;
        int r;

        c->stats = stats_new();
        c->status = calloc(1, sizeof(*c->status));
        if (!c->stats || !c->status) {
                log_error("out of memory, no status socket");
                return;
        }
        r = dl_load_httpd(err, sizeof(err));
        if (r < 0) {
                log_warn("%s: no status socket and no metrics, going on without them", err);
                goto out;
        }
        if (c->o->status_socket) {
                sc.socket_path = c->o->status_socket;
        } else {
                if (asprintf(&path, "%s/status.sock", c->o->state_dir) < 0) {
                        log_error("out of memory, no status socket");
                        goto out;
                }
                /* the state dir is made at the first cursor save otherwise */
                if (mkdir(c->o->state_dir, 0700) < 0 && errno != EEXIST)
                        log_warn("cannot create %s: %m", c->o->state_dir);
                sc.socket_path = path;
        }
        r = status_server_new(&sc, &c->status->srv, err, sizeof(err));
        if (r < 0)
                log_warn("%s; going on without the status socket%s", err, sc.listen ? " and metrics" : "");
        else
                log_debug("status on %s%s%s", sc.socket_path, sc.listen ? ", metrics on " : "",
                          sc.listen ? sc.listen : "");
        free(path);
out:
        /* Last, right before the first connection: start-up says at most
         * this one line before the Engine's. */
        check_host_access(c);
}

size_t ctl_status_fds(struct ctl *c, struct curl_waitfd *w, size_t max, long *timeout_ms)
{
        int fds[CTL_STATUS_FDS];
        size_t n;

        if (!c->status || !c->status->srv)
                return 0;
        n = status_server_fds(c->status->srv, fds, max < CTL_STATUS_FDS ? max : CTL_STATUS_FDS, timeout_ms);
        for (size_t i = 0; i < n; i++)
                w[i] = (struct curl_waitfd){ .fd = fds[i], .events = CURL_WAIT_POLLIN };
        return n;
}

void ctl_status_io(struct ctl *c)
{
        if (c->status)
                status_server_run(c->status->srv);
}

void ctl_status_stop(struct ctl *c)
{
        if (c->status)
                c->status->srv = status_server_free(c->status->srv);
        free(c->status);
        c->status = NULL;
        c->stats = stats_free(c->stats);
}
