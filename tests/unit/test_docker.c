/* test_docker.c — the Engine client's pure parts: RFC 3339 times exactly
 * to the nanosecond (State.StartedAt vs. a cursor's timeNano; the parser
 * itself: test_rfc3339.c), the /events URL and query escaping; and the
 * inspect with the listing at once, against a small HTTP server on a unix
 * socket (a forked child answering by path). */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "strv.h"

#include "docker.h"
#include "docker_http.h"

Test(docker, parses_started_at_to_the_nanosecond)
{
        uint64_t t = 0;

        cr_assert_eq(docker_parse_time("2026-11-23T11:29:16.123456789Z", &t), 0);
        cr_assert_eq(t, 1795433356123456789ull);
        cr_assert_eq(docker_parse_time("1970-01-01T00:00:00Z", &t), 0);
        cr_assert_eq(t, 0);
        cr_assert_eq(docker_parse_time("2000-02-29T12:00:00.5Z", &t), 0);
        cr_assert_eq(t, 951825600500000000ull);
}

Test(docker, honours_offsets_and_extra_digits)
{
        uint64_t a = 0, b = 0;

        cr_assert_eq(docker_parse_time("2026-11-23T12:29:16.1234567891+01:00", &a), 0);
        cr_assert_eq(docker_parse_time("2026-11-23T11:29:16.123456789Z", &b), 0);
        cr_assert_eq(a, b);
}

Test(docker, rejects_what_is_not_a_time)
{
        static const char *bad[] = { "", "0001-01-01T00:00:00Z", "2026-13-01T00:00:00Z",
                                     "2026-11-23 11:29:16Z", "2026-11-23T11:29:16", "2026-11-23T11:29:16.Z",
                                     "2026-11-23T11:29:16Zx" };
        uint64_t t;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_eq(docker_parse_time(bad[i], &t), -EINVAL, "accepted '%s'", bad[i]);
}

Test(docker, builds_the_events_url_once_for_both_uses)
{
        struct docker *d = docker_new("/run/docker.sock");
        char *live, *between;

        cr_assert_not_null(d);
        live = docker_events_url(d, 1795433356123456789ull, 0);
        between = docker_events_url(d, 1795433356123456789ull, 1795433357000000000ull);
        cr_assert_str_eq(live, "http://localhost/v1.41/events?since=1795433356.123456789"
                               "&filters=%7B%22type%22%3A%5B%22container%22%5D%7D");
        cr_assert_str_eq(between, "http://localhost/v1.41/events?since=1795433356.123456789"
                                  "&until=1795433357.000000000"
                                  "&filters=%7B%22type%22%3A%5B%22container%22%5D%7D");
        free(live);
        free(between);
        docker_free(d);
}

Test(docker, escapes_a_query_value_as_libcurl_does)
{
        static const char *in[] = { "{\"type\":[\"container\"]}", "/etc/contrainer.d/",
                                    "a b&c=d?e#f%g~h_i.j-k", "\xc3\xa9\x01\x7f" };

        for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
                char *ours = docker_http_escape(in[i]), *theirs = curl_easy_escape(NULL, in[i], 0);

                cr_assert_not_null(ours);
                cr_assert_not_null(theirs);
                cr_assert_str_eq(ours, theirs, "'%s'", in[i]);
                free(ours);
                curl_free(theirs);
        }
}

/* ---- docker_inspect_list / docker_inspect_doc against a fake Engine ------ */

#define FID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Answer each connection by its request line: the inspect of FID (running,
 * or 404 when INSPECT_404), the archive 404 (no such dir); each answer is
 * held back HOLD_MS so that both requests are in flight at once. */
static void serve(int ls, bool inspect_404, int conns)
{
        static const char doc[] = "{\"Id\":\"" FID "\",\"Name\":\"/fake\","
                                  "\"State\":{\"Running\":true,\"StartedAt\":\"2026-01-02T03:04:05.5Z\"},"
                                  "\"Config\":{},\"HostConfig\":{}}";
        char req[4096], out[8192];

        for (int i = 0; i < conns; i++) {
                int c = accept(ls, NULL, NULL);
                ssize_t n;
                size_t got = 0;

                if (c < 0)
                        _exit(1);
                while (got < sizeof(req) - 1 && (n = read(c, req + got, sizeof(req) - 1 - got)) > 0) {
                        got += (size_t)n;
                        req[got] = '\0';
                        if (strstr(req, "\r\n\r\n"))
                                break;
                }
                req[got] = '\0';
                if (strstr(req, "/json") && !inspect_404)
                        n = snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(doc), doc);
                else
                        n = snprintf(out, sizeof(out), "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n"
                                     "Connection: close\r\n\r\n{}");
                if (write(c, out, (size_t)n) != n)
                        _exit(1);
                close(c);
        }
        _exit(0);
}

