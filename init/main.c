/* main.c — picks the mode from argv[0] and the first argument, nothing else.
 *   contrainer init [OPTIONS] [--] [COMMAND...]   PID 1   (init_main.c)
 *   my_init [OPTIONS] [--] [COMMAND...]           same, phusion drop-in name
 *   contrainer watch [OPTIONS]                    controller (watch.c)
 *   contrainer status [OPTIONS]                   ask a controller (status_client.c)
 *   contrainer exec [OPTIONS] CONTAINER [CMD...]  direct exec (exec_main.c)
 * Init mode must stay cheap: nothing here touches libcurl or cJSON. */
#include "exec_main.h"
#include "init_main.h"
#include "status_client.h"
#include "watch.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
        "usage: contrainer init [OPTIONS] [--] [COMMAND [ARG...]]\n"
        "       contrainer watch [OPTIONS]\n"
        "       contrainer status [OPTIONS]\n"
        "       contrainer exec [OPTIONS] [--] CONTAINER [CMD [ARG...]]\n"
        "       contrainer --help | --version\n"
        "\n"
        "  init    run as PID 1: environment export, boot scripts, runit,\n"
        "          COMMAND, signal forwarding, reaping, orderly shutdown\n"
        "  watch   the controller: run each container's /contrainer scripts\n"
        "          and dispatch their bodies on Docker events\n"
        "  status  ask a running controller what it holds and does\n"
        "  exec    run CMD in a container exactly as 'docker exec' would, directly\n"
        "\n"
        "'contrainer MODE --help' lists the options of each mode.\n";

static const char *base_name(const char *p)
{
        const char *s = strrchr(p, '/');

        return s ? s + 1 : p;
}

int main(int argc, char **argv)
{
        if (argc > 0 && strcmp(base_name(argv[0]), "my_init") == 0)
                return init_main(argc, argv);
        if (argc < 2) {
                fputs(usage, stderr);
                return 2;
        }
        if (strcmp(argv[1], "init") == 0)
                return init_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "watch") == 0)
                return watch_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "status") == 0)
                return status_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "exec") == 0)
                return exec_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                fputs(usage, stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                puts("contrainer " CONTRAINER_VERSION);
                return 0;
        }
        fprintf(stderr, "contrainer: unknown mode '%s'\n%s", argv[1], usage);
        return 2;
}
