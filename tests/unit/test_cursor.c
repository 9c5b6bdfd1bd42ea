/* test_cursor.c — the cursor file: format, parse, atomic write, re-read. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* A name planted in the state dir (cursor.new, cursor) as a symbolic link
 * is never followed: the file it points at is untouched. */
Test(state, a_link_planted_as_cursor_new_or_cursor_is_not_followed)
{
        char dir[] = "/tmp/test-state.XXXXXX", victim[200], link[200], cur[200], buf[16] = "";
        struct cursor c = { .time_nano = 7 }, r;
        int fd;

        cr_assert_not_null(mkdtemp(dir));
        snprintf(victim, sizeof(victim), "%s.victim", dir);
        fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, "precious", 8), 8);
        close(fd);
        snprintf(link, sizeof(link), "%s/cursor.new", dir);
        cr_assert_eq(symlink(victim, link), 0);
        strcpy(c.id, "abc");
        strcpy(c.action, "die");
        cr_assert_eq(cursor_write(dir, &c), 0);
        fd = open(victim, O_RDONLY);
        cr_assert_eq(read(fd, buf, sizeof(buf) - 1), 8, "the victim was truncated");
        close(fd);
        cr_assert_str_eq(buf, "precious");
        cr_assert_eq(cursor_read(dir, &r), 0);
        cr_assert_eq(r.time_nano, 7);
        /* a cursor that is a link is not read */
        snprintf(cur, sizeof(cur), "%s/cursor", dir);
        cr_assert_eq(unlink(cur), 0);
        cr_assert_eq(symlink(victim, cur), 0);
        cr_assert_eq(cursor_read(dir, &r), -ELOOP);
        unlink(cur);
        unlink(victim);
        rmdir(dir);
}

Test(state, a_state_dir_others_can_write_or_own_is_refused)
{
        char dir[] = "/tmp/test-state.XXXXXX", why[160] = "", missing[200];
        struct cursor c = { .time_nano = 7 };

        strcpy(c.id, "abc");
        strcpy(c.action, "die");
        cr_assert_not_null(mkdtemp(dir));
        cr_assert_eq(cursor_check_dir(dir, why, sizeof(why)), 0, "%s", why);
        snprintf(missing, sizeof(missing), "%s/not-yet", dir);
        cr_assert_eq(cursor_check_dir(missing, why, sizeof(why)), 0, "a missing dir is made 0700");
        cr_assert_eq(chmod(dir, 0777), 0);
        cr_assert_eq(cursor_check_dir(dir, why, sizeof(why)), -EPERM);
        cr_assert_str_eq(why, "writable by its group or others (mode 0777)");
        cr_assert_eq(cursor_write(dir, &c), -EPERM);
        cr_assert_eq(chmod(dir, 0720), 0);
        cr_assert_eq(cursor_check_dir(dir, why, sizeof(why)), -EPERM);
        cr_assert_eq(chmod(dir, 0755), 0);
        cr_assert_eq(cursor_check_dir(dir, why, sizeof(why)), 0, "%s", why);
        if (geteuid() == 0) {
                cr_assert_eq(chown(dir, 1234, 1234), 0);
                cr_assert_eq(cursor_check_dir(dir, why, sizeof(why)), -EPERM);
                cr_assert_str_eq(why, "owned by uid 1234, not by this controller's uid 0");
                cr_assert_eq(cursor_write(dir, &c), -EPERM);
        }
        rmdir(missing);
        rmdir(dir);
}
