/* ctl_direct.h — the main loop's side of direct dispatch (docs/watch.md): the
 * effective --dispatch mode, whether the Engine's processes are visible at
 * all, and the containers that fell back to the exec API (their reason is
 * logged once per container; later workers for them go to the API at once).
 * It leaves nothing running: no helper process of its own.
 * Owns: that per-controller state.  Does not own: gathering a context or
 * running anything (the workers: collect_worker.c, body_worker.c through direct_*).
 * Context: main loop only. */
#ifndef CONTRAINER_CTL_DIRECT_H
#define CONTRAINER_CTL_DIRECT_H

#include <stddef.h>

#include "cli_watch.h"
#include "body_worker.h"  /* enum direct_want */


#define CTL_DIRECT_MAX_FALLBACK 4096  /* containers remembered (then: forget all) */

struct ctl_direct {
        enum dispatch_mode configured;
        enum dispatch_mode effective;   /* auto without a view of the processes: api */
        char (*fallback)[72];           /* container ids that go to the API */
        size_t n_fallback;
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

/* What to do for container ID (NULL-safe D: DIRECT_OFF): DIRECT_MUST under
 * --dispatch direct, DIRECT_OFF under api or for a container that fell
 * back, else DIRECT_TRY. */
enum direct_want ctl_direct_want(struct ctl_direct *d, const char *id);

/* A worker said container ID (NAME) cannot be run directly, because
 * REASON (LEN bytes): log it once per container, send it to the API from
 * now on. */
void ctl_direct_fallback(struct ctl_direct *d, const char *id, const char *name,
                         const char *reason, size_t len);

/* "auto", "api" or "direct": the configured mode, for the status. */
const char *ctl_direct_mode_name(enum dispatch_mode m);

#endif
