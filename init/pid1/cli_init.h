/* cli_init.h — the command line of `contrainer init` / `my_init` (and the
 * environment variables that set its timeouts) → struct init_opts, or one
 * error line.
 * Owns: option syntax, defaults (docs/init.md) and the help text.  Never exits,
 * never prints: the caller prints the error, --help or --version text.
 * Does not own: what the options do (init_main.c).  Parser: cli_init.c.
 * Pure: no I/O, no globals (getenv only through the ENV argument). */
#ifndef CONTRAINER_CLI_INIT_H
#define CONTRAINER_CLI_INIT_H

#include <stdbool.h>
#include <stddef.h>

#include "cli_result.h"

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

#endif
