/* test_rfc3339.c — the Engine's RFC 3339 timestamps, exactly to the
 * nanosecond (State.StartedAt vs. a cursor's timeNano), against timegm(3)
 * as the reference calendar. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "rfc3339.h"

Test(rfc3339, parses_to_the_nanosecond)
{
        uint64_t t = 0;

        cr_assert_eq(rfc3339_parse("2026-11-23T11:29:16.123456789Z", &t), 0);
        cr_assert_eq(t, 1795433356123456789ull);
        cr_assert_eq(rfc3339_parse("1970-01-01T00:00:00Z", &t), 0);
        cr_assert_eq(t, 0);
        cr_assert_eq(rfc3339_parse("2000-02-29T12:00:00.5Z", &t), 0);
        cr_assert_eq(t, 951825600500000000ull);
        cr_assert_eq(rfc3339_parse("2026-11-23T11:29:16.000000001Z", &t), 0);
        cr_assert_eq(t % 1000000000ull, 1);
        /* The last second 64 bits of nanoseconds hold; the next is refused. */
        cr_assert_eq(rfc3339_parse("2554-07-21T23:34:32.999999999Z", &t), 0);
        cr_assert_eq(t, 18446744072999999999ull);
        cr_assert_eq(rfc3339_parse("2554-07-21T23:34:33Z", &t), -EINVAL);
}

Test(rfc3339, honours_offsets_and_cuts_extra_digits)
{
        uint64_t a = 0, b = 0, c = 0;

        cr_assert_eq(rfc3339_parse("2026-11-23T12:29:16.1234567891+01:00", &a), 0);
        cr_assert_eq(rfc3339_parse("2026-11-23T11:29:16.123456789Z", &b), 0);
        cr_assert_eq(rfc3339_parse("2026-11-23T06:59:16.123456789-04:30", &c), 0);
        cr_assert_eq(a, b);
        cr_assert_eq(c, b);
}

Test(rfc3339, agrees_with_timegm_over_four_centuries)
{
        char s[40];
        uint64_t t;

        /* Every 97th day from 1970 to 2370: leap years, centuries, 2100. */
        for (time_t day = 0; day < 146097; day += 97) {
                time_t secs = day * 86400 + 3723;
                struct tm tm;

                cr_assert_not_null(gmtime_r(&secs, &tm));
                snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
                cr_assert_eq(rfc3339_parse(s, &t), 0, "refused %s", s);
                cr_assert_eq(t, (uint64_t)secs * 1000000000ull, "%s", s);
        }
}

Test(rfc3339, rejects_what_is_not_a_time)
{
        static const char *bad[] = {
                "", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2026-13-01T00:00:00Z",
                "2026-00-01T00:00:00Z", "2026-11-32T00:00:00Z", "2026-11-23T24:00:00Z",
                "2026-11-23 11:29:16Z", "2026-11-23T11:29:16", "2026-11-23T11:29:16.Z",
                "2026-11-23T11:29:16Zx", "2026-+1-23T11:29:16Z", "2026- 1-23T11:29:16Z",
                "2026-11-23T11:29:16+1:00", "2026-11-23T11:29:16+01:0", "2026-11-23T11:29:16+0100",
                "1970-01-01T00:00:00+00:01", "2026-11-23T11:29", "20261123T112916Z",
                "2555-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        };
        uint64_t t = 42;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_eq(rfc3339_parse(bad[i], &t), -EINVAL, "accepted '%s'", bad[i]);
        cr_assert_eq(t, 42, "*ret written on failure");
        cr_assert_eq(rfc3339_parse(NULL, &t), -EINVAL);
}

/* docs/events.md "Environment": CONTRAINER_EVENT_TIME from timeNano. */
Test(rfc3339, formats_what_it_parses)
{
        char s[40];
        uint64_t back = 0;
        static const uint64_t v[] = { 0, 1700000000123456789ull, 951782400000000001ull,
                                      4102444799999999999ull };

        rfc3339_format(1700000000123456789ull, s, sizeof(s));
        cr_assert_str_eq(s, "2023-11-14T22:13:20.123456789Z");
        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                rfc3339_format(v[i], s, sizeof(s));
                cr_assert_eq(rfc3339_parse(s, &back), 0, "%s", s);
                cr_assert_eq(back, v[i], "%s", s);
        }
}
