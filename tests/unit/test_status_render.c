/* test_status_render.c — the /metrics text (exact lines, escaping, the
 * histogram), the /status JSON (layout, registrations grouped per
 * container, the size cap) and the `contrainer status` table. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "header.h"
#include "registry.h"
#include "stats.h"
#include "status_table.h"
#include "status_render.h"

static struct status_info info(void)
{
        static const char *const un[] = { "%host", "direct dispatch", NULL };
        struct status_info i = {
                .version = "9.9.9", .node = "node1", .engine = "/run/d.sock",
                .api_version = "1.41\"x", .connected = true,
                .engine_name = "Podman", .engine_version = "4.3.1",
                .direct_reason = "container 'a': conmon",  .direct_fallbacks = 2,
                .cursor_time_nano = 1795942831475438801ull, .cursor_id = "abc", .cursor_action = "start",
                .dispatch_mode = "api", .unavailable = un,
                .events_queued = 3, .bodies_queued = 4, .bodies_running = 1,
                .now_ns = 2000000000000000000ull,
        };

        return i;
}

static struct header *hdr(const char *s)
{
        struct header *h = NULL;

        cr_assert_eq(header_parse(s, strlen(s), &h, NULL), 0);
        return h;
}

static void record(struct stats *s, const char *id, const char *name, const char *status, uint64_t ms)
{
        struct stats_dispatch d = { .time_ns = 1999999990000000000ull, .duration_ms = ms, .latency_ms = ms };

        snprintf(d.registrar_id, sizeof(d.registrar_id), "%s", id);
        snprintf(d.registrar, sizeof(d.registrar), "%s", name);
        snprintf(d.event, sizeof(d.event), "start");
        snprintf(d.target, sizeof(d.target), "%s", name);
        snprintf(d.path, sizeof(d.path), "api");
        snprintf(d.status, sizeof(d.status), "%s", status);
        d.result = stats_classify(status);
        stats_record(s, &d);
}

static bool has_line(const char *text, const char *line)
{
        size_t n = strlen(line);

        for (const char *p = text; (p = strstr(p, line)); p++)
                if ((p == text || p[-1] == '\n') && p[n] == '\n')
                        return true;
        return false;
}

Test(status_render, metrics_lines_escaping_and_histogram)
{
        struct stats *s = stats_new();
        struct status_info i = info();
        size_t len = 0;
        char *m;

        stats_inc(s, STATS_EVENTS);
        stats_inc(s, STATS_EVENTS);
        stats_inc(s, STATS_DENIALS);
        record(s, "a", "na", "exit 0", 7);
        record(s, "a", "na", "exit 2", 1500);
        record(s, "b", "nb", "timeout killed", 70000);
        m = status_render_metrics(&i, s, NULL, &len);
        cr_assert_not_null(m);
        cr_assert_eq(len, strlen(m));
        cr_assert(m[len - 1] == '\n');
        cr_assert(has_line(m, "# TYPE contrainer_events_total counter"));
        cr_assert(has_line(m, "contrainer_events_total 2"));
        cr_assert(has_line(m, "contrainer_denials_total 1"));
        cr_assert(has_line(m, "contrainer_scripts_run_total 0"));
        cr_assert(has_line(m, "contrainer_bodies_total{result=\"ok\"} 1"));
        cr_assert(has_line(m, "contrainer_bodies_total{result=\"failed\"} 1"));
        cr_assert(has_line(m, "contrainer_bodies_total{result=\"timeout\"} 1"));
        cr_assert(has_line(m, "contrainer_queue_depth{queue=\"events\"} 3"));
        cr_assert(has_line(m, "contrainer_queue_depth{queue=\"bodies\"} 4"));
        cr_assert(has_line(m, "contrainer_event_stream_up 1"));
        /* a label value with a quote is escaped */
        cr_assert(has_line(m, "contrainer_info{version=\"9.9.9\",api_version=\"1.41\\\"x\",dispatch_mode=\"api\","
                              "engine=\"Podman\",engine_version=\"4.3.1\",direct=\"api\"} 1"));
        cr_assert(has_line(m, "# TYPE contrainer_dispatch_latency_seconds histogram"));
        cr_assert(has_line(m, "contrainer_dispatch_latency_seconds_bucket{le=\"0.005\"} 0"));
        cr_assert(has_line(m, "contrainer_dispatch_latency_seconds_bucket{le=\"0.01\"} 1"));
        cr_assert(has_line(m, "contrainer_dispatch_latency_seconds_bucket{le=\"1\"} 1"));
        cr_assert(has_line(m, "contrainer_dispatch_latency_seconds_bucket{le=\"2.5\"} 2"));
        cr_assert(has_line(m, "contrainer_dispatch_latency_seconds_bucket{le=\"60\"} 2"));
        cr_assert(has_line(m, "contrainer_dispatch_latency_seconds_bucket{le=\"+Inf\"} 3"));
        cr_assert(has_line(m, "contrainer_dispatch_latency_seconds_sum 71.507"));
        cr_assert(has_line(m, "contrainer_dispatch_latency_seconds_count 3"));
        free(m);
        stats_free(s);
}

