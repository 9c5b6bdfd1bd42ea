/* collector.c — collection workers in the main loop: a bound on how many
 * run, their records into a collect_result.  See collector.h. */
#include "collector.h"

#include "labels.h"
#include "log.h"
#include "rfc3339.h"
#include "strv.h"
#include "target.h"
#include "worker.h"
#include "wproto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct coll {
        struct collect_result res;  /* first: collector_result hands it out */
        struct coll *next_run;      /* in the list of collections not yet done */
        bool started, exec_pending, detached;
        void *cookie;               /* detached: for on_detached_done */
        size_t bytes;               /* outputs kept so far (the budget) */
        struct collect_script *s;
        char *error;
        struct worker w;
};

struct collector {
        struct collector_config cfg;
        struct coll *run;           /* started or waiting to start */
        size_t n_started;
};

struct collector *collector_new(const struct collector_config *cfg)
{
        struct collector *c = calloc(1, sizeof(*c));

        if (c)
                c->cfg = *cfg;
        return c;
}

static void coll_free(struct coll *k)
{
        worker_kill(&k->w);
        worker_release(&k->w);
        for (size_t i = 0; i < k->res.n; i++) {
                free(k->s[i].path);
                free(k->s[i].out);
                free(k->s[i].reason);
        }
        free(k->s);
        free(k->error);
        strv_free(k->res.facts);
        free(k);
}

struct collector *collector_free(struct collector *c)
{
        if (!c)
                return NULL;
        while (c->run) {
                struct coll *k = c->run;
                c->run = k->next_run;
                coll_free(k);
        }
        free(c);
        return NULL;
}

struct coll *collector_add(struct collector *c, const char *id, const char *name)
{
        struct coll *k = calloc(1, sizeof(*k));

        if (!k)
                return NULL;
        snprintf(k->res.id, sizeof(k->res.id), "%s", id);
        snprintf(k->res.name, sizeof(k->res.name), "%s", name);
        k->w.fd = -1;
        k->next_run = c->run;
        c->run = k;
        return k;
}

const struct collect_result *collector_result(const struct coll *k)
{
        return &k->res;
}

static void unlink_run(struct collector *c, struct coll *k)
{
        for (struct coll **pp = &c->run; *pp; pp = &(*pp)->next_run) {
                if (*pp == k) {
                        *pp = k->next_run;
                        if (k->started && !k->w.reaped)
                                c->n_started--;
                        return;
                }
        }
}

void collector_drop(struct collector *c, struct coll *k)
{
        if (!k)
                return;
        if (!k->res.done)
                unlink_run(c, k);
        coll_free(k);
}

void collector_detach(struct collector *c, struct coll *k, void *cookie)
{
        (void)c;
        k->detached = true;
        k->cookie = cookie;
}

void collector_cancel(struct collector *c, const char *id)
{
        for (struct coll *k = c->run; k; k = k->next_run) {
                if (k->detached && !k->res.cancelled && strcmp(k->res.id, id) == 0) {
                        k->res.cancelled = true;
                        worker_kill(&k->w);
                }
        }
}

size_t collector_budget(const struct collector *c)
{
        return c->cfg.max_output > REGISTRATION_BUDGET_MIN ? c->cfg.max_output : REGISTRATION_BUDGET_MIN;
}

struct child_ctx {
        struct collect_spec cs;
        int (*child)(const struct collect_spec *cs, int fd);
};

static int coll_child(void *ud, int fd)
{
        const struct child_ctx *x = ud;

        return x->child ? x->child(&x->cs, fd) : collect_main(&x->cs, fd);
}

