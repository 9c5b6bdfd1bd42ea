/* dispatch.c — per-target FIFO queues of body jobs.  See dispatch.h.
 * Fairness across targets: when a slot frees, the job that waited longest
 * among the targets that are not busy starts (a global sequence number), so
 * the order of events is kept as far as the per-target rule allows. */
#include "dispatch.h"

#include "buf.h"
#include "deadline.h"
#include "body_worker.h"
#include "log.h"
#include "rbody.h"
#include "strv.h"
#include "worker.h"
#include "wproto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Grace beyond --exec-timeout before a stuck worker itself is killed (the
 * worker enforces the timeout; this only catches a wedged socket). */
#define DISPATCH_WORKER_GRACE_MS 15000

struct job {
        struct job *next;
        unsigned long seq;
        enum target_type type;
        char id[80];
        char name[256];
        struct rbody *body;
        char **vars;
        char *label;
        void *ticket;
        /* while running */
        struct worker w;
        long long started_ms;
        long long queued_ms;
        bool exec_pending;
        bool killed_by_us;
        bool direct;        /* the worker ran it directly (WPROTO_DIRECT) */
        bool stopped;       /* stopped at shutdown: its event is not done */
        bool has_outcome;
        struct wproto_outcome outcome;
        struct buf out, err, reason;
};

struct tqueue {
        struct tqueue *next;
        char key[80];
        struct job *head, *tail;
        bool busy;
};

struct dispatch {
        struct dispatch_config cfg;
        struct tqueue *queues;
        struct job **running;
        size_t n_running;
        size_t n_queued;
        unsigned long seq;
};

struct dispatch *dispatch_new(const struct dispatch_config *cfg)
{
        struct dispatch *ds = calloc(1, sizeof(*ds));

        if (!ds)
                return NULL;
        ds->cfg = *cfg;
        ds->running = calloc(cfg->jobs, sizeof(*ds->running));
        if (!ds->running) {
                free(ds);
                return NULL;
        }
        return ds;
}

static void job_free(struct job *j)
{
        if (!j)
                return;
        rbody_unref(j->body);
        strv_free(j->vars);
        free(j->label);
        buf_free(&j->out);
        buf_free(&j->err);
        buf_free(&j->reason);
        free(j);
}

static const char *target_key(const struct job *j)
{
        return target_text(j->type, j->id);
}

static const char *target_display(const struct job *j)
{
        return target_text(j->type, j->name);
}

void dispatch_drop_queued(struct dispatch *ds)
{
        for (struct tqueue *q = ds->queues; q; q = q->next) {
                struct job *j = q->head;
                while (j) {
                        struct job *n = j->next;
                        job_free(j);
                        j = n;
                }
                q->head = q->tail = NULL;
        }
        ds->n_queued = 0;
}

struct dispatch *dispatch_free(struct dispatch *ds)
{
        if (!ds)
                return NULL;
        dispatch_drop_queued(ds);
        for (size_t i = 0; i < ds->n_running; i++) {
                worker_kill(&ds->running[i]->w);
                worker_release(&ds->running[i]->w);
                job_free(ds->running[i]);
        }
        while (ds->queues) {
                struct tqueue *q = ds->queues;
                ds->queues = q->next;
                free(q);
        }
        free(ds->running);
        free(ds);
        return NULL;
}

static struct tqueue *queue_get(struct dispatch *ds, const char *key)
{
        struct tqueue *q;

        for (q = ds->queues; q; q = q->next)
                if (strcmp(q->key, key) == 0)
                        return q;
        q = calloc(1, sizeof(*q));
        if (!q)
                return NULL;
        snprintf(q->key, sizeof(q->key), "%s", key);
        q->next = ds->queues;
        ds->queues = q;
        return q;
}

