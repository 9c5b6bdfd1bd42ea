/* stats.h — what the controller has done, for `GET /status` and `/metrics`
 * (SPEC §2.7): counters, body results by class, a dispatch-latency
 * histogram, the last STATS_RING dispatches and, per registrar container,
 * its last few results.  Everything is bounded: the ring overwrites, the
 * per-container table evicts its oldest entry.
 * Owns: all of that state (opaque struct stats).  Does not own: rendering
 * (status_render.h), serving (status_server.h),
 * the registrations themselves (registry.h).
 * Pure: no I/O, no logging, no globals.  Main loop only.  Every function
 * takes a NULL stats as a no-op, so the controller's hooks stay one line. */
#ifndef CONTRAINER_STATS_H
#define CONTRAINER_STATS_H

#include <stddef.h>
#include <stdint.h>

#define STATS_RING 100          /* last dispatches kept */
#define STATS_LAST 4            /* last results kept per registrar container */
#define STATS_CONTAINERS 1024   /* registrar containers with last results (~3 KiB each) */

enum stats_counter {
        STATS_EVENTS,           /* container events read from the stream */
        STATS_SCRIPTS,          /* scripts run by collections (answers) */
        STATS_DENIALS,          /* (registration, target) pairs refused by --allow, once each */
        STATS_RECONNECTS,       /* successful reconnections to the Engine */
        STATS_RECONCILES,       /* lost-history reconciliations */
        STATS_LABEL_HOOKS,      /* label hooks read by collections (answers) */
        STATS_N_COUNTERS
};

enum stats_result {
        STATS_OK,               /* exit 0 */
        STATS_FAILED,           /* non-zero exit status */
        STATS_TIMEOUT,          /* --exec-timeout hit */
        STATS_OVERFLOW,         /* --max-output hit */
        STATS_GONE,             /* the target was gone: not run */
        STATS_STOPPED,          /* stopped at the controller's shutdown (--stop-timeout) */
        STATS_ERROR,            /* could not run (Engine error, worker died) */
        STATS_N_RESULTS
};

/* Upper bounds of the latency histogram, in ms (+Inf is implied). */
#define STATS_N_BUCKETS 13
extern const unsigned stats_bucket_ms[STATS_N_BUCKETS];

/* One finished body (a value: fields are truncated copies). */
struct stats_dispatch {
        uint64_t time_ns;       /* CLOCK_REALTIME at the end */
        char registrar_id[80];
        char registrar[256];    /* registrar container name */
        char event[64];         /* "start", "immediate", ... */
        char target[256];       /* container name, "%host", "%contrainer" */
        char path[8];           /* "api", "direct", "local", "host" (SPEC §2.7) */
        char status[64];        /* "exit 0", "exit 3", "timeout", "gone", ... */
        enum stats_result result;
        uint64_t duration_ms;   /* body run time */
        uint64_t latency_ms;    /* queued to finished */
};

struct stats;

struct stats *stats_new(void);                /* NULL on ENOMEM */
struct stats *stats_free(struct stats *s);    /* returns NULL */

void stats_inc(struct stats *s, enum stats_counter k);
uint64_t stats_counter(const struct stats *s, enum stats_counter k);

/* Record a finished body D (copied): counts its result, its latency in the
 * histogram, the ring and its registrar's last results. */
void stats_record(struct stats *s, const struct stats_dispatch *d);

uint64_t stats_results(const struct stats *s, enum stats_result r);

/* Histogram: cumulative count of latencies <= stats_bucket_ms[I] (I <
 * STATS_N_BUCKETS) or all of them (I == STATS_N_BUCKETS); their sum in ms. */
uint64_t stats_bucket(const struct stats *s, size_t i);
uint64_t stats_latency_sum_ms(const struct stats *s);

/* The ring, oldest first: I < stats_ring_len.  Borrowed until the next record. */
size_t stats_ring_len(const struct stats *s);
const struct stats_dispatch *stats_ring_at(const struct stats *s, size_t i);

/* Last results of registrar container ID, newest first, at most STATS_LAST;
 * returns how many were written to RET (pointers borrowed). */
size_t stats_last_of(const struct stats *s, const char *id,
                     const struct stats_dispatch **ret, size_t max);

/* Class of a dispatch status text ("exit 0", "timeout ...", ...). */
enum stats_result stats_classify(const char *status);
const char *stats_result_name(enum stats_result r);
const char *stats_counter_name(enum stats_counter k);

#endif
