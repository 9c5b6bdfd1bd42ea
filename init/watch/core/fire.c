/* fire.c — registry + snapshot + policy -> body jobs.  See fire.h. */
#include "fire.h"

#include "events.h"
#include "header.h"
#include "log.h"
#include "policy.h"
#include "rfc3339.h"
#include "registry.h"
#include "stats.h"
#include "strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fire {
        struct fire_config cfg;
        char self_id[80];
        char self_name[256];
        /* bodies emitted and not finished, per registrar */
        struct rqueued {
                char id[80];
                size_t n;
                bool logged;  /* its overflow was said */
        } *rq;
        size_t n_rq;
};

struct fire *fire_new(const struct fire_config *cfg)
{
        struct fire *f = calloc(1, sizeof(*f));

        if (f)
                f->cfg = *cfg;
        return f;
}

struct fire *fire_free(struct fire *f)
{
        if (f)
                free(f->rq);
        free(f);
        return NULL;
}

void fire_set_self(struct fire *f, const char *self_id, const char *self_name)
{
        snprintf(f->self_id, sizeof(f->self_id), "%s", self_id);
        snprintf(f->self_name, sizeof(f->self_name), "%s", self_name);
}

/* The facts of the event EV (NULL: immediate) and of its source SRC_ID
 * (docs/events.md "Environment") onto *V.  0 or -ENOMEM. */
static int event_vars(const struct fire *c, char ***v, const struct event *ev, const char *src_id)
{
        char *const *fx = c->cfg.facts ? c->cfg.facts(c->cfg.ud, src_id) : NULL;
        char t[40] = "", num[16];
        bool has_image = false;

        if (ev)
                rfc3339_format(ev->time_nano, t, sizeof(t));
        if (strv_env_set(v, "CONTRAINER_EVENT_TIME", t) < 0)
                return -ENOMEM;
        for (size_t i = 0; fx && fx[i]; i++) {
                has_image |= strncmp(fx[i], "CONTRAINER_SOURCE_IMAGE=", 24) == 0;
                if (strv_push(v, fx[i]) < 0)
                        return -ENOMEM;
        }
        if (!has_image && strv_env_set(v, "CONTRAINER_SOURCE_IMAGE", ev ? ev->image : "") < 0)
                return -ENOMEM;
        if (!ev)
                return 0;
        if (strcmp(ev->action, "die") == 0 && ev->has_exit_code) {
                snprintf(num, sizeof(num), "%d", ev->exit_code);
                if (strv_env_set(v, "CONTRAINER_EXIT_CODE", num) < 0)
                        return -ENOMEM;
        }
        if (strcmp(ev->action, "kill") == 0 && strv_env_set(v, "CONTRAINER_SIGNAL", ev->signal) < 0)
                return -ENOMEM;
        if (strcmp(ev->action, "health_status") == 0 &&
            strv_env_set(v, "CONTRAINER_HEALTH", ev->health) < 0)
                return -ENOMEM;
        if (strcmp(ev->action, "rename") == 0 &&
            strv_env_set(v, "CONTRAINER_OLD_NAME", ev->old_name) < 0)
                return -ENOMEM;
        return 0;
}

static char **body_vars(const struct fire *c, const struct event *ev, const char *event,
                        const char *src_id, const char *src_name, const struct registration *g,
                        const struct target *t)
{
        const char *tname = target_text(t->type, t->name);
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
            strv_env_set(&v, "REGISTRAR_CONTAINER_NAME", src_name) < 0 ||
            event_vars(c, &v, ev, src_id) < 0)
                return strv_free(v);
        return v;
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
static bool allowed(struct fire *f, struct registration *g, const struct header_entry *e,
                    const struct target *t)
{
        char qr[300], qs[600], qe[600], qt[300];
        const char *key = target_text(t->type, t->id);

        if (policy_allows(f->cfg.policy, g->name, t))
                return true;
        if (!keyset_has(&g->denied, key)) {
                stats_inc(f->cfg.stats, STATS_DENIALS);
                (void)keyset_add(&g->denied, key);
                log_warn("denied: registrar %s script %s entry %s target %s (%s)",
                         log_q(qr, sizeof(qr), g->name), log_q(qs, sizeof(qs), g->script),
                         log_q(qe, sizeof(qe), e->text), log_q(qt, sizeof(qt), target_text(t->type, t->name)),
                         denial_why(t));
        }
        return false;
}

/* The queued-bodies counter of registrar ID (created when CREATE). */
static struct rqueued *rq_of(struct fire *f, const char *id, bool create)
{
        struct rqueued *nv;

        for (size_t i = 0; i < f->n_rq; i++)
                if (strcmp(f->rq[i].id, id) == 0)
                        return &f->rq[i];
        if (!create)
                return NULL;
        nv = realloc(f->rq, (f->n_rq + 1) * sizeof(*nv));
        if (!nv)
                return NULL;
        f->rq = nv;
        nv = &f->rq[f->n_rq++];
        memset(nv, 0, sizeof(*nv));
        snprintf(nv->id, sizeof(nv->id), "%s", id);
        return nv;
}

void fire_body_done(struct fire *f, const char *registrar_id)
{
        struct rqueued *q = rq_of(f, registrar_id, false);

        if (q && q->n > 0 && --q->n == 0)
                *q = f->rq[--f->n_rq];  /* forgotten: a later overflow is said again */
}

/* Emit G's body on T; false if it was not queued (the registrar's cap,
 * the sink's caps, no memory). */
