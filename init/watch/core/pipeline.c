/* pipeline.c — the event queue, resolving its head, the cursor.  See
 * pipeline.h.
 *
 * A start first gets its container collected (in a worker, in parallel
 * with other collections); the head of the queue is resolved once its
 * collection is done, so a registration's own :start entries fire for the
 * start that created it (SPEC §2.3a) — or after PIPELINE_COLLECT_WAIT_MS,
 * when the start goes to the other registrations and the late collection
 * fires its own entries when it is done (a hanging script must not stall
 * everything behind it).  Resolved events wait in the in-flight list until
 * their bodies finish; the cursor is the newest event with nothing
 * unfinished at or before it (SPEC §2.5).
 *
 * Replay after a (re)subscription with since=cursor: events older than the
 * container listing taken at that moment are "historic": they are
 * dispatched, but do not change registrations or the snapshot (the listing
 * and the collection of every running container already reflect them). */
#include "pipeline.h"

#include "collector.h"
#include "deadline.h"
#include "docker.h"
#include "enroll.h"
#include "events.h"
#include "facts.h"
#include "fire.h"
#include "log.h"
#include "registry.h"
#include "scope.h"
#include "seen.h"
#include "snapshot.h"
#include "cursor.h"
#include "stats.h"
#include "strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum pev_kind { PEV_EVENT, PEV_COLLECT };

struct pev {
        struct pev *next;
        enum pev_kind kind;
        struct event ev;
        bool historic;       /* before the listing: dispatch only */
        bool synthetic;      /* not from the stream: never the cursor */
        bool reconcile_gap;  /* PEV_COLLECT after lost history: dispatch starts */
        uint64_t gap_since;
        struct event *gap_seen;  /* events of the finite replay (gap case) */
        size_t n_gap_seen;
        struct coll **colls;
        size_t n_colls;
        size_t n_running;    /* PEV_COLLECT: colls[0..n_running) are running, the rest ended */
        unsigned pending;    /* bodies (and late collections) not finished */
        int64_t arrived_ms;
};

/* One emitted body; the list frees those whose jobs never finished. */
struct ticket {
        struct ticket *prev, *next;
        struct pev *p;
        char registrar[80];
};

struct pipeline {
        struct pipeline_config cfg;
        struct fire *fire;
        struct facts *facts;  /* per container, for its bodies (docs/events.md) */
        char self_id[80];
        struct pev *q_head, *q_tail;
        size_t q_len;
        struct pev *if_head, *if_tail;
        struct ticket *tickets;
        struct cursor cursor;
        bool cursor_dirty;
        bool stopping;
        uint64_t listing_ns;
};

/* ---- jobs out ------------------------------------------------------------ */

static int emit(void *ud, void *cookie, const struct fire_job *job)
{
        struct pipeline *pl = ud;
        struct pev *p = cookie;
        struct ticket *tk = calloc(1, sizeof(*tk));

        if (!tk) {
                strv_free(job->vars);
                log_error("out of memory, body dropped");
                return -ENOMEM;
        }
        tk->p = p;
        snprintf(tk->registrar, sizeof(tk->registrar), "%s", job->registrar_id);
        if (pl->cfg.enqueue(pl->cfg.ud, job, tk) < 0) {
                free(tk);
                return -E2BIG;
        }
        p->pending++;
        tk->next = pl->tickets;
        if (tk->next)
                tk->next->prev = tk;
        pl->tickets = tk;
        return 0;
}

void pipeline_body_done(struct pipeline *pl, void *ticket)
{
        struct ticket *tk = ticket;

        tk->p->pending--;
        fire_body_done(pl->fire, tk->registrar);
        if (tk->prev)
                tk->prev->next = tk->next;
        else
                pl->tickets = tk->next;
        if (tk->next)
                tk->next->prev = tk->prev;
        free(tk);
}

static void fire_ev(struct pipeline *pl, struct pev *p, const struct event *ev, const char *only_id)
{
        struct snapshot view = snapshot_view(pl->cfg.snap);
        const char *src = ev->name[0] ? ev->name : snapshot_name(pl->cfg.snap, ev->id);

        (void)fire_event(pl->fire, pl->cfg.reg, &view, ev, src ? src : "", only_id, p);
}

static void fire_imm(struct pipeline *pl, struct pev *p)
{
        struct snapshot view = snapshot_view(pl->cfg.snap);

        (void)fire_immediates(pl->fire, pl->cfg.reg, &view, p);
}

static char *const *facts_of(void *ud, const char *id)
{
        return facts_get(((struct pipeline *)ud)->facts, id);
}

