/* test_cli_watch.c — `contrainer watch` options: defaults, environment,
 * every flag, and one-line errors (exit 2 is the caller's). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "cli_watch.h"

static char err[256];

static int parse(char **argv, char **env, struct watch_opts *o)
{
        int argc = 0;

        while (argv[argc])
                argc++;
        err[0] = '\0';
        return cli_parse_watch(argc, argv, env, o, err, sizeof(err));
}

Test(cli_watch, defaults_follow_the_spec)
{
        char *argv[] = { "watch", NULL }, *env[] = { NULL };
        struct watch_opts o;

        cr_assert_eq(parse(argv, env, &o), CLI_RUN);
        cr_assert_str_eq(o.docker_socket, "/var/run/docker.sock");
        cr_assert_str_eq(o.script_dir, "/contrainer");
        cr_assert_str_eq(o.state_dir, "/var/lib/contrainer");
        cr_assert_str_eq(o.sysimage, "/");
        cr_assert_eq(o.exec_timeout_s, 60);
        cr_assert_eq(o.stop_timeout_s, 5);
        cr_assert_eq(o.max_output, 1048576);
        cr_assert_eq(o.jobs, 8);
        cr_assert_eq(o.log_format, LOG_FORMAT_TEXT);
        cr_assert_eq(o.n_allow, 0);
        cr_assert(!o.allow_all);
        cr_assert(!o.once);
        cr_assert_eq(o.dispatch, DISPATCH_AUTO);
        cli_watch_opts_free(&o);
}

Test(cli_watch, docker_host_unix_and_sysimage_come_from_the_environment)
{
        char *argv[] = { "watch", NULL };
        char *env[] = { "DOCKER_HOST=unix:///run/d.sock", "SYSIMAGE=/host", NULL };
        struct watch_opts o;

        cr_assert_eq(parse(argv, env, &o), CLI_RUN);
        cr_assert_str_eq(o.docker_socket, "/run/d.sock");
        cr_assert_str_eq(o.sysimage, "/host");
        cli_watch_opts_free(&o);
}

Test(cli_watch, docker_host_tcp_is_ignored)
{
        char *argv[] = { "watch", NULL }, *env[] = { "DOCKER_HOST=tcp://1.2.3.4:2375", NULL };
        struct watch_opts o;

        cr_assert_eq(parse(argv, env, &o), CLI_RUN);
        cr_assert_str_eq(o.docker_socket, "/var/run/docker.sock");
        cli_watch_opts_free(&o);
}

Test(cli_watch, every_flag_in_both_spellings)
{
        char *argv[] = { "watch", "--docker-socket", "/s", "--script-dir=/sd", "--state-dir", "/st",
                         "--sysimage=/si", "--allow", "a*=containers", "--allow=b=host",
                         "--allow-all", "--exec-timeout", "5", "--max-output=100", "--jobs", "3",
                         "--log-format", "json", "--once", "--stop-timeout=0", "--dispatch", "direct", NULL };
        char *env[] = { "DOCKER_HOST=unix:///x", "SYSIMAGE=/y", NULL };
        struct watch_opts o;

        cr_assert_eq(parse(argv, env, &o), CLI_RUN, "%s", err);
        cr_assert_str_eq(o.docker_socket, "/s");
        cr_assert_str_eq(o.script_dir, "/sd");
        cr_assert_str_eq(o.state_dir, "/st");
        cr_assert_str_eq(o.sysimage, "/si");
        cr_assert_eq(o.n_allow, 2);
        cr_assert_str_eq(o.allow[0], "a*=containers");
        cr_assert_str_eq(o.allow[1], "b=host");
        cr_assert_null(o.allow[2]);
        cr_assert(o.allow_all);
        cr_assert_eq(o.exec_timeout_s, 5);
        cr_assert_eq(o.stop_timeout_s, 0);
        cr_assert_eq(o.max_output, 100);
        cr_assert_eq(o.jobs, 3);
        cr_assert_eq(o.log_format, LOG_FORMAT_JSON);
        cr_assert(o.once);
        cr_assert_eq(o.dispatch, DISPATCH_DIRECT);
        cli_watch_opts_free(&o);
}

Test(cli_watch, dispatch_modes)
{
        static const char *const words[] = { "auto", "api", "direct" };
        static const enum dispatch_mode modes[] = { DISPATCH_AUTO, DISPATCH_API, DISPATCH_DIRECT };

        for (size_t i = 0; i < 3; i++) {
                char *argv[] = { "watch", "--dispatch=api", "--dispatch", (char *)words[i], NULL };
                struct watch_opts o;

                cr_assert_eq(parse(argv, NULL, &o), CLI_RUN, "%s", err);
                cr_assert_eq(o.dispatch, modes[i], "%s", words[i]);
                cli_watch_opts_free(&o);
        }
}

Test(cli_watch, help_and_version)
{
        char *a1[] = { "watch", "--version", NULL }, *a2[] = { "watch", "--version", "--help", NULL };
        char *env[] = { NULL };
        struct watch_opts o;

        cr_assert_eq(parse(a1, env, &o), CLI_VERSION);
        cli_watch_opts_free(&o);
        cr_assert_eq(parse(a2, env, &o), CLI_HELP);
        cli_watch_opts_free(&o);
        cr_assert(strstr(cli_watch_help, "--exec-timeout"));
        cr_assert(strstr(cli_watch_help, "--stop-timeout"));
        cr_assert(strstr(cli_watch_help, "--dispatch auto|api|direct"));
}

struct bad {
        char *argv[4];
        const char *needle;
};

static struct bad bads[] = {
        { { "watch", "--nope", NULL }, "--nope" },
        { { "watch", "--jobs", NULL }, "--jobs" },
        { { "watch", "--jobs", "0", NULL }, "--jobs" },
        { { "watch", "--jobs", "x", NULL }, "--jobs" },
        { { "watch", "--exec-timeout", "-1", NULL }, "--exec-timeout" },
        { { "watch", "--max-output", "1k", NULL }, "--max-output" },
        { { "watch", "--stop-timeout", "3601", NULL }, "--stop-timeout" },
        { { "watch", "--log-format", "xml", NULL }, "--log-format" },
        { { "watch", "--dispatch", "exec", NULL }, "--dispatch" },
        { { "watch", "--dispatch", NULL }, "--dispatch" },
        { { "watch", "--allow", "noequals", NULL }, "--allow" },
        { { "watch", "--state-dir=", NULL }, "--state-dir" },
        { { "watch", "stray", NULL }, "stray" },
};

Test(cli_watch, rejects_bad_command_lines_with_one_line_naming_the_culprit)
{
        char *env[] = { NULL };
        struct watch_opts o;

        for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
                struct bad *b = &bads[i];
                cr_assert_eq(parse(b->argv, env, &o), -EINVAL, "case %zu accepted", i);
                cr_assert(strstr(err, b->needle), "error '%s' does not name '%s'", err, b->needle);
                cr_assert_null(strchr(err, '\n'));
        }
}

Test(cli_watch, status_socket_and_metrics_listen)
{
        char *argv0[] = { "watch", NULL }, *env[] = { NULL };
        char *argv1[] = { "watch", "--status-socket", "/run/s.sock", "--metrics-listen=0.0.0.0:9323", NULL };
        char *argv2[] = { "watch", "--metrics-listen", "", NULL };
        struct watch_opts o;

        cr_assert_eq(parse(argv0, env, &o), CLI_RUN);
        cr_assert_null(o.status_socket);   /* <state-dir>/status.sock, decided by the controller */
        cr_assert_null(o.metrics_listen);  /* off */
        cli_watch_opts_free(&o);
        cr_assert_eq(parse(argv1, env, &o), CLI_RUN);
        cr_assert_str_eq(o.status_socket, "/run/s.sock");
        cr_assert_str_eq(o.metrics_listen, "0.0.0.0:9323");
        cli_watch_opts_free(&o);
        cr_assert_eq(parse(argv2, env, &o), -EINVAL);
        cr_assert_not_null(strstr(err, "--metrics-listen"));
}

