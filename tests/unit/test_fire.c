/* test_fire.c — registry + snapshot + policy -> body jobs: what fires, on
 * which targets, denials, one body per target per event, the per-registrar
 * cap, immediates served once. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "fire.h"
#include "header.h"
#include "policy.h"
#include "registry.h"
#include "strv.h"

struct sink {
        size_t n;
        char last_target[256];
        char last_event[64];
        int refuse;  /* emit returns this */
};

static const char *var(char *const *v, const char *name)
{
        size_t nl = strlen(name);

        for (size_t i = 0; v && v[i]; i++)
                if (strncmp(v[i], name, nl) == 0 && v[i][nl] == '=')
                        return v[i] + nl + 1;
        return "";
}

static int emit(void *ud, void *cookie, const struct fire_job *j)
{
        struct sink *s = ud;

        (void)cookie;
        snprintf(s->last_target, sizeof(s->last_target), "%s", var(j->vars, "CONTRAINER_TARGET"));
        snprintf(s->last_event, sizeof(s->last_event), "%s", var(j->vars, "CONTRAINER_EVENT"));
        strv_free(j->vars);
        if (s->refuse)
                return s->refuse;
        s->n++;
        return 0;
}

static void reg_add(struct registry *r, const char *id, const char *name, const char *hdr)
{
        struct header *h = NULL;

        cr_assert_eq(header_parse(hdr, strlen(hdr), &h, NULL), 0);
        cr_assert_not_null(registry_add(r, id, name, "/c/10", h, "true", 4, NULL));
}

static struct event ev(const char *action, const char *id, const char *name)
{
        struct event e = { .time_nano = 1 };

        snprintf(e.type, sizeof(e.type), "container");
        snprintf(e.action, sizeof(e.action), "%s", action);
        snprintf(e.id, sizeof(e.id), "%s", id);
        snprintf(e.name, sizeof(e.name), "%s", name);
        return e;
}

static const struct container_ref running[] = {
        { .id = "a", .name = "na", .traits = TRAIT_KNOWN },
        { .id = "b", .name = "nb", .traits = TRAIT_KNOWN },
};
static const struct snapshot view = { .containers = running, .n = 2, .self_id = "" };

Test(fire, an_entry_fires_on_its_event_on_every_target)
{
        struct sink s = { 0 };
        struct policy *p = policy_new();
        struct registry *r = registry_new();
        struct fire *f;
        struct event e = ev("start", "b", "nb");

        policy_add_all(p);
        f = fire_new(&(struct fire_config){ .policy = p, .emit = emit, .ud = &s });
        reg_add(r, "a", "na", "%all!%me:start");
        cr_assert_eq(fire_event(f, r, &view, &e, "nb", NULL, NULL), 3, "nb, %%host, %%contrainer");
        e = ev("stop", "b", "nb");
        cr_assert_eq(fire_event(f, r, &view, &e, "nb", NULL, NULL), 0);
        fire_free(f);
        registry_free(r);
        policy_free(p);
}

Test(fire, without_a_rule_only_the_registrar_itself_is_reached)
{
        struct sink s = { 0 };
        struct policy *p = policy_new();
        struct registry *r = registry_new();
        struct fire *f = fire_new(&(struct fire_config){ .policy = p, .emit = emit, .ud = &s });
        struct event e = ev("start", "b", "nb");

        reg_add(r, "a", "na", "%all:start");
        cr_assert_eq(fire_event(f, r, &view, &e, "nb", NULL, NULL), 1);
        cr_assert_str_eq(s.last_target, "na");
        fire_free(f);
        registry_free(r);
        policy_free(p);
}

Test(fire, several_entries_naming_one_target_run_its_body_once)
{
        struct sink s = { 0 };
        struct policy *p = policy_new();
        struct registry *r = registry_new();
        struct fire *f = fire_new(&(struct fire_config){ .policy = p, .emit = emit, .ud = &s });
        struct event e = ev("start", "a", "na");

        reg_add(r, "a", "na", "%me:start,na:start");
        cr_assert_eq(fire_event(f, r, &view, &e, "na", NULL, NULL), 1);
        fire_free(f);
        registry_free(r);
        policy_free(p);
}

