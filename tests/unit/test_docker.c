/* test_docker.c — the Engine client's pure parts: RFC 3339 times exactly
 * to the nanosecond (State.StartedAt vs. a cursor's timeNano). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>

#include "docker.h"

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