int dispatch_enqueue(struct dispatch *ds, enum target_type type, const char *id,
                     const char *name, struct rbody *body, char **vars, const char *label,
                     void *ticket)
{
        struct job *j;
        struct tqueue *q;
        char ql[512];

        if (ds->n_queued >= DISPATCH_MAX_QUEUED) {
                log_error("%s on target %s: dropped, %d bodies already queued", label,
                          log_q(ql, sizeof(ql), target_text(type, name)),
                          DISPATCH_MAX_QUEUED);
                strv_free(vars);
                return -E2BIG;
        }
        j = calloc(1, sizeof(*j));
        if (!j) {
                strv_free(vars);
                return -ENOMEM;
        }
        j->type = type;
        snprintf(j->id, sizeof(j->id), "%s", id ? id : "");
        snprintf(j->name, sizeof(j->name), "%s", name ? name : "");
        j->label = strdup(label);
        j->vars = vars;
        j->ticket = ticket;
        j->seq = ++ds->seq;
        j->queued_ms = deadline_now();
        j->w.fd = -1;
        buf_init(&j->out, BODY_TAIL);
        buf_init(&j->err, BODY_TAIL);
        buf_init(&j->reason, 1024);
        q = queue_get(ds, target_key(j));
        if (!j->label || !q) {
                job_free(j);
                return -ENOMEM;
        }
        j->body = rbody_ref(body);
        if (q->tail)
                q->tail->next = j;
        else
                q->head = j;
        q->tail = j;
        ds->n_queued++;
        return 0;
}

struct spawn_ctx {
        struct body_spec spec;
};

static int job_child(void *ud, int fd)
{
        struct spawn_ctx *c = ud;

        return body_main(&c->spec, fd);
}

static void job_start(struct dispatch *ds, struct tqueue *q)
{
        struct job *j = q->head;
        struct spawn_ctx c = { .spec = {
                .where = j->type == TT_HOST ? BODY_HOST
                         : j->type == TT_CONTRAINER ? BODY_CONTRAINER : BODY_CONTAINER,
                .docker = ds->cfg.docker,
                .container_id = j->id,
                .body = j->body->data,
                .vars = j->vars,
                .timeout_s = ds->cfg.timeout_s,
                .max_output = ds->cfg.max_output,
                .sysimage = ds->cfg.sysimage,
                .direct = j->type == TT_CONTAINER && ds->cfg.direct_want
                          ? ds->cfg.direct_want(ds->cfg.ud, j->id) : DIRECT_OFF,
        } };
        char qt[512];
        int r;

        q->head = j->next;
        if (!q->head)
                q->tail = NULL;
        j->next = NULL;
        ds->n_queued--;
        r = worker_spawn(&j->w, ds->cfg.max_output + 4096, job_child, &c);
        if (r < 0) {
                log_errno(LOG_LEVEL_ERROR, r, "%s on target %s: cannot fork a worker: %m",
                          j->label, log_q(qt, sizeof(qt), target_display(j)));
                if (ds->cfg.on_result)  /* /status and /metrics count it too */
                        ds->cfg.on_result(ds->cfg.ud, &(struct dispatch_result){
                                .type = j->type, .target = target_display(j), .vars = j->vars,
                                .outcome = &(struct wproto_outcome){ .kind = WPROTO_FAILED },
                                .status = "failed: cannot fork a worker",
                                .latency_ms = deadline_now() - j->queued_ms, .direct = false });
                ds->cfg.on_done(ds->cfg.ud, j->ticket);
                job_free(j);
                return;
        }
        j->started_ms = deadline_now();
        q->busy = true;
        ds->running[ds->n_running++] = j;
}

void dispatch_pump(struct dispatch *ds)
{
        while (ds->n_running < ds->cfg.jobs) {
                struct tqueue *best = NULL;

                for (struct tqueue *q = ds->queues; q; q = q->next)
                        if (!q->busy && q->head && (!best || q->head->seq < best->head->seq))
                                best = q;
                if (!best)
                        return;
                job_start(ds, best);
        }
}

size_t dispatch_fds(const struct dispatch *ds, int *fds, size_t max)
{
        size_t n = 0;

        for (size_t i = 0; i < ds->n_running && n < max; i++)
                if (ds->running[i]->w.fd >= 0)
                        fds[n++] = ds->running[i]->w.fd;
        return n;
}

