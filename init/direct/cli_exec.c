/* cli_exec.c — the `contrainer exec` command line.  See cli_exec.h. */
#include "cli_exec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char cli_exec_help[] =
        "usage: contrainer exec [OPTIONS] [--] CONTAINER [CMD [ARG...]]\n"
        "       contrainer exec --script PATH [OPTIONS] [--] CONTAINER [ARG...]\n"
        "\n"
        "Run CMD (default: sh) in a running container, directly (no Engine exec),\n"
        "with exactly the context `docker exec CONTAINER CMD` gives it: every\n"
        "namespace, the cgroups, capability sets, no_new_privs, the seccomp\n"
        "filter, rlimits, oom_score_adj, umask, the configured user and groups,\n"
        "environment and working directory.  stdin, stdout and stderr are\n"
        "relayed through pipes, as `docker exec -i` does: CMD never gets the\n"
        "caller's own descriptors or terminal, and what it leaves running keeps\n"
        "nothing of them.  The exit status is CMD's (128+N if killed by signal N).\n"
        "Where that context cannot be reproduced exactly (a user namespace, an\n"
        "LSM label, a security option we do not reproduce, …) it says why in one\n"
        "line and exits 125 — it never falls back to `docker exec` by itself.\n"
        "Exit statuses: 125 set-up failed or refused, 126 CMD cannot be\n"
        "executed, 127 CMD not found.  Needs root on the container's host.\n"
        "\n"
        "  --docker-socket PATH  Engine socket (default: DOCKER_HOST if unix://...,\n"
        "                        else /var/run/docker.sock)\n"
        "  --list DIR            print the executable regular files directly in DIR,\n"
        "                        resolved inside the container's root (what the\n"
        "                        controller's direct path collects), and exit\n"
        "  --script PATH         run the file PATH (resolved inside the container's\n"
        "                        root; never a symlink) with ARGs, through its fd\n"
        "                        (a \"#!\" script then sees /dev/fd/N as $0)\n"
        "  --help, --version\n";

static char *const default_cmd[] = { "sh", NULL };

int cli_exec_parse(int argc, char *const *argv, char *const *env, struct exec_opts *ret,
                   char *err, size_t errsz)
{
        struct exec_opts o = { .docker_socket = "/var/run/docker.sock", .cmd = default_cmd };
        int i;

        for (size_t k = 0; env && env[k]; k++)
                if (strncmp(env[k], "DOCKER_HOST=unix://", 19) == 0 && env[k][19])
                        o.docker_socket = env[k] + 19;
        for (i = 1; i < argc; i++) {
                const char *a = argv[i];

                if (strcmp(a, "--") == 0) {
                        i++;
                        break;
                }
                if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
                        return CLI_EXEC_HELP;
                if (strcmp(a, "--version") == 0)
                        return CLI_EXEC_VERSION;
                if (strcmp(a, "--docker-socket") == 0 || strcmp(a, "--list") == 0 ||
                    strcmp(a, "--script") == 0) {
                        if (i + 1 >= argc) {
                                snprintf(err, errsz, "option '%s' needs a value", a);
                                return -EINVAL;
                        }
                        const char *v = argv[++i];
                        if (a[2] == 'd')
                                o.docker_socket = strncmp(v, "unix://", 7) == 0 ? v + 7 : v;
                        else if (a[2] == 'l')
                                o.list_dir = v;
                        else
                                o.script = v;
                        continue;
                }
                if (a[0] == '-') {
                        snprintf(err, errsz, "unknown option '%.100s'", a);
                        return -EINVAL;
                }
                break;
        }
        if (i >= argc) {
                snprintf(err, errsz, "missing CONTAINER");
                return -EINVAL;
        }
        o.container = argv[i++];
        if (o.list_dir && o.script) {
                snprintf(err, errsz, "--list and --script exclude each other");
                return -EINVAL;
        }
        if (o.script) {
                o.cmd = NULL;
                o.args = argv + i;
                *ret = o;
                return CLI_EXEC_RUN;
        }
        if (i < argc) {
                if (o.list_dir) {
                        snprintf(err, errsz, "--list takes no CMD");
                        return -EINVAL;
                }
                o.cmd = argv + i;
        }
        *ret = o;
        return CLI_EXEC_RUN;
}
