/* cursor.h — the persisted event cursor (docs/watch.md "Guarantees") in the state dir.
 * Owns: the file format ("TIMENANO ID ACTION\n") and the atomic write
 * (cursor.new, fsync, rename, fsync of the directory: runit's update_status).
 * Does not own: deciding when the cursor may advance (pipeline.c).
 * Context: main loop. */
#ifndef CONTRAINER_STATE_H
#define CONTRAINER_STATE_H

#include <stddef.h>
#include <stdint.h>

struct cursor {
        uint64_t time_nano;  /* 0 = none */
        char id[80];         /* the cursor event's Actor.ID */
        char action[64];     /* and its action */
};

/* May DIR hold the cursor?  0 when it does not exist yet (the first write
 * makes it 0700) or is a folder owned by this process's uid and not
 * writable by group or others; else -EPERM (or -errno) with the reason in
 * WHY (docs/watch.md "State"). */
int cursor_check_dir(const char *dir, char *why, size_t whysz);

/* Read DIR/cursor (not a symbolic link).  0 with *RET filled; -ENOENT if there is none; -EINVAL
 * if it is malformed; -errno. */
int cursor_read(const char *dir, struct cursor *ret);

/* Write C to DIR/cursor atomically, creating DIR (mode 0700) if needed:
 * through a folder fd, cursor.new removed then created O_EXCL|O_NOFOLLOW,
 * renamed.  -EPERM when DIR fails cursor_check_dir's rule. */
int cursor_write(const char *dir, const struct cursor *c);

/* Pure: parse / format the one-line file body. */
int cursor_parse(const char *s, size_t len, struct cursor *ret);
int cursor_format(const struct cursor *c, char *dst, size_t dstsz);

#endif
