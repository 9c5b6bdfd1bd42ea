/* controller.c — `contrainer watch`'s wiring and its one poll loop
 * (docs/watch.md).  See controller.h.
 *
 * Data flows one way: stream.h (the /events stream) emits each event into
 * pipeline.h (seen.h's replay filter and de-duplication, the queue,
 * collector.h's collections, enroll.h's registrations, snapshot.h, fire.h's
 * body jobs), whose jobs go to dispatch.h with a ticket; a finished body's
 * ticket comes back to the pipeline, which moves the cursor; this file
 * saves it.  The stages never call each other backwards: where a later
 * stage has news for an earlier one (a worker's exec id for seen.h, an
 * inspect's traits for snapshot.h, a finished body), the callbacks below
 * carry it.  This file owns only the wiring, the poll loop, the stop path
 * and saving the cursor.
 *
 * curl_multi_poll waits on the /events stream and, as extra fds, on a
 * signalfd (TERM, INT, HUP, CHLD), the pipes of forked workers
 * (collections, bodies) and the status server.  Nothing here blocks on a
 * dispatch: the Engine drops events for a subscriber that stops reading
 * (docs/engine-notes.md "Replay").  Short blocking calls happen only at start-up
 * and on reconnect, when no stream is being read.
 *
 * The stages live in role folders: core/ (the event pipeline and what it
 * keeps: stream, seen, pipeline, collector, enroll, snapshot, fire,
 * registry, identity, stats, cursor), run/ (forked workers and what they
 * run: dispatch, worker, wproto, collect_worker, body_worker, exec_api,
 * procguard, nsenter) and status/ (the status socket, /metrics, `contrainer
 * status`).  tests/lint.sh holds the rule of who may call whom. */
#include "controller.h"

#include "cli_watch.h"
#include "collector.h"
#include "ctl_direct.h"
#include "ctl_signal.h"
#include "ctl_status.h"
#include "deadline.h"
#include "dispatch.h"
#include "docker.h"
#include "engine_id.h"
#include "events.h"
#include "fire.h"
#include "header.h"
#include "identity.h"
#include "log.h"
#include "pipeline.h"
#include "policy.h"
#include "registry.h"
#include "scope.h"
#include "seen.h"
#include "snapshot.h"
#include "cursor.h"
#include "stats.h"
#include "status_render.h"
#include "stream.h"
#include "worker.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CURSOR_SAVE_MS 1000

struct ctl {
        const struct watch_opts *o;
        struct docker *docker;
        struct policy *policy;
        struct registry *reg;
        struct stats *stats;
        struct seen *seen;
        struct snapshot_store *snap;
        struct collector *col;
        struct pipeline *pl;
        struct dispatch *ds;
        struct stream *st;
        struct ctl_status *status;
        struct ctl_direct direct;    /* --dispatch (docs/watch.md) */
        struct scope *scope;         /* --scope (docs/events.md "Scope") */
        struct identity self;
        bool identified;
        int sfd;
        bool stopping;
        int64_t stop_deadline_ms;
        bool killed_bodies;
        int64_t cursor_saved_ms;
};

/* ---- the wiring: one small callback per arrow back ------------------------ */

static void on_exec_id(void *ud, const char *exec_id)
{
        seen_ours_add(((struct ctl *)ud)->seen, exec_id);
}

static void on_traits(void *ud, const char *id, unsigned traits)
{
        snapshot_traits(((struct ctl *)ud)->snap, id, traits);
}

static enum direct_want direct_want(void *ud, const char *id)
{
        return ctl_direct_want(&((struct ctl *)ud)->direct, id);
}

static void on_fallback(void *ud, const char *id, const char *name, const char *reason, size_t len)
{
        ctl_direct_fallback(&((struct ctl *)ud)->direct, id, name, reason, len);
}

static void on_detached_done(void *ud, const struct collect_result *r, void *cookie)
{
        pipeline_late_done(((struct ctl *)ud)->pl, r, cookie);
}

static void on_body_done(void *ud, void *ticket)
{
        pipeline_body_done(((struct ctl *)ud)->pl, ticket);
}

static void on_result(void *ud, const struct dispatch_result *r)
{
        ctl_status_on_result(((struct ctl *)ud)->stats, r);
}

static int enqueue(void *ud, const struct fire_job *j, void *ticket)
{
        return dispatch_enqueue(((struct ctl *)ud)->ds, j->type, j->id, j->name, j->body, j->vars,
                                j->label, ticket);
}

static bool exec_pending(void *ud)
{
        return dispatch_exec_pending(((struct ctl *)ud)->ds);
}

