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
 * collections); the head of the queue is resolved only once its collection
 * is done, so a registration's own :start entries fire for the start that
 * created it (SPEC §2.3a).  Resolved events wait in `inflight` until their
 * bodies finish; the cursor is the newest event with nothing unfinished at
 * or before it (SPEC §2.5).
 *
 * Replay after a (re)subscription with since=cursor: events older than the
 * container listing taken at that moment are "historic": they are
 * dispatched, but do not change registrations or the snapshot (the listing
 * and the collection of every running container already reflect them). */
#include "controller.h"

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

#define COLLECT_PARALLEL 64
#define QUEUE_MAX 100000
#define RECENT_MAX 2048         /* de-duplication ring of event keys */
#define OURS_MAX 4096           /* our recent exec ids */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 10000
#define CURSOR_SAVE_MS 1000
/* How long the head of the queue waits for its start's collection before
 * the start is dispatched to the other registrations without it: one
 * hanging script must not stall every event behind it (ENGINE-NOTES,
 * "What the original tool got wrong" 4).  The late collection then fires
 * its own :start entries and immediates when it is done. */
#define COLLECT_WAIT_MS 2000

enum pev_kind { PEV_EVENT, PEV_COLLECT };

struct coll {
        struct coll *next_run;  /* in the list of collections not yet finished */
        char id[80];
        char name[256];
        uint64_t started_ns;
        bool started, done, exec_pending;
        bool gone, nodir;
        bool cancelled;         /* superseded by a newer start or a die of its container */
        struct pev *late;       /* its start event was resolved without it (see resolve) */
        struct worker w;
        /* answers, in script order */
        struct cscript {
                char *path;
                char *out;   /* CR_SCRIPT_OK: stdout; else NULL */
                size_t len;
                char *reason;
        } *s;
        size_t n;
        char *error;
};

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
        unsigned pending;    /* bodies (and late collections) not finished */
        long long arrived_ms;
};

struct ctl {
        const struct watch_opts *o;
        struct docker *docker;
        struct policy *policy;
        struct registry *reg;
        struct dispatch *ds;
        int sfd;
        /* identity */
        char self_id[80];
        char self_name[256];
        bool identified;
        /* snapshot of running containers */
        struct container_ref *snap;
        size_t n_snap, cap_snap;
        /* event queue and resolved events waiting for their bodies */
        struct pev *q_head, *q_tail;
        size_t q_len;
        struct pev *if_head, *if_tail;
        /* collections */
        struct coll *coll_run;  /* started or waiting to start */
        size_t n_coll_started;
        /* stream */
        CURLM *multi;
        CURL *stream;
        struct line_splitter *ls;
        bool connected;
        bool outage_logged;
        long backoff_ms;
        long long retry_at_ms;
        uint64_t listing_ns;
        /* replay filter */
        struct state_cursor cursor;     /* last saved / to save */
        bool cursor_dirty;
        long long cursor_saved_ms;
        struct state_cursor resume;     /* the cursor we resubscribed with */
        struct event recent[RECENT_MAX];
        size_t n_recent, recent_pos;
        char ours[OURS_MAX][80];
        size_t ours_pos;
        /* lifecycle */
        bool stopping;
        long long stop_deadline_ms;
        bool killed_bodies;
};

/* ---- small helpers -------------------------------------------------------- */

