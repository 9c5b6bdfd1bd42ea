/* status_render.c — /status JSON and /metrics text.  See status_render.h. */
#include "status_render.h"

#include "buf.h"
#include "header.h"
#include "registry.h"
#include "stats.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METRICS_MAX (256 * 1024)

/* ---- JSON ------------------------------------------------------------------ */

/* Nanosecond times pass 2^53: a decimal string keeps every digit. */
static void add_u64(cJSON *o, const char *k, uint64_t v)
{
        char s[24];

        snprintf(s, sizeof(s), "%" PRIu64, v);
        cJSON_AddStringToObject(o, k, s);
}

static cJSON *dispatch_json(const struct stats_dispatch *d, uint64_t now_ns)
{
        cJSON *o = cJSON_CreateObject();

        if (!o)
                return NULL;
        add_u64(o, "time_nano", d->time_ns);
        cJSON_AddNumberToObject(o, "age_s", now_ns > d->time_ns ? (double)((now_ns - d->time_ns) / 1000000000ull) : 0);
        cJSON_AddStringToObject(o, "registrar", d->registrar);
        cJSON_AddStringToObject(o, "registrar_id", d->registrar_id);
        cJSON_AddStringToObject(o, "event", d->event);
        cJSON_AddStringToObject(o, "target", d->target);
        cJSON_AddStringToObject(o, "path", d->path);
        cJSON_AddStringToObject(o, "status", d->status);
        cJSON_AddStringToObject(o, "result", stats_result_name(d->result));
        cJSON_AddNumberToObject(o, "duration_ms", (double)d->duration_ms);
        cJSON_AddNumberToObject(o, "latency_ms", (double)d->latency_ms);
        return o;
}

/* The registration G as JSON; adds its approximate size to *SIZE. */
static cJSON *registration_json(const struct registration *g, size_t *size)
{
        cJSON *o = cJSON_CreateObject(), *ents;
        struct buf h;

        if (!o)
                return NULL;
        buf_init(&h, HEADER_MAX_LEN + 16);
        cJSON_AddStringToObject(o, "script", g->script ? g->script : "");
        /* docs/events.md "Label hooks": script is then the hook's NAME */
        cJSON_AddStringToObject(o, "source", g->from_label ? "label" : "script");
        ents = cJSON_AddArrayToObject(o, "entries");
        for (size_t e = 0; g->hdr && e < g->hdr->n_entries; e++) {
                const char *t = g->hdr->entries[e].text ? g->hdr->entries[e].text : "";
                if (e)
                        (void)buf_puts(&h, ",");
                (void)buf_puts(&h, t);
                cJSON_AddItemToArray(ents, cJSON_CreateString(t));
                *size += 2 * strlen(t) + 8;
        }
        cJSON_AddStringToObject(o, "header", h.data ? h.data : "");
        cJSON_AddNumberToObject(o, "body_bytes", g->body ? (double)g->body->len : 0);
        *size += 96 + (g->script ? strlen(g->script) : 0);
        buf_free(&h);
        return o;
}

static cJSON *container_json(const struct registration *g, const struct stats *s,
                             uint64_t now_ns, size_t *size)
{
        const struct stats_dispatch *last[STATS_LAST];
        size_t n = stats_last_of(s, g->id, last, STATS_LAST);
        cJSON *o = cJSON_CreateObject(), *lr;

        if (!o)
                return NULL;
        cJSON_AddStringToObject(o, "id", g->id);
        cJSON_AddStringToObject(o, "name", g->name);
        cJSON_AddArrayToObject(o, "registrations");
        lr = cJSON_AddArrayToObject(o, "last_results");
        for (size_t i = 0; i < n; i++)
                cJSON_AddItemToArray(lr, dispatch_json(last[i], now_ns));
        *size += 128 + strlen(g->name) + n * 400;
        return o;
}

