/* controller.c — the controller's one poll loop (SPEC §2).  See controller.h.
 *
 * curl_multi_poll waits on the /events stream and, as extra fds, on a
 * signalfd (TERM, INT, HUP, CHLD) and the pipes of forked workers
 * (collections: collect.c; bodies: dispatch.c).  Nothing here blocks on a
 * dispatch: the Engine drops events for a subscriber that stops reading
 * (ENGINE-NOTES "Replay").  Short blocking calls happen only at start-up
 * and on reconnect, when no stream is being read.
 *
 * Events are handled in arrival order through a queue.  A start first gets
 * its container collected (in a worker, in parallel with other
 * collections); the head of the queue is resolved once its collection is
 * done, so a registration's own :start entries fire for the start that
 * created it (SPEC §2.3a) — or after COLLECT_WAIT_MS, when the start goes
 * to the other registrations and the late collection fires its own entries
 * when it is done (a hanging script must not stall everything behind it).  Resolved events wait in `inflight` until their
 * bodies finish; the cursor is the newest event with nothing unfinished at
 * or before it (SPEC §2.5).
 *
 * Replay after a (re)subscription with since=cursor: events older than the
 * container listing taken at that moment are "historic": they are
 * dispatched, but do not change registrations or the snapshot (the listing
 * and the collection of every running container already reflect them). */
#include "controller.h"
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


/* ---- small helpers -------------------------------------------------------- */

