/* ctl_collect.c — collections in the main loop: starting collection
 * workers (collect.c) with a bound on how many run, reading their answers,
 * and turning them into registrations (header split and parse, one log line
 * per registration or failure).  See controller_int.h. */
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


/* ---- collections ---------------------------------------------------------- */

void ctl_coll_free(struct coll *k)
{
        if (!k)
                return;
        worker_kill(&k->w);
        worker_release(&k->w);
        for (size_t i = 0; i < k->n; i++) {
                free(k->s[i].path);
                free(k->s[i].out);
                free(k->s[i].reason);
        }
        free(k->s);
        free(k->error);
        free(k);
}

struct coll *ctl_coll_new(struct ctl *c, const char *id, const char *name)
{
        struct coll *k = calloc(1, sizeof(*k));

        if (!k)
                return NULL;
        snprintf(k->id, sizeof(k->id), "%s", id);
        snprintf(k->name, sizeof(k->name), "%s", name);
        k->w.fd = -1;
        k->next_run = c->coll_run;
        c->coll_run = k;
        return k;
}

struct coll_ctx {
        struct collect_spec spec;
};

static int coll_child(void *ud, int fd)
{
        return collect_main(&((struct coll_ctx *)ud)->spec, fd);
}

static void colls_pump(struct ctl *c)
{
        for (struct coll *k = c->coll_run; k && c->n_coll_started < COLLECT_PARALLEL; k = k->next_run) {
                struct coll_ctx x = { .spec = {
                        .docker = c->docker,
                        .container_id = k->id,
                        .script_dir = c->o->script_dir,
                        .timeout_s = c->o->exec_timeout_s,
                        .max_output = c->o->max_output,
                        .direct = ctl_direct_want(&c->direct, k->id),
                } };
                int r;

                if (k->started)
                        continue;
                k->started = true;
                r = worker_spawn(&k->w, c->o->max_output + 8192, coll_child, &x);
                if (r < 0) {
                        char q[300];
                        log_errno(LOG_LEVEL_ERROR, r, "container %s: cannot fork a collection worker: %m",
                                  log_q(q, sizeof(q), k->name));
                        k->done = true;
                        k->w.reaped = true;
                        continue;
                }
                c->n_coll_started++;
        }
}

static void coll_record(struct ctl *c, struct coll *k, uint32_t type, const char *d, uint32_t len)
{
        char tmp[400];
        const char *nul;
        struct cscript *ns;

        switch (type) {
        case CR_EXEC_PENDING:
                k->exec_pending = true;
                break;
        case CR_EXEC_ID:
                if (len < 80) {
                        memcpy(tmp, d, len);
                        tmp[len] = '\0';
                        ctl_ours_add(c, tmp);
                }
                k->exec_pending = false;
                break;
        case CR_INSPECT:
                snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < 399 ? len : 399), d);
                {
                        char *sp = strchr(tmp, ' ');
                        if (sp) {
                                *sp = '\0';
                                k->started_ns = strtoull(tmp, NULL, 10);
                                if (sp[1])
                                        snprintf(k->name, sizeof(k->name), "%s", sp + 1);
                        }
                }
                break;
        case CR_TRAITS:
                snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < 399 ? len : 399), d);
                {
                        char *sp = strchr(tmp, ' '), qn[300];
                        k->traits = (unsigned)strtoul(tmp, NULL, 10);
                        ctl_snap_traits(c, k->id, k->traits);
                        if ((k->traits & TRAIT_HOSTEQ) && sp)
                                log_info("container %s is host-equivalent (%s): only registrars with both the containers and the host class reach it",
                                         log_q(qn, sizeof(qn), k->name), sp + 1);
                }
                break;
        case CR_GONE:
                k->gone = true;
                k->exec_pending = false;
                free(k->error);
                k->error = strndup(d, len);
                break;
        case CR_FALLBACK:
                ctl_direct_fallback(&c->direct, k->id, k->name, d, len);
                break;
        case CR_NODIR:
                k->nodir = true;
                break;
        case CR_ERROR:
                free(k->error);
                k->error = strndup(d, len);
                break;
        case CR_SCRIPT_OK:
        case CR_SCRIPT_FAIL:
                k->exec_pending = false;
                nul = memchr(d, '\0', len);
                if (!nul)
                        break;
                ns = realloc(k->s, (k->n + 1) * sizeof(*ns));
                if (!ns)
                        break;
                k->s = ns;
                memset(&k->s[k->n], 0, sizeof(k->s[0]));
                k->s[k->n].path = strdup(d);
                if (type == CR_SCRIPT_OK && k->bytes + len > ctl_budget(c)) {
                        /* Over the container's budget: keep the reason, not the output. */
                        char why[128];
                        snprintf(why, sizeof(why), "over the budget of %zu bytes shared by all registrations of a container",
                                 ctl_budget(c));
                        k->s[k->n].reason = strdup(why);
                } else if (type == CR_SCRIPT_OK) {
                        k->bytes += len;
                        k->s[k->n].len = len - (size_t)(nul + 1 - d);
                        k->s[k->n].out = malloc(k->s[k->n].len + 1);
                        if (k->s[k->n].out) {
                                memcpy(k->s[k->n].out, nul + 1, k->s[k->n].len);
                                k->s[k->n].out[k->s[k->n].len] = '\0';
                        }
                } else {
                        k->s[k->n].reason = strndup(nul + 1, len - (size_t)(nul + 1 - d));
                }
                k->n++;
                break;
        default:
                break;
        }
}

