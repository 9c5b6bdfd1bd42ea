/* test_pipeline.c — the controller core without an Engine: recorded event
 * sequences (start, die, rename, restart, replay after reconnect, lost
 * history) through seen, the queue, the collector (fake_engine.c answers
 * as a collection worker), enroll, the snapshot and fire; the jobs it
 * produces and the cursor it writes. */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "collector.h"
#include "deadline.h"
#include "docker.h"
#include "events.h"
#include "fake_engine.h"
#include "fire.h"
#include "pipeline.h"
#include "policy.h"
#include "registry.h"
#include "scope.h"
#include "seen.h"
#include "snapshot.h"
#include "cursor.h"
#include "strv.h"
#include "worker.h"

#define H_JOBS_MAX 64

/* A job as the test sees it. */
struct h_job {
        char event[64];     /* CONTRAINER_EVENT */
        char target[256];   /* CONTRAINER_TARGET */
        char source[256];   /* CONTRAINER_SOURCE_NAME */
        char registrar[256];
        char **vars;        /* the whole environment */
        void *ticket;
        bool done;
};

struct h {
        struct seen *seen;
        struct snapshot_store *snap;
        struct collector *col;
        struct registry *reg;
        struct policy *policy;
        struct pipeline *pl;
        struct scope *scope;
        struct h_job jobs[H_JOBS_MAX];
        size_t n_jobs;
};

static const char *h_var(char *const *v, const char *name)
{
        size_t nl = strlen(name);

        for (size_t i = 0; v && v[i]; i++)
                if (strncmp(v[i], name, nl) == 0 && v[i][nl] == '=')
                        return v[i] + nl + 1;
        return "";
}

static int h_enqueue(void *ud, const struct fire_job *j, void *ticket)
{
        struct h *h = ud;
        struct h_job *o;

        cr_assert_lt(h->n_jobs, H_JOBS_MAX);
        o = &h->jobs[h->n_jobs++];
        snprintf(o->event, sizeof(o->event), "%s", h_var(j->vars, "CONTRAINER_EVENT"));
        snprintf(o->target, sizeof(o->target), "%s", h_var(j->vars, "CONTRAINER_TARGET"));
        snprintf(o->source, sizeof(o->source), "%s", h_var(j->vars, "CONTRAINER_SOURCE_NAME"));
        snprintf(o->registrar, sizeof(o->registrar), "%s", h_var(j->vars, "CONTRAINER_REGISTRAR_NAME"));
        o->ticket = ticket;
        o->vars = j->vars;
        return 0;
}

static void h_exec_id(void *ud, const char *id)
{
        seen_ours_add(((struct h *)ud)->seen, id);
}

static void h_traits(void *ud, const char *id, unsigned traits)
{
        snapshot_traits(((struct h *)ud)->snap, id, traits);
}

static void h_late(void *ud, const struct collect_result *r, void *cookie)
{
        pipeline_late_done(((struct h *)ud)->pl, r, cookie);
}

/* A core with --allow-all (ALLOW_ALL) or the default policy (%me only). */
static struct h *h_new(bool allow_all)
{
        struct h *h = calloc(1, sizeof(*h));

        cr_assert_not_null(h);
        h->seen = seen_new();
        h->snap = snapshot_new();
        h->reg = registry_new();
        h->policy = policy_new();
        if (allow_all)
                cr_assert_eq(policy_add_all(h->policy), 0);
        h->col = collector_new(&(struct collector_config){
                .script_dir = "/contrainer", .timeout_s = 10, .max_output = 65536,
                .child = fake_engine_collect, .on_exec_id = h_exec_id, .on_traits = h_traits,
                .on_detached_done = h_late, .ud = h });
        h->pl = pipeline_new(&(struct pipeline_config){
                .seen = h->seen, .snap = h->snap, .col = h->col, .reg = h->reg,
                .policy = h->policy, .enqueue = h_enqueue, .scope = h->scope = scope_new(), .ud = h });
        cr_assert(h->seen && h->snap && h->reg && h->policy && h->col && h->pl);
        pipeline_set_self(h->pl, "", "ctl-host", false);
        return h;
}

