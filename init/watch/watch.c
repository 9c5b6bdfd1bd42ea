/* watch.c — `contrainer watch`: the command line, loading libcurl and
 * cJSON (dl.h), then the controller's loop (controller.c). */
#include "watch.h"

#include "cli_watch.h"
#include "controller.h"
#include "dl.h"
#include "engine_id.h"
#include "log.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

/* Defaults that depend on the machine (docs/engines.md): the first
 * Engine socket that answers, and a non-root user's own state dir.
 * SOCK and STATE hold them for the controller's lifetime. */
static int machine_defaults(struct watch_opts *o, char *sock, char *state, size_t statesz)
{
        if (o->socket_default) {
                (void)engine_socket_discover(environ, sock);  /* none answers: the classic path */
                o->docker_socket = sock;
        }
        if (o->state_default) {
                int r = engine_state_dir(environ, (unsigned)geteuid(), state, statesz);

                if (r < 0) {
                        log_error("no state dir: not root and no absolute XDG_STATE_HOME or HOME (use --state-dir)");
                        return r;
                }
                o->state_dir = state;
                /* Its parents too (~/.local/state may not exist yet);
                 * failures show where the dir is used. */
                for (char *p = state + 1; *p; p++) {
                        if (*p != '/')
                                continue;
                        *p = '\0';
                        (void)mkdir(state, 0700);
                        *p = '/';
                }
                (void)mkdir(state, 0700);
        }
        return 0;
}

int watch_main(int argc, char **argv)
{
        static char sock[ENGINE_SOCKET_MAX], state[4096];
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
        if (machine_defaults(&o, sock, state, sizeof(state)) < 0) {
                cli_watch_opts_free(&o);
                return 2;
        }
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