static long long mono_ms(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t real_ns(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *snap_name(const struct ctl *c, const char *id)
{
        for (size_t i = 0; i < c->n_snap; i++)
                if (strcmp(c->snap[i].id, id) == 0)
                        return c->snap[i].name;
        return NULL;
}

static void snap_remove(struct ctl *c, const char *id)
{
        for (size_t i = 0; i < c->n_snap; i++) {
                if (strcmp(c->snap[i].id, id) == 0) {
                        free((char *)c->snap[i].id);
                        free((char *)c->snap[i].name);
                        c->snap[i] = c->snap[--c->n_snap];
                        return;
                }
        }
}

static int snap_set(struct ctl *c, const char *id, const char *name)
{
        char *i2, *n2;

        for (size_t i = 0; i < c->n_snap; i++) {
                if (strcmp(c->snap[i].id, id) == 0) {
                        n2 = strdup(name);
                        if (!n2)
                                return -ENOMEM;
                        free((char *)c->snap[i].name);
                        c->snap[i].name = n2;
                        return 0;
                }
        }
        if (c->n_snap == c->cap_snap) {
                size_t nc = c->cap_snap ? c->cap_snap * 2 : 64;
                struct container_ref *nv = realloc(c->snap, nc * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                c->snap = nv;
                c->cap_snap = nc;
        }
        i2 = strdup(id);
        n2 = strdup(name);
        if (!i2 || !n2) {
                free(i2);
                free(n2);
                return -ENOMEM;
        }
        c->snap[c->n_snap].id = i2;
        c->snap[c->n_snap].name = n2;
        c->n_snap++;
        return 0;
}

static void snap_clear(struct ctl *c)
{
        while (c->n_snap)
                snap_remove(c, c->snap[0].id);
}

static void ours_add(struct ctl *c, const char *exec_id)
{
        size_t n = strnlen(exec_id, sizeof(c->ours[0]) - 1);

        memcpy(c->ours[c->ours_pos], exec_id, n);
        c->ours[c->ours_pos][n] = '\0';
        c->ours_pos = (c->ours_pos + 1) % OURS_MAX;
}

static bool ours_has(const struct ctl *c, const char *exec_id)
{
        if (!exec_id[0])
                return false;
        for (size_t i = 0; i < OURS_MAX; i++)
                if (strcmp(c->ours[i], exec_id) == 0)
                        return true;
        return false;
}

static void on_exec_id(void *ud, const char *exec_id)
{
        ours_add(ud, exec_id);
}

static bool recent_has(const struct ctl *c, const struct event *e)
{
        for (size_t i = 0; i < c->n_recent; i++)
                if (event_same(&c->recent[i], e))
                        return true;
        return false;
}

static void recent_add(struct ctl *c, const struct event *e)
{
        c->recent[c->recent_pos] = *e;
        c->recent_pos = (c->recent_pos + 1) % RECENT_MAX;
        if (c->n_recent < RECENT_MAX)
                c->n_recent++;
}

/* ---- collections ---------------------------------------------------------- */

static void coll_free(struct coll *k)
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

static struct coll *coll_new(struct ctl *c, const char *id, const char *name)
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
                        ours_add(c, tmp);
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
        case CR_GONE:
                k->gone = true;
                k->exec_pending = false;
                free(k->error);
                k->error = strndup(d, len);
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
                if (type == CR_SCRIPT_OK) {
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

static void colls_io(struct ctl *c)
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
                                coll_free(k);
                        }
                        continue;
                }
                pp = &k->next_run;
        }
        colls_pump(c);
}

static bool colls_exec_pending(const struct ctl *c)
{
        for (const struct coll *k = c->coll_run; k; k = k->next_run)
                if (k->exec_pending && !k->w.reaped)
                        return true;
        return false;
}

static bool colls_reaped(struct ctl *c, pid_t pid, int st)
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
                coll_free(k);
        }
        free(p->colls);
        free(p->gap_seen);
        free(p);
}

static void queue_push(struct ctl *c, struct pev *p)
{
        if (c->q_tail)
                c->q_tail->next = p;
        else
                c->q_head = p;
        c->q_tail = p;
        c->q_len++;
}

static int pev_add_coll(struct ctl *c, struct pev *p, const char *id, const char *name)
{
        struct coll **nv = realloc(p->colls, (p->n_colls + 1) * sizeof(*nv));
        struct coll *k;

        if (!nv)
                return -ENOMEM;
        p->colls = nv;
        k = coll_new(c, id, name);
        if (!k)
                return -ENOMEM;
        p->colls[p->n_colls++] = k;
        return 0;
}

/* Queue a PEV_COLLECT for the containers in LIST (all of them). */
static struct pev *queue_collect(struct ctl *c, const struct docker_container *list, size_t n)
{
        struct pev *p = calloc(1, sizeof(*p));

        if (!p)
                return NULL;
        p->kind = PEV_COLLECT;
        p->synthetic = true;
        for (size_t i = 0; i < n; i++) {
                if (c->self_id[0] && strcmp(list[i].id, c->self_id) == 0)
                        continue;  /* the controller's own scripts are not collected */
                if (pev_add_coll(c, p, list[i].id, list[i].name) < 0) {
                        pev_free(c, p);
                        return NULL;
                }
        }
        queue_push(c, p);
        return p;
}

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
static void dispatch_event(struct ctl *c, struct pev *p, const struct event *ev,
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
                                                     ev->name[0] ? ev->name : (snap_name(c, ev->id) ? snap_name(c, ev->id) : ""),
                                                     &ts.v[ti]);
                        target_set_free(&ts);
                }
        }
}

