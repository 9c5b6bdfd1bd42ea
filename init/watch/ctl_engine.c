/* ctl_engine.c — the controller's Engine side: the /events stream on the curl
 * multi handle, subscribing with since=cursor before listing, detecting
 * lost history, reconnecting with back-off, and the controller's identity.
 * See controller_int.h. */
#include "controller_int.h"

#include "cli.h"
#include "collect.h"
#include "dispatch.h"
#include "docker.h"
#include "events.h"
#include "header.h"
#include "log.h"
#include "policy.h"
#include "registry.h"
#include "state.h"
#include "stats.h"
#include "strv.h"
#include "target.h"
#include "worker.h"
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void identify(struct ctl *c);


/* ---- the event stream ----------------------------------------------------- */

/* Take one parsed event from the stream (or a finite replay). */
static void take_event(struct ctl *c, const struct event *e)
{
        struct pev *p;

        if (strcmp(e->type, "container") != 0)
                return;
        /* Replay filter: since= is inclusive, so the cursor's own event
         * comes back first; anything already queued in this run too. */
        if (c->resume.time_nano && (e->time_nano < c->resume.time_nano ||
                                    (e->time_nano == c->resume.time_nano &&
                                     strcmp(e->id, c->resume.id) == 0 &&
                                     strcmp(e->action, c->resume.action) == 0)))
                return;
        if (ctl_recent_has(c, e))
                return;
        ctl_recent_add(c, e);
        if (strncmp(e->action, "exec_", 5) == 0 && ctl_ours_has(c, e->exec_id))
                return;
        if (c->q_len >= QUEUE_MAX) {
                char q[300];
                char qa[100];
                log_error("event queue full (%d), event %s of %s dropped", QUEUE_MAX,
                          log_q(qa, sizeof(qa), e->action), log_q(q, sizeof(q), e->name));
                return;
        }
        p = calloc(1, sizeof(*p));
        if (!p) {
                log_error("out of memory, event dropped");
                return;
        }
        p->kind = PEV_EVENT;
        p->ev = *e;
        p->arrived_ms = ctl_mono_ms();
        p->historic = e->time_nano < c->listing_ns;
        if (ctl_is_action(e, "start") && !p->historic &&
            !(c->self_id[0] && strcmp(e->id, c->self_id) == 0))
                (void)ctl_pev_add_coll(c, p, e->id, e->name);
        ctl_queue_push(c, p);
}

static int on_line(void *ud, const char *line, size_t len)
{
        struct ctl *c = ud;
        struct parse_error pe = { 0, "" };
        struct event e;
        char q[200];

        if (event_parse(line, len, &e, &pe) < 0) {
                log_warn("malformed event ignored (byte %zu: %s): %s", pe.pos, pe.what,
                         log_quote(q, sizeof(q), line, len));
                return 0;
        }
        stats_inc(c->stats, STATS_EVENTS);
        take_event(c, &e);
        return 0;
}

static size_t stream_write(char *p, size_t sz, size_t n, void *ud)
{
        struct ctl *c = ud;
        size_t dropped = 0;

        c->stream_seen_ms = ctl_mono_ms();
        (void)line_splitter_feed(c->ls, p, sz * n, on_line, c, &dropped);
        if (dropped)
                log_warn("an event line over %u bytes was dropped", EVENT_LINE_MAX);
        return sz * n;
}

void ctl_stream_close(struct ctl *c)
{
        if (c->stream) {
                curl_multi_remove_handle(c->multi, c->stream);
                curl_easy_cleanup(c->stream);
                c->stream = NULL;
        }
}