/* ---- life cycle ------------------------------------------------------------ */

struct pipeline *pipeline_new(const struct pipeline_config *cfg)
{
        struct pipeline *pl = calloc(1, sizeof(*pl));
        struct fire_config fc = { .policy = cfg->policy, .stats = cfg->stats, .emit = emit,
                                  .facts = facts_of };

        if (!pl)
                return NULL;
        pl->cfg = *cfg;
        fc.ud = pl;
        pl->fire = fire_new(&fc);
        pl->facts = facts_new();
        if (!pl->fire || !pl->facts) {
                fire_free(pl->fire);
                facts_free(pl->facts);
                free(pl);
                return NULL;
        }
        return pl;
}

static void pev_free(struct pipeline *pl, struct pev *p)
{
        for (size_t i = 0; i < p->n_colls; i++)
                collector_drop(pl->cfg.col, p->colls[i]);
        free(p->colls);
        free(p->gap_seen);
        free(p);
}

static void drop_list(struct pipeline *pl, struct pev **head, struct pev **tail)
{
        while (*head) {
                struct pev *p = *head;
                *head = p->next;
                pev_free(pl, p);
        }
        *tail = NULL;
}

struct pipeline *pipeline_free(struct pipeline *pl)
{
        if (!pl)
                return NULL;
        drop_list(pl, &pl->q_head, &pl->q_tail);
        drop_list(pl, &pl->if_head, &pl->if_tail);
        while (pl->tickets) {
                struct ticket *tk = pl->tickets;
                pl->tickets = tk->next;
                free(tk);
        }
        fire_free(pl->fire);
        facts_free(pl->facts);
        free(pl);
        return NULL;
}

void pipeline_set_self(struct pipeline *pl, const char *self_id, const char *self_name,
                       bool in_container)
{
        snprintf(pl->self_id, sizeof(pl->self_id), "%s", self_id);
        snapshot_set_self(pl->cfg.snap, self_id, in_container);
        fire_set_self(pl->fire, self_id, self_name);
}

void pipeline_set_cursor(struct pipeline *pl, const struct cursor *c, bool dirty)
{
        pl->cursor = *c;
        pl->cursor_dirty = dirty;
}

const struct cursor *pipeline_cursor(const struct pipeline *pl)
{
        return &pl->cursor;
}

bool pipeline_cursor_dirty(const struct pipeline *pl)
{
        return pl->cursor_dirty;
}

void pipeline_cursor_saved(struct pipeline *pl)
{
        pl->cursor_dirty = false;
}

void pipeline_resubscribed(struct pipeline *pl, uint64_t listing_ns)
{
        seen_resume(pl->cfg.seen, &pl->cursor);
        pl->listing_ns = listing_ns;
}

size_t pipeline_queued(const struct pipeline *pl)
{
        return pl->q_len;
}

bool pipeline_busy(const struct pipeline *pl)
{
        return pl->q_head || pl->if_head;
}

bool pipeline_head_waits(const struct pipeline *pl)
{
        return pl->q_head && pl->q_head->kind == PEV_EVENT && pl->q_head->n_colls;
}

void pipeline_stop(struct pipeline *pl)
{
        pl->stopping = true;
        drop_list(pl, &pl->q_head, &pl->q_tail);
        pl->q_len = 0;
}

/* ---- events in ------------------------------------------------------------- */

static void push(struct pipeline *pl, struct pev *p)
{
        if (pl->q_tail)
                pl->q_tail->next = p;
        else
                pl->q_head = p;
        pl->q_tail = p;
        pl->q_len++;
}

static int add_coll(struct pipeline *pl, struct pev *p, const char *id, const char *name)
{
        struct coll **nv = realloc(p->colls, (p->n_colls + 1) * sizeof(*nv));
        struct coll *k;

        if (!nv)
                return -ENOMEM;
        p->colls = nv;
        k = collector_add(pl->cfg.col, id, name);
        if (!k)
                return -ENOMEM;
        p->colls[p->n_colls++] = k;
        return 0;
}

static bool is_self(const struct pipeline *pl, const char *id)
{
        return pl->self_id[0] && strcmp(id, pl->self_id) == 0;
}

/* Is container NAME (ID) in --scope?  Only names are checked here. */
static bool in_scope(const struct pipeline *pl, const char *id, const char *name)
{
        if (!scope_has_names(pl->cfg.scope))
                return true;
        if (!name[0])
                name = snapshot_name(pl->cfg.snap, id);
        return name && scope_name_ok(pl->cfg.scope, name);
}

