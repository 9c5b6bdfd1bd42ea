/* runit.h — runit's runsvdir under init: start it, stop everything it runs.
 * Owns: the runsvdir command line, reading a service's supervise/status,
 * and the stop protocol (runsvdir ended first; runsv's control FIFO, the
 * same 'd' then 'k' that `sv force-stop` sends; then the runsv processes,
 * ended at once once their services are down).
 * Does not own: reaping (pid1.c), deadlines' values (shutdown.c).
 * Context: the init main loop. */
#ifndef CONTRAINER_RUNIT_H
#define CONTRAINER_RUNIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct pid1;

/* Start `runsvdir -P SERVICE_DIR` (runsvdir looked up on ENV's PATH) and
 * track it, without waiting for its exec: if that fails, the child prints
 * one error line itself and exits 127/126.  Returns 0 and *ret_pid, or
 * -errno (no child could be made). */
int runit_start(struct pid1 *p, const char *service_dir, char *const *env, pid_t *ret_pid);

enum { RUNIT_DOWN = 0, RUNIT_RUN = 1, RUNIT_FINISH = 2 };

struct runit_status {
        bool supervised;   /* a runsv reads SVC/supervise/ok (as sv(8) probes) */
        bool want_down;    /* told to go (or stay) down */
        int state;         /* RUNIT_DOWN, RUNIT_RUN or RUNIT_FINISH */
        pid_t pid;         /* of ./run or ./finish, 0 when down */
        uint64_t since;    /* TAI64 seconds when the state began (as sv shows):
                            * 2^62 is taken off, so about Unix time + 10 */
        uint32_t since_ns; /* and its nanoseconds */
};

/* Read the status of service directory SVC.  Returns 0 (supervised false
 * when no runsv supervises it; the other fields are then 0) or -errno. */
int runit_status(const char *svc, struct runit_status *ret);

/* Does DIR have an entry not starting with '.' (a service runsvdir would
 * start)?  False when it cannot be read. */
bool runit_has_services(const char *dir);

/* The service directories of DIR: its subdirectories (symlinks followed)
 * whose names do not start with '.', as full paths, sorted; NULL when
 * there are none or DIR cannot be read.  Free with strv_free. */
char **runit_service_dirs(const char *dir);

/* Stop all services in parallel: 'd' (TERM, CONT, no restart) at once to
 * every service a runsv supervises, SIGKILL runsvdir (no runsv is started
 * or restarted after that), wait until every runsv left supervises its
 * directory and 'd' the ones that did not yet, wait until they are down and
 * their finish scripts done (looked at every millisecond at first), 'k'
 * (KILL) to each one still running when its own grace has passed (its
 * `timeout-kill` in milliseconds, else KILL_MS; one line for a bad file)
 * and give it GRACE_MS more, then SIGKILL every runsv (their restart
 * throttle would sleep a second) and wait until they are gone or GRACE_MS
 * passes.  RUNSVDIR may be 0 (already gone).  Logs what it had to kill.
 * Returns the number of services that had to be killed. */
int runit_stop(struct pid1 *p, pid_t runsvdir, const char *service_dir, unsigned kill_ms,
               unsigned grace_ms);

/* Can runit keep the state of every service of SERVICE_DIR (a writable
 * supervise directory, or one runsv can make: a symlink into /run whose
 * parent we make, as Debian's runit-init does)?  Returns 0, or -errno with
 * *RET_WHERE (a static buffer) naming the place that cannot be written. */
int runit_state_ok(const char *service_dir, const char **ret_where);

#endif
