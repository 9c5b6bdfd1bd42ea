/* test_direct_user.c — Config.User resolution as moby/sys/user GetExecUser
 * plus the Engine's getUser and runc's setupUser, and the exec environment. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "direct_user.h"
#include "strv.h"

static const char passwd[] =
        "root:x:0:0:root:/root:/bin/sh\n"
        "  \n"
        "app:x:1001:1001::/home/app:/bin/sh\n"
        "app2:x:1001:1005::/home/app2:/bin/sh\n"
        "svc:x:1002:1002:::/bin/sh\n";
static const char group[] =
        "root:x:0:\n"
        "app:x:1001:\n"
        "extra:x:1002:app,svc\n"
        "more:x:1003:svc,app\n"
        "dup:x:1003:app\n";

static bool has_group(const struct direct_user *u, gid_t g)
{
        for (size_t i = 0; i < u->ngroups; i++)
                if (u->groups[i] == g)
                        return true;
        return false;
}

Test(direct_user, empty_spec_is_root_with_roots_home)
{
        struct direct_user u;
        const char *why = NULL;

        cr_assert_eq(direct_user_resolve("", passwd, group, NULL, &u, &why), 0);
        cr_assert_eq(u.uid, 0);
        cr_assert_eq(u.gid, 0);
        cr_assert_eq(u.ngroups, 1);
        cr_assert_str_eq(u.home, "/root");
}

Test(direct_user, a_name_takes_passwd_gid_and_memberships_deduplicated)
{
        struct direct_user u;
        const char *why = NULL;

        cr_assert_eq(direct_user_resolve("app", passwd, group, NULL, &u, &why), 0);
        cr_assert_eq(u.uid, 1001);
        cr_assert_eq(u.gid, 1001);
        cr_assert(has_group(&u, 1001) && has_group(&u, 1002) && has_group(&u, 1003));
        cr_assert_eq(u.ngroups, 3);
        cr_assert_str_eq(u.home, "/home/app");
}

Test(direct_user, an_explicit_group_drops_memberships)
{
        struct direct_user u;
        const char *why = NULL;

        cr_assert_eq(direct_user_resolve("app:extra", passwd, group, NULL, &u, &why), 0);
        cr_assert_eq(u.gid, 1002);
        cr_assert_eq(u.ngroups, 1);
        cr_assert(has_group(&u, 1002));
}

Test(direct_user, numeric_ids_need_no_entry_and_home_defaults_to_root_dir)
{
        struct direct_user u;
        const char *why = NULL;

        cr_assert_eq(direct_user_resolve("4000:4001", passwd, group, NULL, &u, &why), 0);
        cr_assert_eq(u.uid, 4000);
        cr_assert_eq(u.gid, 4001);
        cr_assert_eq(u.ngroups, 1);
        cr_assert_str_eq(u.home, "/");
}

Test(direct_user, home_comes_from_the_first_entry_of_the_uid_as_runc_reads_it)
{
        struct direct_user u;
        const char *why = NULL;

        cr_assert_eq(direct_user_resolve("app2", passwd, group, NULL, &u, &why), 0);
        cr_assert_eq(u.gid, 1005);
        cr_assert_str_eq(u.home, "/home/app");
}

Test(direct_user, a_numeric_user_is_never_a_name)
{
        struct direct_user u;
        const char *why = NULL;

        cr_assert_eq(direct_user_resolve("1002", passwd, group, NULL, &u, &why), 0);
        cr_assert_eq(u.uid, 1002);
        cr_assert_eq(u.gid, 1002);
        cr_assert_str_eq(u.home, "");  /* svc's empty home field, as runc would set it */
}

Test(direct_user, unknown_names_and_out_of_range_ids_are_refused)
{
        struct direct_user u;
        const char *why = NULL;

        cr_assert_eq(direct_user_resolve("nobody", passwd, group, NULL, &u, &why), -EINVAL);
        cr_assert_not_null(why);
        cr_assert_eq(direct_user_resolve("app:nogroup", passwd, group, NULL, &u, &why), -EINVAL);
        cr_assert_eq(direct_user_resolve("-1", passwd, group, NULL, &u, &why), -EINVAL);
        cr_assert_eq(direct_user_resolve("0:2147483648", passwd, group, NULL, &u, &why), -EINVAL);
}

Test(direct_user, missing_files_mean_no_entries)
{
        struct direct_user u;
        const char *why = NULL;

        cr_assert_eq(direct_user_resolve("5:6", NULL, NULL, NULL, &u, &why), 0);
        cr_assert_eq(u.uid, 5);
        cr_assert_eq(direct_user_resolve("name", NULL, NULL, NULL, &u, &why), -EINVAL);
}

Test(direct_user, group_add_takes_names_and_ids)
{
        char *add[] = { "more", "7777", "1001", NULL };
        char *bad[] = { "nosuchgroup", NULL };
        struct direct_user u;
        const char *why = NULL;

        cr_assert_eq(direct_user_resolve("0:0", passwd, group, add, &u, &why), 0);
        cr_assert(has_group(&u, 0) && has_group(&u, 1003) && has_group(&u, 7777) &&
                  has_group(&u, 1001));
        cr_assert_eq(u.ngroups, 4);
        cr_assert_eq(direct_user_resolve("0:0", passwd, group, bad, &u, &why), -EINVAL);
}

Test(direct_env, defaults_then_config_replaces_appends_and_removes)
{
        char *cfg[] = { "PATH=/bin", "A=1", "HOSTNAME", "B=x=y", "A=2", NULL };
        char **env = direct_env_build("h1", cfg, "/home/u");

        cr_assert_not_null(env);
        cr_assert_str_eq(env[0], "PATH=/bin");
        cr_assert_str_eq(env[1], "A=2");
        cr_assert_str_eq(env[2], "B=x=y");
        cr_assert_str_eq(env[3], "HOME=/home/u");
        cr_assert_null(env[4]);
        strv_free(env);
}

Test(direct_env, an_empty_home_is_replaced_a_set_one_kept)
{
        char *empty[] = { "HOME=", NULL }, *set[] = { "HOME=/h", NULL };
        char **e1 = direct_env_build("h", empty, "/root"), **e2 = direct_env_build("h", set, "/root");

        cr_assert_str_eq(strv_env_get(e1, "HOME"), "/root");
        cr_assert_str_eq(strv_env_get(e2, "HOME"), "/h");
        cr_assert_str_eq(strv_env_get(e2, "PATH"), DIRECT_DEFAULT_PATH);
        cr_assert_str_eq(strv_env_get(e2, "HOSTNAME"), "h");
        strv_free(e1);
        strv_free(e2);
}
