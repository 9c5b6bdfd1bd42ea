/* wproto.h — the one protocol of the controller's workers: the record types
 * a collection worker (collect_worker.c) and a body worker (body_worker.c) write on
 * their pipe (worker.h framing), in one numbering, and the binary outcome of
 * one run (a body, or an exec), decoded without parsing text.
 * Owns: the record numbers, struct wproto_outcome and its encoding.  Does
 * not own: the framing (worker.h) or what a record causes (collector.c,
 * dispatch.c).
 * Pure: no I/O except wproto_put_outcome's worker_put; any context. */
#ifndef CONTRAINER_WPROTO_H
#define CONTRAINER_WPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
        /* both workers */
        WPROTO_EXEC_PENDING = 1,  /* about to create an exec (its events may follow) */
        WPROTO_EXEC_ID = 2,       /* the exec id */
        WPROTO_FALLBACK = 3,      /* why the container cannot be run directly */
        /* a body worker */
        WPROTO_OUTCOME = 4,       /* struct wproto_outcome, binary */
        WPROTO_OUT = 5,           /* tail of stdout */
        WPROTO_ERR = 6,           /* tail of stderr */
        WPROTO_REASON = 7,        /* one line for gone/error */
        WPROTO_DIRECT = 8,        /* run in the container's context, no exec */
        /* a collection worker */
        WPROTO_INSPECT = 10,      /* "STARTED_NS NAME" */
        WPROTO_GONE = 11,         /* reason: container vanished or not running */
        WPROTO_NODIR = 12,        /* no script dir: no registrations */
        WPROTO_SCRIPT_OK = 13,    /* PATH '\0' STDOUT */
        WPROTO_SCRIPT_FAIL = 14,  /* PATH '\0' REASON */
        WPROTO_ERROR = 15,        /* reason: the collection itself failed */
        WPROTO_TRAITS = 16,       /* "TRAITS REASON" (inspect_traits_line) */
        WPROTO_FACT = 17,         /* "K=V" for the bodies of its events (collect_facts.h) */
        WPROTO_NOTE = 18,         /* a line to log about the container (label caps) */
        WPROTO_LABEL_OK = 19,     /* NAME '\0' OUTPUT: a label hook, as a script's stdout */
        WPROTO_LABEL_FAIL = 20,   /* NAME '\0' REASON */
        WPROTO_ENDED = 21,        /* "EXIT_CODE FINISHED_AT": it is not running */
};

enum wproto_kind {
        WPROTO_EXIT = 1,      /* it exited: exit_code (128+N for signal N) */
        WPROTO_TIMEOUT = 2,   /* --exec-timeout */
        WPROTO_STOPPED = 3,   /* the controller is stopping */
        WPROTO_OVERFLOW = 4,  /* --max-output */
        WPROTO_NOTRUN = 5,    /* the target was gone: not run */
        WPROTO_FAILED = 6,    /* could not run (Engine error, ...): see WPROTO_REASON */
};

/* How one run ended. */
struct wproto_outcome {
        uint8_t kind;         /* enum wproto_kind */
        uint8_t killed;       /* TIMEOUT/STOPPED: killed with its process group */
        uint8_t not_visible;  /* TIMEOUT/STOPPED: left running, its process not visible here */
        uint8_t reserved;
        int32_t exit_code;    /* EXIT */
};

/* Child side: write O as one WPROTO_OUTCOME record on FD.  0 or -errno. */
int wproto_put_outcome(int fd, const struct wproto_outcome *o);

/* Decode a WPROTO_OUTCOME record (DATA/LEN).  0 with *RET; -EINVAL when
 * it is not one (wrong size, unknown kind). */
int wproto_get_outcome(const void *data, size_t len, struct wproto_outcome *ret);

/* O as the status text of the log, /status and the stats: "exit N",
 * "timeout killed", "timeout notvisible", "timeout", "stopped killed", …,
 * "overflow", "gone", "error"; "" for NULL (no outcome: the worker died). */
const char *wproto_outcome_text(const struct wproto_outcome *o, char *dst, size_t dstsz);

#endif
