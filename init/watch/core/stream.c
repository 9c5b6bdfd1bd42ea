/* stream.c — the /events stream, subscribing, lost history, back-off,
 * liveness.  See stream.h. */
#include "stream.h"

#include "deadline.h"
#include "docker.h"
#include "events.h"
#include "header.h"
#include "log.h"
#include "cursor.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stream {
        struct stream_config cfg;
        CURLM *multi;
        CURL *easy;
        struct line_splitter *ls;
        bool connected;
        bool outage_logged;
        long backoff_ms;
        int64_t retry_at_ms;
        int64_t seen_ms;   /* last bytes on the stream, or last good /_ping */
};

struct stream *stream_new(const struct stream_config *cfg)
{
        struct stream *s = calloc(1, sizeof(*s));

        if (!s)
                return NULL;
        s->cfg = *cfg;
        s->multi = curl_multi_init();
        s->ls = line_splitter_new(EVENT_LINE_MAX);
        if (!s->multi || !s->ls)
                return stream_free(s);
        return s;
}

struct stream *stream_free(struct stream *s)
{
        if (!s)
                return NULL;
        stream_close(s);
        if (s->multi)
                curl_multi_cleanup(s->multi);
        line_splitter_free(s->ls);
        free(s);
        return NULL;
}

static int on_line(void *ud, const char *line, size_t len)
{
        struct stream *s = ud;
        struct parse_error pe = { 0, "" };
        struct event e;
        char q[200];

        if (event_parse(line, len, &e, &pe) < 0) {
                log_warn("malformed event ignored (byte %zu: %s): %s", pe.pos, pe.what,
                         log_quote(q, sizeof(q), line, len));
                return 0;
        }
        s->cfg.on_event(s->cfg.ud, &e);
        return 0;
}

static size_t on_write(char *p, size_t sz, size_t n, void *ud)
{
        struct stream *s = ud;
        size_t dropped = 0;

        s->seen_ms = deadline_now();
        (void)line_splitter_feed(s->ls, p, sz * n, on_line, s, &dropped);
        if (dropped)
                log_warn("an event line over %u bytes was dropped", EVENT_LINE_MAX);
        return sz * n;
}

void stream_close(struct stream *s)
{
        if (s->easy) {
                curl_multi_remove_handle(s->multi, s->easy);
                curl_easy_cleanup(s->easy);
                s->easy = NULL;
        }
}

static int open_events(struct stream *s, uint64_t since_ns)
{
        char *url;
        int r = -ENOMEM;

        stream_close(s);
        line_splitter_reset(s->ls);
        s->easy = curl_easy_init();
        if (!s->easy)
                return -ENOMEM;
        url = docker_events_url(s->cfg.docker, since_ns, 0);
        if (!url)
                goto out;
        docker_easy_setup(s->cfg.docker, s->easy, url);
        curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_write);
        curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
        /* No CURLOPT_TIMEOUT: it would cut the stream (docs/engine-notes.md). */
        curl_easy_setopt(s->easy, CURLOPT_TCP_KEEPALIVE, 1L);
        if (curl_multi_add_handle(s->multi, s->easy) != CURLM_OK)
                goto out;
        r = 0;
out:
        free(url);
        if (r < 0) {
                curl_easy_cleanup(s->easy);
                s->easy = NULL;
        }
        return r;
}

void stream_session_free(struct stream_session *ss)
{
        free(ss->list);
        free(ss->seen);
        free(ss->ended);
        *ss = (struct stream_session){ 0 };
}

/* Was the cursor's own event replayed?  Then drop what came before it
 * (the slack): SS->seen starts at the cursor. */
static bool replay_has_cursor(struct stream_session *ss, const struct cursor *cursor)
{
        size_t at = ss->n_seen;

        for (size_t i = 0; i < ss->n_seen && at == ss->n_seen; i++)
                if (ss->seen[i].time_nano == cursor->time_nano && strcmp(ss->seen[i].id, cursor->id) == 0 &&
                    strcmp(ss->seen[i].action, cursor->action) == 0)
                        at = i;
        if (at == ss->n_seen)
                return false;
        memmove(ss->seen, ss->seen + at, (ss->n_seen - at) * sizeof(*ss->seen));
        ss->n_seen -= at;
        return true;
}

