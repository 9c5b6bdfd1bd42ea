/* ctl_fire.c — what fires: for an event, every matching entry of every
 * registration, its targets over the snapshot, the policy per target (one
 * denial line per registration and target), and a body job per target;
 * immediate entries once per target.  See controller_int.h. */
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


/* ---- dispatching -------------------------------------------------------- */

static char **body_vars(const struct ctl *c, const char *event, const char *src_id,
                        const char *src_name, const struct registration *g, const struct target *t)
{
        const char *tname = t->type == TT_HOST ? "%host" : t->type == TT_CONTRAINER ? "%contrainer" : t->name;
        char **v = NULL;

        if (strv_env_set(&v, "CONTRAINER_EVENT", event) < 0 ||
            strv_env_set(&v, "CONTRAINER_SOURCE_ID", src_id) < 0 ||
            strv_env_set(&v, "CONTRAINER_SOURCE_NAME", src_name) < 0 ||
            strv_env_set(&v, "CONTRAINER_REGISTRAR_ID", g->id) < 0 ||
            strv_env_set(&v, "CONTRAINER_REGISTRAR_NAME", g->name) < 0 ||
            strv_env_set(&v, "CONTRAINER_TARGET", tname ? tname : "") < 0 ||
            strv_env_set(&v, "CONTRAINER_ID", c->self_id) < 0 ||
            strv_env_set(&v, "CONTRAINER_NAME", c->self_name) < 0 ||
            strv_env_set(&v, "DOCKER_EVENT", event) < 0 ||
            strv_env_set(&v, "REGISTRAR_CONTAINER_ID", src_id) < 0 ||
            strv_env_set(&v, "REGISTRAR_CONTAINER_NAME", src_name) < 0)
                return strv_free(v);
        return v;
}

static const char *target_key(const struct target *t)
{
        return t->type == TT_HOST ? "%host" : t->type == TT_CONTRAINER ? "%contrainer" : t->id;
}

static struct snapshot snapshot_of(const struct ctl *c)
{
        struct snapshot s = { .containers = c->snap, .n = c->n_snap, .self_id = c->self_id };

        return s;
}

static const char *target_text(const struct target *t)
{
        return t->type == TT_HOST ? "%host" : t->type == TT_CONTRAINER ? "%contrainer" : t->name;
}

static const char *denial_why(const struct target *t)
{
        if (t->is_me || t->type != TT_CONTAINER)
                return "no --allow rule gives it this class";
        if (t->traits & TRAIT_SELF)
                return "it may be the controller itself, which could not identify its own container: needs contrainer and host";
        if (!(t->traits & TRAIT_KNOWN))
                return "its configuration is not known (not inspected): needs containers and host";
        if (t->traits & TRAIT_HOSTEQ)
                return "host-equivalent container: needs containers and host";
        return "no --allow rule gives it this class";
}

/* Is T allowed for G?  Logs a denial once per (registration, target). */
static bool allowed(struct ctl *c, struct registration *g, const struct header_entry *e,
                    const struct target *t)
{
        char qr[300], qs[600], qe[600], qt[300];
        const char *key = target_key(t);

        if (policy_allows(c->policy, g->name, t))
                return true;
        if (!keyset_has(&g->denied, key)) {
                stats_inc(c->stats, STATS_DENIALS);
                (void)keyset_add(&g->denied, key);
                log_warn("denied: registrar %s script %s entry %s target %s (%s)",
                         log_q(qr, sizeof(qr), g->name), log_q(qs, sizeof(qs), g->script),
                         log_q(qe, sizeof(qe), e->text), log_q(qt, sizeof(qt), target_text(t)),
                         denial_why(t));
        }
        return false;
}

/* The queued-bodies counter of registrar ID (created when CREATE). */
static struct rqueued *rq_of(struct ctl *c, const char *id, bool create)
{
        struct rqueued *nv;

        for (size_t i = 0; i < c->n_rq; i++)
                if (strcmp(c->rq[i].id, id) == 0)
                        return &c->rq[i];
        if (!create)
                return NULL;
        nv = realloc(c->rq, (c->n_rq + 1) * sizeof(*nv));
        if (!nv)
                return NULL;
        c->rq = nv;
        nv = &c->rq[c->n_rq++];
        memset(nv, 0, sizeof(*nv));
        snprintf(nv->id, sizeof(nv->id), "%s", id);
        return nv;
}

/* One queued body; the list lets ctl_fire_free release those whose jobs
 * dispatch dropped at shutdown (their on_done never comes). */
struct ticket {
        struct ticket *prev, *next;
        struct pev *p;
        char registrar[80];
};

void ctl_body_done(struct ctl *c, void *ticket)
{
        struct ticket *tk = ticket;
        struct rqueued *q = rq_of(c, tk->registrar, false);

        tk->p->pending--;
        if (q && q->n > 0 && --q->n == 0)
                *q = c->rq[--c->n_rq];  /* forgotten: a later overflow is said again */
        if (tk->prev)
                tk->prev->next = tk->next;
        else
                c->tickets = tk->next;
        if (tk->next)
                tk->next->prev = tk->prev;
        free(tk);
}

void ctl_fire_free(struct ctl *c)
{
        while (c->tickets) {
                struct ticket *tk = c->tickets;
                c->tickets = tk->next;
                free(tk);
        }
        free(c->rq);
        c->rq = NULL;
        c->n_rq = 0;
}

/* Queue G's body on T; false if it was not queued (the registrar's cap,
 * the global cap, no memory). */
