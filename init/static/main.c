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

#include <stdio.h>
#include <string.h>

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
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                fputs(usage, stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                puts("contrainer " CONTRAINER_VERSION " (static, init only)");
                return 0;
        }
        fprintf(stderr, "contrainer: '%s' is not in this static init-only build; "
                "the controller (watch) needs the regular build\n", argv[1]);
        return 2;
}
