/* test_cli_init.c — `contrainer init` option parsing (cli_init.c). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli_init.h"

static char err[256];

static int parse(char **argv, char **env, struct init_opts *o)
{
        int argc = 0;

        while (argv[argc])
                argc++;
        memset(o, 0xa5, sizeof(*o));
        return cli_parse_init(argc, argv, env, o, err, sizeof(err));
}

Test(cli_init, defaults_without_arguments)
{
        char *argv[] = { "init", NULL }, *env[] = { NULL };
        struct init_opts o;

        cr_assert_eq(parse(argv, env, &o), CLI_RUN);
        cr_assert_not(o.skip_startup_files);
        cr_assert_not(o.skip_runit);
        cr_assert_not(o.no_kill_all_on_exit);
        cr_assert_not(o.quiet);
        cr_assert_str_eq(o.boot_dir, "/etc/boot.d");
        cr_assert_str_eq(o.service_dir, "/etc/service");
        cr_assert_eq(o.kill_process_timeout_ms, 4000);
        cr_assert_eq(o.kill_all_processes_timeout_ms, 1000);
        cr_assert_eq(o.wait_for_services_ms, 0);
        cr_assert_null(o.command);
}

Test(cli_init, wait_for_services_flag_and_environment)
{
        char *bare[] = { "init", "--wait-for-services", "true", NULL };
        char *val[] = { "init", "--wait-for-services=2.5", NULL };
        char *bad[] = { "init", "--wait-for-services=soon", NULL };
        char *none[] = { "init", NULL };
        char *env[] = { "CONTRAINER_WAIT_FOR_SERVICES=7", NULL };
        char *badenv[] = { "CONTRAINER_WAIT_FOR_SERVICES=x", NULL };
        char *noenv[] = { NULL };
        struct init_opts o;

        cr_assert_eq(parse(bare, noenv, &o), CLI_RUN);
        cr_assert_eq(o.wait_for_services_ms, 5000);
        cr_assert_str_eq(o.command[0], "true");
        cr_assert_eq(parse(val, env, &o), CLI_RUN);  /* the option wins */
        cr_assert_eq(o.wait_for_services_ms, 2500);
        cr_assert_eq(parse(none, env, &o), CLI_RUN);
        cr_assert_eq(o.wait_for_services_ms, 7000);
        cr_assert_eq(parse(bad, noenv, &o), -EINVAL);
        cr_assert(strstr(err, "--wait-for-services") != NULL, "%s", err);
        cr_assert_eq(parse(none, badenv, &o), -EINVAL);
        cr_assert(strstr(err, "CONTRAINER_WAIT_FOR_SERVICES") != NULL, "%s", err);
}

Test(cli_init, every_flag_and_both_value_forms)
{
        char *argv[] = { "init", "--skip-startup-files", "--skip-runit", "--no-kill-all-on-exit",
                         "--quiet", "--boot-dir", "/b", "--service-dir=/s", NULL };
        char *env[] = { NULL };
        struct init_opts o;

        cr_assert_eq(parse(argv, env, &o), CLI_RUN);
        cr_assert(o.skip_startup_files && o.skip_runit && o.no_kill_all_on_exit && o.quiet);
        cr_assert_str_eq(o.boot_dir, "/b");
        cr_assert_str_eq(o.service_dir, "/s");
        cr_assert_null(o.command);
}

Test(cli_init, command_after_double_dash_keeps_its_dashes)
{
        char *argv[] = { "init", "--quiet", "--", "ls", "--help", NULL }, *env[] = { NULL };
        struct init_opts o;

        cr_assert_eq(parse(argv, env, &o), CLI_RUN);
        cr_assert_str_eq(o.command[0], "ls");
        cr_assert_str_eq(o.command[1], "--help");
        cr_assert_null(o.command[2]);
}

Test(cli_init, first_non_option_starts_the_command)
{
        char *argv[] = { "my_init", "sh", "-c", "--quiet", NULL }, *env[] = { NULL };
        struct init_opts o;

        cr_assert_eq(parse(argv, env, &o), CLI_RUN);
        cr_assert_str_eq(o.command[0], "sh");
        cr_assert_not(o.quiet);
}

Test(cli_init, help_and_version)
{
        char *h[] = { "init", "--help", NULL }, *v[] = { "init", "--version", NULL };
        char *env[] = { NULL };
        struct init_opts o;

        cr_assert_eq(parse(h, env, &o), CLI_HELP);
        cr_assert_eq(parse(v, env, &o), CLI_VERSION);
        cr_assert(strstr(cli_init_help, "--skip-startup-files"));
        cr_assert(strstr(cli_init_help, "--service-dir"));
        cr_assert(strstr(cli_init_help, "KILL_ALL_PROCESSES_TIMEOUT"));
}

Test(cli_init, rejects_unknown_option_with_one_line)
{
        char *argv[] = { "init", "--bogus", NULL }, *env[] = { NULL };
        struct init_opts o;

        cr_assert_eq(parse(argv, env, &o), -EINVAL);
        cr_assert(strstr(err, "'--bogus'"));
        cr_assert_null(strchr(err, '\n'));
}

Test(cli_init, rejects_missing_and_empty_values)
{
        char *a[] = { "init", "--boot-dir", NULL }, *b[] = { "init", "--service-dir=", NULL };
        char *env[] = { NULL };
        struct init_opts o;

        cr_assert_eq(parse(a, env, &o), -EINVAL);
        cr_assert(strstr(err, "--boot-dir"));
        cr_assert_eq(parse(b, env, &o), -EINVAL);
}

Test(cli_init, prefix_of_an_option_is_not_that_option)
{
        char *argv[] = { "init", "--boot-directory=/x", NULL }, *env[] = { NULL };
        struct init_opts o;

        cr_assert_eq(parse(argv, env, &o), -EINVAL);
}

/* Values inline: Criterion copies parameters into another process, where
 * pointers into this one would dangle. */
struct tcase {
        char value[16];
        int ok;
        unsigned ms;
};

ParameterizedTestParameters(cli_init, timeouts)
{
        static struct tcase cases[] = {
                { "4", 1, 4000 },   { "0.5", 1, 500 }, { "1.25", 1, 1250 }, { ".5", 1, 500 },
                { "2.", 1, 2000 },  { "0", 1, 0 },     { "0.0019", 1, 1 },  { "", 1, 4000 },
                { "-1", 0, 0 },     { "abc", 0, 0 },   { "1s", 0, 0 },      { ".", 0, 0 },
                { "1e3", 0, 0 },    { "99999999999", 0, 0 }, { " 1", 0, 0 },
        };
        return cr_make_param_array(struct tcase, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct tcase *t, cli_init, timeouts)
{
        char *argv[] = { "init", NULL };
        char var[64];
        char *env[] = { var, "KILL_ALL_PROCESSES_TIMEOUT=0.25", NULL };
        struct init_opts o;
        int r;

        snprintf(var, sizeof(var), "KILL_PROCESS_TIMEOUT=%s", t->value);
        r = parse(argv, env, &o);
        if (t->ok) {
                cr_assert_eq(r, CLI_RUN, "value '%s': %s", t->value, err);
                cr_assert_eq(o.kill_process_timeout_ms, t->ms, "value '%s'", t->value);
                cr_assert_eq(o.kill_all_processes_timeout_ms, 250);
        } else {
                cr_assert_eq(r, -EINVAL, "value '%s' accepted", t->value);
                cr_assert(strstr(err, "KILL_PROCESS_TIMEOUT"));
        }
}
