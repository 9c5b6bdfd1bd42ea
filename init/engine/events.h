/* events.h — the Engine's /events stream: bytes → lines → struct event.
 * Owns: the line splitter's buffer; parsing one JSON line (cJSON stays in
 * here: the tree is deleted before returning).  Does not own: the transport
 * (docker.h, stream.h) or what an event causes (pipeline.h).
 * Pure: no I/O, no globals, no logging; fuzzed. */
#ifndef CONTRAINER_EVENTS_H
#define CONTRAINER_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct parse_error;

#define EVENT_LINE_MAX (1u << 20)  /* a longer line is dropped, not parsed */

struct event {
        char type[32];       /* "container", "network", ... */
        char action[64];     /* Action's text before any ':' ("exec_start") */
        char id[80];         /* Actor.ID (64 hex for containers) */
        char name[256];      /* Actor.Attributes.name, no leading '/' */
        char exec_id[80];    /* Actor.Attributes.execID, or "" */
        char image[256];     /* Actor.Attributes.image, or "" (cut to fit) */
        char signal[16];     /* kill: Actor.Attributes.signal, or "" */
        char old_name[256];  /* rename: Actor.Attributes.oldName, no leading '/' */
        char health[32];     /* health_status: the Action's text after ':',
                              * trimmed ("healthy"); "?" when over-long */
        int exit_code;       /* Actor.Attributes.exitCode, if has_exit_code */
        bool has_exit_code;
        uint64_t time_nano;  /* exact: read from the raw text, not via double */
};

/* Parse one JSON line.  Unknown fields are ignored; missing or ill-typed
 * Type/Action/Actor.ID/timeNano are errors; over-long strings are errors
 * (never silently truncated, except `action` which keeps its prefix).
 * Returns 0 and fills *RET, or -EINVAL with *ERR filled, or -ENOMEM. */
int event_parse(const char *line, size_t len, struct event *ret, struct parse_error *err);

/* Is H a health state a body may be given ("healthy", "unhealthy",
 * "starting")?  An Engine that sends another is logged, nothing runs
 * (docs/events.md "Events"). */
bool event_health_known(const char *h);

/* The de-duplication key of SPEC §2.5: (id, action, timeNano). */
bool event_same(const struct event *a, const struct event *b);

/* Line splitter for a chunked stream: chunk boundaries are not line
 * boundaries.  events_feed appends DATA and calls CB once per complete line
 * (without the '\n'; empty lines skipped).  A line longer than
 * EVENT_LINE_MAX is skipped and counted in *ret_dropped (if not NULL).
 * CB returning < 0 stops feeding and that value is returned; else 0.
 * Details: max_line 0 means EVENT_LINE_MAX; LINE is NOT NUL-terminated and
 * is valid only during CB; a trailing '\r' is dropped; the count is ADDED
 * to *ret_dropped (initialise it); after CB fails, the rest of DATA is
 * discarded; -ENOMEM if the partial line cannot grow. */
struct line_splitter;
struct line_splitter *line_splitter_new(size_t max_line);
struct line_splitter *line_splitter_free(struct line_splitter *ls);
void line_splitter_reset(struct line_splitter *ls);
int line_splitter_feed(struct line_splitter *ls, const char *data, size_t len,
                       int (*cb)(void *userdata, const char *line, size_t len),
                       void *userdata, size_t *ret_dropped);

/* Format TIME_NANO as the Engine's `since`/`until` text, seconds with nine
 * decimals ("1700000000.000000123"), exact. */
void event_format_since(uint64_t time_nano, char *dst, size_t dstsz);

#endif
