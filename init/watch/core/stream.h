/* stream.h — the Engine side of the controller (docs/watch.md "Guarantees"): the /events
 * stream on a curl multi handle, (re)subscribing with since=cursor before
 * listing the running containers, detecting lost history with a finite
 * replay, back-off from BACKOFF_MIN_MS doubling to BACKOFF_MAX_MS (said
 * once per outage), and a /_ping when the stream is quiet.
 * Owns: the multi handle, the /events transfer, the line splitter, the
 * connection state.  Does not own: what an event causes (it emits each
 * parsed event through on_event), the cursor (the caller passes it).
 * Context: main loop only; stream_connect and the ping block briefly. */
#ifndef CONTRAINER_STREAM_H
#define CONTRAINER_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct curl_waitfd;
struct docker;
struct docker_container;
struct event;
struct cursor;

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 10000
#define PING_IDLE_MS 30000  /* a quiet stream is checked with /_ping this often */

struct stream_config {
        struct docker *docker;
        bool live;   /* open the live stream (false: --once, the finite replay only) */
        /* One parsed event (any type); borrowed during the call. */
        void (*on_event)(void *ud, const struct event *e);
        void *ud;
};

/* What one (re)subscription found. */
struct stream_session {
        uint64_t since;                 /* the since= used (the cursor, or now) */
        uint64_t listing_ns;            /* when the container list was taken */
        struct docker_container *list;  /* the running containers */
        size_t n_list;
        struct event *seen;             /* the finite replay from the cursor's event */
        size_t n_seen;
        bool gap;                       /* the cursor's event was not replayed */
        struct docker_container *ended; /* gap: the stopped containers (docs/events.md "Catch-up") */
        size_t n_ended;
};

/* The replay is asked this much before the cursor (Podman rounds since=). */
#define STREAM_SINCE_SLACK_NS 1000000

/* Stopped containers looked at after lost history, newest first. */
#define STREAM_ENDED_MAX 1000

struct stream;

struct stream *stream_new(const struct stream_config *cfg);  /* NULL on ENOMEM */
struct stream *stream_free(struct stream *s);                /* NULL-safe */

/* Negotiate, replay since CURSOR (if it has a time) to detect lost
 * history, subscribe (since=cursor, or now), list the running containers.
 * 0 with *RET filled (free with stream_session_free), -errno. */
int stream_connect(struct stream *s, const struct cursor *cursor, struct stream_session *ret);
void stream_session_free(struct stream_session *ss);

/* The Engine is gone (WHY): close the stream, say so once per outage, back off. */
void stream_retry(struct stream *s, const char *why);

/* Close the /events transfer (stopping). */
void stream_close(struct stream *s);

bool stream_connected(const struct stream *s);

/* Disconnected and the back-off has passed? */
bool stream_retry_due(const struct stream *s);

/* Lower *TIMEOUT_MS to the next retry, if disconnected. */
void stream_timeout(const struct stream *s, long *timeout_ms);

/* curl_multi_poll over the stream and the caller's extra fds. */
void stream_wait(struct stream *s, struct curl_waitfd *extra, unsigned n, int timeout_ms);

/* Read what arrived (on_event per event); an ended transfer is an outage. */
void stream_perform(struct stream *s);

/* A stream quiet for PING_IDLE_MS: is the daemon still there?  A frozen
 * daemon keeps the socket open without EOF (docs/engine-notes.md: "detect death
 * by EOF/error plus a periodic /_ping"). */
void stream_liveness(struct stream *s);

#endif
