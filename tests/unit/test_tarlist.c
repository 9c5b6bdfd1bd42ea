/* test_tarlist.c — which entries of a script dir's archive are scripts.
 * Archives are made by tar(1) from a real directory (GNU and PAX formats,
 * as the Engine's Go archive/tar writes PAX for long names) and fed in
 * slices of every size, as libcurl would. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "strv.h"
#include "tarlist.h"

static char root[64];
static char longname[200];

static void put(const char *rel, mode_t mode)
{
        char p[512];
        int fd;

        snprintf(p, sizeof(p), "%s/contrainer/%s", root, rel);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
        cr_assert_geq(fd, 0, "%s", p);
        cr_assert_eq(write(fd, "#!/bin/sh\necho\n", 15), 15);
        close(fd);
        chmod(p, mode);
}

static void setup_dir(void)
{
        char p[512];

        strcpy(root, "/tmp/test-tarlist.XXXXXX");
        cr_assert_not_null(mkdtemp(root));
        snprintf(p, sizeof(p), "%s/contrainer", root);
        cr_assert_eq(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/contrainer/sub", root);
        cr_assert_eq(mkdir(p, 0755), 0);
        put("10-a", 0755);
        put("9-b", 0700);
        put("B", 0755);
        put("noexec", 0644);
        put(".hidden", 0755);
        put("sub/inner", 0755);
        memset(longname, 'x', 150);
        longname[150] = '\0';
        put(longname, 0755);
        snprintf(p, sizeof(p), "%s/contrainer/link", root);
        cr_assert_eq(symlink("10-a", p), 0);
}

static void teardown_dir(void)
{
        char *argv[] = { "rm", "-rf", root, NULL };
        pid_t pid = fork();

        if (pid == 0) {
                execvp(argv[0], argv);
                _exit(127);
        }
        waitpid(pid, NULL, 0);
}

static void make_tar(const char *format, struct buf *out)
{
        char fmt[64], *argv[] = { "tar", fmt, "-C", root, "-c", "contrainer", NULL };
        int p[2];
        pid_t pid;
        char tmp[4096];
        ssize_t n;

        snprintf(fmt, sizeof(fmt), "--format=%s", format);
        cr_assert_eq(pipe(p), 0);
        pid = fork();
        if (pid == 0) {
                dup2(p[1], 1);
                close(p[0]);
                close(p[1]);
                execvp(argv[0], argv);
                _exit(127);
        }
        close(p[1]);
        buf_init(out, 1 << 24);
        while ((n = read(p[0], tmp, sizeof(tmp))) > 0)
                cr_assert_eq(buf_append(out, tmp, (size_t)n), 0);
        close(p[0]);
        waitpid(pid, NULL, 0);
        cr_assert_gt(out->len, 1024);
}

static void check_names(char **v)
{
        cr_assert_eq(strv_len(v), 4);
        cr_assert_str_eq(v[0], "10-a");
        cr_assert_str_eq(v[1], "9-b");
        cr_assert_str_eq(v[2], "B");
        cr_assert_str_eq(v[3], longname);
}

static void run_format(const char *format)
{
        struct buf t;
        static const size_t slices[] = { 1, 7, 511, 512, 513, 100000 };

        make_tar(format, &t);
        for (size_t s = 0; s < sizeof(slices) / sizeof(slices[0]); s++) {
                struct tar_lister l;
                char **v = NULL;

                tar_lister_init(&l, 16);
                for (size_t off = 0; off < t.len; off += slices[s]) {
                        size_t n = t.len - off < slices[s] ? t.len - off : slices[s];
                        cr_assert_eq(tar_lister_feed(&l, t.data + off, n), 0, "slice %zu", slices[s]);
                }
                cr_assert(l.end);
                cr_assert_eq(tar_lister_take(&l, &v), 0);
                check_names(v);
                strv_free(v);
                tar_lister_free(&l);
        }
        buf_free(&t);
}

Test(tarlist, gnu_archive_lists_executable_regular_files_directly_inside,
     .init = setup_dir, .fini = teardown_dir)
{
        run_format("gnu");
}

Test(tarlist, pax_archive_long_names_come_from_path_records, .init = setup_dir, .fini = teardown_dir)
{
        run_format("pax");
}

Test(tarlist, too_many_scripts_is_an_error, .init = setup_dir, .fini = teardown_dir)
{
        struct tar_lister l;
        struct buf t;

        make_tar("pax", &t);
        tar_lister_init(&l, 2);
        cr_assert_eq(tar_lister_feed(&l, t.data, t.len), -E2BIG);
        tar_lister_free(&l);
        buf_free(&t);
}

Test(tarlist, a_corrupted_header_is_malformed, .init = setup_dir, .fini = teardown_dir)
{
        struct tar_lister l;
        struct buf t;

        make_tar("gnu", &t);
        t.data[148] ^= 1;  /* checksum of the first header */
        tar_lister_init(&l, 16);
        cr_assert_eq(tar_lister_feed(&l, t.data, t.len), -EPROTO);
        cr_assert_eq(tar_lister_feed(&l, "x", 1), -EPROTO);
        tar_lister_free(&l);
        buf_free(&t);
}

Test(tarlist, an_empty_archive_is_no_scripts)
{
        struct tar_lister l;
        char zero[1024] = { 0 }, **v = NULL;

        tar_lister_init(&l, 16);
        cr_assert_eq(tar_lister_feed(&l, zero, sizeof(zero)), 0);
        cr_assert_eq(tar_lister_take(&l, &v), 0);
        cr_assert_not_null(v);
        cr_assert_null(v[0]);
        strv_free(v);
        tar_lister_free(&l);
}

/* The archive is read up to TARLIST_BYTES_MAX only, whatever it holds (the
 * Engine streams file contents too): a header for a 4 GiB executable, then
 * its zeros, stop at the cap with -EFBIG, and stay stopped. */
Test(tarlist, a_huge_archive_stops_at_the_byte_cap)
{
        static unsigned char chunk[1 << 20];
        unsigned char *h = chunk;
        struct tar_lister t;
        unsigned sum = 0;
        size_t fed = 0;
        int r = 0;

        memset(chunk, 0, sizeof(chunk));
        memcpy(h, "contrainer/big", 14);
        memcpy(h + 100, "0000755", 7);
        memcpy(h + 124, "40000000000", 11);
        h[156] = '0';
        memcpy(h + 257, "ustar\0" "00", 8);
        memset(h + 148, ' ', 8);
        for (int i = 0; i < 512; i++)
                sum += h[i];
        snprintf((char *)h + 148, 8, "%06o", sum);
        tar_lister_init(&t, 8);
        while (r == 0 && fed <= TARLIST_BYTES_MAX) {
                r = tar_lister_feed(&t, chunk, sizeof(chunk));
                fed += sizeof(chunk);
                memset(chunk, 0, 512);
        }
        cr_assert_eq(r, -EFBIG);
        cr_assert_eq(fed, (size_t)TARLIST_BYTES_MAX + sizeof(chunk), "stopped at the cap, not before");
        cr_assert_eq(tar_lister_feed(&t, "x", 1), -EFBIG);
        tar_lister_free(&t);
}
