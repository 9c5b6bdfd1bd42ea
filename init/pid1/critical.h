/* critical.h — critical services: service directories holding a file
 * `critical`, whose end ends the container (docs/hardening.md).
 * Owns: finding them, running their ./run itself (runsv reports no exit
 * status, and would restart them), noticing an end nobody asked for, and
 * stopping them within their own grace (timeout-kill) at shutdown; and the
 * runtime directory of links through which runsvdir sees the other
 * services only.
 * Does not own: runsvdir (runit.c), the shutdown order (shutdown.c), the
 * exit status policy (shutdown.c).  Context: the init main loop. */
#ifndef CONTRAINER_CRITICAL_H
#define CONTRAINER_CRITICAL_H

#include <stdbool.h>
#include <stddef.h>

struct pid1;
struct critical;

/* At most this many critical services (pid1 tracks a handful of pids). */
#define CRITICAL_MAX 8

/* The critical services of SERVICE_DIR.  Returns 0 and *ret (NULL when
 * there are none), -E2BIG past CRITICAL_MAX, -ENOMEM. */
int critical_scan(const char *service_dir, struct critical **ret);
struct critical *critical_free(struct critical *c);

/* Make RUNTIME_DIR/service (ours: never through a symlink) hold a link to
 * every service of SERVICE_DIR that is not critical, for runsvdir; its path
 * goes to OUT.  Returns 0 or -errno. */
int critical_runsv_dir(const struct critical *c, const char *service_dir,
                       const char *runtime_dir, char *out, size_t outsz);

/* Start every critical service's ./run in its directory, in its own
 * process group, with ENV and stdio only.  One that cannot be started is
 * logged and counts as ended with 126/127. */
void critical_start(struct critical *c, struct pid1 *p, char *const *env);

/* Has a critical service ended?  True (once) with its name and wait
 * status; false while they all run.  NULL C: false. */
bool critical_ended(struct critical *c, struct pid1 *p, const char **ret_name,
                    int *ret_wstatus);

/* Shutdown: TERM (and CONT) to every running critical service's group; each
 * gets its timeout-kill (else KILL_MS) from now. */
void critical_term(struct critical *c, unsigned kill_ms);

/* Wait for them; KILL a group whose grace has passed, then GRACE_MS more. */
void critical_wait(struct critical *c, struct pid1 *p, unsigned grace_ms);

#endif