static void pump(struct collector *c)
{
        for (struct coll *k = c->run; k && c->n_started < COLLECT_PARALLEL; k = k->next_run) {
                struct child_ctx x = { .child = c->cfg.child, .cs = {
                        .docker = c->cfg.docker,
                        .container_id = k->res.id,
                        .script_dir = c->cfg.script_dir,
                        .timeout_s = c->cfg.timeout_s,
                        .max_output = c->cfg.max_output,
                        .direct = c->cfg.direct_want ? c->cfg.direct_want(c->cfg.ud, k->res.id)
                                                     : DIRECT_OFF,
                } };
                int r;

                if (k->started)
                        continue;
                k->started = true;
                r = worker_spawn(&k->w, c->cfg.max_output + 8192, coll_child, &x);
                if (r < 0) {
                        char q[300];
                        log_errno(LOG_LEVEL_ERROR, r, "container %s: cannot fork a collection worker: %m",
                                  log_q(q, sizeof(q), k->res.name));
                        k->res.done = true;
                        k->w.reaped = true;
                        continue;
                }
                c->n_started++;
        }
}

/* "WORD REST" in D/LEN: returns WORD as a number, REST into REST. */
static unsigned long long split_word(const char *d, uint32_t len, char *rest, size_t restsz)
{
        char tmp[400], *sp;
        unsigned long long v;

        snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < 399 ? len : 399), d);
        sp = strchr(tmp, ' ');
        rest[0] = '\0';
        if (sp) {
                *sp = '\0';
                snprintf(rest, restsz, "%s", sp + 1);
        }
        v = strtoull(tmp, NULL, 10);
        return v;
}

static void add_script(struct collector *c, struct coll *k, uint32_t type, const char *d, uint32_t len)
{
        const char *nul = memchr(d, '\0', len);
        struct collect_script *ns, *s;

        if (!nul)
                return;
        ns = realloc(k->s, (k->res.n + 1) * sizeof(*ns));
        if (!ns)
                return;
        k->s = ns;
        k->res.s = ns;
        s = &k->s[k->res.n];
        memset(s, 0, sizeof(*s));
        s->path = strdup(d);
        bool ok = type == WPROTO_SCRIPT_OK || type == WPROTO_LABEL_OK;

        s->label = type == WPROTO_LABEL_OK || type == WPROTO_LABEL_FAIL;
        if (ok && k->bytes + len > collector_budget(c)) {
                /* Over the container's budget: keep the reason, not the output. */
                char why[128];
                snprintf(why, sizeof(why), "over the budget of %zu bytes shared by all registrations of a container",
                         collector_budget(c));
                s->reason = strdup(why);
        } else if (ok) {
                k->bytes += len;
                s->len = len - (size_t)(nul + 1 - d);
                s->out = malloc(s->len + 1);
                if (s->out) {
                        memcpy(s->out, nul + 1, s->len);
                        s->out[s->len] = '\0';
                }
        } else {
                s->reason = strndup(nul + 1, len - (size_t)(nul + 1 - d));
        }
        k->res.n++;
}

static void set_error(struct coll *k, const char *d, uint32_t len)
{
        free(k->error);
        k->error = strndup(d, len);
        k->res.error = k->error;
}

