/* collect_worker.h — collecting one container's scripts (SPEC §2.1), inside a
 * forked worker: inspect the container, list the executable regular files
 * directly in the script dir (archive API: no shell needed), run each one
 * in byte-wise name order through the exec API — or, with direct
 * dispatch, listed through /proc/PID/root and run in the container's
 * context (body_direct) — bounded by the timeout and
 * the output cap, and answer one record per script; the facts and label
 * hooks of its inspect are answered too (collect_facts.h).
 * Owns: the child side.  Does not own: the record types (wproto.h), reading the
 * records (collector.c), parsing the header or registering (enroll.c),
 * logging.
 * Context: worker child only. */
#ifndef CONTRAINER_COLLECT_H
#define CONTRAINER_COLLECT_H

#include <stddef.h>

#include "body_worker.h"  /* enum direct_want */

struct docker;

/* A collection worker answers in the one worker protocol (wproto.h):
 * exec pending/id and fallback as a body worker does, then inspect,
 * traits, and one record per script (or gone, no dir, error). */

#define COLLECT_MAX_SCRIPTS 256

struct collect_spec {
        struct docker *docker;
        const char *container_id;
        const char *script_dir;
        unsigned timeout_s;
        size_t max_output;
        enum direct_want direct;  /* SPEC §2.6: list and run in its context */
};

/* The worker's whole job; returns its exit status. */
int collect_main(const struct collect_spec *cs, int fd);

#endif
