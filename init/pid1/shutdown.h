/* shutdown.h — the ordered, bounded shutdown sequence (docs/init.md).
 * Owns: the order of the steps and their monotonic deadlines: COMMAND
 * (TERM, KILL after KILL_PROCESS_TIMEOUT), shutdown.d and
 * my_init.pre_shutdown.d scripts, runit services (KILL_PROCESS_TIMEOUT),
 * my_init.post_shutdown.d scripts, then every remaining process (TERM, KILL
 * after KILL_ALL_PROCESSES_TIMEOUT; kill(-1) only as PID 1).
 * Does not own: starting anything, the exit status policy (init_main.c).
 * Context: the init main loop, after the point of no return. */
#ifndef CONTRAINER_SHUTDOWN_H
#define CONTRAINER_SHUTDOWN_H

#include <stdbool.h>
#include <sys/types.h>

struct critical;
struct envexport;
struct init_opts;
struct pid1;

struct shutdown_ctx {
        struct pid1 *pid1;
        struct envexport *env;
        const struct init_opts *opts;
        pid_t command;          /* > 0: COMMAND was started (tracked in pid1) */
        bool command_signalled; /* a terminating signal was already forwarded to it */
        bool command_done;      /* reaped: command_wstatus is valid */
        int command_wstatus;
        pid_t runsvdir;         /* > 0: runsvdir was started (tracked in pid1) */
        const char *runsv_dir;  /* the directory runsvdir supervises */
        struct critical *critical;  /* critical services (NULL: none) */
        bool critical_ended;    /* one ended unasked: critical_wstatus is its status */
        int critical_wstatus;
        int boot_status;        /* > 0: the boot failed with it (or was interrupted) */
};

/* The status the init exits with (and tells the shutdown scripts, as
 * CONTRAINER_EXIT_STATUS): a failed boot's, else an ended critical
 * service's, else COMMAND's (128+N for signal N), else 0 without COMMAND;
 * 137 for a COMMAND that could not be reaped, 128+N when signal N came
 * before COMMAND could start. */
int shutdown_exit_status(const struct shutdown_ctx *c);

/* Run every step in order; returns when all are done.  Never fails: a step
 * that cannot do its work logs it and the sequence goes on.  Fills the
 * command_* fields when COMMAND is reaped. */
void shutdown_run(struct shutdown_ctx *c);

#endif
