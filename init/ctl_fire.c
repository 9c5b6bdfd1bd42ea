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

/* Is T allowed for G?  Logs a denial once per (registration, target). */
static bool allowed(struct ctl *c, struct registration *g, const struct header_entry *e,
                    const struct target *t)
{
        char qr[300], qe[600], qt[300];
        const char *key = target_key(t);

        if (policy_allows(c->policy, g->name, t))
                return true;
        if (!keyset_has(&g->denied, key)) {
                stats_inc(c->stats, STATS_DENIALS);
                (void)keyset_add(&g->denied, key);
                log_warn("denied: registrar %s script %s entry %s target %s (no --allow rule gives it this class)",
                         log_q(qr, sizeof(qr), g->name), g->script,
                         log_q(qe, sizeof(qe), e->text),
                         log_q(qt, sizeof(qt), t->type == TT_HOST ? "%host"
                                               : t->type == TT_CONTRAINER ? "%contrainer" : t->name));
        }
        return false;
}

static void enqueue_body(struct ctl *c, struct pev *p, struct registration *g, const char *event,
                         const char *src_id, const char *src_name, const struct target *t)
{
        char label[1024], qr[300], qs[600], qv[100];
        char **vars = body_vars(c, event, src_id, src_name, g, t);

        if (!vars) {
                log_error("out of memory building a body's environment, body dropped");
                return;
        }
        snprintf(label, sizeof(label), "registrar %s script %s event %s",
                 log_q(qr, sizeof(qr), g->name), log_q(qs, sizeof(qs), g->script),
                 log_q(qv, sizeof(qv), event));
        if (dispatch_enqueue(c->ds, t->type, t->id, t->name, g->body, vars, label, p) == 0)
                p->pending++;
}

/* Every entry of every registration that fires on EV's action. */
void ctl_dispatch_event(struct ctl *c, struct pev *p, const struct event *ev,
                        const char *only_id)
{
        struct snapshot s = snapshot_of(c);

        for (size_t i = 0; i < registry_count(c->reg); i++) {
                struct registration *g = registry_at(c->reg, i);

                if (only_id && strcmp(g->id, only_id) != 0)
                        continue;

                for (size_t ei = 0; ei < g->hdr->n_entries; ei++) {
                        const struct header_entry *e = &g->hdr->entries[ei];
                        struct target_set ts = { 0 };

                        if (!header_entry_matches(e, ev->action))
                                continue;
                        if (target_eval(e, &s, g->id, g->name, &ts) < 0) {
                                log_error("out of memory evaluating targets");
                                continue;
                        }
                        for (size_t ti = 0; ti < ts.n; ti++)
                                if (allowed(c, g, e, &ts.v[ti]))
                                        enqueue_body(c, p, g, ev->action, ev->id,
                                                     ev->name[0] ? ev->name : (ctl_snap_name(c, ev->id) ? ctl_snap_name(c, ev->id) : ""),
                                                     &ts.v[ti]);
                        target_set_free(&ts);
                }
        }
}

/* Immediate entries: each target not yet served gets the body once. */
void ctl_serve_immediates(struct ctl *c, struct pev *p)
{
        struct snapshot s = snapshot_of(c);

        for (size_t i = 0; i < registry_count(c->reg); i++) {
                struct registration *g = registry_at(c->reg, i);

                for (size_t ei = 0; ei < g->hdr->n_entries; ei++) {
                        const struct header_entry *e = &g->hdr->entries[ei];
                        struct target_set ts = { 0 };

                        if (e->n_events > 0)
                                continue;
                        if (target_eval(e, &s, g->id, g->name, &ts) < 0) {
                                log_error("out of memory evaluating targets");
                                continue;
                        }
                        for (size_t ti = 0; ti < ts.n; ti++) {
                                const struct target *t = &ts.v[ti];
                                if (keyset_has(&g->served[ei], target_key(t)))
                                        continue;
                                if (!allowed(c, g, e, t))
                                        continue;
                                if (keyset_add(&g->served[ei], target_key(t)) < 0)
                                        continue;
                                enqueue_body(c, p, g, "immediate", g->id, g->name, t);
                        }
                        target_set_free(&ts);
                }
        }
}

bool ctl_any_entry_matches(const struct ctl *c, const char *action)
{
        for (size_t i = 0; i < registry_count(c->reg); i++) {
                const struct registration *g = registry_at(c->reg, i);
                for (size_t ei = 0; ei < g->hdr->n_entries; ei++)
                        if (header_entry_matches(&g->hdr->entries[ei], action))
                                return true;
        }
        return false;
}
