/* watch.c — `contrainer watch`: the command line, loading libcurl and
 * cJSON (dl.h), then the controller's loop (controller.c). */
#include "watch.h"

#include "cli_watch.h"
#include "controller.h"
#include "dl.h"
#include "log.h"

#include <stdio.h>

extern char **environ;

int watch_main(int argc, char **argv)
{
        struct watch_opts o;
        char err[512];
        int r;

        r = cli_parse_watch(argc, argv, environ, &o, err, sizeof(err));
        if (r < 0) {
                fprintf(stderr, "contrainer watch: %s\n", err);
                return 2;
        }
        if (r == CLI_HELP) {
                fputs(cli_watch_help, stdout);
                cli_watch_opts_free(&o);
                return 0;
        }
        if (r == CLI_VERSION) {
                puts("contrainer " CONTRAINER_VERSION);
                cli_watch_opts_free(&o);
                return 0;
        }
        log_setup("contrainer watch", LOG_LEVEL_INFO, o.log_format == LOG_FORMAT_JSON);
        r = dl_load(err, sizeof(err));
        if (r < 0) {
                log_error("%s", err);
                cli_watch_opts_free(&o);
                return 1;
        }
        r = controller_run(&o);
        cli_watch_opts_free(&o);
        return r;
}
