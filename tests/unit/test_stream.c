/* The controller's (re)subscription against fake Engines (stream.h,
 * docs/watch.md "Never lost: the cursor"): an engine that rounds since=
 * (Podman parses it as a float) does not look like lost history, and a
 * list of ended containers the engine refuses costs the die catch-up
 * only, never the connection. */
#include "cursor.h"
#include "docker.h"
#include "events.h"
#include "fake_socket.h"
#include "stream.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char podman43[] =
        "{\"Components\":[{\"Name\":\"Podman Engine\",\"Version\":\"4.3.1\"}],"
        "\"Version\":\"4.3.1\",\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.24\"}";

#define T_CURSOR UINT64_C(1796404266234471447)

struct fake {
        bool lost;          /* the engine no longer has the cursor's event */
        bool refuse_ended;  /* HTTP 500 on every list of ended containers */
};

static void event_line(char *dst, size_t dstsz, const char *id, const char *action, uint64_t t)
{
        snprintf(dst, dstsz,
                 "{\"Type\":\"container\",\"Action\":\"%s\",\"Actor\":{\"ID\":\"%s\",\"Attributes\":"
                 "{\"name\":\"%s\"}},\"time\":%" PRIu64 ",\"timeNano\":%" PRIu64 "}\n",
                 action, id, id, t / UINT64_C(1000000000), t);
}

/* Podman 4.3 as seen: since= is compared after a float conversion, so the
 * event at exactly since= may be left out: here it always is (exclusive);
 * the state "dead" is an error. */
static void answer(int c, const char *req, void *ud)
{
        const struct fake *f = ud;
        char t[512], body[1024] = "", line[300];
        unsigned long long sec = 0, ns = 0;
        const char *s;

        fake_socket_target(req, t, sizeof(t));
        if (strstr(t, "/_ping")) {
                fake_socket_reply(c, 200, "Api-Version: 1.41\r\n", "OK");
        } else if (strstr(t, "/version")) {
                fake_socket_reply(c, 200, "", podman43);
        } else if ((s = strstr(t, "/events?since=")) && sscanf(s, "/events?since=%llu.%9llu", &sec, &ns) == 2) {
                uint64_t since = (uint64_t)sec * UINT64_C(1000000000) + ns;
                struct {
                        const char *id, *action;
                        uint64_t t;
                } ev[] = { { "c0", "start", T_CURSOR - 500000 },
                           { "c1", "start", T_CURSOR },
                           { "c2", "start", T_CURSOR + 1000 },
                           { "c3", "die", T_CURSOR + 2000000 } };

                for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
                        if (ev[i].t <= since || (f->lost && i < 2))
                                continue;
                        event_line(line, sizeof(line), ev[i].id, ev[i].action, ev[i].t);
                        strncat(body, line, sizeof(body) - strlen(body) - 1);
                }
                fake_socket_reply(c, 200, "", body);
        } else if (strstr(t, "/containers/json") && strstr(t, "status")) {
                if (f->refuse_ended || strstr(t, "dead"))
                        fake_socket_reply(c, 500, "",
                                          "{\"cause\":\"invalid argument\",\"message\":\"unknown container "
                                          "state: dead: invalid argument\",\"response\":500}");
                else
                        fake_socket_reply(c, 200, "", "[{\"Id\":\"c3\",\"Names\":[\"/c3\"]}]");
        } else if (strstr(t, "/containers/json")) {
                fake_socket_reply(c, 200, "", "[{\"Id\":\"c2\",\"Names\":[\"/c2\"]}]");
        } else {
                fake_socket_reply(c, 404, "", "{\"message\":\"page not found\"}");
        }
}

static void on_event(void *ud, const struct event *e)
{
        (void)ud;
        (void)e;
}

/* Connect to FAKE once (the finite replay only), from the cursor c1/start. */
static int connect_once(struct fake *f, struct stream_session *ss)
{
        struct cursor cur = { .time_nano = T_CURSOR };
        char sock[64];
        struct docker *d;
        struct stream *s;
        pid_t p;
        int r;

        snprintf(cur.id, sizeof(cur.id), "c1");
        snprintf(cur.action, sizeof(cur.action), "start");
        snprintf(sock, sizeof(sock), "/tmp/ctrtest-stream-%d.sock", (int)getpid());
        p = fake_socket_start(sock, answer, f);
        d = docker_new(sock);
        cr_assert_not_null(d);
        s = stream_new(&(struct stream_config){ .docker = d, .live = false, .on_event = on_event });
        cr_assert_not_null(s);
        r = stream_connect(s, &cur, ss);
        stream_free(s);
        docker_free(d);
        fake_socket_stop(p, sock);
        return r;
}

Test(stream, an_engine_that_rounds_since_does_not_look_like_lost_history)
{
        struct fake f = { .lost = false };
        struct stream_session ss;

        cr_assert_eq(connect_once(&f, &ss), 0);
        cr_assert(!ss.gap, "the cursor's event came back: no lost history");
        /* the replay starts at the cursor's own event: older ones are dropped */
        cr_assert_eq(ss.n_seen, 3);
        cr_assert_str_eq(ss.seen[0].id, "c1");
        cr_assert_str_eq(ss.seen[2].id, "c3");
        cr_assert_eq(ss.n_ended, 0, "no catch-up without lost history");
        stream_session_free(&ss);
}

Test(stream, lost_history_on_podman_lists_the_ended_with_podmans_states)
{
        struct fake f = { .lost = true };
        struct stream_session ss;

        cr_assert_eq(connect_once(&f, &ss), 0);
        cr_assert(ss.gap);
        cr_assert_eq(ss.n_ended, 1, "the list did not ask for the state 'dead'");
        cr_assert_str_eq(ss.ended[0].name, "c3");
        stream_session_free(&ss);
}

Test(stream, a_refused_list_of_ended_containers_costs_the_catch_up_not_the_connection)
{
        struct fake f = { .lost = true, .refuse_ended = true };
        struct stream_session ss;

        cr_assert_eq(connect_once(&f, &ss), 0);
        cr_assert(ss.gap);
        cr_assert_eq(ss.n_ended, 0);
        cr_assert_eq(ss.n_list, 1, "the running containers are listed");
        stream_session_free(&ss);
}
