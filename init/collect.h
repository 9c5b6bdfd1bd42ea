/* collect.h — collecting one container's scripts (SPEC §2.1), inside a
 * forked worker: inspect the container, list the executable regular files
 * directly in the script dir (archive API: no shell needed), run each one
 * in byte-wise name order through the exec API — or, with direct
 * dispatch, listed through /proc/PID/root and run in the container's
 * context (jobrun_direct) — bounded by the timeout and
 * the output cap, and answer one record per script.
 * Owns: the child side and the record types.  Does not own: reading the
 * records (collector.c), parsing the header or registering (enroll.c),
 * logging.
 * Context: worker child only. */
#ifndef CONTRAINER_COLLECT_H
#define CONTRAINER_COLLECT_H

#include <stddef.h>

#include "jobrun.h"  /* enum direct_want */

struct docker;

enum {
        CR_EXEC_PENDING = 1,  /* about to create an exec */
        CR_EXEC_ID = 2,       /* its id */
        CR_INSPECT = 10,      /* "STARTED_NS NAME" */
        CR_GONE = 11,         /* reason: container vanished or not running */
        CR_NODIR = 12,        /* no script dir: no registrations */
        CR_SCRIPT_OK = 13,    /* PATH '\0' STDOUT */
        CR_SCRIPT_FAIL = 14,  /* PATH '\0' REASON */
        CR_ERROR = 15,        /* reason: the collection itself failed */
        CR_TRAITS = 16,       /* "TRAITS REASON" (inspect_traits_line) */
        CR_FALLBACK = 17,     /* why the container cannot be run directly */
};

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
