/* rfc3339.c — RFC 3339 timestamps → ns since the epoch.  See rfc3339.h. */
#include "rfc3339.h"

#include <inttypes.h>
#include <stdio.h>

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

/* N decimal digits at S (no sign, no blank) into *RET. */
static bool digits(const char *s, int n, int *ret)
{
        int v = 0;

        for (int i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (s[i] - '0');
        }
        *ret = v;
        return true;
}

/* Howard Hinnant's days_from_civil: days since 1970-01-01 of Y-M-D
 * (a day past the month's end counts on into the next month). */
static long long days_from_civil(int y, unsigned m, unsigned d)
{
        y -= m <= 2;
        long long era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned)(y - era * 400);
        unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

        return era * 146097 + (long long)doe - 719468;
}

int rfc3339_parse(const char *s, uint64_t *ret)
{
        int y, mo, da, h, mi, se, oh, om, n = 0;
        long long secs, frac = 0;
        const char *p;

        if (!s || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
            !digits(s + 8, 2, &da) || s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
            !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
                return -EINVAL;
        if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || se > 60 || y < 1970)
                return -EINVAL;
        p = s + 19;
        if (*p == '.') {
                for (p++; *p >= '0' && *p <= '9'; p++, n++)
                        if (n < 9)
                                frac = frac * 10 + (*p - '0');
                if (n == 0)
                        return -EINVAL;
                for (; n < 9; n++)
                        frac *= 10;
        }
        secs = days_from_civil(y, (unsigned)mo, (unsigned)da) * 86400 + h * 3600 + mi * 60 + se;
        if (*p == 'Z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om))
                        return -EINVAL;
                secs -= (*p == '+' ? 1 : -1) * (oh * 3600LL + om * 60);
                p += 6;
        } else {
                return -EINVAL;
        }
        /* Nanoseconds in 64 bits end in 2554: later is refused, not wrapped. */
        if (*p || secs < 0 || (uint64_t)secs > UINT64_MAX / 1000000000ull - 1)
                return -EINVAL;
        *ret = (uint64_t)secs * 1000000000ull + (uint64_t)frac;
        return 0;
}

void rfc3339_format(uint64_t ns, char *dst, size_t dstsz)
{
        uint64_t secs = ns / 1000000000u, days = secs / 86400u, rem = secs % 86400u;
        /* civil_from_days (H. Hinnant), days since 1970-01-01, no TZ state */
        uint64_t z = days + 719468u, era = z / 146097u, doe = z - era * 146097u;
        uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
        unsigned d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
        unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
        uint64_t y = yoe + era * 400 + (m <= 2);

        if (!dst || !dstsz)
                return;
        snprintf(dst, dstsz, "%04" PRIu64 "-%02u-%02uT%02u:%02u:%02u.%09" PRIu64 "Z", y, m, d,
                 (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60),
                 ns % 1000000000u);
}