static void on_event(void *ud, const struct event *e)
{
        struct ctl *c = ud;

        stats_inc(c->stats, STATS_EVENTS);
        pipeline_event(c->pl, e);
}

static void status_info(void *ud, struct status_info *i)
{
        const struct ctl *c = ud;
        const struct cursor *cur = pipeline_cursor(c->pl);

        *i = (struct status_info){
                .version = CONTRAINER_VERSION,
                .node = c->self.name,
                .engine = c->o->docker_socket,
                .api_version = docker_api_version(c->docker),
                .engine_name = docker_engine(c->docker)->name,
                .engine_version = docker_engine(c->docker)->version,
                .direct_mode = ctl_direct_mode_name(c->direct.effective),
                .direct_reason = c->direct.reason,
                .direct_fallbacks = c->direct.fallbacks,
                .connected = stream_connected(c->st),
                .cursor_time_nano = cur->time_nano,
                .cursor_id = cur->id,
                .cursor_action = cur->action,
                .dispatch_mode = ctl_direct_mode_name(c->o->dispatch),
                .scope = c->o->scope,
                .events_queued = pipeline_queued(c->pl),
                .bodies_queued = dispatch_queued(c->ds),
                .bodies_running = dispatch_running(c->ds),
                .now_ns = deadline_wall_ns(),
        };
}

/* ---- the Engine ------------------------------------------------------------ */

static void identify(struct ctl *c)
{
        char q[300];

        identity_find(c->docker, &c->self);
        pipeline_set_self(c->pl, c->self.id, c->self.name, c->self.in_container);
        if (c->self.in_container && !c->self.id[0])
                log_warn("this looks like a container (/.dockerenv or a container mount) that the controller cannot find on "
                         "this Engine: every container it cannot tell apart from itself (host name %s, or not inspected) "
                         "is treated as %%contrainer (fail closed)",
                         log_q(q, sizeof(q), c->self.name));
}

static void save_cursor(struct ctl *c, bool force)
{
        int64_t now = deadline_now();
        int r;

        if (!pipeline_cursor_dirty(c->pl) || (!force && now - c->cursor_saved_ms < CURSOR_SAVE_MS))
                return;
        r = cursor_write(c->o->state_dir, pipeline_cursor(c->pl));
        c->cursor_saved_ms = now;
        if (r < 0) {
                log_errno(LOG_LEVEL_ERROR, r, "cannot save the event cursor in %s: %m, retrying",
                          c->o->state_dir);
                return;
        }
        pipeline_cursor_saved(c->pl);
}

/* Subscribe (since=cursor, or now), check for lost history, list the
 * running containers and queue their collection (docs/watch.md: subscribe
 * before listing, collect before dispatching replayed events). */
static int connect_engine(struct ctl *c, bool first)
{
        struct stream_session ss;
        struct cursor cur;
        int r;

        r = stream_connect(c->st, pipeline_cursor(c->pl), &ss);
        if (r < 0)
                return r;
        if (!c->identified) {
                identify(c);
                c->identified = true;
        }
        cur = *pipeline_cursor(c->pl);
        if (!cur.time_nano) {
                /* First run: "now" is the cursor until an event is handled,
                 * so a restart before that still replays from here.  It is
                 * on disk before the controller says it is watching: a kill
                 * -9 in the first second must not lose what came since. */
                cur.time_nano = ss.since;
                pipeline_set_cursor(c->pl, &cur, true);
                save_cursor(c, true);
        }
        pipeline_resubscribed(c->pl, ss.listing_ns);
        if (!first) {
                /* Those that ended during lost history keep their
                 * registrations until their die is dispatched (catch-up). */
                struct docker_container *keep = calloc(ss.n_list + ss.n_ended + 1, sizeof(*keep));

                if (keep) {
                        memcpy(keep, ss.list, ss.n_list * sizeof(*keep));
                        if (ss.n_ended)
                                memcpy(keep + ss.n_list, ss.ended, ss.n_ended * sizeof(*keep));
                }
                pipeline_forget_gone(c->pl, keep ? keep : ss.list, keep ? ss.n_list + ss.n_ended : ss.n_list);
                free(keep);
        }
        r = pipeline_collect(c->pl, ss.list, ss.n_list,
                             ss.gap ? &(struct pipeline_gap){ cur.time_nano, ss.seen, ss.n_seen,
                                                              ss.ended, ss.n_ended } : NULL);
        /* --once: the events already queued are the finite replay. */
        for (size_t i = 0; r == 0 && c->o->once && i < ss.n_seen; i++)
                pipeline_event(c->pl, &ss.seen[i]);
        stream_session_free(&ss);
        return r;
}

