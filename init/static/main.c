/* static/main.c — main() of the static (musl) build: init mode only.
 * The regular main (init/main.c) also offers `watch`, which needs libcurl
 * and cJSON at run time (dlopen, init/dl.c); a static binary cannot dlopen,
 * so this build leaves the controller out and says so in one line.
 *   contrainer init [OPTIONS] [--] [COMMAND...]   PID 1   (init_main.c)
 *   my_init [OPTIONS] [--] [COMMAND...]           same, phusion drop-in name
 *   contrainer --help | --version
 * Anything else (watch, or any other mode of the regular build): one line,
 * exit 2. */
#include "init_main.h"
#include "modetab.h"

static const char usage[] =
        "usage: contrainer init [OPTIONS] [--] [COMMAND [ARG...]]\n"
        "       contrainer --help | --version\n"
        "\n"
        "  init    run as PID 1: environment export, boot scripts, runit,\n"
        "          COMMAND, signal forwarding, reaping, orderly shutdown\n"
        "\n"
        "This is the static init-only build (make static); the controller\n"
        "(contrainer watch) needs the regular build.\n"
        "'contrainer init --help' lists the options.\n";

static const struct mode modes[] = {
        { "init", init_main },  /* also my_init */
};

int main(int argc, char **argv)
{
        static const struct mode_table t = {
                .modes = modes,
                .n = 1,
                .alias = "my_init",
                .usage = usage,
                .version = "contrainer " CONTRAINER_VERSION " (static, init only)",
                .unknown_pre = "",
                .unknown_post = " is not in this static init-only build; "
                                "the controller (watch) needs the regular build",
                .usage_on_unknown = 0,
        };

        return mode_main(&t, argc, argv);
}
