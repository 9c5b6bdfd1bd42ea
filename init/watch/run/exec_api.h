/* exec_api.h — one exec's whole life cycle through the Engine API (docs/watch.md
 * "Collecting scripts", "Dispatch", "Bounded"): create, start attached, read the
 * multiplexed stream, notice the exec's process exiting, bound it by a
 * deadline and the output cap, and on timeout, overflow or a stop request
 * kill its process group after procguard's checks.
 * Owns: the exec calls (create, attached start, inspect) and the kill
 * policy.  Does not own: the transport (docker_http.c), what is run (collect_worker.c,
 * body_worker.c), logging (never logs).
 * Context: forked worker children only (it watches worker_stop_fd). */
#ifndef CONTRAINER_DEXEC_H
#define CONTRAINER_DEXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "frames.h"

struct docker;

struct docker_exec_result {
        char exec_id[80];
        int exit_code;          /* valid when no flag below but killed/not_visible is set */
        bool timed_out;         /* the deadline passed while its process ran */
        bool overflow;          /* stdout or stderr passed MAX_OUTPUT */
        bool bad_stream;
        bool stopped;           /* the worker was asked to stop meanwhile */
        bool killed;            /* its process group was killed (pidfd-checked) */
        bool not_visible;       /* it had to be killed, but its PID is not ours to
                                 * see (no --pid=host): left to the container */
        long http_status;       /* of the create call, when it failed */
        struct frame_decoder out;  /* .out and .err hold the captured output */
};

/* Run ARGV (with ENV added, may be NULL) in container ID (the full id),
 * attached, until its process exits — even if a background child keeps the
 * output open — or DEADLINE_MS (CLOCK_MONOTONIC ms) passes, a stream passes
 * MAX_OUTPUT or a stop is requested; in those cases its process group is
 * killed when procguard can vouch for its PID.  ON_CREATED (may be NULL) is
 * called with the exec id as soon as it is known (before it starts).
 * Returns 0 with *RET filled (free with docker_exec_result_free), or
 * -ENOENT / -EBUSY (container gone / not running: create got 404 / 409,
 * RET.http_status set), -ETIME (the deadline passed before it started),
 * -errno. */
int docker_exec(struct docker *d, const char *id, char *const *argv, char *const *env,
                int64_t deadline_ms, size_t max_output,
                void (*on_created)(void *userdata, const char *exec_id), void *userdata,
                struct docker_exec_result *ret);
void docker_exec_result_free(struct docker_exec_result *r);

#endif
