/* boot.h — script directories: boot.d, my_init.d, rc.local, shutdown.d...
 * Owns: which files of a directory run (executable regular files, symlinks
 * to them, no dot files) and in what order (byte-wise), and running them
 * one after the other with the environment re-read before each.
 * Does not own: reaping or signals (pid1.c), the environment (envexport.c).
 * Context: the init main loop. */
#ifndef CONTRAINER_BOOT_H
#define CONTRAINER_BOOT_H

#include <stdbool.h>

struct envexport;
struct pid1;

/* The runnable scripts of DIR as full paths, in strcmp order.  A missing
 * directory is an empty list (*ret = NULL).  Returns 0 or -errno. */
int boot_list(const char *dir, char ***ret);

/* Is PATH one runnable script (as rc.local is)?  Follows symlinks. */
bool boot_is_runnable(const char *path);

struct boot_failure {
        char *path;   /* the failing script (caller frees) */
        int status;   /* its exit status, 128+N if killed by signal N */
        int signal;   /* N if killed by signal N, else 0 */
};

/* Run each script of PATHS to completion, refreshing ENV before each, each
 * in its own process group (the terminal's foreground group while it runs,
 * when stdin is one) and forwarding signals to that group.  WHAT names the
 * stage in log lines ("boot script", "shutdown script").  With
 * STOP_ON_FAILURE, the first script that fails ends the run: returns 1 and
 * fills *ret_fail (the caller prints the one error line).  Otherwise
 * failures are logged as warnings.
 * With STOP_ON_FAILURE a terminating signal stops the run (returning 2): the
 * running script's group got the signal; once its main process and every
 * member of its group are gone, or KILL_MS after the signal (then the group
 * gets SIGKILL), the run ends (boot is interrupted; shutdown scripts go on).
 * Returns 0 when all ran. */
int boot_run(struct pid1 *p, struct envexport *env, char *const *paths, const char *what,
             bool stop_on_failure, unsigned kill_ms, struct boot_failure *ret_fail);

/* The same for shutdown scripts (never stopping on a failure), each of
 * which also gets EXTRA ("NAME=VALUE", e.g. CONTRAINER_EXIT_STATUS=143;
 * NULL: none) in its environment. */
int boot_run_with(struct pid1 *p, struct envexport *env, char *const *paths, const char *what,
                  const char *extra);

#endif