static bool emit_body(struct fire *f, void *cookie, struct registration *g,
                      const struct event *ev, const char *event, const char *src_id,
                      const char *src_name, const struct target *t)
{
        char label[1024], qr[300], qs[600], qv[100];
        struct rqueued *q = rq_of(f, g->id, true);
        struct fire_job job;

        if (!q)
                return false;
        if (q->n >= REGISTRAR_BODIES_MAX) {
                if (!q->logged)
                        log_error("registrar %s: %d bodies queued and not finished, its further bodies are dropped until they drain (said once)",
                                  log_q(qr, sizeof(qr), g->name), REGISTRAR_BODIES_MAX);
                q->logged = true;
                return false;
        }
        snprintf(label, sizeof(label), "registrar %s %s %s event %s",
                 log_q(qr, sizeof(qr), g->name), g->from_label ? "label hook" : "script",
                 log_q(qs, sizeof(qs), g->script), log_q(qv, sizeof(qv), event));
        job = (struct fire_job){
                .type = t->type, .id = t->id, .name = t->name, .body = g->body,
                .vars = body_vars(f, ev, event, src_id, src_name, g, t), .label = label,
                .registrar_id = g->id,
        };
        if (!job.vars) {
                log_error("out of memory building a body's environment, body dropped");
                return false;
        }
        if (f->cfg.emit(f->cfg.ud, cookie, &job) < 0)
                return false;
        q->n++;
        return true;
}

static bool hit_before(const struct registry_hit *a, const struct registry_hit *b)
{
        return a->g->serial < b->g->serial || (a->g == b->g && a->entry < b->entry);
}

/* A and B (each in registration then entry order, disjoint) as one list in
 * that order; NULL on ENOMEM. */
static struct registry_hit *merge_hits(const struct registry_hit *a, size_t na,
                                       const struct registry_hit *b, size_t nb)
{
        struct registry_hit *v = malloc((na + nb) * sizeof(*v));
        size_t i = 0, j = 0, k = 0;

        if (!v)
                return NULL;
        while (i < na || j < nb)
                v[k++] = (j >= nb || (i < na && hit_before(&a[i], &b[j]))) ? a[i++] : b[j++];
        return v;
}

/* Every entry of every registration that fires on EV's action: each
 * registration's body runs at most once per target for one event, however
 * many of its entries name that target. */
size_t fire_event(struct fire *f, struct registry *reg, const struct snapshot *view,
                  const struct event *ev, const char *src_name, const char *only_id,
                  void *cookie)
{
        const struct registry_hit *hits;
        struct registry_hit *merged = NULL;
        size_t n = registry_firing(reg, ev->action, &hits), emitted = 0;

        /* A health event also fires the entries on its state, "healthy"
         * or "unhealthy" (docs/events.md "Events"): both lists are in
         * registration then entry order, merged so. */
        if (strcmp(ev->action, "health_status") == 0 &&
            (strcmp(ev->health, "healthy") == 0 || strcmp(ev->health, "unhealthy") == 0)) {
                const struct registry_hit *h2;
                size_t n2 = registry_firing(reg, ev->health, &h2);

                if (n2 && !n) {
                        hits = h2;
                        n = n2;
                } else if (n2) {
                        merged = merge_hits(hits, n, h2, n2);
                        if (!merged) {
                                log_error("out of memory merging the entries of a health event");
                        } else {
                                hits = merged;
                                n += n2;
                        }
                }
        }
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
                        if (target_eval(e, view, g->id, g->name, &ts) < 0) {
                                log_error("out of memory evaluating targets");
                                continue;
                        }
                        for (size_t ti = 0; ti < ts.n; ti++) {
                                const struct target *t = &ts.v[ti];

                                /* Only a registration with several entries
                                 * firing here can name a target twice. */
                                if (several && keyset_has(&done, target_text(t->type, t->id)))
                                        continue;
                                if (!allowed(f, g, e, t))
                                        continue;
                                if (!emit_body(f, cookie, g, ev, ev->action, ev->id, src_name, t))
                                        continue;
                                emitted++;
                                if (several)
                                        (void)keyset_add(&done, target_text(t->type, t->id));
                        }
                        target_set_free(&ts);
                }
                keyset_free(&done);
        }
        free(merged);
        return emitted;
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
size_t fire_immediates(struct fire *f, struct registry *reg, const struct snapshot *view,
                       void *cookie)
{
        const struct registry_hit *hits;
        size_t n = registry_immediates(reg, &hits), emitted = 0;

        for (size_t i = 0; i < n; i++) {
                struct registration *g = hits[i].g;
                size_t ei = hits[i].entry;
                const struct header_entry *e = &g->hdr->entries[ei];
                bool several = (i + 1 < n && hits[i + 1].g == g) || (i > 0 && hits[i - 1].g == g);
                struct target_set ts = { 0 };

                if (target_eval(e, view, g->id, g->name, &ts) < 0) {
                        log_error("out of memory evaluating targets");
                        continue;
                }
                for (size_t ti = 0; ti < ts.n; ti++) {
                        const struct target *t = &ts.v[ti];
                        const char *key = target_text(t->type, t->id);

                        if (keyset_has(&g->served[ei], key))
                                continue;
                        if (several && served_elsewhere(g, ei, key)) {
                                (void)keyset_add(&g->served[ei], key);
                                continue;
                        }
                        if (!allowed(f, g, e, t))
                                continue;
                        if (emit_body(f, cookie, g, NULL, "immediate", g->id, g->name, t)) {
                                (void)keyset_add(&g->served[ei], key);
                                emitted++;
                        }
                }
                target_set_free(&ts);
        }
        return emitted;
}