static int stream_open(struct ctl *c, uint64_t since_ns)
{
        char since[40], *path = NULL, *url = NULL, *esc = NULL;
        int r = -ENOMEM;

        ctl_stream_close(c);
        line_splitter_reset(c->ls);
        c->stream = curl_easy_init();
        if (!c->stream)
                return -ENOMEM;
        event_format_since(since_ns, since, sizeof(since));
        esc = curl_easy_escape(c->stream, "{\"type\":[\"container\"]}", 0);
        if (!esc || asprintf(&path, "/events?since=%s&filters=%s", since, esc) < 0) {
                path = NULL;
                goto out;
        }
        url = docker_url(c->docker, path);
        if (!url)
                goto out;
        docker_easy_setup(c->docker, c->stream, url);
        curl_easy_setopt(c->stream, CURLOPT_WRITEFUNCTION, stream_write);
        curl_easy_setopt(c->stream, CURLOPT_WRITEDATA, c);
        /* No CURLOPT_TIMEOUT: it would cut the stream (ENGINE-NOTES). */
        curl_easy_setopt(c->stream, CURLOPT_TCP_KEEPALIVE, 1L);
        if (curl_multi_add_handle(c->multi, c->stream) != CURLM_OK)
                goto out;
        r = 0;
out:
        if (esc)
                curl_free(esc);
        free(path);
        free(url);
        if (r < 0) {
                curl_easy_cleanup(c->stream);
                c->stream = NULL;
        }
        return r;
}

/* ---- (re)connecting ------------------------------------------------------- */

static bool in_list(const struct docker_container *l, size_t n, const char *id)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(l[i].id, id) == 0)
                        return true;
        return false;
}

/* Subscribe (since=cursor, or now), check for lost history, list the
 * running containers and queue their collection.  Blocking, short. */
int ctl_connect_engine(struct ctl *c, bool first)
{
        struct docker_container *list = NULL;
        struct event *seen = NULL;
        size_t n_list = 0, n_seen = 0;
        uint64_t since = c->cursor.time_nano ? c->cursor.time_nano : ctl_real_ns();
        bool gap = false;
        struct pev *p;
        int r;

        r = docker_negotiate(c->docker);
        if (r < 0)
                return r;
        if (!c->identified) {
                identify(c);
                c->identified = true;
        }
        if (!c->cursor.time_nano) {
                /* First run: "now" is the cursor until an event is handled,
                 * so a restart before that still replays from here. */
                c->cursor.time_nano = since;
                c->cursor_dirty = true;
        } else {
                r = docker_events_between(c->docker, c->cursor.time_nano, ctl_real_ns(), 4096, &seen, &n_seen);
                if (r < 0)
                        return r;
                /* since= is inclusive: the cursor's own event must come
                 * back first, else the ring lost it (ENGINE-NOTES). */
                gap = c->cursor.id[0] &&
                      (n_seen == 0 || !(seen[0].time_nano == c->cursor.time_nano &&
                                       strcmp(seen[0].id, c->cursor.id) == 0 &&
                                       strcmp(seen[0].action, c->cursor.action) == 0));
        }
        c->resume = c->cursor;
        if (!c->o->once) {
                r = stream_open(c, since);
                if (r < 0)
                        goto out;
        }
        c->listing_ns = ctl_real_ns();
        r = docker_list_running(c->docker, &list, &n_list);
        if (r < 0)
                goto out;
        if (!first) {
                /* Containers that went away during the outage. */
                for (size_t i = 0; i < c->n_snap;) {
                        if (in_list(list, n_list, c->snap[i].id)) {
                                i++;
                                continue;
                        }
                        size_t d = registry_drop(c->reg, c->snap[i].id);
                        char q[300];
                        log_info("container %s is gone since the outage, %zu registration(s) dropped",
                                 log_q(q, sizeof(q), c->snap[i].name), d);
                        ctl_snap_remove(c, c->snap[i].id);
                }
        }
        p = ctl_queue_collect(c, list, n_list);
        if (!p) {
                r = -ENOMEM;
                goto out;
        }
        /* --once: the events already queued are the finite replay. */
        for (size_t i = 0; c->o->once && i < n_seen; i++)
                take_event(c, &seen[i]);
        if (gap) {
                p->reconcile_gap = true;
                p->gap_since = c->cursor.time_nano;
                p->gap_seen = seen;
                p->n_gap_seen = n_seen;
                seen = NULL;
        }
        c->connected = true;
        r = 0;
out:
        free(list);
        free(seen);
        return r;
}

void ctl_schedule_retry(struct ctl *c, const char *why)
{
        c->connected = false;
        ctl_stream_close(c);
        if (!c->outage_logged) {
                log_warn("lost the Docker Engine at %s (%s), retrying with back-off up to %ds",
                         docker_socket_path(c->docker), why, BACKOFF_MAX_MS / 1000);
                c->outage_logged = true;
                c->backoff_ms = BACKOFF_MIN_MS;
        } else {
                c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
        }
        c->retry_at_ms = ctl_mono_ms() + c->backoff_ms;
}

