/* cli.h — command lines of both modes → option structs, or one error line.
 * Owns: option syntax and defaults (SPEC §1 and §2).  Never exits, never
 * prints: the caller prints the error, --help or --version text.
 * Does not own: what the options do (the modes: init_main.c, watch.c), the
 * exec mode's own command line (cli_exec.h).  Parsers: pid1/cli_init.c
 * (init) and watch/cli_watch.c (watch).
 * Pure: no I/O, no globals (getenv only through the ENV argument). */
#ifndef CONTRAINER_CLI_H
#define CONTRAINER_CLI_H

#include <stdbool.h>
#include <stddef.h>

enum cli_result {
        CLI_RUN = 0,      /* options parsed, go on */
        CLI_HELP = 1,     /* --help given: print cli_*_help, exit 0 */
        CLI_VERSION = 2,  /* --version given: print the version, exit 0 */
        /* < 0: -EINVAL, message in ERR: print it, exit 2 */
};

struct init_opts {
        bool skip_startup_files;
        bool skip_runit;
        bool no_kill_all_on_exit;
        bool quiet;
        const char *boot_dir;       /* default "/etc/boot.d" */
        const char *service_dir;    /* default "/etc/service" */
        unsigned kill_process_timeout_ms;       /* KILL_PROCESS_TIMEOUT, default 4 s */
        unsigned kill_all_processes_timeout_ms; /* KILL_ALL_PROCESSES_TIMEOUT, default 1 s */
        unsigned wait_for_services_ms;  /* --wait-for-services[=S], CONTRAINER_WAIT_FOR_SERVICES; 0 = off */
        char **command;             /* borrowed from argv; NULL or empty = none */
};

/* ARGV[0] is the mode word; ENV is the environment (for the timeouts).
 * Returns an enum cli_result or -EINVAL with ERR filled. */
int cli_parse_init(int argc, char **argv, char *const *env, struct init_opts *ret,
                   char *err, size_t errsz);
extern const char cli_init_help[];

enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* --dispatch (SPEC §2.6): auto tries the direct path and falls back per
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
        const char *status_socket;  /* --status-socket; NULL: <state_dir>/status.sock (SPEC §2.7) */
        const char *metrics_listen; /* --metrics-listen ADDR:PORT; NULL: off */
};

int cli_parse_watch(int argc, char **argv, char *const *env, struct watch_opts *ret,
                    char *err, size_t errsz);
void cli_watch_opts_free(struct watch_opts *o);
extern const char cli_watch_help[];

#endif