static void h_free(struct h *h)
{
        for (size_t i = 0; i < h->n_jobs; i++)
                strv_free(h->jobs[i].vars);
        pipeline_free(h->pl);
        collector_free(h->col);
        worker_end_all(3000);
        registry_free(h->reg);
        policy_free(h->policy);
        snapshot_free(h->snap);
        seen_free(h->seen);
        scope_free(h->scope);
        free(h);
}

/* One pass of the loop: reap, read the workers, resolve, advance. */
static void h_step(struct h *h, int timeout_ms)
{
        int fds[COLLECT_PARALLEL];
        struct pollfd p[COLLECT_PARALLEL];
        size_t n = collector_fds(h->col, fds, COLLECT_PARALLEL);
        pid_t pid;
        int st;

        for (size_t i = 0; i < n; i++)
                p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
        (void)poll(p, n, timeout_ms);
        while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
                worker_forget(pid);
                (void)collector_reaped(h->col, pid, st);
        }
        collector_io(h->col);
        pipeline_resolve(h->pl);
        pipeline_advance(h->pl);
}

/* Step until nothing is queued and no collection runs (bodies may stay
 * in flight), within 10 s. */
static void h_settle(struct h *h)
{
        int64_t deadline = deadline_in(10000);

        do
                h_step(h, 20);
        while ((pipeline_queued(h->pl) || collector_busy(h->col)) && !deadline_passed(deadline));
        cr_assert_eq(pipeline_queued(h->pl), 0, "the queue did not drain");
}

/* Finish every job's body. */
static void h_finish(struct h *h)
{
        for (size_t i = 0; i < h->n_jobs; i++) {
                if (!h->jobs[i].done) {
                        h->jobs[i].done = true;
                        pipeline_body_done(h->pl, h->jobs[i].ticket);
                }
        }
        pipeline_advance(h->pl);
}

/* An Engine event. */
static struct event h_ev(const char *action, const char *id, const char *name, uint64_t t)
{
        struct event e = { .has_exit_code = false };

        snprintf(e.type, sizeof(e.type), "container");
        snprintf(e.action, sizeof(e.action), "%s", action);
        snprintf(e.id, sizeof(e.id), "%s", id);
        snprintf(e.name, sizeof(e.name), "%s", name);
        e.time_nano = t;
        return e;
}

static void h_event(struct h *h, const char *action, const char *id, const char *name, uint64_t t)
{
        struct event e = h_ev(action, id, name, t);

        pipeline_event(h->pl, &e);
}

/* How many jobs of EVENT on TARGET were produced. */
static size_t h_count(const struct h *h, const char *event, const char *target)
{
        size_t n = 0;

        for (size_t i = 0; i < h->n_jobs; i++)
                if (strcmp(h->jobs[i].event, event) == 0 && (!target || strcmp(h->jobs[i].target, target) == 0))
                        n++;
        return n;
}


/* ---- recorded sequences ---------------------------------------------------- */

#define IDA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define IDB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define T0 1700000000000000000ull

/* Container A registers its own :start and :die, and an immediate entry. */
static void add_a(uint64_t started)
{
        fake_engine_add(&(struct fake_container){
                .id = IDA, .name = "a", .started_ns = started,
                .script = { "/contrainer/10-me", "/contrainer/20-now" },
                .output = { "%me:start:die\necho hi\n", "\necho now\n" } });
}

Test(pipeline, start_collects_first_then_fires_the_registrations_own_start)
{
        struct h *h = h_new(false);

        add_a(T0);
        h_event(h, "start", IDA, "a", T0 + 1);
        h_settle(h);
        cr_assert_eq(registry_count(h->reg), 2);
        cr_assert_eq(h_count(h, "start", "a"), 1);
        cr_assert_eq(h_count(h, "immediate", "a"), 1);
        cr_assert_eq(h->n_jobs, 2);
        cr_assert_str_eq(h->jobs[0].source, "a");
        h_free(h);
}

Test(pipeline, the_cursor_waits_for_every_body_of_its_event)
{
        struct h *h = h_new(false);

        add_a(T0);
        h_event(h, "start", IDA, "a", T0 + 1);
        h_settle(h);
        cr_assert_eq(pipeline_cursor(h->pl)->time_nano, 0, "bodies not finished: no cursor");
        cr_assert_not(pipeline_cursor_dirty(h->pl));
        h_finish(h);
        cr_assert_eq(pipeline_cursor(h->pl)->time_nano, T0 + 1);
        cr_assert_str_eq(pipeline_cursor(h->pl)->id, IDA);
        cr_assert_str_eq(pipeline_cursor(h->pl)->action, "start");
        cr_assert(pipeline_cursor_dirty(h->pl));
        h_free(h);
}