char *status_render_json(const struct status_info *in, const struct stats *s,
                         const struct registry *r, size_t max, size_t *ret_len)
{
        cJSON *root = cJSON_CreateObject(), *o, *a, *un, *ctrs, **seen = NULL;
        size_t size = 4096 + STATS_RING * 600, n_seen = 0, nreg = r ? registry_count(r) : 0;
        char *text = NULL;
        bool truncated = false;

        if (!root)
                return NULL;
        cJSON_AddStringToObject(root, "version", in->version);
        cJSON_AddStringToObject(root, "node", in->node ? in->node : "");
        o = cJSON_AddObjectToObject(root, "engine");
        cJSON_AddStringToObject(o, "socket", in->engine ? in->engine : "");
        cJSON_AddBoolToObject(o, "connected", in->connected);
        cJSON_AddStringToObject(o, "api_version", in->api_version ? in->api_version : "");
        cJSON_AddStringToObject(o, "name", in->engine_name ? in->engine_name : "");
        cJSON_AddStringToObject(o, "version", in->engine_version ? in->engine_version : "");
        o = cJSON_AddObjectToObject(root, "direct");
        cJSON_AddStringToObject(o, "mode", in->direct_mode ? in->direct_mode
                                           : in->dispatch_mode ? in->dispatch_mode : "api");
        cJSON_AddStringToObject(o, "reason", in->direct_reason ? in->direct_reason : "");
        cJSON_AddNumberToObject(o, "fallbacks", (double)in->direct_fallbacks);
        o = cJSON_AddObjectToObject(root, "cursor");
        add_u64(o, "time_nano", in->cursor_time_nano);
        cJSON_AddStringToObject(o, "id", in->cursor_id ? in->cursor_id : "");
        cJSON_AddStringToObject(o, "action", in->cursor_action ? in->cursor_action : "");
        cJSON_AddStringToObject(root, "dispatch_mode", in->dispatch_mode ? in->dispatch_mode : "api");
        un = cJSON_AddArrayToObject(root, "scope");
        for (size_t i = 0; in->scope && in->scope[i]; i++)
                cJSON_AddItemToArray(un, cJSON_CreateString(in->scope[i]));
        un = cJSON_AddArrayToObject(root, "unavailable");
        for (size_t i = 0; in->unavailable && in->unavailable[i]; i++)
                cJSON_AddItemToArray(un, cJSON_CreateString(in->unavailable[i]));
        o = cJSON_AddObjectToObject(root, "queue");
        cJSON_AddNumberToObject(o, "events", (double)in->events_queued);
        cJSON_AddNumberToObject(o, "bodies_queued", (double)in->bodies_queued);
        cJSON_AddNumberToObject(o, "bodies_running", (double)in->bodies_running);
        ctrs = cJSON_AddObjectToObject(root, "counters");
        for (int k = 0; k < STATS_N_COUNTERS; k++)
                cJSON_AddNumberToObject(ctrs, stats_counter_name(k), (double)stats_counter(s, k));
        o = cJSON_AddObjectToObject(ctrs, "bodies");
        for (int k = 0; k < STATS_N_RESULTS; k++)
                cJSON_AddNumberToObject(o, stats_result_name(k), (double)stats_results(s, k));

        a = cJSON_AddArrayToObject(root, "containers");
        seen = calloc(nreg ? nreg : 1, sizeof(*seen));
        if (!seen)
                goto out;
        for (size_t i = 0; i < nreg; i++) {
                const struct registration *g = registry_at(r, i);
                cJSON *c = NULL;

                for (size_t j = 0; j < n_seen && !c; j++)
                        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(seen[j], "id")), g->id) == 0)
                                c = seen[j];
                if (!c) {
                        if (size > max) {
                                truncated = true;
                                continue;
                        }
                        c = container_json(g, s, in->now_ns, &size);
                        if (!c)
                                goto out;
                        cJSON_AddItemToArray(a, c);
                        seen[n_seen++] = c;
                }
                if (size > max) {
                        truncated = true;
                        continue;
                }
                cJSON_AddItemToArray(cJSON_GetObjectItem(c, "registrations"), registration_json(g, &size));
        }
        a = cJSON_AddArrayToObject(root, "dispatches");
        for (size_t i = 0; i < stats_ring_len(s); i++)
                cJSON_AddItemToArray(a, dispatch_json(stats_ring_at(s, i), in->now_ns));
        cJSON_AddBoolToObject(root, "truncated", truncated);
        text = cJSON_PrintUnformatted(root);
        if (text && strlen(text) > max) {
                /* The estimate was off: the containers go, the rest stays. */
                cJSON_free(text);
                cJSON_DeleteItemFromObject(root, "containers");
                cJSON_AddArrayToObject(root, "containers");
                cJSON_DeleteItemFromObject(root, "truncated");
                cJSON_AddTrueToObject(root, "truncated");
                text = cJSON_PrintUnformatted(root);
        }
        if (text) {
                /* cJSON_free and free may differ: hand back a malloc'ed copy. */
                char *copy = strdup(text);
                cJSON_free(text);
                text = copy;
                if (text)
                        *ret_len = strlen(text);
        }