/* Immediate entries: each target not yet served gets the body once. */
static void serve_immediates(struct ctl *c, struct pev *p)
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

/* ---- registering a collection's answers --------------------------------- */

/* Replace container K's registrations by the answers of its collection.
 * KEEP_SERVED: carry the served sets of unchanged registrations over. */
static void install(struct ctl *c, struct coll *k, bool keep_served)
{
        char qn[300], qs[600], qr[600];

        log_q(qn, sizeof(qn), k->name);
        if (k->gone) {
                log_info("container %s: not collected, %s", qn, k->error ? k->error : "gone");
        } else if (k->error) {
                /* A failed collection (Engine trouble) keeps whatever the
                 * container had registered before. */
                log_warn("container %s: collecting its scripts failed: %s; its registrations are unchanged",
                         qn, k->error);
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

/* ---- resolving the head of the queue ------------------------------------ */

static bool is_action(const struct event *e, const char *a)
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
                if (strcmp(p->gap_seen[i].id, id) == 0 && is_action(&p->gap_seen[i], "start"))
                        return true;
        return false;
}

static bool any_entry_matches(const struct ctl *c, const char *action)
{
        for (size_t i = 0; i < registry_count(c->reg); i++) {
                const struct registration *g = registry_at(c->reg, i);
                for (size_t ei = 0; ei < g->hdr->n_entries; ei++)
                        if (header_entry_matches(&g->hdr->entries[ei], action))
                                return true;
        }
        return false;
}

/* Collections of container ID still running for an already resolved start
 * are superseded (a newer start, a die): their answers are dropped. */
static void cancel_late(struct ctl *c, const char *id)
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

        if (!k->cancelled) {
                install(c, k, false);
                dispatch_event(c, p, &p->ev, k->id);
                serve_immediates(c, p);
        }
        p->pending--;
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
                        install(c, k, true);
                        if (!k->gone)
                                (void)snap_set(c, k->id, k->name);
                }
                serve_immediates(c, p);
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
                                dispatch_event(c, p, &se, NULL);
                                n_rec++;
                        }
                        log_warn("reconciled from the container list: the Engine no longer has the events since the cursor "
                                 "(daemon restart or more than 256 events); %zu container(s) started since then got their start dispatched",
                                 n_rec);
                }
                return true;
        }

        if (strncmp(ev->action, "exec_", 5) == 0) {
                if (ours_has(c, ev->exec_id) || !any_entry_matches(c, ev->action))
                        return true;
                /* Its id may still be on its way from a worker: the exec's
                 * events can overtake the worker's record. */
                if (dispatch_exec_pending(c->ds) || colls_exec_pending(c))
                        return false;
                dispatch_event(c, p, ev, NULL);
                return true;
        }
        if (is_action(ev, "start")) {
                struct coll *k = p->n_colls ? p->colls[0] : NULL;

                if (k && !k->done && mono_ms() - p->arrived_ms < COLLECT_WAIT_MS)
                        return false;
                if (!p->historic) {
                        cancel_late(c, ev->id);
                        registry_drop(c->reg, ev->id);
                        if (k && k->done) {
                                install(c, k, false);
                                if (!k->gone)
                                        (void)snap_set(c, ev->id, k->name[0] ? k->name : ev->name);
                        } else {
                                (void)snap_set(c, ev->id, ev->name);
                        }
                }
                dispatch_event(c, p, ev, NULL);
                if (!p->historic)
                        serve_immediates(c, p);
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
        if (is_action(ev, "die") || is_action(ev, "destroy")) {
                if (!p->historic) {
                        cancel_late(c, ev->id);
                        snap_remove(c, ev->id);
                }
                dispatch_event(c, p, ev, NULL);
                if (!p->historic) {
                        size_t n = registry_drop(c->reg, ev->id);
                        if (n)
                                log_info("container %s: %s, %zu registration(s) dropped",
                                         log_q(qn, sizeof(qn), ev->name), ev->action, n);
                }
                return true;
        }
        if (is_action(ev, "rename") && !p->historic && ev->name[0]) {
                if (snap_name(c, ev->id))
                        (void)snap_set(c, ev->id, ev->name);
                registry_rename(c->reg, ev->id, ev->name);
        }
        dispatch_event(c, p, ev, NULL);
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
                        coll_free(p->colls[i]);
                free(p->colls);
                p->colls = NULL;
                p->n_colls = 0;
                to_inflight(c, p);
        }
}