static pid_t fake_engine(const char *sock, bool inspect_404, int conns)
{
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        pid_t p;

        cr_assert_geq(ls, 0);
        snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
        unlink(sock);
        cr_assert_eq(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(listen(ls, 8), 0);
        p = fork();
        cr_assert_geq(p, 0);
        if (p == 0) {
                alarm(20);
                serve(ls, inspect_404, conns);
        }
        close(ls);
        return p;
}

static void reap(pid_t p, const char *sock)
{
        int st;

        cr_assert_eq(waitpid(p, &st, 0), p);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the fake engine failed");
        unlink(sock);
}

/* The fake Engine on a socket of this test's own (SOCK, 64 bytes), and a
 * client for it; done() ends both. */
static struct docker *connect_fake(char *sock, bool inspect_404, int conns, pid_t *p)
{
        snprintf(sock, 64, "/tmp/ctrtest-dock-%d.sock", (int)getpid());
        *p = fake_engine(sock, inspect_404, conns);
        return docker_new(sock);
}

static void done(struct docker *d, pid_t p, const char *sock)
{
        docker_free(d);
        reap(p, sock);
}

Test(docker, inspects_and_lists_at_once)
{
        char sock[64], **scripts = NULL;
        struct docker_inspect in;
        struct docker *d;
        int rl = 12345;
        pid_t p;

        d = connect_fake(sock, false, 2, &p);
        cr_assert_eq(docker_inspect_list(d, FID, "/contrainer", 8, &in, &rl, &scripts), 0);
        cr_assert_str_eq(in.id, FID);
        cr_assert_str_eq(in.name, "fake");
        cr_assert(in.running);
        cr_assert_eq(in.started_ns, UINT64_C(1767323045500000000));
        cr_assert_eq(rl, -ENOENT, "the archive's 404 is the dir's: %d", rl);
        cr_assert_null(scripts);
        done(d, p, sock);
}

Test(docker, drops_the_listing_when_the_inspect_fails)
{
        char sock[64], **scripts = NULL;
        struct docker_inspect in;
        struct docker *d;
        int rl = 12345;
        pid_t p;

        d = connect_fake(sock, true, 2, &p);
        cr_assert_eq(docker_inspect_list(d, FID, "/contrainer", 8, &in, &rl, &scripts), -ENOENT);
        cr_assert_eq(rl, -ECANCELED);
        cr_assert_null(scripts);
        done(d, p, sock);
}

Test(docker, refuses_an_answer_for_another_container)
{
        char sock[64], **scripts = NULL;
        struct docker_inspect in;
        struct docker *d;
        int rl = 12345;
        pid_t p;

        d = connect_fake(sock, false, 2, &p);
        /* the Engine resolves names too: FID's document for another id */
        cr_assert_eq(docker_inspect_list(d, "fake", "/c", 8, &in, &rl, &scripts), -ENOENT);
        cr_assert_eq(rl, -ECANCELED);
        cr_assert_null(scripts);
        done(d, p, sock);
}

Test(docker, hands_back_the_inspect_document)
{
        struct docker_inspect in;
        struct buf doc = { 0 };
        char sock[64];
        struct docker *d;
        pid_t p;

        d = connect_fake(sock, false, 1, &p);
        cr_assert_eq(docker_inspect_doc(d, FID, &in, &doc), 0);
        cr_assert_str_eq(in.id, FID);
        cr_assert_not_null(doc.data);
        cr_assert_not_null(strstr(doc.data, "\"Id\":\"" FID "\""));
        buf_free(&doc);
        done(d, p, sock);
}

/* docs/events.md "Scope": the label filters go to the Engine's /events. */
Test(docker, scope_labels_reach_the_events_url)
{
        struct docker *d = docker_new("/nonexistent.sock");
        char *labels[] = { "com.docker.compose.project=a b", NULL }, *u;

        cr_assert_eq(docker_set_label_filters(d, labels), 0);
        u = docker_events_url(d, 1000000000, 0);
        cr_assert_not_null(strstr(u, "filters=%7B%22type%22%3A%5B%22container%22%5D%2C%22label%22%3A%5B%22com.docker.compose.project%3Da%20b%22%5D%7D"), "%s", u);
        free(u);
        cr_assert_eq(docker_set_label_filters(d, NULL), 0);
        u = docker_events_url(d, 1000000000, 0);
        cr_assert_null(strstr(u, "label"), "%s", u);
        free(u);
        docker_free(d);
}
