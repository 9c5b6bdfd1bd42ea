/* deadline.h — CLOCK_MONOTONIC time points in milliseconds.
 * Owns: reading the monotonic clock and turning deadlines into poll(2)
 * timeouts.  Does not own: what a deadline is for (shutdown.c, runit.c).
 * Context: any (no state, no allocation); not for use between fork and exec. */
#ifndef CONTRAINER_DEADLINE_H
#define CONTRAINER_DEADLINE_H

#include <stdint.h>

/* A deadline that never passes. */
#define DEADLINE_NEVER INT64_MAX

/* Milliseconds on CLOCK_MONOTONIC (never jumps with the wall clock). */
int64_t deadline_now(void);

/* The time point MS milliseconds from now. */
int64_t deadline_in(int64_t ms);

/* Milliseconds left until DEADLINE as a poll(2) timeout: 0 when it has
 * passed, -1 (wait forever) for DEADLINE_NEVER, capped at INT32_MAX. */
int deadline_poll_timeout(int64_t deadline);

/* Has DEADLINE passed? */
int deadline_passed(int64_t deadline);

/* CLOCK_REALTIME in nanoseconds: the Engine's timeNano clock, for event
 * times and ages only, never for a deadline. */
uint64_t deadline_wall_ns(void);

/* The earlier of two deadlines. */
int64_t deadline_min(int64_t a, int64_t b);

#endif
