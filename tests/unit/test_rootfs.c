/* test_rootfs.c — paths resolved inside a root: listing and opening scripts
 * never follow a symlink out of it.  The "root" is a temporary directory
 * next to an "outside" one holding executables a resolution that escaped
 * would find. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rootfs.h"
#include "strv.h"

static char base[] = "/tmp/ctrtest-rootfs-XXXXXX";
static int root = -1;

static void mk(const char *rel, const char *text, mode_t mode)
{
        char p[512];
        FILE *f;

        snprintf(p, sizeof(p), "%s/%s", base, rel);
        f = fopen(p, "we");
        cr_assert_not_null(f);
        fputs(text, f);
        fclose(f);
        cr_assert_eq(chmod(p, mode), 0);
}

static void ln(const char *target, const char *rel)
{
        char p[512];

        snprintf(p, sizeof(p), "%s/%s", base, rel);
        cr_assert_eq(symlink(target, p), 0);
}

static void dir(const char *rel)
{
        char p[512];

        snprintf(p, sizeof(p), "%s/%s", base, rel);
        cr_assert_eq(mkdir(p, 0755), 0);
}

static void setup(void)
{
        char p[512], outside[600];

        cr_assert_not_null(mkdtemp(base));
        dir("root");
        dir("outside");
        dir("root/s");
        mk("outside/host-tool", "#!/bin/sh\n", 0755);
        mk("root/s/b-script", "#!/bin/sh\n", 0755);
        mk("root/s/a-script", "#!/bin/sh\n", 0700);
        mk("root/s/.hidden", "#!/bin/sh\n", 0755);
        mk("root/s/not-exec", "data\n", 0644);
        dir("root/s/subdir");
        snprintf(outside, sizeof(outside), "%s/outside/host-tool", base);
        ln(outside, "root/s/abs-link");       /* an absolute path: the host's, were it followed */
        ln("../../outside/host-tool", "root/s/rel-link");
        mk("root/top-script", "#!/bin/sh\n", 0755);
        dir("root/h");
        mk("root/h/b", "#!/bin/sh\n", 0755);
        snprintf(p, sizeof(p), "%s/root/h/b", base);
        snprintf(outside, sizeof(outside), "%s/root/h/a", base);
        cr_assert_eq(link(p, outside), 0);
        snprintf(outside, sizeof(outside), "%s/root/h/c", base);
        cr_assert_eq(link(p, outside), 0);
        mk("root/h/d", "#!/bin/sh\n", 0755);
        ln("/", "root/contrainer");
        snprintf(outside, sizeof(outside), "%s/outside", base);
        ln(outside, "root/escape");
        ln("../..", "root/up");
        snprintf(p, sizeof(p), "%s/root", base);
        root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(root, 0);
}

static void teardown(void)
{
        char *argv[] = { "rm", "-rf", base, NULL };
        pid_t pid = fork();

        if (pid == 0) {
                execvp("rm", argv);
                _exit(127);
        }
        waitpid(pid, NULL, 0);
        close(root);
}

TestSuite(rootfs, .init = setup, .fini = teardown);

Test(rootfs, lists_executable_regular_files_bytewise_without_dotfiles_or_links)
{
        char **v = NULL;

        cr_assert_eq(rootfs_list_scripts(root, "/s", 100, &v), 0);
        cr_assert_eq(strv_len(v), 2);
        cr_assert_str_eq(v[0], "/s/a-script");
        cr_assert_str_eq(v[1], "/s/b-script");
        strv_free(v);
}

Test(rootfs, a_script_dir_that_is_a_symlink_lists_nothing_as_the_archive_api)
{
        char **v = NULL;

        cr_assert_eq(rootfs_list_scripts(root, "/contrainer", 100, &v), 0);
        cr_assert_eq(strv_len(v), 0);
        strv_free(v);
        cr_assert_eq(rootfs_list_scripts(root, "/top-script", 100, &v), 0);
        cr_assert_eq(strv_len(v), 0);
        strv_free(v);
}

Test(rootfs, links_before_the_last_component_are_followed_inside_the_root)
{
        char **v = NULL;

        /* /contrainer -> / : /contrainer/s is the root's /s, never the host's */
        cr_assert_eq(rootfs_list_scripts(root, "/contrainer/s", 100, &v), 0);
        cr_assert_eq(strv_len(v), 2);
        cr_assert_str_eq(v[0], "/contrainer/s/a-script");
        strv_free(v);
        /* a trailing slash follows the last link too, as the archive API */
        cr_assert_eq(rootfs_list_scripts(root, "/contrainer/", 100, &v), 0);
        cr_assert_eq(strv_len(v), 1);
        cr_assert_str_eq(v[0], "/contrainer/top-script");
        strv_free(v);
}

Test(rootfs, an_absolute_link_or_dotdot_never_reaches_outside)
{
        char **v = NULL;

        /* "/escape" points at BASE/outside: inside the root that is a path
         * that does not exist. */
        cr_assert_eq(rootfs_list_scripts(root, "/escape/", 100, &v), -ENOENT);
        cr_assert_eq(rootfs_list_scripts(root, "/up/outside", 100, &v), -ENOENT);
        cr_assert_eq(rootfs_list_scripts(root, "/../outside", 100, &v), -ENOENT);
}

Test(rootfs, hard_links_list_once_under_their_first_name_as_the_archive)
{
        char **v = NULL;

        cr_assert_eq(rootfs_list_scripts(root, "/h", 100, &v), 0);
        cr_assert_eq(strv_len(v), 2);
        cr_assert_str_eq(v[0], "/h/a");
        cr_assert_str_eq(v[1], "/h/d");
        strv_free(v);
}

Test(rootfs, the_cap_on_names_is_enforced)
{
        char **v = NULL;

        cr_assert_eq(rootfs_list_scripts(root, "/s", 1, &v), -E2BIG);
        cr_assert_eq(rootfs_list_scripts(root, "/missing", 10, &v), -ENOENT);
}

Test(rootfs, open_script_refuses_links_and_non_executables)
{
        int fd = rootfs_open_script(root, "/s/b-script");

        cr_assert_geq(fd, 0);
        close(fd);
        cr_assert_eq(rootfs_open_script(root, "/s/abs-link"), -ELOOP);
        cr_assert_eq(rootfs_open_script(root, "/s/rel-link"), -ELOOP);
        cr_assert_eq(rootfs_open_script(root, "/s/not-exec"), -EACCES);
        cr_assert_eq(rootfs_open_script(root, "/s/subdir"), -EACCES);
        cr_assert_eq(rootfs_open_script(root, "/escape/host-tool"), -ENOENT);
}

Test(rootfs, read_is_bounded_and_scoped)
{
        char *s = NULL;

        cr_assert_eq(rootfs_read(root, "/contrainer/top-script", 100, &s), 0);
        cr_assert_str_eq(s, "#!/bin/sh\n");
        free(s);
        cr_assert_eq(rootfs_read(root, "/top-script", 3, &s), -EFBIG);
        cr_assert_eq(rootfs_read(root, "/escape/host-tool", 100, &s), -ENOENT);
}
