/* main.c — the modes of the regular build, chosen from argv[0] and the
 * first argument by modetab.c:
 *   contrainer init [OPTIONS] [--] [COMMAND...]   PID 1   (init_main.c)
 *   my_init [OPTIONS] [--] [COMMAND...]           same, phusion drop-in name
 *   contrainer watch [OPTIONS]                    controller (watch.c)
 *   contrainer status [OPTIONS]                   ask a controller (status_client.c)
 *   contrainer exec [OPTIONS] CONTAINER [CMD...]  direct exec (exec_main.c)
 * Init mode must stay cheap: nothing here touches libcurl or cJSON. */
#include "exec_main.h"
#include "init_main.h"
#include "modetab.h"
#include "status_client.h"
#include "watch.h"

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

static const struct mode modes[] = {
        { "init", init_main },  /* first: also my_init */
        { "watch", watch_main },
        { "status", status_main },
        { "exec", exec_main },
};

int main(int argc, char **argv)
{
        static const struct mode_table t = {
                .modes = modes,
                .n = sizeof(modes) / sizeof(modes[0]),
                .alias = "my_init",
                .usage = usage,
                .version = "contrainer " CONTRAINER_VERSION,
                .unknown_pre = "unknown mode ",
                .unknown_post = "",
                .usage_on_unknown = 1,
        };

        return mode_main(&t, argc, argv);
}