static void on_body_done(void *ud, void *ticket)
{
        (void)ud;
        ((struct pev *)ticket)->pending--;
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
        long long now = mono_ms();
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
        if (recent_has(c, e))
                return;
        recent_add(c, e);
        if (strncmp(e->action, "exec_", 5) == 0 && ours_has(c, e->exec_id))
                return;
        if (c->q_len >= QUEUE_MAX) {
                char q[300];
                log_error("event queue full (%d), event %s of %s dropped", QUEUE_MAX, e->action,
                          log_q(q, sizeof(q), e->name));
                return;
        }
        p = calloc(1, sizeof(*p));
        if (!p) {
                log_error("out of memory, event dropped");
                return;
        }
        p->kind = PEV_EVENT;
        p->ev = *e;
        p->arrived_ms = mono_ms();
        p->historic = e->time_nano < c->listing_ns;
        if (is_action(e, "start") && !p->historic &&
            !(c->self_id[0] && strcmp(e->id, c->self_id) == 0))
                (void)pev_add_coll(c, p, e->id, e->name);
        queue_push(c, p);
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
        take_event(c, &e);
        return 0;
}

static size_t stream_write(char *p, size_t sz, size_t n, void *ud)
{
        struct ctl *c = ud;
        size_t dropped = 0;

        (void)line_splitter_feed(c->ls, p, sz * n, on_line, c, &dropped);
        if (dropped)
                log_warn("an event line over %u bytes was dropped", EVENT_LINE_MAX);
        return sz * n;
}

static void stream_close(struct ctl *c)
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

        stream_close(c);
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

static void identify(struct ctl *c);

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
static int connect_engine(struct ctl *c, bool first)
{
        struct docker_container *list = NULL;
        struct event *seen = NULL;
        size_t n_list = 0, n_seen = 0;
        uint64_t since = c->cursor.time_nano ? c->cursor.time_nano : real_ns();
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
                r = docker_events_between(c->docker, c->cursor.time_nano, real_ns(), 4096, &seen, &n_seen);
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
        c->listing_ns = real_ns();
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
                        snap_remove(c, c->snap[i].id);
                }
        }
        p = queue_collect(c, list, n_list);
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

static void schedule_retry(struct ctl *c, const char *why)
{
        c->connected = false;
        stream_close(c);
        if (!c->outage_logged) {
                log_warn("lost the Docker Engine at %s (%s), retrying with back-off up to %ds",
                         docker_socket_path(c->docker), why, BACKOFF_MAX_MS / 1000);
                c->outage_logged = true;
                c->backoff_ms = BACKOFF_MIN_MS;
        } else {
                c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
        }
        c->retry_at_ms = mono_ms() + c->backoff_ms;
}

static void try_reconnect(struct ctl *c)
{
        int r;

        if (c->connected || c->stopping || mono_ms() < c->retry_at_ms)
                return;
        r = connect_engine(c, false);
        if (r < 0) {
                schedule_retry(c, strerror(-r));
                return;
        }
        log_info("reconnected to the Docker Engine (API %s), resuming events from the cursor",
                 docker_api_version(c->docker));
        c->outage_logged = false;
}

static void stream_check(struct ctl *c)
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
                schedule_retry(c, why);
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

static void identify(struct ctl *c)
{
        struct docker_inspect in;
        struct utsname u;
        char id[80];

        c->self_id[0] = '\0';
        if (uname(&u) == 0)
                snprintf(c->self_name, sizeof(c->self_name), "%s", u.nodename);
        if (own_container_id(id, sizeof(id)) && docker_inspect(c->docker, id, &in) == 0) {
                snprintf(c->self_id, sizeof(c->self_id), "%s", in.id);
                snprintf(c->self_name, sizeof(c->self_name), "%s", in.name);
        }
}

/* ---- signals and the loop --------------------------------------------------- */

static int setup_signals(struct ctl *c)
{
        sigset_t s;

        sigemptyset(&s);
        sigaddset(&s, SIGTERM);
        sigaddset(&s, SIGINT);
        sigaddset(&s, SIGHUP);
        sigaddset(&s, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &s, NULL) < 0)
                return -errno;
        /* A dead exec connection must be an error return, not our death. */
        if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
                return -errno;
        c->sfd = signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
        return c->sfd < 0 ? -errno : 0;
}

