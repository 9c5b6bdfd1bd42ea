/* procfile.h — a small /proc, cgroupfs or bundle file read whole, as a
 * NUL-terminated string.
 * Owns: nothing past the call (the caller frees the string).
 * Context: any process (uses malloc: not between fork and exec). */
#ifndef CONTRAINER_PROCFILE_H
#define CONTRAINER_PROCFILE_H

#include <stddef.h>

#define PROCFILE_MAX (1u << 20)  /* /proc files: mountinfo, status, cgroup */

/* Read PATH whole into *RET (malloc'd, NUL-terminated; "" for an empty
 * file).  0; -errno from open or read; -ENOBUFS (buf.h) when it holds more
 * than MAX bytes; -ENOMEM. */
int procfile_read(const char *path, size_t max, char **ret);

#endif