Test(pipeline, an_event_without_bodies_moves_the_cursor_at_once)
{
        struct h *h = h_new(false);

        h_event(h, "pause", IDB, "b", T0 + 5);
        h_settle(h);
        cr_assert_eq(h->n_jobs, 0);
        cr_assert_eq(pipeline_cursor(h->pl)->time_nano, T0 + 5);
        h_free(h);
}

Test(pipeline, die_is_dispatched_first_then_the_registrations_are_dropped)
{
        struct h *h = h_new(false);

        add_a(T0);
        h_event(h, "start", IDA, "a", T0 + 1);
        h_settle(h);
        h_event(h, "die", IDA, "a", T0 + 2);
        h_settle(h);
        cr_assert_eq(h_count(h, "die", "a"), 1, "the registrar's own die fires");
        cr_assert_eq(registry_count(h->reg), 0);
        cr_assert_null(snapshot_find(h->snap, IDA));
        h_event(h, "destroy", IDA, "a", T0 + 3);
        h_settle(h);
        cr_assert_eq(h->n_jobs, 3, "nothing fires after the die");
        h_free(h);
}

Test(pipeline, a_restarted_container_registers_afresh)
{
        struct h *h = h_new(false);

        add_a(T0);
        h_event(h, "start", IDA, "a", T0 + 1);
        h_settle(h);
        h_event(h, "die", IDA, "a", T0 + 2);
        add_a(T0 + 3);
        h_event(h, "start", IDA, "a", T0 + 3);
        h_settle(h);
        cr_assert_eq(h_count(h, "immediate", "a"), 2, "its immediate entry runs again");
        cr_assert_eq(h_count(h, "start", "a"), 2);
        cr_assert_eq(registry_count(h->reg), 2);
        h_free(h);
}

Test(pipeline, rename_changes_the_name_of_targets_and_registrar)
{
        struct h *h = h_new(false);

        fake_engine_add(&(struct fake_container){
                .id = IDA, .name = "a", .started_ns = T0,
                .script = { "/contrainer/10" }, .output = { "%me:pause\necho p\n" } });
        h_event(h, "start", IDA, "a", T0 + 1);
        h_settle(h);
        h_event(h, "rename", IDA, "a2", T0 + 2);
        h_event(h, "pause", IDA, "a2", T0 + 3);
        h_settle(h);
        cr_assert_eq(h_count(h, "pause", "a2"), 1);
        cr_assert_str_eq(h->jobs[0].registrar, "a2");
        cr_assert_str_eq(snapshot_name(h->snap, IDA), "a2");
        h_free(h);
}

Test(pipeline, listing_at_start_up_collects_running_containers_and_serves_immediates)
{
        struct h *h = h_new(true);
        struct docker_container list[2] = { { IDA, "a" }, { IDB, "b" } };

        fake_engine_add(&(struct fake_container){
                .id = IDA, .name = "a", .started_ns = T0,
                .script = { "/contrainer/10" }, .output = { "%all\necho all\n" } });
        fake_engine_add(&(struct fake_container){ .id = IDB, .name = "b", .started_ns = T0 });
        pipeline_resubscribed(h->pl, T0 + 10);
        cr_assert_eq(pipeline_collect(h->pl, list, 2, NULL), 0);
        h_settle(h);
        cr_assert_eq(h_count(h, "immediate", NULL), 4, "a, b, %%host, %%contrainer");
        cr_assert_eq(h_count(h, "immediate", "b"), 1);
        cr_assert_eq(h_count(h, "immediate", "%host"), 1);
        cr_assert_eq(h_count(h, "immediate", "%contrainer"), 1);
        h_finish(h);
        cr_assert_eq(pipeline_cursor(h->pl)->time_nano, 0, "a listing is never the cursor");
        h_free(h);
}

