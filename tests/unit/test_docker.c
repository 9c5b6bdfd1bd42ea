/* test_docker.c — the Engine client's pure parts: RFC 3339 times exactly
 * to the nanosecond (State.StartedAt vs. a cursor's timeNano; the parser
 * itself: test_rfc3339.c), the /events URL and query escaping. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

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
