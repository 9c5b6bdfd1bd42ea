/* ctl_direct.h — the main loop's side of direct dispatch (SPEC §2.6): the
 * effective --dispatch mode, whether the Engine's processes are visible at
 * all, and the containers that fell back to the exec API (their reason is
 * logged once per container; later workers for them go to the API at once),
 * and the cgroup warmer (direct_warm.h), armed at each hand-over.
 * Owns: that per-controller state and the warmer.  Does not own: gathering a context or
 * running anything (the workers: collect.c, jobrun.c through direct_*).
 * Context: main loop only. */
#ifndef CONTRAINER_CTL_DIRECT_H
#define CONTRAINER_CTL_DIRECT_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "jobrun.h"  /* enum direct_want */


struct direct_warm;

#define CTL_DIRECT_MAX_FALLBACK 4096  /* containers remembered (then: forget all) */

struct ctl_direct {
        enum dispatch_mode configured;
        enum dispatch_mode effective;   /* auto without a view of the processes: api */
        char (*fallback)[72];           /* container ids that go to the API */
        size_t n_fallback;
        char warm_procs[2200];          /* our own cgroup.procs ("" none) */
        struct direct_warm *warm;       /* the warmer (direct_warm.h), NULL none */
        int64_t warm_last_ms;           /* last warm-up started (deadline.h clock) */
        char reason[400];               /* why not direct: everywhere, else the last fallback ("" none) */
        size_t fallbacks;               /* containers sent to the API so far */
};

/* Set up D for MODE; SOCKET is the Engine's unix socket (its peer, the
 * daemon, must be visible in our /proc for the direct path).  0; -EPERM
 * with WHY when MODE is direct and container processes are not visible
 * (the caller exits 2); -ENOMEM.  Under auto without a view, logs once
 * that every container goes through the API. */
int ctl_direct_init(struct ctl_direct *d, enum dispatch_mode mode, const char *socket,
                    char *why, size_t whysz);
void ctl_direct_free(struct ctl_direct *d);

/* The fd the main loop polls for the warmer's trigger (-1 none), and what
 * it calls when it is readable (direct_warm.h). */
int ctl_direct_fd(const struct ctl_direct *d);
void ctl_direct_io(struct ctl_direct *d);

/* What to do for container ID (NULL-safe D: DIRECT_OFF).  When the answer
 * is direct, the caller is about to fork a worker that will join the
 * container's cgroups: this also arms the warmer for CTL_DIRECT_ARM_MS
 * (without one: starts the one-shot warm-up of direct_cgroup.h, at most
 * once per CTL_DIRECT_WARM_MS), so that the kernel's wait runs while the
 * worker starts and inspects, or not at all. */
#define CTL_DIRECT_WARM_MS 5
#define CTL_DIRECT_ARM_MS 300
enum direct_want ctl_direct_want(struct ctl_direct *d, const char *id);

/* A worker said container ID (NAME) cannot be run directly, because
 * REASON (LEN bytes): log it once per container, send it to the API from
 * now on. */
void ctl_direct_fallback(struct ctl_direct *d, const char *id, const char *name,
                         const char *reason, size_t len);

/* "auto", "api" or "direct": the configured mode, for the status. */
const char *ctl_direct_mode_name(enum dispatch_mode m);

#endif