int stream_connect(struct stream *s, const struct cursor *cursor, struct stream_session *ret)
{
        struct stream_session ss = { 0 };
        uint64_t ask = 0;
        int r;

        r = docker_negotiate(s->cfg.docker);
        if (r < 0)
                return r;
        ss.since = cursor->time_nano ? cursor->time_nano : deadline_wall_ns();
        if (cursor->time_nano) {
                /* Asked a little earlier than the cursor: an engine that
                 * rounds since= (Podman) must still give the cursor's own
                 * event back; the earlier ones are dropped here and by
                 * the replay filter (docs/engine-notes.md "Replay"). */
                ask = cursor->time_nano > STREAM_SINCE_SLACK_NS ? cursor->time_nano - STREAM_SINCE_SLACK_NS : 0;
                r = docker_events_between(s->cfg.docker, ask, deadline_wall_ns(), 4096, &ss.seen, &ss.n_seen);
                if (r < 0)
                        return r;
                /* The cursor's own event must come back, else the Engine
                 * lost it (a daemon restart, or Docker's ring of 256). */
                ss.gap = cursor->id[0] && !replay_has_cursor(&ss, cursor);
        }
        if (s->cfg.live) {
                r = open_events(s, ask ? ask : ss.since);
                if (r < 0)
                        goto fail;
        }
        ss.listing_ns = deadline_wall_ns();
        r = docker_list_running(s->cfg.docker, &ss.list, &ss.n_list);
        if (r < 0)
                goto fail;
        if (ss.gap) {
                r = docker_list_ended(s->cfg.docker, STREAM_ENDED_MAX, &ss.ended, &ss.n_ended);
                if (r < 0) {
                        /* Only the catch-up of deaths is lost, not the connection. */
                        log_errno(LOG_LEVEL_WARN, r,
                                  "cannot list the containers that ended (%m): this catch-up dispatches no die");
                        ss.n_ended = 0;
                }
        }
        s->connected = true;
        s->outage_logged = false;
        *ret = ss;
        return 0;
fail:
        stream_session_free(&ss);
        return r;
}

void stream_retry(struct stream *s, const char *why)
{
        s->connected = false;
        stream_close(s);
        if (!s->outage_logged) {
                log_warn("lost the Docker Engine at %s (%s), retrying with back-off up to %ds",
                         docker_socket_path(s->cfg.docker), why, BACKOFF_MAX_MS / 1000);
                s->outage_logged = true;
                s->backoff_ms = BACKOFF_MIN_MS;
        } else {
                s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
        }
        s->retry_at_ms = deadline_in(s->backoff_ms);
}

bool stream_connected(const struct stream *s)
{
        return s->connected;
}

bool stream_retry_due(const struct stream *s)
{
        return !s->connected && deadline_now() >= s->retry_at_ms;
}

void stream_timeout(const struct stream *s, long *timeout_ms)
{
        long long d;

        if (s->connected)
                return;
        d = s->retry_at_ms - deadline_now();
        if (d < *timeout_ms)
                *timeout_ms = d < 0 ? 0 : (long)d;
}

void stream_wait(struct stream *s, struct curl_waitfd *extra, unsigned n, int timeout_ms)
{
        (void)curl_multi_poll(s->multi, extra, n, timeout_ms, NULL);
}

void stream_perform(struct stream *s)
{
        CURLMsg *m;
        int running = 0, left;

        if (!s->easy)
                return;
        (void)curl_multi_perform(s->multi, &running);
        if (!s->easy)
                return;
        while ((m = curl_multi_info_read(s->multi, &left))) {
                long status = 0;
                char why[128];

                if (m->msg != CURLMSG_DONE || m->easy_handle != s->easy)
                        continue;
                curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
                if (m->data.result != CURLE_OK)
                        snprintf(why, sizeof(why), "%s", curl_easy_strerror(m->data.result));
                else if (status != 200)
                        snprintf(why, sizeof(why), "HTTP status %ld on /events", status);
                else
                        snprintf(why, sizeof(why), "event stream ended");
                stream_retry(s, why);
                return;
        }
}

void stream_liveness(struct stream *s)
{
        int64_t now = deadline_now();
        long status = 0;
        int r;

        if (!s->connected || !s->easy)
                return;
        if (s->seen_ms == 0 || now - s->seen_ms < PING_IDLE_MS) {
                if (s->seen_ms == 0)
                        s->seen_ms = now;
                return;
        }
        r = docker_request(s->cfg.docker, "GET", "/_ping", NULL, 5, &status, NULL);
        s->seen_ms = deadline_now();
        if (r < 0 || status != 200)
                stream_retry(s, r < 0 ? "no answer to /_ping" : "/_ping failed");
}