Test(pipeline, replay_after_reconnect_skips_what_was_handled)
{
        struct h *h = h_new(false);
        struct cursor cur = { .time_nano = T0 + 2 };

        fake_engine_add(&(struct fake_container){
                .id = IDA, .name = "a", .started_ns = T0,
                .script = { "/contrainer/10" }, .output = { "%me:pause:unpause\necho p\n" } });
        snprintf(cur.id, sizeof(cur.id), "%s", IDA);
        snprintf(cur.action, sizeof(cur.action), "pause");
        pipeline_set_cursor(h->pl, &cur, false);
        pipeline_resubscribed(h->pl, T0 + 4);
        cr_assert_eq(pipeline_collect(h->pl, (struct docker_container[]){ { IDA, "a" } }, 1, NULL), 0);
        /* since= is inclusive: the cursor's own event comes back first */
        h_event(h, "pause", IDA, "a", T0 + 2);
        h_event(h, "unpause", IDA, "a", T0 + 3);   /* historic: before the listing */
        h_event(h, "pause", IDA, "a", T0 + 5);
        h_event(h, "pause", IDA, "a", T0 + 5);     /* a duplicate */
        h_settle(h);
        cr_assert_eq(h_count(h, "pause", "a"), 1);
        cr_assert_eq(h_count(h, "unpause", "a"), 1, "historic events are still dispatched");
        h_finish(h);
        cr_assert_eq(pipeline_cursor(h->pl)->time_nano, T0 + 5);
        h_free(h);
}

Test(pipeline, lost_history_dispatches_the_starts_the_engine_forgot)
{
        struct h *h = h_new(true);
        struct docker_container list[2] = { { IDA, "a" }, { IDB, "b" } };
        struct pipeline_gap gap = { .since = T0 + 5 };

        /* A registered long ago; B started during the outage */
        fake_engine_add(&(struct fake_container){
                .id = IDA, .name = "a", .started_ns = T0,
                .script = { "/contrainer/10" }, .output = { "%all:start\necho s\n" } });
        fake_engine_add(&(struct fake_container){ .id = IDB, .name = "b", .started_ns = T0 + 9 });
        pipeline_resubscribed(h->pl, T0 + 20);
        cr_assert_eq(pipeline_collect(h->pl, list, 2, &gap), 0);
        h_settle(h);
        cr_assert_eq(h_count(h, "start", NULL), 4, "b's start on a, b, %%host, %%contrainer");
        for (size_t i = 0; i < h->n_jobs; i++)
                cr_assert_str_eq(h->jobs[i].source, "b");
        h_free(h);
}

Test(pipeline, our_own_exec_events_never_fire)
{
        struct h *h = h_new(false);
        struct event e;

        fake_engine_add(&(struct fake_container){
                .id = IDA, .name = "a", .started_ns = T0,
                .script = { "/contrainer/10" }, .output = { "%me:exec_start\necho e\n" } });
        h_event(h, "start", IDA, "a", T0 + 1);
        h_settle(h);
        seen_ours_add(h->seen, "ours1");
        e = h_ev("exec_start", IDA, "a", T0 + 2);
        snprintf(e.exec_id, sizeof(e.exec_id), "ours1");
        pipeline_event(h->pl, &e);
        e = h_ev("exec_start", IDA, "a", T0 + 3);
        snprintf(e.exec_id, sizeof(e.exec_id), "theirs");
        pipeline_event(h->pl, &e);
        h_settle(h);
        cr_assert_eq(h_count(h, "exec_start", "a"), 1, "only the foreign exec fires");
        h_free(h);
}

Test(pipeline, denied_targets_produce_no_job)
{
        struct h *h = h_new(false);

        fake_engine_add(&(struct fake_container){
                .id = IDA, .name = "a", .started_ns = T0,
                .script = { "/contrainer/10" }, .output = { "%host+%me\necho x\n" } });
        h_event(h, "start", IDA, "a", T0 + 1);
        h_settle(h);
        cr_assert_eq(h_count(h, "immediate", "a"), 1);
        cr_assert_eq(h_count(h, "immediate", "%host"), 0);
        h_free(h);
}