long long ctl_mono_ms(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t ctl_real_ns(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_exec_id(void *ud, const char *exec_id)
{
        ctl_ours_add(ud, exec_id);
}

/* ---- the event queue ------------------------------------------------------ */

static void pev_free(struct ctl *c, struct pev *p)
{
        for (size_t i = 0; i < p->n_colls; i++) {
                struct coll *k = p->colls[i];
                if (!k->done) {
                        /* unlink from the run list */
                        for (struct coll **pp = &c->coll_run; *pp; pp = &(*pp)->next_run) {
                                if (*pp == k) {
                                        *pp = k->next_run;
                                        break;
                                }
                        }
                        if (k->started && !k->w.reaped)
                                c->n_coll_started--;
                }
                ctl_coll_free(k);
        }
        free(p->colls);
        free(p->gap_seen);
        free(p);
}

void ctl_queue_push(struct ctl *c, struct pev *p)
{
        if (c->q_tail)
                c->q_tail->next = p;
        else
                c->q_head = p;
        c->q_tail = p;
        c->q_len++;
}

int ctl_pev_add_coll(struct ctl *c, struct pev *p, const char *id, const char *name)
{
        struct coll **nv = realloc(p->colls, (p->n_colls + 1) * sizeof(*nv));
        struct coll *k;

        if (!nv)
                return -ENOMEM;
        p->colls = nv;
        k = ctl_coll_new(c, id, name);
        if (!k)
                return -ENOMEM;
        p->colls[p->n_colls++] = k;
        return 0;
}

/* Queue a PEV_COLLECT for the containers in LIST (all of them). */
struct pev *ctl_queue_collect(struct ctl *c, const struct docker_container *list, size_t n)
{
        struct pev *p = calloc(1, sizeof(*p));

        if (!p)
                return NULL;
        p->kind = PEV_COLLECT;
        p->synthetic = true;
        for (size_t i = 0; i < n; i++) {
                if (c->self_id[0] && strcmp(list[i].id, c->self_id) == 0)
                        continue;  /* the controller's own scripts are not collected */
                if (ctl_pev_add_coll(c, p, list[i].id, list[i].name) < 0) {
                        pev_free(c, p);
                        return NULL;
                }
        }
        ctl_queue_push(c, p);
        return p;
}

/* ---- resolving the head of the queue ------------------------------------ */

bool ctl_is_action(const struct event *e, const char *a)
{
        return strcmp(e->action, a) == 0;
}

static void to_inflight(struct ctl *c, struct pev *p)
{
        p->next = NULL;
        if (c->if_tail)
                c->if_tail->next = p;
        else
                c->if_head = p;
        c->if_tail = p;
}

static bool gap_saw_start(const struct pev *p, const char *id)
{
        for (size_t i = 0; i < p->n_gap_seen; i++)
                if (strcmp(p->gap_seen[i].id, id) == 0 && ctl_is_action(&p->gap_seen[i], "start"))
                        return true;
        return false;
}

/* Try to resolve P; false if it must wait. */
static bool resolve(struct ctl *c, struct pev *p)
{
        struct event *ev = &p->ev;
        char qn[300];

        if (p->kind == PEV_COLLECT) {
                for (size_t i = 0; i < p->n_colls; i++)
                        if (!p->colls[i]->done)
                                return false;
                size_t n_rec = 0;
                for (size_t i = 0; i < p->n_colls; i++) {
                        struct coll *k = p->colls[i];
                        ctl_install(c, k, true);
                        if (!k->gone)
                                (void)ctl_snap_set(c, k->id, k->name, k->traits);
                }
                ctl_serve_immediates(c, p);
                if (p->reconcile_gap) {
                        for (size_t i = 0; i < p->n_colls; i++) {
                                struct coll *k = p->colls[i];
                                struct event se = { .has_exit_code = false };
                                if (k->gone || k->started_ns <= p->gap_since || gap_saw_start(p, k->id))
                                        continue;
                                snprintf(se.type, sizeof(se.type), "container");
                                snprintf(se.action, sizeof(se.action), "start");
                                snprintf(se.id, sizeof(se.id), "%s", k->id);
                                snprintf(se.name, sizeof(se.name), "%s", k->name);
                                se.time_nano = k->started_ns;
                                ctl_dispatch_event(c, p, &se, NULL);
                                n_rec++;
                        }
                        stats_inc(c->stats, STATS_RECONCILES);
                        log_warn("reconciled from the container list: the Engine no longer has the events since the cursor "
                                 "(daemon restart or more than 256 events); %zu container(s) started since then got their start dispatched",
                                 n_rec);
                }
                return true;
        }

        if (strncmp(ev->action, "exec_", 5) == 0) {
                if (ctl_ours_has(c, ev->exec_id) || !ctl_any_entry_matches(c, ev->action) ||
                    ctl_exec_refused(c, ev))
                        return true;
                /* Its id may still be on its way from a worker: the exec's
                 * events can overtake the worker's record. */
                if (dispatch_exec_pending(c->ds) || ctl_colls_exec_pending(c))
                        return false;
                ctl_dispatch_event(c, p, ev, NULL);
                return true;
        }
        if (ctl_is_action(ev, "start")) {
                struct coll *k = p->n_colls ? p->colls[0] : NULL;

                if (k && !k->done && ctl_mono_ms() - p->arrived_ms < COLLECT_WAIT_MS)
                        return false;
                if (!p->historic) {
                        ctl_cancel_late(c, ev->id);
                        registry_drop(c->reg, ev->id);
                        if (k && k->done) {
                                ctl_install(c, k, false);
                                if (!k->gone)
                                        (void)ctl_snap_set(c, ev->id, k->name[0] ? k->name : ev->name, k->traits);
                        } else {
                                (void)ctl_snap_set(c, ev->id, ev->name, k ? k->traits : 0);
                        }
                }
                ctl_dispatch_event(c, p, ev, NULL);
                if (!p->historic)
                        ctl_serve_immediates(c, p);
                if (k && !k->done) {
                        /* Detach: it completes in colls_io (late_complete). */
                        char q[300];
                        log_info("container %s: its scripts are still being collected, its start is dispatched to the others meanwhile",
                                 log_q(q, sizeof(q), ev->name));
                        k->late = p;
                        p->pending++;
                        p->colls[0] = NULL;
                        p->n_colls = 0;
                }
                return true;
        }
        if (ctl_is_action(ev, "die") || ctl_is_action(ev, "destroy")) {
                if (!p->historic) {
                        ctl_cancel_late(c, ev->id);
                        ctl_snap_remove(c, ev->id);
                }
                ctl_dispatch_event(c, p, ev, NULL);
                if (!p->historic) {
                        size_t n = registry_drop(c->reg, ev->id);
                        if (n)
                                log_info("container %s: %s, %zu registration(s) dropped",
                                         log_q(qn, sizeof(qn), ev->name), ev->action, n);
                }
                return true;
        }
        if (ctl_is_action(ev, "rename") && !p->historic && ev->name[0]) {
                if (ctl_snap_name(c, ev->id))
                        (void)ctl_snap_set(c, ev->id, ev->name, 0);
                registry_rename(c->reg, ev->id, ev->name);
        }
        ctl_dispatch_event(c, p, ev, NULL);
        return true;
}

static void resolve_queue(struct ctl *c)
{
        while (c->q_head && !c->stopping) {
                struct pev *p = c->q_head;

                if (!resolve(c, p))
                        return;
                c->q_head = p->next;
                if (!c->q_head)
                        c->q_tail = NULL;
                c->q_len--;
                /* The collections' answers are registered; free them now. */
                for (size_t i = 0; i < p->n_colls; i++)
                        ctl_coll_free(p->colls[i]);
                free(p->colls);
                p->colls = NULL;
                p->n_colls = 0;
                to_inflight(c, p);
        }
}

static void on_body_done(void *ud, void *ticket)
{
        ctl_body_done(ud, ticket);
}

/* Pop finished events off inflight; the last real one is the cursor. */
static void advance_cursor(struct ctl *c)
{
        while (c->if_head && c->if_head->pending == 0) {
                struct pev *p = c->if_head;

                c->if_head = p->next;
                if (!c->if_head)
                        c->if_tail = NULL;
                if (!p->synthetic && p->ev.time_nano >= c->cursor.time_nano) {
                        c->cursor.time_nano = p->ev.time_nano;
                        snprintf(c->cursor.id, sizeof(c->cursor.id), "%s", p->ev.id);
                        snprintf(c->cursor.action, sizeof(c->cursor.action), "%s", p->ev.action);
                        c->cursor_dirty = true;
                }
                pev_free(c, p);
        }
}

static void save_cursor(struct ctl *c, bool force)
{
        long long now = ctl_mono_ms();
        int r;

        if (!c->cursor_dirty || (!force && now - c->cursor_saved_ms < CURSOR_SAVE_MS))
                return;
        r = state_write(c->o->state_dir, &c->cursor);
        c->cursor_saved_ms = now;
        if (r < 0) {
                log_errno(LOG_LEVEL_ERROR, r, "cannot save the event cursor in %s: %m, retrying",
                          c->o->state_dir);
                return;
        }
        c->cursor_dirty = false;
}

/* ---- signals and the loop --------------------------------------------------- */

void ctl_queue_drop(struct ctl *c)
{
        while (c->q_head) {
                struct pev *p = c->q_head;
                c->q_head = p->next;
                pev_free(c, p);
        }
        c->q_tail = NULL;
        c->q_len = 0;
}

static bool work_left(const struct ctl *c)
{
        return c->q_head || c->if_head || c->coll_run || dispatch_running(c->ds) || dispatch_queued(c->ds);
}

static int loop(struct ctl *c)
{
        struct curl_waitfd *wfds = NULL;
        size_t cap = 0;

        for (;;) {
                size_t n = 0, nd;
                long timeout = 1000, t;
                int running = 0;

                if (cap < 1 + c->o->jobs + COLLECT_PARALLEL + CTL_STATUS_FDS) {
                        cap = 1 + c->o->jobs + COLLECT_PARALLEL + CTL_STATUS_FDS;
                        free(wfds);
                        wfds = calloc(cap, sizeof(*wfds));
                        if (!wfds)
                                return -ENOMEM;
                }
                wfds[n++] = (struct curl_waitfd){ .fd = c->sfd, .events = CURL_WAIT_POLLIN };
                {
                        int fds[1024];
                        nd = dispatch_fds(c->ds, fds, c->o->jobs < 1024 ? c->o->jobs : 1024);
                        for (size_t i = 0; i < nd; i++)
                                wfds[n++] = (struct curl_waitfd){ .fd = fds[i], .events = CURL_WAIT_POLLIN };
                }
                for (struct coll *k = c->coll_run; k && n < cap; k = k->next_run)
                        if (k->started && k->w.fd >= 0)
                                wfds[n++] = (struct curl_waitfd){ .fd = k->w.fd, .events = CURL_WAIT_POLLIN };
                if (!c->connected && !c->stopping) {
                        long long d = c->retry_at_ms - ctl_mono_ms();
                        if (d < timeout)
                                timeout = d < 0 ? 0 : (long)d;
                }
                t = dispatch_next_timeout_ms(c->ds);
                if (t >= 0 && t < timeout)
                        timeout = t;
                if (c->q_head && c->q_head->kind == PEV_EVENT && c->q_head->n_colls && timeout > 100)
                        timeout = 100;  /* re-check COLLECT_WAIT_MS */
                if (c->cursor_dirty && timeout > CURSOR_SAVE_MS / 2)
                        timeout = CURSOR_SAVE_MS / 2;
                n += ctl_status_fds(c, wfds + n, cap - n, &timeout);
                if (c->stopping) {
                        long long d = c->stop_deadline_ms - ctl_mono_ms();
                        if (d < timeout)
                                timeout = d < 0 ? 0 : (long)d;
                }
                (void)curl_multi_poll(c->multi, wfds, (unsigned)n, (int)timeout, NULL);
                ctl_status_io(c);

                ctl_signals_read(c);
                if (c->stream)
                        (void)curl_multi_perform(c->multi, &running);
                if (c->stream)
                        ctl_stream_check(c);
                ctl_colls_io(c);
                dispatch_io(c->ds);
                resolve_queue(c);
                dispatch_pump(c->ds);
                advance_cursor(c);
                save_cursor(c, false);
                ctl_stream_liveness(c);
                ctl_try_reconnect(c);

                if (c->stopping && ctl_stop_done(c))
                        break;
                if (c->o->once && c->connected && !work_left(c))
                        break;
        }
        free(wfds);
        return 0;
}

int controller_run(const struct watch_opts *o)
{
        struct ctl *c = calloc(1, sizeof(*c));
        struct dispatch_config dc;
        struct state_cursor saved;
        int r, rc = 1;

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
        c->docker = docker_new(o->docker_socket);
        c->policy = policy_new();
        c->reg = registry_new();
        c->multi = curl_multi_init();
        c->ls = line_splitter_new(EVENT_LINE_MAX);
        if (!c->docker || !c->policy || !c->reg || !c->multi || !c->ls) {
                log_error("out of memory");
                goto out;
        }
        for (size_t i = 0; i < o->n_allow; i++) {
                struct parse_error pe = { 0, "" };
                char q[600];
                r = policy_add(c->policy, o->allow[i], &pe);
                if (r < 0) {
                        /* A bad rule is an operator error: refuse, exit 2. */
                        log_error("--allow %s: %s at byte %zu", log_q(q, sizeof(q), o->allow[i]),
                                  r == -ENOMEM ? "out of memory" : pe.what, pe.pos);
                        rc = 2;
                        goto out;
                }
        }
        if (o->allow_all && policy_add_all(c->policy) < 0) {
                log_error("out of memory");
                goto out;
        }
        {
                char why[512];
                r = ctl_direct_init(&c->direct, o->dispatch, o->docker_socket, why, sizeof(why));
                if (r < 0) {
                        log_error("%s", why);
                        rc = r == -EPERM ? 2 : 1;
                        goto out;
                }
        }
        r = ctl_signals_setup(c);
        if (r < 0) {
                log_errno(LOG_LEVEL_ERROR, r, "cannot set up signals: %m");
                goto out;
        }
        dc = (struct dispatch_config){
                .jobs = o->jobs, .timeout_s = o->exec_timeout_s, .max_output = o->max_output,
                .sysimage = o->sysimage, .docker = c->docker, .on_exec_id = on_exec_id,
                .on_done = on_body_done, .on_result = ctl_status_on_result, .ud = c,
                .direct = &c->direct,
        };
        c->ds = dispatch_new(&dc);
        if (!c->ds) {
                log_error("out of memory");
                goto out;
        }
        r = state_read(o->state_dir, &saved);
        if (r == 0) {
                c->cursor = saved;
        } else if (r != -ENOENT) {
                log_errno(LOG_LEVEL_WARN, r, "cannot read the event cursor in %s (%m), starting from now",
                          o->state_dir);
        }
        c->cursor_saved_ms = ctl_mono_ms();
        ctl_status_start(c);

        r = ctl_connect_engine(c, true);
        if (r < 0) {
                if (o->once) {
                        log_errno(LOG_LEVEL_ERROR, r, "cannot reach the Docker Engine at %s: %m",
                                  o->docker_socket);
                        goto out;
                }
                ctl_schedule_retry(c, strerror(-r));
        } else {
                char qn[300];
                log_info("watching the Docker Engine at %s (API %s), scripts in %s, as %s %s",
                         o->docker_socket, docker_api_version(c->docker), o->script_dir,
                         c->self_id[0] ? "container" : "host", log_q(qn, sizeof(qn), c->self_name));
        }
        if (!c->identified) {
                /* No Engine yet: the host's name until it answers. */
                struct utsname u;
                if (uname(&u) == 0)
                        snprintf(c->self_name, sizeof(c->self_name), "%s", u.nodename);
        }
        r = loop(c);
        if (r < 0) {
                log_errno(LOG_LEVEL_ERROR, r, "main loop failed: %m");
                goto out;
        }
        advance_cursor(c);
        save_cursor(c, true);
        rc = 0;
out:
        if (c->ds) {
                dispatch_kill_running(c->ds);
                c->ds = dispatch_free(c->ds);
        }
        while (c->q_head) {
                struct pev *p = c->q_head;
                c->q_head = p->next;
                pev_free(c, p);
        }
        while (c->if_head) {
                struct pev *p = c->if_head;
                c->if_head = p->next;
                pev_free(c, p);
        }
        while (c->coll_run) {
                /* late collections: their events are gone already */
                struct coll *k = c->coll_run;
                c->coll_run = k->next_run;
                ctl_coll_free(k);
        }
        ctl_status_stop(c);
        /* No process we started outlives us (SPEC §2.5): every worker
         * kills its body's group and exits, or is killed. */
        worker_end_all((WORKER_STOP_GRACE_S + 1) * 1000L);
        ctl_stream_close(c);
        if (c->multi)
                curl_multi_cleanup(c->multi);
        line_splitter_free(c->ls);
        registry_free(c->reg);
        policy_free(c->policy);
        docker_free(c->docker);
        ctl_snap_clear(c);
        free(c->snap);
        ctl_fire_free(c);
        if (c->sfd >= 0)
                (void)close(c->sfd);
        ctl_direct_free(&c->direct);
        free(c);
        curl_global_cleanup();
        return rc;
}
