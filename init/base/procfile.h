/* procfile.h — a small file (/proc, cgroupfs, a bundle, a container's
 * /etc/passwd) read whole, as a NUL-terminated string with its length.
 * Owns: nothing past the call (the caller frees the string; an fd passed
 * in stays the caller's).
 * Context: any process (uses malloc: not between fork and exec). */
#ifndef CONTRAINER_PROCFILE_H
#define CONTRAINER_PROCFILE_H

#include <stddef.h>

#define PROCFILE_MAX (1u << 20)  /* /proc files: mountinfo, status, cgroup */

/* Read PATH whole into *RET (malloc'd, NUL-terminated; "" for an empty
 * file).  0; -errno from open or read; -ENOBUFS (buf.h) when it holds more
 * than MAX bytes; -ENOMEM. */
int procfile_read(const char *path, size_t max, char **ret);

/* Read what is left of FD (not closed) into *RET (malloc'd, NUL-terminated;
 * "" when nothing), its length (which may hold NULs, as /proc/PID/environ
 * does) into *RET_LEN when not NULL.  0; -errno from read; -ENOBUFS when it
 * holds more than MAX bytes; -ENOMEM. */
int procfile_read_fd(int fd, size_t max, char **ret, size_t *ret_len);

#endif