static void handle_record(struct dispatch *ds, struct job *j, uint32_t type, const char *d,
                          uint32_t len)
{
        char id[80];

        switch (type) {
        case WPROTO_EXEC_PENDING:
                j->exec_pending = true;
                break;
        case WPROTO_EXEC_ID:
                if (len < sizeof(id)) {
                        memcpy(id, d, len);
                        id[len] = '\0';
                        ds->cfg.on_exec_id(ds->cfg.ud, id);
                }
                j->exec_pending = false;
                break;
        case WPROTO_OUTCOME:
                j->exec_pending = false;
                j->has_outcome = wproto_get_outcome(d, len, &j->outcome) == 0;
                break;
        case WPROTO_OUT:
                buf_reset(&j->out);
                (void)buf_append(&j->out, d, len);
                break;
        case WPROTO_ERR:
                buf_reset(&j->err);
                (void)buf_append(&j->err, d, len);
                break;
        case WPROTO_REASON:
                buf_reset(&j->reason);
                (void)buf_append(&j->reason, d, len);
                break;
        case WPROTO_DIRECT:
                j->direct = true;
                break;
        case WPROTO_FALLBACK:
                if (ds->cfg.on_fallback)
                        ds->cfg.on_fallback(ds->cfg.ud, j->id, j->name, d, len);
                break;
        default:
                break;
        }
}

/* Last TAIL bytes of B, trailing newlines dropped, quoted. */
static char *tail_q(char *dst, size_t dstsz, const struct buf *b, size_t tail)
{
        size_t end = b->len, start;

        while (end > 0 && b->data[end - 1] == '\n')
                end--;
        start = end > tail ? end - tail : 0;
        return log_quote(dst, dstsz, b->data ? b->data + start : "", end - start);
}

/* The one log line of a finished job. */
static void log_finish(const struct dispatch *ds, const struct job *j, bool unfinished, double secs)
{
        const struct wproto_outcome *o = j->has_outcome ? &j->outcome : NULL;
        char qt[512], qo[620], qe[620], qr[1100];
        const char *how;

        log_q(qt, sizeof(qt), target_display(j));
        /* ", output '...'" and ", stderr '...'" only when there is some */
        {
                char t1[600], t2[600];
                qo[0] = qe[0] = '\0';
                if (j->out.len)
                        snprintf(qo, sizeof(qo), ", output %.590s", tail_q(t1, sizeof(t1), &j->out, 200));
                if (j->err.len)
                        snprintf(qe, sizeof(qe), ", stderr %.590s", tail_q(t2, sizeof(t2), &j->err, 200));
        }
        log_quote(qr, sizeof(qr), j->reason.data ? j->reason.data : "", j->reason.len);
        if (unfinished) {
                log_warn("%s on target %s: stopped after %.3fs at shutdown%s, it runs again after the next start",
                         j->label, qt, secs,
                         o && o->killed ? ", killed with its process group"
                         : o && o->not_visible ? " (its process is not visible here: left running)"
                                               : "");
                return;
        }
        if (j->killed_by_us) {
                log_error("%s on target %s: no answer within %us, worker stopped", j->label, qt,
                          ds->cfg.timeout_s);
                return;
        }
        if (!o) {
                log_error("%s on target %s: the worker died (status %d) after %.3fs", j->label,
                          qt, j->w.wstatus, secs);
                return;
        }
        switch (o->kind) {
        case WPROTO_EXIT:
                if (o->exit_code == 0)
                        log_info("%s on target %s: exit 0 in %.3fs%s%s", j->label, qt, secs, qo, qe);
                else
                        log_warn("%s on target %s: exit status %d in %.3fs%s%s", j->label, qt,
                                 (int)o->exit_code, secs, qo, qe);
                break;
        case WPROTO_TIMEOUT:
                how = o->killed ? " (killed with its process group)"
                      : o->not_visible ? " (not killed: its process is not visible here, no --pid=host)" : "";
                log_warn("%s on target %s: timed out after %us%s%s%s", j->label, qt,
                         ds->cfg.timeout_s, how, qo, qe);
                break;
        case WPROTO_OVERFLOW:
                log_warn("%s on target %s: output over %zu bytes, stopped after %.3fs", j->label,
                         qt, ds->cfg.max_output, secs);
                break;
        case WPROTO_NOTRUN:
                log_warn("%s on target %s: not run, %s", j->label, qt, qr);
                break;
        default:
                log_warn("%s on target %s: failed: %s", j->label, qt, qr);
                break;
        }
}