out:
        free(seen);
        cJSON_Delete(root);
        return text;
}

/* ---- Prometheus text ---------------------------------------------------------- */

/* A label value: \ " and newline escaped (exposition format 0.0.4). */
static void put_label(struct buf *b, const char *v)
{
        for (; v && *v; v++) {
                if (*v == '\\')
                        (void)buf_puts(b, "\\\\");
                else if (*v == '"')
                        (void)buf_puts(b, "\\\"");
                else if (*v == '\n')
                        (void)buf_puts(b, "\\n");
                else
                        (void)buf_append(b, v, 1);
        }
}

static void put_head(struct buf *b, const char *name, const char *type, const char *help)
{
        char line[512];

        snprintf(line, sizeof(line), "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
        (void)buf_puts(b, line);
}

static void put_value(struct buf *b, const char *name, const char *labels, uint64_t v)
{
        char line[512];

        snprintf(line, sizeof(line), "%s%s %" PRIu64 "\n", name, labels ? labels : "", v);
        (void)buf_puts(b, line);
}

static void put_counter(struct buf *b, const char *name, const char *help, uint64_t v)
{
        put_head(b, name, "counter", help);
        put_value(b, name, NULL, v);
}

static void put_gauge(struct buf *b, const char *name, const char *help, uint64_t v)
{
        put_head(b, name, "gauge", help);
        put_value(b, name, NULL, v);
}

char *status_render_metrics(const struct status_info *in, const struct stats *s,
                            const struct registry *r, size_t *ret_len)
{
        struct buf b;
        char lab[128];
        char *text;

        buf_init(&b, METRICS_MAX);
        put_head(&b, "contrainer_info", "gauge", "Version, Engine API version, engine and dispatch mode of this controller.");
        (void)buf_puts(&b, "contrainer_info{version=\"");
        put_label(&b, in->version);
        (void)buf_puts(&b, "\",api_version=\"");
        put_label(&b, in->api_version);
        (void)buf_puts(&b, "\",dispatch_mode=\"");
        put_label(&b, in->dispatch_mode ? in->dispatch_mode : "api");
        (void)buf_puts(&b, "\",engine=\"");
        put_label(&b, in->engine_name ? in->engine_name : "");
        (void)buf_puts(&b, "\",engine_version=\"");
        put_label(&b, in->engine_version ? in->engine_version : "");
        (void)buf_puts(&b, "\",direct=\"");
        put_label(&b, in->direct_mode ? in->direct_mode : in->dispatch_mode ? in->dispatch_mode : "api");
        (void)buf_puts(&b, "\"} 1\n");
        put_gauge(&b, "contrainer_event_stream_up", "1 while the Engine's event stream is live.", in->connected);
        put_counter(&b, "contrainer_events_total", "Container events read from the Engine's event stream.",
                    stats_counter(s, STATS_EVENTS));
        put_counter(&b, "contrainer_scripts_run_total", "Registration scripts run in containers.",
                    stats_counter(s, STATS_SCRIPTS));
        put_head(&b, "contrainer_bodies_total", "counter", "Bodies finished, by result.");
        for (int k = 0; k < STATS_N_RESULTS; k++) {
                snprintf(lab, sizeof(lab), "{result=\"%s\"}", stats_result_name(k));
                put_value(&b, "contrainer_bodies_total", lab, stats_results(s, k));
        }
        put_counter(&b, "contrainer_denials_total", "Targets refused by the --allow policy.",
                    stats_counter(s, STATS_DENIALS));
        put_counter(&b, "contrainer_reconnects_total", "Reconnections to the Docker Engine.",
                    stats_counter(s, STATS_RECONNECTS));
        put_counter(&b, "contrainer_reconciliations_total",
                    "Lost-history reconciliations from the container list.", stats_counter(s, STATS_RECONCILES));
        put_head(&b, "contrainer_queue_depth", "gauge", "Work waiting: events not yet resolved, bodies not yet started.");
        put_value(&b, "contrainer_queue_depth", "{queue=\"events\"}", in->events_queued);
        put_value(&b, "contrainer_queue_depth", "{queue=\"bodies\"}", in->bodies_queued);
        put_gauge(&b, "contrainer_bodies_running", "Bodies running now.", in->bodies_running);
        put_gauge(&b, "contrainer_registrations", "Registrations held.", r ? registry_count(r) : 0);
        {
                size_t nl = 0, nr = r ? registry_count(r) : 0;

                for (size_t i = 0; i < nr; i++)
                        nl += registry_at(r, i)->from_label;
                put_head(&b, "contrainer_registrations_by_source", "gauge",
                         "Registrations held, from scripts and from label hooks.");
                put_value(&b, "contrainer_registrations_by_source", "{source=\"script\"}", nr - nl);
                put_value(&b, "contrainer_registrations_by_source", "{source=\"label\"}", nl);
        }
        put_counter(&b, "contrainer_label_hooks_total", "Label hooks read from containers' labels.",
                    stats_counter(s, STATS_LABEL_HOOKS));
        put_head(&b, "contrainer_scope_info", "gauge", "The --scope filters of this controller (empty: none).");
        (void)buf_puts(&b, "contrainer_scope_info{scope=\"");
        for (size_t i = 0; in->scope && in->scope[i]; i++) {
                if (i)
                        (void)buf_puts(&b, ", ");
                put_label(&b, in->scope[i]);
        }
        (void)buf_puts(&b, "\"} 1\n");
        put_head(&b, "contrainer_dispatch_latency_seconds", "histogram",
                 "Time from queueing a body to its end.");
        for (size_t i = 0; i <= STATS_N_BUCKETS; i++) {
                if (i < STATS_N_BUCKETS)
                        snprintf(lab, sizeof(lab), "{le=\"%g\"}", stats_bucket_ms[i] / 1000.0);
                else
                        snprintf(lab, sizeof(lab), "{le=\"+Inf\"}");
                put_value(&b, "contrainer_dispatch_latency_seconds_bucket", lab, stats_bucket(s, i));
        }
        {
                uint64_t ms = stats_latency_sum_ms(s);
                char line[128];
                snprintf(line, sizeof(line), "contrainer_dispatch_latency_seconds_sum %" PRIu64 ".%03u\n",
                         ms / 1000, (unsigned)(ms % 1000));
                (void)buf_puts(&b, line);
        }
        put_value(&b, "contrainer_dispatch_latency_seconds_count", NULL, stats_bucket(s, STATS_N_BUCKETS));
        text = buf_steal(&b);
        if (text)
                *ret_len = strlen(text);
        return text;
}
