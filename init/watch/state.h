/* state.h — the persisted event cursor (docs/watch.md "Guarantees") in the state dir.
 * Owns: the file format ("TIMENANO ID ACTION\n") and the atomic write
 * (cursor.new, fsync, rename, fsync of the directory: runit's update_status).
 * Does not own: deciding when the cursor may advance (pipeline.c).
 * Context: main loop. */
#ifndef CONTRAINER_STATE_H
#define CONTRAINER_STATE_H

#include <stddef.h>
#include <stdint.h>

struct state_cursor {
        uint64_t time_nano;  /* 0 = none */
        char id[80];         /* the cursor event's Actor.ID */
        char action[64];     /* and its action */
};

/* Read DIR/cursor.  0 with *RET filled; -ENOENT if there is none; -EINVAL
 * if it is malformed; -errno. */
int state_read(const char *dir, struct state_cursor *ret);

/* Write C to DIR/cursor atomically, creating DIR (mode 0700) if needed. */
int state_write(const char *dir, const struct state_cursor *c);

/* Pure: parse / format the one-line file body. */
int state_parse(const char *s, size_t len, struct state_cursor *ret);
int state_format(const struct state_cursor *c, char *dst, size_t dstsz);

#endif
