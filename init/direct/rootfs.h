/* rootfs.h — paths inside a container's root, resolved from the host.
 * Owns: opening /proc/PID/root and resolving every path under it with
 * openat2(RESOLVE_IN_ROOT): "..", absolute symlinks and magic links all stay
 * inside that root, so a hostile container (a symlink /contrainer -> /, a
 * script linked to a host path) never makes us read or run a host file.
 * Does not own: what the files mean, entering the container.
 * Context: main loop or a forked child, before entering the container. */
#ifndef CONTRAINER_ROOTFS_H
#define CONTRAINER_ROOTFS_H

#include <stddef.h>
#include <sys/types.h>

/* O_PATH directory fd of /proc/PID/root (PROC = "/proc" normally).
 * Returns the fd or -errno. */
int rootfs_open(const char *proc, pid_t pid);

/* Read the regular file PATH (resolved in the root) whole, at most MAX
 * bytes (more: -EFBIG).  0 with *RET a new NUL-terminated string, -errno. */
int rootfs_read(int rootfd, const char *path, size_t max, char **ret);

/* The executable regular files directly in DIR (resolved in the root), as
 * absolute paths "DIR/NAME", sorted byte-wise, dot-files skipped, symlinks
 * and other non-regular entries skipped — the same list docker.c's archive
 * listing (tarlist.c) gives.  Like the archive API, DIR's own last
 * component is not followed: a DIR that is a symlink (or a file) lists
 * nothing.  At most MAX (more: -E2BIG).
 * 0 with *RET a new NULL-terminated vector (possibly empty), -ENOENT (no such
 * path), -errno. */
int rootfs_list_scripts(int rootfd, const char *dir, size_t max, char ***ret);

/* An O_PATH fd of the script PATH for execveat(fd, "", …, AT_EMPTY_PATH):
 * resolved in the root, the last component not followed (a symlink gives
 * -ELOOP), a regular file with an execute bit (else -EACCES).
 * Returns the fd (O_CLOEXEC) or -errno.  For a "#!" script the caller must
 * clear FD_CLOEXEC before execveat (execveat(2), NOTES). */
int rootfs_open_script(int rootfd, const char *path);

#endif