Test(status_render, json_groups_registrations_per_container_with_last_results)
{
        struct stats *s = stats_new();
        struct registry *r = registry_new();
        struct status_info i = info();
        size_t len = 0;
        char *j;
        cJSON *root, *cs, *c0, *regs;

        registry_add(r, "ida", "a", "/c/10", hdr("%me:start, b+c:die"), "x", 1, NULL);
        registry_add(r, "idb", "b", "/c/10", hdr(""), "yy", 2, NULL);
        registry_add(r, "ida", "a", "/c/20", hdr("%me"), "z", 1, NULL);
        record(s, "ida", "a", "exit 0", 5);
        record(s, "ida", "a", "exit 1", 5);
        j = status_render_json(&i, s, r, 1 << 20, &len);
        cr_assert_not_null(j);
        cr_assert_eq(len, strlen(j));
        root = cJSON_Parse(j);
        cr_assert_not_null(root);
        cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "cursor"), "time_nano")),
                         "1795942831475438801");
        cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(root, "dispatch_mode")), "api");
        cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "engine"), "name")),
                         "Podman");
        cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "engine"), "version")),
                         "4.3.1");
        cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "direct"), "mode")), "api");
        cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "direct"), "reason")),
                         "container 'a': conmon");
        cr_assert_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "direct"), "fallbacks")), 2);
        cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "unavailable")), 2);
        cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(root, "truncated")));
        cs = cJSON_GetObjectItem(root, "containers");
        cr_assert_eq(cJSON_GetArraySize(cs), 2);
        c0 = cJSON_GetArrayItem(cs, 0);
        cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c0, "name")), "a");
        regs = cJSON_GetObjectItem(c0, "registrations");
        cr_assert_eq(cJSON_GetArraySize(regs), 2);
        cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(regs, 0), "header")),
                         "%me:start,b+c:die");
        cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(regs, 0), "entries")), 2);
        cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(regs, 1), "script")), "/c/20");
        /* newest first */
        cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
                                 cJSON_GetArrayItem(cJSON_GetObjectItem(c0, "last_results"), 0), "status")), "exit 1");
        cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(cs, 1), "last_results")), 0);
        cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "dispatches")), 2);
        cr_assert_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "counters"), "bodies"), "failed")), 1);
        cJSON_Delete(root);

        /* the table of the same document */
        struct buf t;
        buf_init(&t, 1 << 20);
        cr_assert_eq(status_table(j, &t), 0);
        cr_assert_not_null(strstr(t.data, "not available here: %host, direct dispatch"));
        cr_assert_not_null(strstr(t.data, "\na                        10                   %me:start,b+c:die        start: exit 1 on a"));
        cr_assert_not_null(strstr(t.data, "\nb                        10                   %me "));
        buf_free(&t);
        buf_init(&t, 1 << 20);
        cr_assert_eq(status_table("[1,2]", &t), -EINVAL);
        cr_assert_eq(status_table("not json", &t), -EINVAL);
        buf_free(&t);
        free(j);
        registry_free(r);
        stats_free(s);
}

Test(status_render, json_over_the_cap_leaves_containers_out_and_says_so)
{
        struct stats *s = stats_new();
        struct registry *r = registry_new();
        struct status_info i = info();
        size_t len = 0;
        char id[32], *j;
        cJSON *root;

        for (int k = 0; k < 2000; k++) {
                snprintf(id, sizeof(id), "id%d", k);
                registry_add(r, id, id, "/c/10-a-rather-long-script-name", hdr("%me:start"), "x", 1, NULL);
        }
        j = status_render_json(&i, s, r, 64 * 1024, &len);
        cr_assert_not_null(j);
        cr_assert_leq(len, 64 * 1024);
        root = cJSON_Parse(j);
        cr_assert_not_null(root);
        cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(root, "truncated")));
        cr_assert_lt(cJSON_GetArraySize(cJSON_GetObjectItem(root, "containers")), 2000);
        cJSON_Delete(root);
        free(j);
        registry_free(r);
        stats_free(s);
}

/* docs/events.md "Status": label registrations and the scope are shown in
 * /status, /metrics and the table. */
Test(status_render, label_registrations_and_the_scope_are_shown)
{
        static const char *const scope[] = { "label=com.docker.compose.project=shop", "name=^web", NULL };
        struct status_info i = info();
        struct stats *s = stats_new();
        struct registry *r = registry_new();
        struct registration *g;
        struct buf b;
        char *text;
        size_t len;

        i.scope = scope;
        cr_assert_not_null(registry_add(r, "id1", "web", "/contrainer/10", hdr("%me:start"), "x", 1, NULL));
        g = registry_add(r, "id1", "web", "reload", hdr("%me:die"), "y", 1, NULL);
        g->from_label = true;
        text = status_render_json(&i, s, r, 1 << 20, &len);
        cr_assert_not_null(strstr(text, "\"scope\":[\"label=com.docker.compose.project=shop\",\"name=^web\"]"), "%s", text);
        cr_assert_not_null(strstr(text, "\"script\":\"reload\",\"source\":\"label\""), "%s", text);
        cr_assert_not_null(strstr(text, "\"script\":\"/contrainer/10\",\"source\":\"script\""), "%s", text);
        buf_init(&b, 1 << 20);
        cr_assert_eq(status_table(text, &b), 0);
        cr_assert_not_null(strstr(b.data, "scope: label=com.docker.compose.project=shop, name=^web"), "%s", b.data);
        cr_assert_not_null(strstr(b.data, "label:reload"), "%s", b.data);
        buf_free(&b);
        free(text);
        text = status_render_metrics(&i, s, r, &len);
        cr_assert(has_line(text, "contrainer_registrations_by_source{source=\"label\"} 1"), "%s", text);
        cr_assert(has_line(text, "contrainer_registrations_by_source{source=\"script\"} 1"), "%s", text);
        cr_assert(has_line(text, "contrainer_scope_info{scope=\"label=com.docker.compose.project=shop, name=^web\"} 1"), "%s", text);
        free(text);
        registry_free(r);
        stats_free(s);
}
