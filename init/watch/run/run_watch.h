/* run_watch.h — the watch over one run's process (a local body, a direct
 * script or body): its stdout and stderr captured up to a cap, its process
 * group killed at the deadline, on overflow or on a worker stop request,
 * the process reaped.
 * Owns: struct body_local_result and the loop.  Does not own: starting the
 * process (body_worker.c body_local, direct_run.c), the records.
 * Context: worker child only. */
#ifndef CONTRAINER_RUN_WATCH_H
#define CONTRAINER_RUN_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

struct body_local_result {
        int wstatus;
        bool timed_out;
        bool stopped;         /* the worker was asked to stop: killed */
        bool overflow;
        struct buf out, err;  /* capped at max_output each */
};

/* PID is our child, leader of its own process group, writing to the pipes
 * PO and PE (both ends given; all four are closed here).  Capture both up
 * to MAX_OUTPUT, kill the group at DEADLINE (deadline.h clock), on
 * overflow or on a stop request, reap it.  0 with *RET (free its bufs), or
 * -errno (the child killed). */
int run_watch(pid_t pid, int po[2], int pe[2], int64_t deadline, size_t max_output,
              struct body_local_result *ret);

/* Close whichever ends of the two output pipes are open (-1: not made). */
void run_watch_close_pipes(const int po[2], const int pe[2]);

#endif
