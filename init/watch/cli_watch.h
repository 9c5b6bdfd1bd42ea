/* cli_watch.h — the command line of `contrainer watch` → struct watch_opts,
 * or one error line.
 * Owns: option syntax, defaults (docs/watch.md) and the help text.  Never exits,
 * never prints: the caller prints the error, --help or --version text.
 * Does not own: what the options do (watch.c, controller.c).  Parser:
 * cli_watch.c.
 * Pure: no I/O, no globals (getenv only through the ENV argument). */
#ifndef CONTRAINER_CLI_WATCH_H
#define CONTRAINER_CLI_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "cli_result.h"

enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* --dispatch (docs/watch.md "Direct dispatch"): auto tries the direct path and falls back per
 * container, api never tries it, direct refuses to fall back. */
enum dispatch_mode { DISPATCH_AUTO, DISPATCH_API, DISPATCH_DIRECT };

struct watch_opts {
        const char *docker_socket;  /* --docker-socket, else DOCKER_HOST unix://, else /var/run/docker.sock */
        bool socket_default;        /* neither named one: the caller may discover it (engine_id.h) */
        const char *script_dir;     /* default "/contrainer" */
        const char *state_dir;      /* default "/var/lib/contrainer" */
        bool state_default;         /* not given: a non-root caller picks its own (engine_id.h) */
        const char *sysimage;       /* --sysimage, else $SYSIMAGE, else "/" */
        const char **allow;         /* --allow rules, NULL-terminated (caller frees the array) */
        size_t n_allow;
        bool allow_all;
        unsigned exec_timeout_s;    /* default 60 */
        unsigned stop_timeout_s;    /* --stop-timeout, default 5 */
        size_t max_output;          /* default 1048576 */
        unsigned jobs;              /* default 8, >= 1 */
        enum log_format log_format;
        bool once;
        enum dispatch_mode dispatch;  /* --dispatch, default auto */
        const char *status_socket;  /* --status-socket; NULL: <state_dir>/status.sock (docs/status.md) */
        const char *metrics_listen; /* --metrics-listen ADDR:PORT; NULL: off */
        const char **scope;         /* --scope filters, NULL-terminated (checked; caller frees the array) */
        size_t n_scope;
};

/* ARGV[0] is the mode word; ENV is the environment (DOCKER_HOST, SYSIMAGE).
 * Returns an enum cli_result or -EINVAL with ERR filled; on CLI_RUN *RET
 * borrows strings from ARGV and ENV, and owns its allow array (free it with
 * cli_watch_opts_free). */
int cli_parse_watch(int argc, char **argv, char *const *env, struct watch_opts *ret,
                    char *err, size_t errsz);

/* Free what cli_parse_watch allocated in O (the allow array).  NULL-safe. */
void cli_watch_opts_free(struct watch_opts *o);

extern const char cli_watch_help[];  /* the --help text */

#endif
