/* enroll.c — answers into registrations.  See enroll.h. */
#include "enroll.h"

#include "collector.h"
#include "header.h"
#include "log.h"
#include "registry.h"
#include "stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The path of K's script whose file name is NAME, or NULL. */
static const char *script_named(const struct collect_result *k, const char *name)
{
        for (size_t i = 0; i < k->n; i++) {
                const char *p = k->s[i].path, *b;

                if (k->s[i].label || !p)
                        continue;
                b = strrchr(p, '/');
                if (strcmp(b ? b + 1 : p, name) == 0)
                        return p;
        }
        return NULL;
}

void enroll(struct registry *reg, struct stats *stats, const struct collect_result *k,
            bool keep_served)
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
        } else if (!k->done || k->worker_failed) {
                log_warn("container %s: the collection worker failed", qn);
        }
        /* Keep the old registrations' served sets aside: re-collecting an
         * unchanged container (SIGHUP, reconnect) must not run its
         * immediate entries again. */
        struct {
                char *script;
                bool from_label;
                struct keyset *served;
                size_t n;
                struct header *hdr;
                struct rbody *body;
                uint64_t started_ns;
        } *prev = NULL;
        size_t n_prev = 0;

        if (keep_served) {
                size_t cnt = registry_count_of(reg, k->id), j = 0;
                prev = calloc(cnt ? cnt : 1, sizeof(*prev));
                for (size_t i = 0; prev && i < registry_count(reg); i++) {
                        struct registration *g = registry_at(reg, i);
                        if (strcmp(g->id, k->id))
                                continue;
                        prev[j].script = strdup(g->script);
                        prev[j].from_label = g->from_label;
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
        registry_drop(reg, k->id);

        /* Scripts first, then label hooks (docs/events.md "Label hooks"):
         * registration order is firing order. */
        for (size_t i = 0; i < 2 * k->n; i++) {
                const struct collect_script *s = &k->s[i % k->n];
                const char *hl, *body;
                size_t hlen, blen;
                struct parse_error pe = { 0, "" };
                struct header *h = NULL;
                struct registration *g;
                int r;

                if (s->label != (i >= k->n))
                        continue;
                if (s->label) {
                        const char *shadow = script_named(k, s->path);

                        snprintf(qs, sizeof(qs), "label hook %s", log_q(qr, sizeof(qr), s->path));
                        if (shadow) {
                                log_warn("container %s: script %s and %s: the script wins, the label hook is not registered",
                                         qn, log_q(qr, sizeof(qr), shadow), qs);
                                continue;
                        }
                } else {
                        snprintf(qs, sizeof(qs), "script %s", log_q(qr, sizeof(qr), s->path));
                }
                stats_inc(stats, s->label ? STATS_LABEL_HOOKS : STATS_SCRIPTS);
                if (!s->out) {
                        log_warn("container %s %s: %s, nothing registered", qn, qs,
                                 log_q(qr, sizeof(qr), s->reason ? s->reason : "failed"));
                        continue;
                }
                r = header_split_output(s->out, s->len, &hl, &hlen, &body, &blen, &pe);
                if (r < 0) {
                        log_warn("container %s %s: invalid output at byte %zu: %s, nothing registered",
                                 qn, qs, pe.pos, pe.what);
                        continue;
                }
                r = header_parse(hl, hlen, &h, &pe);
                if (r < 0) {
                        log_warn("container %s %s: invalid header at byte %zu: %s in %s, nothing registered",
                                 qn, qs, pe.pos, r == -ENOMEM ? "out of memory" : pe.what,
                                 log_quote(qr, sizeof(qr), hl, hlen));
                        continue;
                }
                g = registry_add(reg, k->id, k->name, s->path, h, body, blen, &r);
                if (!g) {
                        log_warn("container %s %s: not registered: %s", qn, qs,
                                 r == -E2BIG ? "too many registrations" : "out of memory");
                        continue;
                }
                g->started_ns = k->started_ns;
                g->from_label = s->label;
                for (size_t j = 0; j < n_prev; j++) {
                        /* Same script, same output, same run of the
                         * container: a restarted one registers afresh. */
                        if (!prev[j].script || strcmp(prev[j].script, s->path) ||
                            prev[j].from_label != s->label ||
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
                        log_info("registered: container %s %s %zu %s (%zu duplicate %s merged)", qn, qs,
                                 h->n_entries, h->n_entries == 1 ? "entry" : "entries", g->merged,
                                 g->merged == 1 ? "entry" : "entries");
                else
                        log_info("registered: container %s %s %zu %s", qn, qs, h->n_entries,
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
