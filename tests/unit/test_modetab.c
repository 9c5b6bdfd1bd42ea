/* test_modetab.c — main()'s choice of a mode (modetab.h): the alias
 * program name, the mode word, --help/--version, no mode, an unknown one. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>

#include "modetab.h"

static int seen_argc;
static const char *seen_argv0;

static int mode_a(int argc, char **argv)
{
        seen_argc = argc;
        seen_argv0 = argv[0];
        return 11;
}

static int mode_b(int argc, char **argv)
{
        seen_argc = argc;
        seen_argv0 = argv[0];
        return 22;
}

static const struct mode modes[] = { { "a", mode_a }, { "b", mode_b } };
static const struct mode_table t = {
        .modes = modes,
        .n = 2,
        .alias = "my_a",
        .usage = "usage: x\n",
        .version = "x 1.0",
        .unknown_pre = "unknown mode ",
        .unknown_post = "",
        .usage_on_unknown = 1,
};

Test(modetab, the_mode_word_picks_the_mode_which_gets_argv_from_that_word)
{
        char *argv[] = { "contrainer", "b", "--opt", NULL };

        cr_assert_eq(mode_main(&t, 3, argv), 22);
        cr_assert_eq(seen_argc, 2);
        cr_assert_str_eq(seen_argv0, "b");
}

Test(modetab, the_alias_program_name_runs_the_first_mode_with_argv_as_it_is)
{
        char *argv[] = { "/sbin/my_a", "b", NULL };

        cr_assert_eq(mode_main(&t, 2, argv), 11);
        cr_assert_eq(seen_argc, 2);
        cr_assert_str_eq(seen_argv0, "/sbin/my_a");
}

Test(modetab, help_and_version_exit_0_on_stdout, .init = cr_redirect_stdout)
{
        char *help[] = { "contrainer", "--help", NULL };
        char *ver[] = { "contrainer", "--version", NULL };

        cr_assert_eq(mode_main(&t, 2, help), 0);
        cr_assert_eq(mode_main(&t, 2, ver), 0);
        fflush(stdout);
        cr_assert_stdout_eq_str("usage: x\nx 1.0\n");
}

Test(modetab, no_mode_or_an_unknown_one_is_one_line_and_exit_2, .init = cr_redirect_stderr)
{
        char *none[] = { "contrainer", NULL };
        char *bad[] = { "contrainer", "zz", NULL };

        seen_argc = -1;
        cr_assert_eq(mode_main(&t, 1, none), 2);
        cr_assert_eq(mode_main(&t, 2, bad), 2);
        cr_assert_eq(seen_argc, -1, "no mode ran");
        fflush(stderr);
        cr_assert_stderr_eq_str("usage: x\ncontrainer: unknown mode 'zz'\nusage: x\n");
}