static void try_reconnect(struct ctl *c)
{
        int r;

        if (stream_connected(c->st) || c->stopping || !stream_retry_due(c->st))
                return;
        r = connect_engine(c, false);
        if (r < 0) {
                stream_retry(c->st, strerror(-r));
                return;
        }
        stats_inc(c->stats, STATS_RECONNECTS);
        log_info("reconnected to the Docker Engine (API %s), resuming events from the cursor",
                 docker_api_version(c->docker));
}

/* ---- the cursor, signals, the stop path ----------------------------------- */

/* SIGHUP: collect every running container's scripts again. */
static void recollect_all(struct ctl *c)
{
        size_t n = snapshot_count(c->snap);
        struct docker_container *list = calloc(n ? n : 1, sizeof(*list));

        if (!list)
                return;
        for (size_t i = 0; i < n; i++) {
                const struct container_ref *r = snapshot_at(c->snap, i);
                snprintf(list[i].id, sizeof(list[i].id), "%s", r->id);
                snprintf(list[i].name, sizeof(list[i].name), "%s", r->name);
        }
        if (pipeline_collect(c->pl, list, n, NULL) == 0)
                log_info("SIGHUP: collecting the scripts of %zu running container(s) again", n);
        free(list);
}

/* SIGTERM/SIGINT (docs/watch.md "Signals"): stop taking events, give running bodies
 * --stop-timeout, then have their workers kill them with their process
 * groups (worker.h), leaving their events behind the cursor. */
static void begin_stop(struct ctl *c, int sig)
{
        if (c->stopping)
                return;
        c->stopping = true;
        c->stop_deadline_ms = deadline_in((int64_t)c->o->stop_timeout_s * 1000);
        stream_close(c->st);
        dispatch_drop_queued(c->ds);
        /* Collections in flight are abandoned; their events stay behind the
         * cursor and come back on the next start. */
        pipeline_stop(c->pl);
        log_info("%s: stopping, waiting up to %us for %zu running bod%s", strsignal(sig),
                 c->o->stop_timeout_s, dispatch_running(c->ds),
                 dispatch_running(c->ds) == 1 ? "y" : "ies");
}

static void read_signals(struct ctl *c)
{
        int stop = 0;
        bool hup = false;

        ctl_signals_read(c->sfd, &stop, &hup, c->ds, c->col);
        if (stop)
                begin_stop(c, stop);
        if (hup && !c->stopping)
                recollect_all(c);
}

/* While stopping: may the loop end?  Kills the bodies still running at
 * --stop-timeout (once). */
static bool stop_done(struct ctl *c)
{
        int64_t now = deadline_now();

        if (dispatch_running(c->ds) == 0)
                return true;
        if (now < c->stop_deadline_ms)
                return false;
        if (c->killed_bodies)
                return true;  /* worker_end_all finishes them */
        log_warn("%zu bod%s still running after --stop-timeout %us, killing them with their process groups",
                 dispatch_running(c->ds), dispatch_running(c->ds) == 1 ? "y" : "ies",
                 c->o->stop_timeout_s);
        dispatch_kill_running(c->ds);
        c->killed_bodies = true;
        /* the workers' own grace, then a margin */
        c->stop_deadline_ms = deadline_in((WORKER_STOP_GRACE_S + 1) * 1000);
        return false;
}

/* ---- the loop ---------------------------------------------------------------- */

static bool work_left(const struct ctl *c)
{
        return pipeline_busy(c->pl) || collector_busy(c->col) || dispatch_running(c->ds) ||
               dispatch_queued(c->ds);
}

/* The poll timeout: the nearest of every stage's next deadline, at most 1 s. */
static long next_timeout(const struct ctl *c)
{
        long timeout = 1000, t;

        if (!c->stopping)
                stream_timeout(c->st, &timeout);
        t = dispatch_next_timeout_ms(c->ds);
        if (t >= 0 && t < timeout)
                timeout = t;
        if (pipeline_head_waits(c->pl) && timeout > 100)
                timeout = 100;  /* re-check PIPELINE_COLLECT_WAIT_MS */
        if (pipeline_cursor_dirty(c->pl) && timeout > CURSOR_SAVE_MS / 2)
                timeout = CURSOR_SAVE_MS / 2;
        if (c->stopping) {
                int64_t d = c->stop_deadline_ms - deadline_now();
                if (d < timeout)
                        timeout = d < 0 ? 0 : (long)d;
        }
        return timeout;
}