void pipeline_event(struct pipeline *pl, const struct event *e)
{
        struct pev *p;

        if (strcmp(e->type, "container") != 0 || !in_scope(pl, e->id, e->name) ||
            !seen_take(pl->cfg.seen, e))
                return;
        if (pl->q_len >= PIPELINE_QUEUE_MAX) {
                char q[300], qa[100];
                log_error("event queue full (%d), event %s of %s dropped", PIPELINE_QUEUE_MAX,
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
        p->arrived_ms = deadline_now();
        p->historic = e->time_nano < pl->listing_ns;
        /* the controller's own scripts are not collected */
        if (strcmp(e->action, "start") == 0 && !p->historic && !is_self(pl, e->id))
                (void)add_coll(pl, p, e->id, e->name);
        push(pl, p);
}

int pipeline_collect(struct pipeline *pl, const struct docker_container *list, size_t n,
                     const struct pipeline_gap *gap)
{
        struct pev *p = calloc(1, sizeof(*p));

        if (!p)
                return -ENOMEM;
        p->kind = PEV_COLLECT;
        p->synthetic = true;
        for (size_t i = 0; i < n; i++) {
                if (is_self(pl, list[i].id) || !in_scope(pl, list[i].id, list[i].name))
                        continue;
                if (add_coll(pl, p, list[i].id, list[i].name) < 0) {
                        pev_free(pl, p);
                        return -ENOMEM;
                }
        }
        p->n_running = p->n_colls;
        for (size_t i = 0; gap && i < gap->n_ended; i++) {
                if (is_self(pl, gap->ended[i].id) || !in_scope(pl, gap->ended[i].id, gap->ended[i].name))
                        continue;
                if (add_coll(pl, p, gap->ended[i].id, gap->ended[i].name) < 0) {
                        pev_free(pl, p);
                        return -ENOMEM;
                }
        }
        if (gap) {
                p->reconcile_gap = true;
                p->gap_since = gap->since;
                if (gap->n_seen) {
                        p->gap_seen = malloc(gap->n_seen * sizeof(*p->gap_seen));
                        if (!p->gap_seen) {
                                pev_free(pl, p);
                                return -ENOMEM;
                        }
                        memcpy(p->gap_seen, gap->seen, gap->n_seen * sizeof(*p->gap_seen));
                        p->n_gap_seen = gap->n_seen;
                }
        }
        push(pl, p);
        return 0;
}

void pipeline_forget_gone(struct pipeline *pl, const struct docker_container *list, size_t n)
{
        for (size_t i = 0; i < snapshot_count(pl->cfg.snap);) {
                const struct container_ref *r = snapshot_at(pl->cfg.snap, i);
                bool there = false;
                char q[300];

                for (size_t j = 0; j < n && !there; j++)
                        there = strcmp(list[j].id, r->id) == 0 &&
                                in_scope(pl, list[j].id, list[j].name);
                if (there) {
                        i++;
                        continue;
                }
                log_info("container %s is gone since the outage, %zu registration(s) dropped",
                         log_q(q, sizeof(q), r->name), registry_drop(pl->cfg.reg, r->id));
                facts_drop(pl->facts, r->id);
                snapshot_remove(pl->cfg.snap, r->id);
        }
}

/* ---- resolving the head of the queue ------------------------------------ */

static bool is_action(const struct event *e, const char *a)
{
        return strcmp(e->action, a) == 0;
}

static bool gap_saw(const struct pev *p, const char *id, const char *action)
{
        for (size_t i = 0; i < p->n_gap_seen; i++)
                if (strcmp(p->gap_seen[i].id, id) == 0 && is_action(&p->gap_seen[i], action))
                        return true;
        return false;
}

/* A synthetic event ACTION of R at TIME_NS (catch-up after lost history). */
static struct event synth(const struct collect_result *r, const char *action, uint64_t time_ns)
{
        struct event se = { .has_exit_code = false };

        snprintf(se.type, sizeof(se.type), "container");
        snprintf(se.action, sizeof(se.action), "%s", action);
        snprintf(se.id, sizeof(se.id), "%s", r->id);
        snprintf(se.name, sizeof(se.name), "%s", r->name);
        se.time_nano = time_ns;
        return se;
}

/* A collection's answers into the registry and the snapshot. */
static void install(struct pipeline *pl, const struct collect_result *r, bool keep_served,
                    const char *fallback_name)
{
        enroll(pl->cfg.reg, pl->cfg.stats, r, keep_served);
        if (r->facts && facts_set(pl->facts, r->id, r->facts) < 0)
                log_error("out of memory keeping a container's facts");
        if (!r->gone)
                (void)snapshot_set(pl->cfg.snap, r->id, r->name[0] ? r->name : fallback_name, r->traits);
}

static bool resolve_collect(struct pipeline *pl, struct pev *p)
{
        size_t n_rec = 0, n_died = 0;

        for (size_t i = 0; i < p->n_colls; i++)
                if (!collector_result(p->colls[i])->done)
                        return false;
        for (size_t i = 0; i < p->n_running; i++)
                install(pl, collector_result(p->colls[i]), true, "");
        fire_imm(pl, p);
        if (!p->reconcile_gap)
                return true;
        /* Those that ended meanwhile: their die, with the exit code of
         * their inspect (docs/events.md "Catch-up"). */
        for (size_t i = p->n_running; i < p->n_colls; i++) {
                const struct collect_result *r = collector_result(p->colls[i]);
                struct event se;

                if (r->has_exit_code && r->finished_ns > p->gap_since && !gap_saw(p, r->id, "die")) {
                        se = synth(r, "die", r->finished_ns);
                        se.has_exit_code = true;
                        se.exit_code = r->exit_code;
                        if (r->facts)
                                (void)facts_set(pl->facts, r->id, r->facts);
                        snapshot_remove(pl->cfg.snap, r->id);
                        fire_ev(pl, p, &se, NULL);
                        n_died++;
                }
                /* then, as after a die, its registrations go */
                facts_drop(pl->facts, r->id);
                (void)registry_drop(pl->cfg.reg, r->id);
                snapshot_remove(pl->cfg.snap, r->id);
        }
        for (size_t i = 0; i < p->n_running; i++) {
                const struct collect_result *r = collector_result(p->colls[i]);
                struct event se;

                if (r->gone || r->started_ns <= p->gap_since || gap_saw(p, r->id, "start"))
                        continue;
                se = synth(r, "start", r->started_ns);
                fire_ev(pl, p, &se, NULL);
                n_rec++;
        }
        stats_inc(pl->cfg.stats, STATS_RECONCILES);
        log_warn("reconciled from the container list: the Engine no longer has the events since the cursor "
                 "(daemon restart or more than 256 events); %zu container(s) that ended since then got their die dispatched, "
                 "%zu that started their start",
                 n_died, n_rec);
        return true;
}

/* An exec_* event not of our own execs: refused when its container's labels
 * shadow execID (Docker copies labels over event attributes, so our own
 * execs cannot be recognised) or it was never inspected; said once. */
static bool exec_refused(struct pipeline *pl, const struct event *ev)
{
        int r = snapshot_exec_refusal(pl->cfg.snap, ev->id);
        const struct container_ref *c;
        char q[300];

        if (r == 1 && (c = snapshot_find(pl->cfg.snap, ev->id)))
                log_warn("container %s: its exec events are not dispatched: %s (said once)",
                         log_q(q, sizeof(q), c->name),
                         (c->traits & TRAIT_KNOWN)
                         ? "a label of it sets execID, which Docker copies over the events' attributes, so the controller's own execs cannot be told apart"
                         : "its configuration could not be inspected");
        return r != 0;
}

static bool resolve_start(struct pipeline *pl, struct pev *p)
{
        const struct event *ev = &p->ev;
        struct coll *k = p->n_colls ? p->colls[0] : NULL;
        const struct collect_result *r = k ? collector_result(k) : NULL;
        char q[300];

        if (r && !r->done && deadline_now() - p->arrived_ms < PIPELINE_COLLECT_WAIT_MS)
                return false;
        if (!p->historic) {
                collector_cancel(pl->cfg.col, ev->id);
                registry_drop(pl->cfg.reg, ev->id);
                if (r && r->done)
                        install(pl, r, false, ev->name);
                else
                        (void)snapshot_set(pl->cfg.snap, ev->id, ev->name, r ? r->traits : 0);
        }
        fire_ev(pl, p, ev, NULL);
        if (!p->historic)
                fire_imm(pl, p);
        if (r && !r->done) {
                /* Detach: it completes in pipeline_late_done. */
                log_info("container %s: its scripts are still being collected, its start is dispatched to the others meanwhile",
                         log_q(q, sizeof(q), ev->name));
                collector_detach(pl->cfg.col, k, p);
                p->pending++;
                p->colls[0] = NULL;
                p->n_colls = 0;
        }
        return true;
}

/* Try to resolve P; false if it must wait. */
static bool resolve(struct pipeline *pl, struct pev *p)
{
        struct event *ev = &p->ev;
        char qn[300], qa[100];

        if (p->kind == PEV_COLLECT)
                return resolve_collect(pl, p);
        if (strncmp(ev->action, "exec_", 5) == 0) {
                const struct registry_hit *hits;

                if (seen_ours_has(pl->cfg.seen, ev->exec_id) ||
                    registry_firing(pl->cfg.reg, ev->action, &hits) == 0 || exec_refused(pl, ev))
                        return true;
                /* Its id may still be on its way from a worker: the exec's
                 * events can overtake the worker's record. */
                if ((pl->cfg.exec_pending && pl->cfg.exec_pending(pl->cfg.ud)) ||
                    collector_exec_pending(pl->cfg.col))
                        return false;
                fire_ev(pl, p, ev, NULL);
                return true;
        }
        if (is_action(ev, "health_status") && !event_health_known(ev->health)) {
                log_warn("container %s: health event with an unknown state %s, nothing dispatched",
                         log_q(qn, sizeof(qn), ev->name[0] ? ev->name : ev->id),
                         log_q(qa, sizeof(qa), ev->health));
                return true;
        }
        if (is_action(ev, "start"))
                return resolve_start(pl, p);
        if (is_action(ev, "die") || is_action(ev, "destroy")) {
                if (!p->historic) {
                        collector_cancel(pl->cfg.col, ev->id);
                        snapshot_remove(pl->cfg.snap, ev->id);
                }
                fire_ev(pl, p, ev, NULL);
                if (!p->historic) {
                        size_t n = registry_drop(pl->cfg.reg, ev->id);

                        facts_drop(pl->facts, ev->id);
                        if (n)
                                log_info("container %s: %s, %zu registration(s) dropped",
                                         log_q(qn, sizeof(qn), ev->name), ev->action, n);
                }
                return true;
        }
        if (is_action(ev, "rename") && !p->historic && ev->name[0]) {
                if (snapshot_name(pl->cfg.snap, ev->id))
                        (void)snapshot_set(pl->cfg.snap, ev->id, ev->name, 0);
                registry_rename(pl->cfg.reg, ev->id, ev->name);
        }
        fire_ev(pl, p, ev, NULL);
        return true;
}

void pipeline_resolve(struct pipeline *pl)
{
        while (pl->q_head && !pl->stopping) {
                struct pev *p = pl->q_head;

                if (!resolve(pl, p))
                        return;
                pl->q_head = p->next;
                if (!pl->q_head)
                        pl->q_tail = NULL;
                pl->q_len--;
                /* The collections' answers are registered; free them now. */
                for (size_t i = 0; i < p->n_colls; i++)
                        collector_drop(pl->cfg.col, p->colls[i]);
                free(p->colls);
                p->colls = NULL;
                p->n_colls = 0;
                p->next = NULL;
                if (pl->if_tail)
                        pl->if_tail->next = p;
                else
                        pl->if_head = p;
                pl->if_tail = p;
        }
}

void pipeline_advance(struct pipeline *pl)
{
        while (pl->if_head && pl->if_head->pending == 0) {
                struct pev *p = pl->if_head;

                pl->if_head = p->next;
                if (!pl->if_head)
                        pl->if_tail = NULL;
                if (!p->synthetic && p->ev.time_nano >= pl->cursor.time_nano) {
                        pl->cursor.time_nano = p->ev.time_nano;
                        snprintf(pl->cursor.id, sizeof(pl->cursor.id), "%s", p->ev.id);
                        snprintf(pl->cursor.action, sizeof(pl->cursor.action), "%s", p->ev.action);
                        pl->cursor_dirty = true;
                }
                pev_free(pl, p);
        }
}

/* A late collection is done: register its answers, fire its own entries
 * for the start that created it, serve immediates. */
void pipeline_late_done(struct pipeline *pl, const struct collect_result *r, void *cookie)
{
        struct pev *p = cookie;

        /* Stopping takes no new work (SPEC §2.5): nothing is registered or
         * queued, and the start stays pending, behind the cursor, so it is
         * dispatched again after the next start. */
        if (pl->stopping)
                return;
        if (!r->cancelled) {
                snapshot_traits(pl->cfg.snap, r->id, r->traits);
                enroll(pl->cfg.reg, pl->cfg.stats, r, false);
                if (r->facts)
                        (void)facts_set(pl->facts, r->id, r->facts);
                fire_ev(pl, p, &p->ev, r->id);
                fire_imm(pl, p);
        }
        p->pending--;
}