/* docs/events.md "Scope": repeatable; one that does not parse is an error
 * with one line (exit 2 in watch.c). */
Test(cli_watch, scope_is_repeatable_and_checked)
{
        char *argv[] = { "watch", "--scope", "label=com.docker.compose.project=a", "--scope=name=^web", NULL };
        char *bad[] = { "watch", "--scope", "label=ok", "--scope", "status=running", NULL };
        char *env[] = { NULL };
        struct watch_opts o;

        cr_assert_eq(parse(argv, env, &o), CLI_RUN);
        cr_assert_eq(o.n_scope, 2);
        cr_assert_str_eq(o.scope[0], "label=com.docker.compose.project=a");
        cr_assert_str_eq(o.scope[1], "name=^web");
        cr_assert_null(o.scope[2]);
        cli_watch_opts_free(&o);
        cr_assert_eq(parse(bad, env, &o), -EINVAL);
        cr_assert_not_null(strstr(err, "--scope 'status=running'"), "%s", err);
        cr_assert_null(strchr(err, '\n'));
}

Test(cli_watch, says_which_defaults_the_machine_may_choose)
{
        char *bare[] = { "watch", NULL }, *given[] = { "watch", "--docker-socket", "/s", "--state-dir", "/d", NULL };
        char *env[] = { NULL }, *dh[] = { "DOCKER_HOST=unix:///h.sock", NULL };
        struct watch_opts o;

        /* neither named: discovery and a user's own state dir may apply
         * (docs/engines.md) */
        cr_assert_eq(parse(bare, env, &o), CLI_RUN);
        cr_assert(o.socket_default);
        cr_assert(o.state_default);
        cli_watch_opts_free(&o);
        cr_assert_eq(parse(given, env, &o), CLI_RUN);
        cr_assert_not(o.socket_default);
        cr_assert_not(o.state_default);
        cli_watch_opts_free(&o);
        cr_assert_eq(parse(bare, dh, &o), CLI_RUN);
        cr_assert_not(o.socket_default, "DOCKER_HOST names one");
        cr_assert_str_eq(o.docker_socket, "/h.sock");
        cli_watch_opts_free(&o);
}