static int loop(struct ctl *c)
{
        size_t cap = 1 + c->o->jobs + COLLECT_PARALLEL + CTL_STATUS_FDS;
        struct curl_waitfd *wfds = calloc(cap, sizeof(*wfds));
        int *fds = calloc(cap, sizeof(*fds));

        if (!wfds || !fds) {
                free(wfds);
                free(fds);
                return -ENOMEM;
        }
        for (;;) {
                size_t n = 0, nf;
                long timeout = next_timeout(c);

                wfds[n++] = (struct curl_waitfd){ .fd = c->sfd, .events = CURL_WAIT_POLLIN };
                nf = dispatch_fds(c->ds, fds, c->o->jobs);
                nf += collector_fds(c->col, fds + nf, COLLECT_PARALLEL);
                for (size_t i = 0; i < nf; i++)
                        wfds[n++] = (struct curl_waitfd){ .fd = fds[i], .events = CURL_WAIT_POLLIN };
                n += ctl_status_fds(c->status, wfds + n, cap - n, &timeout);
                stream_wait(c->st, wfds, (unsigned)n, (int)timeout);
                ctl_status_io(c->status);

                read_signals(c);
                stream_perform(c->st);
                collector_io(c->col);
                dispatch_io(c->ds);
                pipeline_resolve(c->pl);
                dispatch_pump(c->ds);
                pipeline_advance(c->pl);
                save_cursor(c, false);
                if (!c->stopping) {
                        stream_liveness(c->st);
                        try_reconnect(c);
                }

                if (c->stopping && stop_done(c))
                        break;
                if (c->o->once && stream_connected(c->st) && !work_left(c))
                        break;
        }
        free(wfds);
        free(fds);
        return 0;
}

/* ---- start-up and the end ---------------------------------------------------- */

/* The --allow rules into the policy.  0; 2 for a bad rule (an operator
 * error: refuse, exit 2); 1 out of memory. */
static int load_policy(struct ctl *c)
{
        for (size_t i = 0; i < c->o->n_allow; i++) {
                struct parse_error pe = { 0, "" };
                char q[600];
                int r = policy_add(c->policy, c->o->allow[i], &pe);
                if (r < 0) {
                        log_error("--allow %s: %s at byte %zu", log_q(q, sizeof(q), c->o->allow[i]),
                                  r == -ENOMEM ? "out of memory" : pe.what, pe.pos);
                        return 2;
                }
        }
        if (c->o->allow_all && policy_add_all(c->policy) < 0) {
                log_error("out of memory");
                return 1;
        }
        return 0;
}

/* Create the stages and wire them.  0, or the exit status. */
static int build(struct ctl *c)
{
        const struct watch_opts *o = c->o;
        char why[512];
        int r;

        /* A state dir someone else can write lets them steer root's writes
         * there: refuse it at start (docs/watch.md "State"). */
        r = cursor_check_dir(o->state_dir, why, sizeof(why));
        if (r < 0) {
                char q[600];

                log_error("--state-dir %s: refusing it: %s", log_q(q, sizeof(q), o->state_dir), why);
                return 2;
        }
        c->docker = docker_new(o->docker_socket);
        c->policy = policy_new();
        c->reg = registry_new();
        c->stats = stats_new();
        c->seen = seen_new();
        c->snap = snapshot_new();
        c->scope = scope_new();
        for (size_t i = 0; c->scope && i < o->n_scope; i++) {
                r = scope_add(c->scope, o->scope[i], why, sizeof(why));
                if (r == -EINVAL) {
                        log_error("%s", why);
                        return 2;
                }
                if (r < 0)
                        c->scope = scope_free(c->scope);
        }
        if (c->docker && c->scope && docker_set_label_filters(c->docker, scope_labels(c->scope)) < 0)
                c->scope = scope_free(c->scope);
        c->st = stream_new(&(struct stream_config){ .docker = c->docker, .live = !o->once,
                                                    .on_event = on_event, .ud = c });
        if (!c->docker || !c->policy || !c->reg || !c->stats || !c->seen || !c->snap || !c->st ||
            !c->scope) {
                log_error("out of memory");
                return 1;
        }
        r = load_policy(c);
        if (r)
                return r;
        r = ctl_direct_init(&c->direct, o->dispatch, o->docker_socket, why, sizeof(why));
        if (r < 0) {
                log_error("%s", why);
                return r == -EPERM ? 2 : 1;
        }
        c->sfd = ctl_signals_setup();
        if (c->sfd < 0) {
                log_errno(LOG_LEVEL_ERROR, c->sfd, "cannot set up signals: %m");
                return 1;
        }
        c->ds = dispatch_new(&(struct dispatch_config){
                .jobs = o->jobs, .timeout_s = o->exec_timeout_s, .max_output = o->max_output,
                .sysimage = o->sysimage, .docker = c->docker, .on_exec_id = on_exec_id,
                .on_done = on_body_done, .on_result = on_result, .ud = c,
                .direct_want = direct_want, .on_fallback = on_fallback,
        });
        c->col = collector_new(&(struct collector_config){
                .docker = c->docker, .script_dir = o->script_dir, .timeout_s = o->exec_timeout_s,
                .max_output = o->max_output, .direct_want = direct_want, .on_fallback = on_fallback,
                .on_exec_id = on_exec_id,
                .on_traits = on_traits, .on_detached_done = on_detached_done, .ud = c,
        });
        if (c->ds && c->col)
                c->pl = pipeline_new(&(struct pipeline_config){
                        .seen = c->seen, .snap = c->snap, .col = c->col, .reg = c->reg,
                        .policy = c->policy, .stats = c->stats, .enqueue = enqueue,
                        .exec_pending = exec_pending, .scope = c->scope, .ud = c,
                });
        if (!c->pl) {
                log_error("out of memory");
                return 1;
        }
        /* No Engine yet: the host's name until it answers. */
        identity_find(NULL, &c->self);
        pipeline_set_self(c->pl, "", c->self.name, false);
        return 0;
}