static bool enqueue_body(struct ctl *c, struct pev *p, struct registration *g, const char *event,
                         const char *src_id, const char *src_name, const struct target *t)
{
        char label[1024], qr[300], qs[600], qv[100];
        struct rqueued *q = rq_of(c, g->id, true);
        struct ticket *tk;
        char **vars;

        if (!q)
                return false;
        if (q->n >= REGISTRAR_BODIES_MAX) {
                if (!q->logged)
                        log_error("registrar %s: %d bodies queued and not finished, its further bodies are dropped until they drain (said once)",
                                  log_q(qr, sizeof(qr), g->name), REGISTRAR_BODIES_MAX);
                q->logged = true;
                return false;
        }
        vars = body_vars(c, event, src_id, src_name, g, t);
        tk = calloc(1, sizeof(*tk));
        if (!vars || !tk) {
                strv_free(vars);
                free(tk);
                log_error("out of memory building a body's environment, body dropped");
                return false;
        }
        tk->p = p;
        snprintf(tk->registrar, sizeof(tk->registrar), "%s", g->id);
        snprintf(label, sizeof(label), "registrar %s script %s event %s",
                 log_q(qr, sizeof(qr), g->name), log_q(qs, sizeof(qs), g->script),
                 log_q(qv, sizeof(qv), event));
        if (dispatch_enqueue(c->ds, t->type, t->id, t->name, g->body, vars, label, tk) < 0) {
                free(tk);
                return false;
        }
        p->pending++;
        q->n++;
        tk->next = c->tickets;
        if (tk->next)
                tk->next->prev = tk;
        c->tickets = tk;
        return true;
}

/* Every entry of every registration that fires on EV's action: each
 * registration's body runs at most once per target for one event, however
 * many of its entries name that target. */
void ctl_dispatch_event(struct ctl *c, struct pev *p, const struct event *ev,
                        const char *only_id)
{
        struct snapshot s = snapshot_of(c);
        const struct registry_hit *hits;
        size_t n = registry_firing(c->reg, ev->action, &hits);
        const char *src_name = ev->name[0] ? ev->name
                               : (ctl_snap_name(c, ev->id) ? ctl_snap_name(c, ev->id) : "");

        for (size_t i = 0; i < n;) {
                struct registration *g = hits[i].g;
                struct keyset done = { 0 };
                size_t end = i;
                bool several;

                while (end < n && hits[end].g == g)
                        end++;
                several = end - i > 1;
                for (; i < end; i++) {
                        const struct header_entry *e = &g->hdr->entries[hits[i].entry];
                        struct target_set ts = { 0 };

                        if (only_id && strcmp(g->id, only_id) != 0)
                                continue;
                        if (target_eval(e, &s, g->id, g->name, &ts) < 0) {
                                log_error("out of memory evaluating targets");
                                continue;
                        }
                        for (size_t ti = 0; ti < ts.n; ti++) {
                                const struct target *t = &ts.v[ti];

                                /* Only a registration with several entries
                                 * firing here can name a target twice. */
                                if (several && keyset_has(&done, target_key(t)))
                                        continue;
                                if (!allowed(c, g, e, t))
                                        continue;
                                if (enqueue_body(c, p, g, ev->action, ev->id, src_name, t) && several)
                                        (void)keyset_add(&done, target_key(t));
                        }
                        target_set_free(&ts);
                }
                keyset_free(&done);
        }
}

/* Has another immediate entry of G served T already? */
static bool served_elsewhere(const struct registration *g, size_t ei, const char *key)
{
        for (size_t j = 0; j < g->hdr->n_entries; j++)
                if (j != ei && g->hdr->entries[j].n_events == 0 && keyset_has(&g->served[j], key))
                        return true;
        return false;
}

/* Immediate entries: each target not yet served gets the body once per
 * registration; a target is served once its body is queued. */
void ctl_serve_immediates(struct ctl *c, struct pev *p)
{
        struct snapshot s = snapshot_of(c);
        const struct registry_hit *hits;
        size_t n = registry_immediates(c->reg, &hits);

        for (size_t i = 0; i < n; i++) {
                struct registration *g = hits[i].g;
                size_t ei = hits[i].entry;
                const struct header_entry *e = &g->hdr->entries[ei];
                bool several = (i + 1 < n && hits[i + 1].g == g) || (i > 0 && hits[i - 1].g == g);
                struct target_set ts = { 0 };

                if (target_eval(e, &s, g->id, g->name, &ts) < 0) {
                        log_error("out of memory evaluating targets");
                        continue;
                }
                for (size_t ti = 0; ti < ts.n; ti++) {
                        const struct target *t = &ts.v[ti];
                        const char *key = target_key(t);

                        if (keyset_has(&g->served[ei], key))
                                continue;
                        if (several && served_elsewhere(g, ei, key)) {
                                (void)keyset_add(&g->served[ei], key);
                                continue;
                        }
                        if (!allowed(c, g, e, t))
                                continue;
                        if (enqueue_body(c, p, g, "immediate", g->id, g->name, t))
                                (void)keyset_add(&g->served[ei], key);
                }
                target_set_free(&ts);
        }
}

bool ctl_any_entry_matches(const struct ctl *c, const char *action)
{
        const struct registry_hit *hits;

        return registry_firing(c->reg, action, &hits) > 0;
}

bool ctl_exec_refused(struct ctl *c, const struct event *ev)
{
        struct container_ref *r = ctl_snap_find(c, ev->id);
        char q[300];

        if (r && (r->traits & TRAIT_KNOWN) && !(r->traits & TRAIT_SHADOW))
                return false;
        if (r && !r->logged) {
                r->logged = true;
                log_warn("container %s: its exec events are not dispatched: %s (said once)",
                         log_q(q, sizeof(q), r->name),
                         (r->traits & TRAIT_KNOWN)
                         ? "a label of it sets execID, which Docker copies over the events' attributes, so the controller's own execs cannot be told apart"
                         : "its configuration could not be inspected");
        }
        return true;
}