Test(pipeline, a_hanging_collection_lets_the_start_go_to_the_others, .timeout = 30)
{
        struct h *h = h_new(true);
        struct docker_container list[1] = { { IDB, "b" } };

        fake_engine_add(&(struct fake_container){
                .id = IDB, .name = "b", .started_ns = T0,
                .script = { "/contrainer/10" }, .output = { "%me:start\necho b\n" } });
        fake_engine_add(&(struct fake_container){ .id = IDA, .name = "a", .started_ns = T0, .hang = true });
        cr_assert_eq(pipeline_collect(h->pl, list, 1, NULL), 0);
        h_settle(h);
        h_event(h, "start", IDA, "a", T0 + 1);
        h_event(h, "pause", IDB, "b", T0 + 2);
        /* PIPELINE_COLLECT_WAIT_MS, then on, while a's collection still hangs */
        int64_t deadline = deadline_in(10000);
        while (pipeline_queued(h->pl) && !deadline_passed(deadline))
                h_step(h, 50);
        cr_assert_eq(pipeline_queued(h->pl), 0, "the queue moved on");
        cr_assert(collector_busy(h->col), "a's collection still runs");
        cr_assert_eq(h_count(h, "start", "b"), 1, "b's :start fired on a's start");
        /* a's start stays behind the cursor while its collection runs */
        h_finish(h);
        cr_assert_eq(pipeline_cursor(h->pl)->time_nano, 0);
        h_free(h);
}

Test(pipeline, recollecting_an_unchanged_container_does_not_rerun_its_immediates)
{
        struct h *h = h_new(false);
        struct docker_container list[1] = { { IDA, "a" } };

        add_a(T0);
        cr_assert_eq(pipeline_collect(h->pl, list, 1, NULL), 0);
        h_settle(h);
        cr_assert_eq(h_count(h, "immediate", "a"), 1);
        /* SIGHUP, or a reconnect: the same output of the same run */
        cr_assert_eq(pipeline_collect(h->pl, list, 1, NULL), 0);
        h_settle(h);
        cr_assert_eq(h_count(h, "immediate", "a"), 1, "served already");
        /* a new run of the container registers afresh */
        add_a(T0 + 50);
        cr_assert_eq(pipeline_collect(h->pl, list, 1, NULL), 0);
        h_settle(h);
        cr_assert_eq(h_count(h, "immediate", "a"), 2);
        h_free(h);
}

Test(pipeline, containers_gone_during_an_outage_lose_their_registrations)
{
        struct h *h = h_new(false);
        struct docker_container both[2] = { { IDA, "a" }, { IDB, "b" } };

        add_a(T0);
        fake_engine_add(&(struct fake_container){
                .id = IDB, .name = "b", .started_ns = T0,
                .script = { "/contrainer/10" }, .output = { "%me:start\necho b\n" } });
        cr_assert_eq(pipeline_collect(h->pl, both, 2, NULL), 0);
        h_settle(h);
        cr_assert_eq(registry_count(h->reg), 3);
        pipeline_forget_gone(h->pl, both + 1, 1);  /* only b is still running */
        cr_assert_eq(registry_count(h->reg), 1);
        cr_assert_null(snapshot_find(h->snap, IDA));
        cr_assert_not_null(snapshot_find(h->snap, IDB));
        h_free(h);
}

/* docs/events.md "Events": an Engine that sends a health state the
 * controller does not know gets one line, no body, and the cursor moves. */
Test(pipeline, a_health_event_with_an_unknown_state_runs_nothing)
{
        struct h *h = h_new(true);
        struct event e;

        fake_engine_add(&(struct fake_container){
                .id = IDA, .name = "a", .started_ns = T0,
                .script = { "/contrainer/10-h" },
                .output = { "%me:health_status:unhealthy:healthy\necho h\n" } });
        h_event(h, "start", IDA, "a", T0 + 1);
        h_settle(h);
        e = h_ev("health_status", IDA, "a", T0 + 2);
        snprintf(e.health, sizeof(e.health), "sick");
        pipeline_event(h->pl, &e);
        h_settle(h);
        cr_assert_eq(h_count(h, "health_status", NULL), 0);
        cr_assert_eq(pipeline_cursor(h->pl)->time_nano, T0 + 2);
        e = h_ev("health_status", IDA, "a", T0 + 3);
        snprintf(e.health, sizeof(e.health), "unhealthy");
        pipeline_event(h->pl, &e);
        h_settle(h);
        cr_assert_eq(h_count(h, "health_status", "a"), 1, "still works, once per target");
        h_free(h);
}

/* The job of EVENT on TARGET (the first), or NULL. */
static const struct h_job *h_job_of(const struct h *h, const char *event, const char *target)
{
        for (size_t i = 0; i < h->n_jobs; i++)
                if (strcmp(h->jobs[i].event, event) == 0 && strcmp(h->jobs[i].target, target) == 0)
                        return &h->jobs[i];
        return NULL;
}