void ctl_try_reconnect(struct ctl *c)
{
        int r;

        if (c->connected || c->stopping || ctl_mono_ms() < c->retry_at_ms)
                return;
        r = ctl_connect_engine(c, false);
        if (r < 0) {
                ctl_schedule_retry(c, strerror(-r));
                return;
        }
        stats_inc(c->stats, STATS_RECONNECTS);
        log_info("reconnected to the Docker Engine (API %s), resuming events from the cursor",
                 docker_api_version(c->docker));
        c->outage_logged = false;
}

void ctl_stream_check(struct ctl *c)
{
        CURLMsg *m;
        int left;

        while ((m = curl_multi_info_read(c->multi, &left))) {
                if (m->msg != CURLMSG_DONE || m->easy_handle != c->stream)
                        continue;
                long status = 0;
                char why[128];
                curl_easy_getinfo(c->stream, CURLINFO_RESPONSE_CODE, &status);
                if (m->data.result != CURLE_OK)
                        snprintf(why, sizeof(why), "%s", curl_easy_strerror(m->data.result));
                else if (status != 200)
                        snprintf(why, sizeof(why), "HTTP status %ld on /events", status);
                else
                        snprintf(why, sizeof(why), "event stream ended");
                ctl_schedule_retry(c, why);
                return;
        }
}

/* ---- identity ----------------------------------------------------------- */

/* Our container id, from the /etc/hostname bind mount's source
 * (".../containers/<64 hex>/hostname"); works for cgroup v1 and v2 alike,
 * unlike the original tool's docker-<id>.scope cgroup line. */
static bool own_container_id(char *dst, size_t dstsz)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096];
        bool found = false;

        if (!f)
                return false;
        while (!found && fgets(line, sizeof(line), f)) {
                char root[2048], mnt[2048];
                const char *p;

                if (sscanf(line, "%*s %*s %*s %2047s %2047s", root, mnt) != 2 ||
                    strcmp(mnt, "/etc/hostname") != 0)
                        continue;
                p = strstr(root, "/containers/");
                if (!p)
                        continue;
                p += strlen("/containers/");
                if (strspn(p, "0123456789abcdef") == 64 && p[64] == '/' && dstsz > 64) {
                        memcpy(dst, p, 64);
                        dst[64] = '\0';
                        found = true;
                }
        }
        fclose(f);
        return found;
}

/* Is this process in a container?  The marker files Docker and Podman
 * leave in a container's root. */
static bool in_a_container(void)
{
        return access("/.dockerenv", F_OK) == 0 || access("/run/.containerenv", F_OK) == 0;
}

static void identify(struct ctl *c)
{
        struct docker_inspect in;
        struct utsname u;
        char id[80], q[300];
        bool have_id;

        c->self_id[0] = '\0';
        if (uname(&u) == 0)
                snprintf(c->self_name, sizeof(c->self_name), "%s", u.nodename);
        have_id = own_container_id(id, sizeof(id));
        if (have_id && docker_inspect(c->docker, id, &in) == 0) {
                snprintf(c->self_id, sizeof(c->self_id), "%s", in.id);
                snprintf(c->self_name, sizeof(c->self_name), "%s", in.name);
        }
        c->in_container = have_id || in_a_container();
        if (c->in_container && !c->self_id[0])
                log_warn("this looks like a container (/.dockerenv or a container mount) that the controller cannot find on "
                         "this Engine: every container it cannot tell apart from itself (host name %s, or not inspected) "
                         "is treated as %%contrainer (fail closed)",
                         log_q(q, sizeof(q), c->self_name));
}

void ctl_stream_liveness(struct ctl *c)
{
        long long now = ctl_mono_ms();
        long status = 0;
        int r;

        if (!c->connected || !c->stream || c->stopping)
                return;
        if (c->stream_seen_ms == 0 || now - c->stream_seen_ms < PING_IDLE_MS) {
                if (c->stream_seen_ms == 0)
                        c->stream_seen_ms = now;
                return;
        }
        r = docker_request(c->docker, "GET", "/_ping", NULL, 5, &status, NULL);
        c->stream_seen_ms = ctl_mono_ms();
        if (r < 0 || status != 200)
                ctl_schedule_retry(c, r < 0 ? "no answer to /_ping" : "/_ping failed");
}
