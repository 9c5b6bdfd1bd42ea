/* test_procfile.c — a small file read whole (procfile.h): its length with
 * NUL bytes in it (as /proc/PID/environ), the bound, an empty file. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfile.h"

/* An unlinked temporary file holding LEN bytes of DATA, at offset 0. */
static int file_of(const void *data, size_t len)
{
        char p[] = "/tmp/ctrtest-procfile-XXXXXX";
        int fd = mkstemp(p);

        cr_assert_geq(fd, 0);
        cr_assert_eq(unlink(p), 0);
        cr_assert_eq(write(fd, data, len), (ssize_t)len);
        cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
        return fd;
}

Test(procfile, read_fd_gives_the_length_of_a_block_with_nul_bytes)
{
        static const char env[] = "A=1\0B=2\0";
        int fd = file_of(env, sizeof(env) - 1);
        char *s = NULL;
        size_t len = 0;

        cr_assert_eq(procfile_read_fd(fd, 64, &s, &len), 0);
        cr_assert_eq(len, sizeof(env) - 1);
        cr_assert_eq(memcmp(s, env, len), 0);
        cr_assert_eq(s[len], '\0');
        free(s);
        close(fd);
}

Test(procfile, read_fd_holds_max_bytes_and_refuses_one_more)
{
        int fd = file_of("12345", 5);
        char *s = NULL;
        size_t len = 0;

        cr_assert_eq(procfile_read_fd(fd, 5, &s, &len), 0);
        cr_assert_str_eq(s, "12345");
        free(s);
        s = NULL;
        cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
        cr_assert_eq(procfile_read_fd(fd, 4, &s, &len), -ENOBUFS);
        cr_assert_null(s);
        close(fd);
}

Test(procfile, an_empty_file_is_an_empty_string_and_a_missing_one_an_error)
{
        int fd = file_of("", 0);
        char *s = NULL;
        size_t len = 7;

        cr_assert_eq(procfile_read_fd(fd, 10, &s, &len), 0);
        cr_assert_str_eq(s, "");
        cr_assert_eq(len, 0);
        free(s);
        close(fd);
        s = NULL;
        cr_assert_eq(procfile_read("/nonexistent/ctrtest-procfile", 10, &s), -ENOENT);
        cr_assert_null(s);
}

Test(procfile, read_by_path_reads_a_proc_file_whole)
{
        char *s = NULL;

        cr_assert_eq(procfile_read("/proc/self/stat", PROCFILE_MAX, &s), 0);
        cr_assert_neq(strchr(s, ')'), NULL, "stat: %s", s);
        free(s);
}