static void late_complete(struct ctl *c, struct coll *k);

size_t ctl_budget(const struct ctl *c)
{
        return c->o->max_output > REGISTRATION_BUDGET_MIN ? c->o->max_output : REGISTRATION_BUDGET_MIN;
}

void ctl_colls_io(struct ctl *c)
{
        struct coll **pp = &c->coll_run;

        while (*pp) {
                struct coll *k = *pp;
                uint32_t type, len;
                const char *d;

                if (k->started && !k->done) {
                        int r = worker_read(&k->w);
                        while (worker_next(&k->w, &type, &d, &len) > 0)
                                coll_record(c, k, type, d, len);
                        if (r < 0)
                                worker_release(&k->w);
                        if (k->w.fd < 0 && k->w.reaped) {
                                k->done = true;
                                k->exec_pending = false;
                                c->n_coll_started--;
                        }
                }
                if (k->done) {
                        *pp = k->next_run;  /* its pev keeps it, or: */
                        k->next_run = NULL;
                        if (k->late) {
                                late_complete(c, k);
                                ctl_coll_free(k);
                        }
                        continue;
                }
                pp = &k->next_run;
        }
        colls_pump(c);
}

bool ctl_colls_exec_pending(const struct ctl *c)
{
        for (const struct coll *k = c->coll_run; k; k = k->next_run)
                if (k->exec_pending && !k->w.reaped)
                        return true;
        return false;
}

bool ctl_colls_reaped(struct ctl *c, pid_t pid, int st)
{
        for (struct coll *k = c->coll_run; k; k = k->next_run) {
                if (k->started && k->w.pid == pid && !k->w.reaped) {
                        k->w.reaped = true;
                        k->w.wstatus = st;
                        return true;
                }
        }
        return false;
}

/* ---- registering a collection's answers --------------------------------- */

/* Replace container K's registrations by the answers of its collection.
 * KEEP_SERVED: carry the served sets of unchanged registrations over. */
