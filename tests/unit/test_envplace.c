/* test_envplace.c — where the environment export goes: /etc first, then the
 * runtime directory (made 0700, never a link or someone else's), else nowhere. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envplace.h"

static char top[] = "/tmp/test_envplace.XXXXXX";
static char etc[256], rt[256];

static void init(void)
{
        cr_assert_not_null(mkdtemp(top));
        snprintf(etc, sizeof(etc), "%s/etc", top);
        snprintf(rt, sizeof(rt), "%s/rt", top);
        cr_assert_eq(mkdir(etc, 0755), 0);
}

TestSuite(envplace, .init = init);

Test(envplace, takes_etc_when_it_can_be_written)
{
        char d[300];
        struct envplace p;

        snprintf(d, sizeof(d), "%s/container_environment", etc);
        cr_assert_eq(envplace_choose(d, rt, &p), 0);
        cr_assert_eq(p.kind, ENVPLACE_ETC);
        cr_assert_str_eq(p.dir, d);
        cr_assert_eq(access(rt, F_OK), -1);  /* the runtime directory was not touched */
}

Test(envplace, falls_back_to_a_fresh_runtime_dir_made_0700)
{
        char d[300], want[300];
        struct envplace p;
        struct stat st;

        snprintf(d, sizeof(d), "%s/missing/container_environment", etc);
        cr_assert_eq(envplace_choose(d, rt, &p), 0);
        cr_assert_eq(p.kind, ENVPLACE_RUNTIME);
        cr_assert_eq(p.etc_err, -ENOENT);
        snprintf(want, sizeof(want), "%s/container_environment", rt);
        cr_assert_str_eq(p.dir, want);
        strcat(want, ".sh");
        cr_assert_str_eq(p.sh, want);
        cr_assert_eq(lstat(rt, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 0700);
}

Test(envplace, refuses_a_runtime_dir_that_is_a_symlink_and_writes_nothing)
{
        char d[300], target[300];
        struct envplace p;

        snprintf(d, sizeof(d), "%s/missing/container_environment", etc);
        snprintf(target, sizeof(target), "%s/target", top);
        cr_assert_eq(mkdir(target, 0700), 0);
        cr_assert_eq(symlink(target, rt), 0);
        cr_assert_eq(envplace_choose(d, rt, &p), -ELOOP);
        cr_assert_eq(rmdir(target), 0);  /* still empty */
}

Test(envplace, refuses_a_runtime_dir_owned_by_someone_else)
{
        char d[300];
        struct envplace p;

        if (geteuid() != 0)
                cr_skip_test("needs root to give the directory away");
        snprintf(d, sizeof(d), "%s/missing/container_environment", etc);
        cr_assert_eq(mkdir(rt, 0777), 0);
        cr_assert_eq(chown(rt, 1000, 1000), 0);
        cr_assert_eq(envplace_choose(d, rt, &p), -EPERM);
}

Test(envplace, refuses_a_runtime_path_that_is_a_file)
{
        char d[300];
        struct envplace p;
        FILE *f = fopen(rt, "w");

        cr_assert_not_null(f);
        fclose(f);
        snprintf(d, sizeof(d), "%s/missing/container_environment", etc);
        cr_assert_eq(envplace_choose(d, rt, &p), -ENOTDIR);
}

Test(envplace, runtime_dir_defaults_and_must_be_absolute)
{
        const char *r = NULL;

        cr_assert_eq(envplace_runtime_dir(NULL, &r), 0);
        cr_assert_str_eq(r, "/run/contrainer");
        cr_assert_eq(envplace_runtime_dir("", &r), 0);
        cr_assert_str_eq(r, "/run/contrainer");
        cr_assert_eq(envplace_runtime_dir("/x", &r), 0);
        cr_assert_str_eq(r, "/x");
        cr_assert_eq(envplace_runtime_dir("rel", &r), -EINVAL);
}