/* docs/events.md "Environment": every body gets the event's time, the
 * source's image and labels; die its exit code, kill its signal, rename
 * the old name; immediates an empty time. */
Test(pipeline, bodies_get_the_facts_of_their_event_and_source)
{
        struct h *h = h_new(true);
        struct event e;
        const struct h_job *j;

        fake_engine_add(&(struct fake_container){
                .id = IDA, .name = "a", .started_ns = T0,
                .script = { "/contrainer/10" },
                .output = { "%me:start:die:kill:rename,%me\necho\n" },
                .facts = { "CONTRAINER_SOURCE_IMAGE=busybox:1", "CONTRAINER_LABEL_TEAM=blue" } });
        h_event(h, "start", IDA, "a", 1700000000123456789ull);
        h_settle(h);
        j = h_job_of(h, "start", "a");
        cr_assert_not_null(j);
        cr_assert_str_eq(strv_env_get(j->vars, "CONTRAINER_EVENT_TIME"), "2023-11-14T22:13:20.123456789Z");
        cr_assert_str_eq(strv_env_get(j->vars, "CONTRAINER_SOURCE_IMAGE"), "busybox:1");
        cr_assert_str_eq(strv_env_get(j->vars, "CONTRAINER_LABEL_TEAM"), "blue");
        cr_assert_null(strv_env_get(j->vars, "CONTRAINER_EXIT_CODE"));
        j = h_job_of(h, "immediate", "a");
        cr_assert_str_eq(strv_env_get(j->vars, "CONTRAINER_EVENT_TIME"), "");
        cr_assert_str_eq(strv_env_get(j->vars, "CONTRAINER_LABEL_TEAM"), "blue");
        e = h_ev("kill", IDA, "a", T0 + 2);
        snprintf(e.signal, sizeof(e.signal), "15");
        pipeline_event(h->pl, &e);
        e = h_ev("rename", IDA, "b", T0 + 3);
        snprintf(e.old_name, sizeof(e.old_name), "a");
        pipeline_event(h->pl, &e);
        e = h_ev("die", IDA, "b", T0 + 4);
        e.has_exit_code = true;
        e.exit_code = 137;
        pipeline_event(h->pl, &e);
        h_settle(h);
        cr_assert_str_eq(strv_env_get(h_job_of(h, "kill", "a")->vars, "CONTRAINER_SIGNAL"), "15");
        cr_assert_str_eq(strv_env_get(h_job_of(h, "rename", "b")->vars, "CONTRAINER_OLD_NAME"), "a");
        j = h_job_of(h, "die", "b");
        cr_assert_str_eq(strv_env_get(j->vars, "CONTRAINER_EXIT_CODE"), "137");
        cr_assert_str_eq(strv_env_get(j->vars, "CONTRAINER_LABEL_TEAM"), "blue", "kept until its die");
        h_free(h);
}

/* docs/events.md "Label hooks": registered as scripts are, after them;
 * a script of the same NAME wins; a failed hook hurts no other. */
Test(pipeline, label_hooks_register_like_scripts)
{
        struct h *h = h_new(false);
        size_t n_label = 0;

        fake_engine_add(&(struct fake_container){
                .id = IDA, .name = "a", .started_ns = T0,
                .script = { "/contrainer/same" },
                .output = { "%me:stop\necho script\n" },
                .hook = { "same", "hk", "bad", "badhdr" },
                .hook_out = { "%me:start\necho label\n", "%me:start\necho hk\n", NULL, "%me:[\nx" } });
        h_event(h, "start", IDA, "a", T0 + 1);
        h_settle(h);
        cr_assert_eq(registry_count(h->reg), 2, "the script and the hook hk");
        for (size_t i = 0; i < registry_count(h->reg); i++)
                n_label += registry_at(h->reg, i)->from_label;
        cr_assert_eq(n_label, 1);
        cr_assert_not(registry_at(h->reg, 0)->from_label, "scripts first");
        cr_assert_str_eq(registry_at(h->reg, 1)->script, "hk");
        cr_assert_eq(h_count(h, "start", "a"), 1, "hk's own :start fires for the start that made it");
        h_free(h);
}

/* docs/events.md "Scope": a container whose name fails --scope neither
 * registers nor emits events the controller handles. */
