/* test_svconf.c — service directory files: timeout-kill parsing and reading,
 * critical. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "svconf.h"

Test(svconf, parses_milliseconds_with_blanks_and_a_newline)
{
        unsigned ms = 1;

        cr_assert_eq(svconf_parse_ms("250\n", &ms), 0);
        cr_assert_eq(ms, 250);
        cr_assert_eq(svconf_parse_ms("  0 \r\n", &ms), 0);
        cr_assert_eq(ms, 0);
        cr_assert_eq(svconf_parse_ms("86400000", &ms), 0);
        cr_assert_eq(ms, 86400000);
}

Test(svconf, rejects_what_is_not_a_number_in_range)
{
        const char *bad[] = { "", "\n", "soon", "1.5", "-1", "+3", "12ms", "86400001",
                              "99999999999999999999", "1 2" };
        unsigned ms = 7;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                cr_assert_eq(svconf_parse_ms(bad[i], &ms), -EINVAL, "'%s'", bad[i]);
                cr_assert_eq(ms, 7, "ret_ms written for '%s'", bad[i]);
        }
}

static char dir[] = "/tmp/test_svconf.XXXXXX";

static void put(const char *name, const char *content)
{
        char p[256];
        FILE *f;

        snprintf(p, sizeof(p), "%s/%s", dir, name);
        f = fopen(p, "w");
        cr_assert_not_null(f);
        fputs(content, f);
        fclose(f);
}

Test(svconf, reads_timeout_kill_or_falls_back_to_the_default)
{
        char bad[64];
        unsigned ms;

        cr_assert_not_null(mkdtemp(dir));
        cr_assert_eq(svconf_timeout_kill(dir, 4000, &ms, bad, sizeof(bad)), 0);
        cr_assert_eq(ms, 4000);
        cr_assert_not(svconf_is_critical(dir));
        put("timeout-kill", "1500\n");
        put("critical", "");
        cr_assert_eq(svconf_timeout_kill(dir, 4000, &ms, bad, sizeof(bad)), 0);
        cr_assert_eq(ms, 1500);
        cr_assert(svconf_is_critical(dir));
        put("timeout-kill", "later\nmore\n");
        cr_assert_eq(svconf_timeout_kill(dir, 4000, &ms, bad, sizeof(bad)), -EINVAL);
        cr_assert_eq(ms, 4000);
        cr_assert_str_eq(bad, "later");
        put("timeout-kill", "1\0002");
        cr_assert_eq(svconf_timeout_kill(dir, 4000, &ms, bad, sizeof(bad)), 0);  /* fputs stops at NUL */
        cr_assert_eq(ms, 1);
}