static void load_cursor(struct ctl *c)
{
        struct cursor saved;
        int r = cursor_read(c->o->state_dir, &saved);

        if (r == 0)
                pipeline_set_cursor(c->pl, &saved, false);
        else if (r != -ENOENT)
                log_errno(LOG_LEVEL_WARN, r, "cannot read the event cursor in %s (%m), starting from now",
                          c->o->state_dir);
        c->cursor_saved_ms = deadline_now();
}

static void teardown(struct ctl *c)
{
        if (c->ds) {
                dispatch_kill_running(c->ds);
                c->ds = dispatch_free(c->ds);
        }
        /* the pipeline's collections first, then the late ones */
        c->pl = pipeline_free(c->pl);
        c->col = collector_free(c->col);
        c->status = ctl_status_stop(c->status);
        /* No process we started outlives us (docs/watch.md): every worker
         * kills its body's group and exits, or is killed. */
        worker_end_all((WORKER_STOP_GRACE_S + 1) * 1000L);
        c->st = stream_free(c->st);
        registry_free(c->reg);
        policy_free(c->policy);
        docker_free(c->docker);
        snapshot_free(c->snap);
        seen_free(c->seen);
        stats_free(c->stats);
        if (c->sfd >= 0)
                (void)close(c->sfd);
        ctl_direct_free(&c->direct);
        c->scope = scope_free(c->scope);
}

int controller_run(const struct watch_opts *o)
{
        struct ctl *c = calloc(1, sizeof(*c));
        int r, rc;

        if (!c) {
                log_error("out of memory");
                return 1;
        }
        c->o = o;
        c->sfd = -1;
        if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK) {
                log_error("cannot initialise libcurl");
                free(c);
                return 1;
        }
        rc = build(c);
        if (rc)
                goto out;
        rc = 1;
        load_cursor(c);
        c->status = ctl_status_start(&(struct ctl_status_config){
                .sysimage = o->sysimage, .state_dir = o->state_dir,
                .status_socket = o->status_socket, .metrics_listen = o->metrics_listen,
                .direct_on = c->direct.effective != DISPATCH_API,
                .stats = c->stats, .reg = c->reg, .info = status_info, .ud = c });

        r = connect_engine(c, true);
        if (r < 0) {
                if (o->once) {
                        log_errno(LOG_LEVEL_ERROR, r, "cannot reach the Docker Engine at %s: %m",
                                  o->docker_socket);
                        goto out;
                }
                stream_retry(c->st, strerror(-r));
        } else {
                char qn[300], eng[80];

                engine_id_describe(docker_engine(c->docker), eng, sizeof(eng));
                log_info("watching %s at %s (API %s), scripts in %s, as %s %s", eng,
                         o->docker_socket, docker_api_version(c->docker), o->script_dir,
                         c->self.id[0] ? "container" : "host", log_q(qn, sizeof(qn), c->self.name));
                if (!scope_empty(c->scope))
                        log_info("scope: only containers that pass %s exist for this controller",
                                 scope_text(c->scope));
        }
        r = loop(c);
        if (r < 0) {
                log_errno(LOG_LEVEL_ERROR, r, "main loop failed: %m");
                goto out;
        }
        pipeline_advance(c->pl);
        save_cursor(c, true);
        rc = 0;
out:
        teardown(c);
        free(c);
        curl_global_cleanup();
        return rc;
}