Test(pipeline, containers_outside_the_scope_are_invisible)
{
        struct h *h = h_new(true);

        cr_assert_eq(scope_add(h->scope, "name=^in-", NULL, 0), 0);
        fake_engine_add(&(struct fake_container){
                .id = IDA, .name = "in-a", .started_ns = T0,
                .script = { "/contrainer/10" }, .output = { "%me:start:die\necho\n" } });
        fake_engine_add(&(struct fake_container){
                .id = IDB, .name = "out-b", .started_ns = T0,
                .script = { "/contrainer/10" }, .output = { "%all:start:die\necho\n" } });
        cr_assert_eq(pipeline_collect(h->pl, (struct docker_container[]){ { IDA, "in-a" }, { IDB, "out-b" } },
                                      2, NULL), 0);
        h_settle(h);
        cr_assert_eq(registry_count(h->reg), 1);
        cr_assert_null(snapshot_find(h->snap, IDB));
        h_event(h, "die", IDB, "out-b", T0 + 1);
        h_event(h, "die", IDA, "in-a", T0 + 2);
        h_settle(h);
        cr_assert_eq(h_count(h, "die", NULL), 1);
        cr_assert_str_eq(h->jobs[0].source, "in-a");
        h_free(h);
}

/* docs/events.md "Catch-up": after lost history, containers that ended
 * meanwhile get their die, with the exit code of their inspect; those that
 * ended before the cursor, or whose die the replay has, do not. */
Test(pipeline, lost_history_dispatches_the_dies_the_engine_forgot)
{
        struct h *h = h_new(true);
        struct docker_container list[1] = { { IDA, "a" } };
        struct docker_container ended[2] = { { IDB, "b" }, { "cccc", "c" } };
        struct pipeline_gap gap = { .since = T0 + 5, .ended = ended, .n_ended = 2 };
        const struct h_job *j;

        fake_engine_add(&(struct fake_container){
                .id = IDA, .name = "a", .started_ns = T0,
                .script = { "/contrainer/10" }, .output = { "%me:die\necho d\n" } });
        /* finished at T0 + 0.5 s (fake_engine's FinishedAt) */
        fake_engine_add(&(struct fake_container){ .id = IDB, .name = "b", .started_ns = T0 + 1,
                                                  .gone = true, .ended = true, .exit_code = 3,
                                                  .facts = { "CONTRAINER_LABEL_K=v" } });
        fake_engine_add(&(struct fake_container){ .id = "cccc", .name = "c", .started_ns = 1,
                                                  .gone = true, .ended = true, .exit_code = 4 });
        gap.since = T0 + 600000000ull;
        pipeline_resubscribed(h->pl, T0 + 900000000ull);
        cr_assert_eq(pipeline_collect(h->pl, list, 1, &gap), 0);
        h_settle(h);
        cr_assert_eq(h_count(h, "die", NULL), 0, "ended before the cursor: nothing");
        h_free(h);

        h = h_new(true);
        gap.since = T0 + 5;
        fake_engine_reset();
        fake_engine_add(&(struct fake_container){
                .id = IDA, .name = "a", .started_ns = T0,
                .script = { "/contrainer/10" }, .output = { "%all:die\necho d\n" } });
        fake_engine_add(&(struct fake_container){ .id = IDB, .name = "b", .started_ns = T0 + 1,
                                                  .gone = true, .ended = true, .exit_code = 3,
                                                  .facts = { "CONTRAINER_LABEL_K=v" } });
        pipeline_resubscribed(h->pl, T0 + 900000000ull);
        cr_assert_eq(pipeline_collect(h->pl, list, 1, &gap), 0);
        h_settle(h);
        cr_assert_eq(h_count(h, "die", NULL), 3, "b's die on a, %%host, %%contrainer");
        j = h_job_of(h, "die", "a");
        cr_assert_str_eq(j->source, "b");
        cr_assert_str_eq(strv_env_get(j->vars, "CONTRAINER_EXIT_CODE"), "3");
        cr_assert_str_eq(strv_env_get(j->vars, "CONTRAINER_LABEL_K"), "v");
        cr_assert_str_eq(strv_env_get(j->vars, "CONTRAINER_EVENT_TIME"), "2023-11-14T22:13:20.500000000Z");
        cr_assert_eq(registry_count(h->reg), 1);
        h_free(h);
}