Test(fire, only_id_limits_to_that_registrar)
{
        struct sink s = { 0 };
        struct policy *p = policy_new();
        struct registry *r = registry_new();
        struct fire *f = fire_new(&(struct fire_config){ .policy = p, .emit = emit, .ud = &s });
        struct event e = ev("start", "a", "na");

        reg_add(r, "a", "na", "%me:start");
        reg_add(r, "b", "nb", "%me:start");
        cr_assert_eq(fire_event(f, r, &view, &e, "na", "b", NULL), 1);
        cr_assert_str_eq(s.last_target, "nb");
        fire_free(f);
        registry_free(r);
        policy_free(p);
}

Test(fire, immediates_serve_each_target_once_and_only_when_queued)
{
        struct sink s = { .refuse = -7 };
        struct policy *p = policy_new();
        struct registry *r = registry_new();
        struct fire *f = fire_new(&(struct fire_config){ .policy = p, .emit = emit, .ud = &s });

        reg_add(r, "a", "na", "");
        cr_assert_eq(fire_immediates(f, r, &view, NULL), 0, "the sink refused");
        s.refuse = 0;
        cr_assert_eq(fire_immediates(f, r, &view, NULL), 1, "not served yet: again");
        cr_assert_str_eq(s.last_event, "immediate");
        cr_assert_eq(fire_immediates(f, r, &view, NULL), 0, "served");
        fire_free(f);
        registry_free(r);
        policy_free(p);
}

Test(fire, a_registrar_over_its_cap_loses_its_bodies_until_they_drain)
{
        struct sink s = { 0 };
        struct policy *p = policy_new();
        struct registry *r = registry_new();
        struct fire *f = fire_new(&(struct fire_config){ .policy = p, .emit = emit, .ud = &s });
        struct event e = ev("ping", "a", "na");

        reg_add(r, "a", "na", "%me:ping");
        for (int i = 0; i < REGISTRAR_BODIES_MAX; i++)
                cr_assert_eq(fire_event(f, r, &view, &e, "na", NULL, NULL), 1);
        cr_assert_eq(fire_event(f, r, &view, &e, "na", NULL, NULL), 0, "over the cap");
        fire_body_done(f, "a");
        cr_assert_eq(fire_event(f, r, &view, &e, "na", NULL, NULL), 1, "one drained");
        fire_free(f);
        registry_free(r);
        policy_free(p);
}

/* docs/events.md "Events": "health_status: unhealthy" fires the entries on
 * health_status and on unhealthy, not those on healthy; once per target. */
Test(fire, a_health_event_fires_its_state_and_health_status)
{
        struct sink s = { 0 };
        struct policy *p = policy_new();
        struct registry *r = registry_new();
        struct fire *f = fire_new(&(struct fire_config){ .policy = p, .emit = emit, .ud = &s });
        struct event e = ev("health_status", "a", "na");

        snprintf(e.health, sizeof(e.health), "unhealthy");
        reg_add(r, "a", "na", "%me:unhealthy");
        reg_add(r, "b", "nb", "%me:healthy");
        reg_add(r, "b", "nb", "%me:health_status");
        reg_add(r, "a", "na", "%me:health_status:unhealthy,%me:unhealthy");
        cr_assert_eq(fire_event(f, r, &view, &e, "na", NULL, NULL), 3);
        cr_assert_str_eq(s.last_event, "health_status");
        snprintf(e.health, sizeof(e.health), "healthy");
        cr_assert_eq(fire_event(f, r, &view, &e, "na", NULL, NULL), 3);
        snprintf(e.health, sizeof(e.health), "starting");
        cr_assert_eq(fire_event(f, r, &view, &e, "na", NULL, NULL), 2);
        fire_free(f);
        registry_free(r);
        policy_free(p);
}
