/* status_table.h — `contrainer status`'s table: the /status JSON (made by
 * status_render.c) as lines for a person: a summary, one row per
 * registration with its container's last result and age, and the last
 * dispatches.  Control characters in names are shown as '?'.
 * Owns: that layout.  Does not own: fetching the JSON (status_client.c),
 * its format (status_render.c).
 * Pure: no I/O, no globals.  Context: the status client. */
#ifndef CONTRAINER_STATUS_TABLE_H
#define CONTRAINER_STATUS_TABLE_H

struct buf;

/* TEXT (the /status JSON) as a table appended to OUT.  0, -EINVAL if TEXT
 * is not a status document, -ENOMEM. */
int status_table(const char *text, struct buf *out);

#endif
