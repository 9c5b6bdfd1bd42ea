/* test_boot.c — which scripts of a directory run, and in what order. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "strv.h"

static char dir[64];

static void mk(void)
{
        strcpy(dir, "/tmp/test-boot.XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
}

static void rm(void)
{
        char *argv[] = { "rm", "-rf", dir, NULL };
        pid_t pid = fork();

        if (pid == 0) {
                execvp(argv[0], argv);
                _exit(127);
        }
        waitpid(pid, NULL, 0);
}

static void file(const char *name, mode_t mode)
{
        char p[256];
        int fd;

        snprintf(p, sizeof(p), "%s/%s", dir, name);
        fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, mode);
        cr_assert_geq(fd, 0, "%s", p);
        cr_assert_eq(write(fd, "#!/bin/sh\n", 10), 10);
        close(fd);
        cr_assert_eq(chmod(p, mode), 0);
}

static const char *base(const char *p)
{
        return strrchr(p, '/') + 1;
}

Test(boot, missing_directory_is_an_empty_list)
{
        char **l = (char **)1;

        cr_assert_eq(boot_list("/nonexistent/boot.d", &l), 0);
        cr_assert_null(l);
}

Test(boot, lists_in_byte_order_with_full_paths, .init = mk, .fini = rm)
{
        char **l = NULL;

        file("10_b", 0755);
        file("00_a", 0700);
        file("B", 0755);
        file("a", 0755);
        file("_x", 0755);
        file("\xc3\xa9", 0755);
        cr_assert_eq(boot_list(dir, &l), 0);
        cr_assert_eq(strv_len(l), 6);
        cr_assert_str_eq(base(l[0]), "00_a");
        cr_assert_str_eq(base(l[1]), "10_b");
        cr_assert_str_eq(base(l[2]), "B");
        cr_assert_str_eq(base(l[3]), "_x");
        cr_assert_str_eq(base(l[4]), "a");
        cr_assert_str_eq(base(l[5]), "\xc3\xa9");
        cr_assert_eq(strncmp(l[0], dir, strlen(dir)), 0);
        strv_free(l);
}

Test(boot, skips_non_executables_dot_files_and_directories, .init = mk, .fini = rm)
{
        char **l = NULL, p[256], t[256];

        file("10_plain", 0644);
        file(".20_hidden", 0755);
        snprintf(p, sizeof(p), "%s/30_dir", dir);
        cr_assert_eq(mkdir(p, 0755), 0);
        file("40_run", 0755);
        snprintf(p, sizeof(p), "%s/50_dangling", dir);
        cr_assert_eq(symlink("/nonexistent", p), 0);
        snprintf(p, sizeof(p), "%s/60_link", dir);
        snprintf(t, sizeof(t), "%s/40_run", dir);
        cr_assert_eq(symlink(t, p), 0);
        snprintf(p, sizeof(p), "%s/70_link_plain", dir);
        snprintf(t, sizeof(t), "%s/10_plain", dir);
        cr_assert_eq(symlink(t, p), 0);
        cr_assert_eq(boot_list(dir, &l), 0);
        cr_assert_eq(strv_len(l), 2);
        cr_assert_str_eq(base(l[0]), "40_run");
        cr_assert_str_eq(base(l[1]), "60_link");
        strv_free(l);
}

Test(boot, is_runnable_follows_the_same_rules, .init = mk, .fini = rm)
{
        char p[256];

        file("rc.local", 0755);
        file("plain", 0644);
        snprintf(p, sizeof(p), "%s/rc.local", dir);
        cr_assert(boot_is_runnable(p));
        snprintf(p, sizeof(p), "%s/plain", dir);
        cr_assert_not(boot_is_runnable(p));
        cr_assert_not(boot_is_runnable(dir));
        cr_assert_not(boot_is_runnable("/nonexistent"));
}

Test(boot, a_file_in_place_of_the_directory_is_an_error, .init = mk, .fini = rm)
{
        char p[256], **l = NULL;

        file("f", 0755);
        snprintf(p, sizeof(p), "%s/f", dir);
        cr_assert_eq(boot_list(p, &l), -ENOTDIR);
}
