/* test_cursor.c — the cursor file: format, parse, atomic write, re-read. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cursor.h"

Test(state, round_trips_a_cursor_beyond_double_precision)
{
        struct cursor c = { .time_nano = 1795434496402954727ull }, r;
        char buf[256];
        int n;

        strcpy(c.id, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        strcpy(c.action, "start");
        n = cursor_format(&c, buf, sizeof(buf));
        cr_assert_gt(n, 0);
        cr_assert_eq(cursor_parse(buf, (size_t)n, &r), 0);
        cr_assert_eq(r.time_nano, 1795434496402954727ull);
        cr_assert_str_eq(r.id, c.id);
        cr_assert_str_eq(r.action, "start");
}

Test(state, an_empty_id_is_kept_empty)
{
        struct cursor c = { .time_nano = 5 }, r;
        char buf[64];
        int n = cursor_format(&c, buf, sizeof(buf));

        cr_assert_str_eq(buf, "5 - -\n");
        cr_assert_eq(cursor_parse(buf, (size_t)n, &r), 0);
        cr_assert_str_eq(r.id, "");
        cr_assert_str_eq(r.action, "");
}

Test(state, rejects_garbage)
{
        static const char *bad[] = { "", "x a b\n", "1 a\n", "1 a b c\n", "1  b\n",
                                     "99999999999999999999999 a b\n", "1 a b\n\n", "1 a\tb\n" };
        struct cursor r;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_eq(cursor_parse(bad[i], strlen(bad[i]), &r), -EINVAL, "accepted '%s'", bad[i]);
}

Test(state, writes_atomically_and_leaves_no_temporary)
{
        char dir[] = "/tmp/test-state.XXXXXX", sub[128], path[200];
        struct cursor c = { .time_nano = 42 }, r;
        struct dirent *de;
        DIR *d;
        int n = 0;

        cr_assert_not_null(mkdtemp(dir));
        snprintf(sub, sizeof(sub), "%s/a/b", dir);  /* created on demand */
        strcpy(c.id, "abc");
        strcpy(c.action, "die");
        cr_assert_eq(cursor_write(sub, &c), 0);
        c.time_nano = 43;
        cr_assert_eq(cursor_write(sub, &c), 0);
        cr_assert_eq(cursor_read(sub, &r), 0);
        cr_assert_eq(r.time_nano, 43);
        cr_assert_str_eq(r.action, "die");
        d = opendir(sub);
        cr_assert_not_null(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.') {
                        cr_assert_str_eq(de->d_name, "cursor");
                        n++;
                }
        closedir(d);
        cr_assert_eq(n, 1);
        snprintf(path, sizeof(path), "%s/cursor", sub);
        unlink(path);
        cr_assert_eq(cursor_read(sub, &r), -ENOENT);
        rmdir(sub);
        snprintf(path, sizeof(path), "%s/a", dir);
        rmdir(path);
        rmdir(dir);
}