void ctl_install(struct ctl *c, struct coll *k, bool keep_served)
{
        char qn[300], qs[600], qr[600];

        log_q(qn, sizeof(qn), k->name);
        if (k->gone) {
                log_info("container %s: not collected, %s", qn, log_q(qr, sizeof(qr), k->error ? k->error : "gone"));
        } else if (k->error) {
                /* A failed collection (Engine trouble) keeps whatever the
                 * container had registered before. */
                log_warn("container %s: collecting its scripts failed: %s; its registrations are unchanged",
                         qn, log_q(qr, sizeof(qr), k->error));
                return;
        } else if (!k->done || (k->w.reaped && k->w.wstatus != 0 && k->n == 0 && !k->nodir)) {
                log_warn("container %s: the collection worker failed", qn);
        }
        /* Keep the old registrations' served sets aside: re-collecting an
         * unchanged container (SIGHUP, reconnect) must not run its
         * immediate entries again. */
        struct {
                char *script;
                struct keyset *served;
                size_t n;
                struct header *hdr;
                struct rbody *body;
                uint64_t started_ns;
        } *prev = NULL;
        size_t n_prev = 0;

        if (keep_served) {
                size_t cnt = registry_count_of(c->reg, k->id), j = 0;
                prev = calloc(cnt ? cnt : 1, sizeof(*prev));
                for (size_t i = 0; prev && i < registry_count(c->reg); i++) {
                        struct registration *g = registry_at(c->reg, i);
                        if (strcmp(g->id, k->id))
                                continue;
                        prev[j].script = strdup(g->script);
                        prev[j].served = g->served;
                        prev[j].n = g->hdr->n_entries;
                        prev[j].hdr = g->hdr;
                        prev[j].body = g->body;
                        prev[j].started_ns = g->started_ns;
                        g->served = NULL;
                        g->hdr = NULL;
                        g->body = NULL;
                        j++;
                }
                n_prev = j;
        }
        /* registration_free tolerates NULL hdr/body/served */
        registry_drop(c->reg, k->id);

        for (size_t i = 0; i < k->n; i++) {
                struct cscript *s = &k->s[i];
                const char *hl, *body;
                size_t hlen, blen;
                struct parse_error pe = { 0, "" };
                struct header *h = NULL;
                struct registration *g;
                int r;

                log_q(qs, sizeof(qs), s->path);
                stats_inc(c->stats, STATS_SCRIPTS);
                if (!s->out) {
                        log_warn("container %s script %s: %s, nothing registered", qn, qs,
                                 log_q(qr, sizeof(qr), s->reason ? s->reason : "failed"));
                        continue;
                }
                r = header_split_output(s->out, s->len, &hl, &hlen, &body, &blen, &pe);
                if (r < 0) {
                        log_warn("container %s script %s: invalid output at byte %zu: %s, nothing registered",
                                 qn, qs, pe.pos, pe.what);
                        continue;
                }
                r = header_parse(hl, hlen, &h, &pe);
                if (r < 0) {
                        log_warn("container %s script %s: invalid header at byte %zu: %s in %s, nothing registered",
                                 qn, qs, pe.pos, r == -ENOMEM ? "out of memory" : pe.what,
                                 log_quote(qr, sizeof(qr), hl, hlen));
                        continue;
                }
                g = registry_add(c->reg, k->id, k->name, s->path, h, body, blen, &r);
                if (!g) {
                        log_warn("container %s script %s: not registered: %s", qn, qs,
                                 r == -E2BIG ? "too many registrations" : "out of memory");
                        continue;
                }
                g->started_ns = k->started_ns;
                for (size_t j = 0; j < n_prev; j++) {
                        /* Same script, same output, same run of the
                         * container: a restarted one registers afresh. */
                        if (!prev[j].script || strcmp(prev[j].script, s->path) ||
                            prev[j].started_ns != k->started_ns ||
                            prev[j].body->len != blen || memcmp(prev[j].body->data, body, blen) ||
                            prev[j].n != h->n_entries)
                                continue;
                        bool same = true;
                        for (size_t e = 0; e < h->n_entries && same; e++)
                                same = strcmp(prev[j].hdr->entries[e].text, h->entries[e].text) == 0;
                        if (!same)
                                continue;
                        for (size_t e = 0; e < h->n_entries; e++) {
                                keyset_free(&g->served[e]);
                                g->served[e] = prev[j].served[e];
                                prev[j].served[e].v = NULL;
                                prev[j].served[e].n = 0;
                        }
                        break;
                }
                if (g->merged)
                        log_info("registered: container %s script %s %zu %s (%zu duplicate %s merged)", qn, qs,
                                 h->n_entries, h->n_entries == 1 ? "entry" : "entries", g->merged,
                                 g->merged == 1 ? "entry" : "entries");
                else
                        log_info("registered: container %s script %s %zu %s", qn, qs, h->n_entries,
                                 h->n_entries == 1 ? "entry" : "entries");
        }
        for (size_t j = 0; j < n_prev; j++) {
                for (size_t e = 0; e < prev[j].n; e++)
                        keyset_free(&prev[j].served[e]);
                free(prev[j].served);
                free(prev[j].script);
                header_free(prev[j].hdr);
                rbody_unref(prev[j].body);
        }
        free(prev);
}

/* Collections of container ID still running for an already resolved start
 * are superseded (a newer start, a die): their answers are dropped. */
void ctl_cancel_late(struct ctl *c, const char *id)
{
        for (struct coll *k = c->coll_run; k; k = k->next_run) {
                if (k->late && !k->cancelled && strcmp(k->id, id) == 0) {
                        k->cancelled = true;
                        worker_kill(&k->w);
                }
        }
}

/* A late collection is done: register its answers, fire its own entries
 * for the start that created it, serve immediates. */
static void late_complete(struct ctl *c, struct coll *k)
{
        struct pev *p = k->late;

        /* Stopping takes no new work (SPEC §2.5): nothing is registered or
         * queued, and the start stays pending, behind the cursor, so it is
         * dispatched again after the next start. */
        if (c->stopping)
                return;
        if (!k->cancelled) {
                ctl_snap_traits(c, k->id, k->traits);
                ctl_install(c, k, false);
                ctl_dispatch_event(c, p, &p->ev, k->id);
                ctl_serve_immediates(c, p);
        }
        p->pending--;
}