static void record(struct collector *c, struct coll *k, uint32_t type, const char *d, uint32_t len)
{
        char rest[400], qn[300];

        switch (type) {
        case WPROTO_EXEC_PENDING:
                k->exec_pending = true;
                break;
        case WPROTO_EXEC_ID:
                if (len < 80) {
                        char id[80];
                        memcpy(id, d, len);
                        id[len] = '\0';
                        if (c->cfg.on_exec_id)
                                c->cfg.on_exec_id(c->cfg.ud, id);
                }
                k->exec_pending = false;
                break;
        case WPROTO_INSPECT:
                k->res.started_ns = split_word(d, len, rest, sizeof(rest));
                if (rest[0])
                        snprintf(k->res.name, sizeof(k->res.name), "%.255s", rest);
                break;
        case WPROTO_TRAITS:
                k->res.traits = (unsigned)split_word(d, len, rest, sizeof(rest));
                if (c->cfg.on_traits)
                        c->cfg.on_traits(c->cfg.ud, k->res.id, k->res.traits);
                if ((k->res.traits & TRAIT_HOSTEQ) && rest[0])
                        log_info("container %s is host-equivalent (%s): only registrars with both the containers and the host class reach it",
                                 log_q(qn, sizeof(qn), k->res.name), rest);
                break;
        case WPROTO_GONE:
                k->res.gone = true;
                k->exec_pending = false;
                set_error(k, d, len);
                break;
        case WPROTO_FALLBACK:
                if (c->cfg.on_fallback)
                        c->cfg.on_fallback(c->cfg.ud, k->res.id, k->res.name, d, len);
                break;
        case WPROTO_NODIR:
                k->res.nodir = true;
                break;
        case WPROTO_ERROR:
                set_error(k, d, len);
                break;
        case WPROTO_SCRIPT_OK:
        case WPROTO_SCRIPT_FAIL:
                k->exec_pending = false;
                add_script(c, k, type, d, len);
                break;
        case WPROTO_LABEL_OK:
        case WPROTO_LABEL_FAIL:
                add_script(c, k, type, d, len);
                break;
        case WPROTO_FACT:
                /* the source image and at most LABEL_ENV_MAX labels */
                if (strv_len(k->res.facts) <= LABEL_ENV_MAX) {
                        char *x = strndup(d, len);

                        if (x && strv_consume(&k->res.facts, x) < 0)
                                free(x);
                }
                break;
        case WPROTO_NOTE:
                log_warn("container %s: %.*s", log_q(qn, sizeof(qn), k->res.name), (int)len, d);
                break;
        case WPROTO_ENDED:
                k->res.has_exit_code = true;
                k->res.exit_code = (int)strtol(d, NULL, 10);
                {
                        char ts[80];
                        const char *sp = memchr(d, ' ', len);

                        snprintf(ts, sizeof(ts), "%.*s", sp ? (int)(len - (uint32_t)(sp + 1 - d)) : 0,
                                 sp ? sp + 1 : "");
                        if (ts[0] && rfc3339_parse(ts, &k->res.finished_ns) < 0)
                                k->res.finished_ns = 0;
                }
                break;
        default:
                break;
        }
}

void collector_io(struct collector *c)
{
        struct coll **pp = &c->run;

        while (*pp) {
                struct coll *k = *pp;
                uint32_t type, len;
                const char *d;

                if (k->started && !k->res.done) {
                        int r = worker_read(&k->w);
                        while (worker_next(&k->w, &type, &d, &len) > 0)
                                record(c, k, type, d, len);
                        if (r < 0)
                                worker_release(&k->w);
                        if (k->w.fd < 0 && k->w.reaped) {
                                k->res.done = true;
                                k->exec_pending = false;
                                c->n_started--;
                        }
                }
                if (k->res.done) {
                        /* Off the run list: its owner keeps it, or: */
                        *pp = k->next_run;
                        k->next_run = NULL;
                        k->res.worker_failed = k->w.reaped && k->w.wstatus != 0 && k->res.n == 0 &&
                                               !k->res.nodir;
                        if (k->detached) {
                                if (c->cfg.on_detached_done)
                                        c->cfg.on_detached_done(c->cfg.ud, &k->res, k->cookie);
                                coll_free(k);
                        }
                        continue;
                }
                pp = &k->next_run;
        }
        pump(c);
}

size_t collector_fds(const struct collector *c, int *fds, size_t max)
{
        size_t n = 0;

        for (const struct coll *k = c->run; k && n < max; k = k->next_run)
                if (k->started && k->w.fd >= 0)
                        fds[n++] = k->w.fd;
        return n;
}

bool collector_busy(const struct collector *c)
{
        return c->run != NULL;
}

bool collector_exec_pending(const struct collector *c)
{
        for (const struct coll *k = c->run; k; k = k->next_run)
                if (k->exec_pending && !k->w.reaped)
                        return true;
        return false;
}

bool collector_reaped(struct collector *c, pid_t pid, int wstatus)
{
        for (struct coll *k = c->run; k; k = k->next_run) {
                if (k->started && k->w.pid == pid && !k->w.reaped) {
                        k->w.reaped = true;
                        k->w.wstatus = wstatus;
                        return true;
                }
        }
        return false;
}
