/* ready.h — readiness: wait until the runit services are up before COMMAND
 * (docs/init.md "Readiness", --wait-for-services).
 * Owns: which services must be ready (every service directory without a
 * `down` file), what ready means (runsv says `run`, not told down, and
 * ./check exits 0; without ./check, `run` for a second as sv(8) counts it),
 * running ./check (in the service directory, own process group, bounded by
 * the deadline) and the one line naming the services not ready.
 * Does not own: starting runsvdir (runit.c), reaping and signals (pid1.c),
 * what happens next (init_main.c).
 * Context: the init main loop, after runsvdir started, before COMMAND. */
#ifndef CONTRAINER_READY_H
#define CONTRAINER_READY_H

#include <stdint.h>

struct pid1;

/* Wait until every enabled service of SERVICE_DIR is ready or DEADLINE
 * (deadline.h) passes; ./check runs with environment ENV.  Signals are
 * forwarded to a running check's group; a terminating signal stops the
 * wait (the check's group gets SIGKILL KILL_MS after it).
 * Returns 0 when all are ready, 1 past the deadline (after one error line
 * naming the services not ready), 2 when a terminating signal stopped it. */
int ready_wait(struct pid1 *p, const char *service_dir, char *const *env, int64_t deadline,
               unsigned kill_ms);

#endif