static void job_finish(struct dispatch *ds, size_t idx)
{
        struct job *j = ds->running[idx];
        int64_t ran_ms = deadline_now() - j->started_ms;
        /* Stopped at shutdown, unless it finished by itself meanwhile. */
        bool unfinished = j->stopped && (!j->has_outcome || j->outcome.kind == WPROTO_STOPPED);
        char st[64];
        struct tqueue *q;

        log_finish(ds, j, unfinished, (double)ran_ms / 1000.0);
        for (q = ds->queues; q; q = q->next)
                if (strcmp(q->key, target_key(j)) == 0)
                        q->busy = false;
        if (ds->cfg.on_result) {
                const struct wproto_outcome *o = j->has_outcome && !j->killed_by_us ? &j->outcome : NULL;
                ds->cfg.on_result(ds->cfg.ud, &(struct dispatch_result){
                        .type = j->type, .target = target_display(j), .vars = j->vars,
                        .outcome = o, .worker_killed = j->killed_by_us,
                        .status = j->killed_by_us ? "timeout (worker killed)"
                                                  : wproto_outcome_text(o, st, sizeof(st)),
                        .run_ms = ran_ms, .latency_ms = deadline_now() - j->queued_ms,
                        .direct = j->direct });
        }
        ds->running[idx] = ds->running[--ds->n_running];
        worker_release(&j->w);
        /* A body stopped at shutdown did not finish: its event stays behind
         * the cursor (docs/watch.md "Guarantees", at-least-once). */
        if (!unfinished)
                ds->cfg.on_done(ds->cfg.ud, j->ticket);
        job_free(j);
}

void dispatch_io(struct dispatch *ds)
{
        long long now = deadline_now();
        size_t i = 0;

        while (i < ds->n_running) {
                struct job *j = ds->running[i];
                uint32_t type, len;
                const char *d;
                int r;

                r = worker_read(&j->w);
                while (worker_next(&j->w, &type, &d, &len) > 0)
                        handle_record(ds, j, type, d, len);
                if (r < 0 && j->w.fd >= 0) {
                        /* unreadable or oversized answer: stop listening */
                        worker_release(&j->w);
                }
                if (!j->w.reaped && !j->killed_by_us &&
                    now - j->started_ms > (long long)ds->cfg.timeout_s * 1000 + DISPATCH_WORKER_GRACE_MS) {
                        worker_kill(&j->w);
                        j->killed_by_us = true;
                }
                if (j->w.fd < 0 && j->w.reaped) {
                        job_finish(ds, i);
                        continue;  /* slot i now holds another job */
                }
                i++;
        }
        worker_escalate();
        dispatch_pump(ds);
}

bool dispatch_reaped(struct dispatch *ds, pid_t pid, int wstatus)
{
        for (size_t i = 0; i < ds->n_running; i++) {
                struct job *j = ds->running[i];
                if (j->w.pid == pid && !j->w.reaped) {
                        j->w.reaped = true;
                        j->w.wstatus = wstatus;
                        return true;
                }
        }
        return false;
}

bool dispatch_exec_pending(const struct dispatch *ds)
{
        for (size_t i = 0; i < ds->n_running; i++)
                if (ds->running[i]->exec_pending && !ds->running[i]->w.reaped)
                        return true;
        return false;
}

size_t dispatch_running(const struct dispatch *ds)
{
        return ds->n_running;
}

size_t dispatch_queued(const struct dispatch *ds)
{
        return ds->n_queued;
}

void dispatch_kill_running(struct dispatch *ds)
{
        for (size_t i = 0; i < ds->n_running; i++) {
                worker_kill(&ds->running[i]->w);
                ds->running[i]->stopped = true;
        }
}

long dispatch_next_timeout_ms(const struct dispatch *ds)
{
        long long now = deadline_now(), best = -1;

        for (size_t i = 0; i < ds->n_running; i++) {
                const struct job *j = ds->running[i];
                long long at = j->started_ms + (long long)ds->cfg.timeout_s * 1000 +
                               DISPATCH_WORKER_GRACE_MS;
                if (j->killed_by_us || j->w.reaped)
                        continue;
                if (best < 0 || at - now < best)
                        best = at - now < 0 ? 0 : at - now;
        }
        long kill_ms = worker_escalate_ms();  /* the SIGKILL after a stop's grace */
        if (kill_ms >= 0 && (best < 0 || kill_ms < best))
                best = kill_ms;
        return (long)best;
}
