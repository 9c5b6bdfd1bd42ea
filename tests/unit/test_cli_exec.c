/* test_cli_exec.c — the `contrainer exec` command line. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "cli_exec.h"

Test(cli_exec, defaults_to_sh_and_the_environments_socket)
{
        char *argv[] = { "exec", "ctr", NULL }, *env[] = { "DOCKER_HOST=unix:///x.sock", NULL };
        struct exec_opts o;
        char err[128];

        cr_assert_eq(cli_exec_parse(2, argv, env, &o, err, sizeof(err)), CLI_EXEC_RUN);
        cr_assert_str_eq(o.container, "ctr");
        cr_assert_str_eq(o.cmd[0], "sh");
        cr_assert_null(o.cmd[1]);
        cr_assert_str_eq(o.docker_socket, "/x.sock");
}

Test(cli_exec, options_stop_at_the_container_or_double_dash)
{
        char *argv[] = { "exec", "--docker-socket", "/s", "--", "-ctr", "ls", "-l", NULL };
        char *argv2[] = { "exec", "ctr", "--help", NULL };
        struct exec_opts o;
        char err[128];

        cr_assert_eq(cli_exec_parse(7, argv, NULL, &o, err, sizeof(err)), CLI_EXEC_RUN);
        cr_assert_str_eq(o.docker_socket, "/s");
        cr_assert_str_eq(o.container, "-ctr");
        cr_assert_str_eq(o.cmd[0], "ls");
        cr_assert_str_eq(o.cmd[1], "-l");
        cr_assert_eq(cli_exec_parse(3, argv2, NULL, &o, err, sizeof(err)), CLI_EXEC_RUN);
        cr_assert_str_eq(o.cmd[0], "--help");
}

Test(cli_exec, errors_are_one_line)
{
        char *a1[] = { "exec", NULL }, *a2[] = { "exec", "--bogus", "c", NULL },
             *a3[] = { "exec", "--list", NULL }, *a4[] = { "exec", "--list", "/d", "c", "x", NULL };
        struct exec_opts o;
        char err[128];

        cr_assert_eq(cli_exec_parse(1, a1, NULL, &o, err, sizeof(err)), -EINVAL);
        cr_assert_eq(cli_exec_parse(3, a2, NULL, &o, err, sizeof(err)), -EINVAL);
        cr_assert_eq(cli_exec_parse(2, a3, NULL, &o, err, sizeof(err)), -EINVAL);
        cr_assert_eq(cli_exec_parse(5, a4, NULL, &o, err, sizeof(err)), -EINVAL);
        cr_assert_null(strchr(err, '\n'));
}

Test(cli_exec, script_takes_the_args_after_the_container)
{
        char *argv[] = { "exec", "--script", "/s/x", "ctr", "a", "b", NULL };
        char *both[] = { "exec", "--script", "/s/x", "--list", "/s", "ctr", NULL };
        struct exec_opts o;
        char err[128];

        cr_assert_eq(cli_exec_parse(6, argv, NULL, &o, err, sizeof(err)), CLI_EXEC_RUN);
        cr_assert_str_eq(o.script, "/s/x");
        cr_assert_str_eq(o.container, "ctr");
        cr_assert_str_eq(o.args[0], "a");
        cr_assert_str_eq(o.args[1], "b");
        cr_assert_null(o.args[2]);
        cr_assert_eq(cli_exec_parse(6, both, NULL, &o, err, sizeof(err)), -EINVAL);
}