static void reap(struct ctl *c)
{
        int st;
        pid_t pid;

        while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
                if (!dispatch_reaped(c->ds, pid, st))
                        (void)colls_reaped(c, pid, st);
}

static void recollect_all(struct ctl *c)
{
        struct docker_container *list = calloc(c->n_snap ? c->n_snap : 1, sizeof(*list));

        if (!list)
                return;
        for (size_t i = 0; i < c->n_snap; i++) {
                snprintf(list[i].id, sizeof(list[i].id), "%s", c->snap[i].id);
                snprintf(list[i].name, sizeof(list[i].name), "%s", c->snap[i].name);
        }
        if (queue_collect(c, list, c->n_snap))
                log_info("SIGHUP: collecting the scripts of %zu running container(s) again", c->n_snap);
        free(list);
}

static void begin_stop(struct ctl *c, int sig)
{
        if (c->stopping)
                return;
        c->stopping = true;
        c->stop_deadline_ms = mono_ms() + (long long)c->o->exec_timeout_s * 1000 + 1000;
        stream_close(c);
        dispatch_drop_queued(c->ds);
        /* Collections in flight are abandoned; their events stay behind the
         * cursor and come back on the next start. */
        while (c->q_head) {
                struct pev *p = c->q_head;
                c->q_head = p->next;
                pev_free(c, p);
        }
        c->q_tail = NULL;
        c->q_len = 0;
        if (sig)
                log_info("%s: stopping, waiting up to %us for %zu running bod%s", strsignal(sig),
                         c->o->exec_timeout_s, dispatch_running(c->ds),
                         dispatch_running(c->ds) == 1 ? "y" : "ies");
}

static void read_signals(struct ctl *c)
{
        struct signalfd_siginfo si;

        while (read(c->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                switch (si.ssi_signo) {
                case SIGTERM:
                case SIGINT:
                        begin_stop(c, (int)si.ssi_signo);
                        break;
                case SIGHUP:
                        if (!c->stopping)
                                recollect_all(c);
                        break;
                case SIGCHLD:
                        break;
                default:
                        break;
                }
        }
        reap(c);
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

                if (cap < 1 + c->o->jobs + COLLECT_PARALLEL) {
                        cap = 1 + c->o->jobs + COLLECT_PARALLEL;
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
                        long long d = c->retry_at_ms - mono_ms();
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
                (void)curl_multi_poll(c->multi, wfds, (unsigned)n, (int)timeout, NULL);

                read_signals(c);
                if (c->stream)
                        (void)curl_multi_perform(c->multi, &running);
                if (c->stream)
                        stream_check(c);
                colls_io(c);
                dispatch_io(c->ds);
                resolve_queue(c);
                dispatch_pump(c->ds);
                advance_cursor(c);
                save_cursor(c, false);
                try_reconnect(c);

                if (c->stopping) {
                        if (dispatch_running(c->ds) == 0)
                                break;
                        if (!c->killed_bodies && mono_ms() >= c->stop_deadline_ms) {
                                log_warn("bodies still running after %us, killing their workers",
                                         c->o->exec_timeout_s);
                                dispatch_kill_running(c->ds);
                                c->killed_bodies = true;
                        }
                }
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
        r = setup_signals(c);
        if (r < 0) {
                log_errno(LOG_LEVEL_ERROR, r, "cannot set up signals: %m");
                goto out;
        }
        dc = (struct dispatch_config){
                .jobs = o->jobs, .timeout_s = o->exec_timeout_s, .max_output = o->max_output,
                .sysimage = o->sysimage, .docker = c->docker, .on_exec_id = on_exec_id,
                .on_done = on_body_done, .ud = c,
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
        c->cursor_saved_ms = mono_ms();

        r = connect_engine(c, true);
        if (r < 0) {
                if (o->once) {
                        log_errno(LOG_LEVEL_ERROR, r, "cannot reach the Docker Engine at %s: %m",
                                  o->docker_socket);
                        goto out;
                }
                schedule_retry(c, strerror(-r));
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
                coll_free(k);
        }
        stream_close(c);
        if (c->multi)
                curl_multi_cleanup(c->multi);
        line_splitter_free(c->ls);
        registry_free(c->reg);
        policy_free(c->policy);
        docker_free(c->docker);
        snap_clear(c);
        free(c->snap);
        if (c->sfd >= 0)
                (void)close(c->sfd);
        free(c);
        curl_global_cleanup();
        return rc;
}
