/* rootfs.c — resolve paths inside a container's root from the host.  See
 * rootfs.h.  Why openat2: /proc/PID/root is a "magic link" — a path walked
 * through it follows the container's symlinks relative to the HOST's root
 * (proc(5)), so /proc/PID/root/contrainer with /contrainer -> / would list
 * the host's /.  RESOLVE_IN_ROOT makes the kernel treat ROOTFD as "/" for
 * the whole walk (openat2(2)), the same scoping the Engine's archive API
 * does in user space (FollowSymlinkInScope). */
#include "rootfs.h"

#include "procfile.h"
#include "strv.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int rootfs_open(const char *proc, pid_t pid)
{
        char p[64];
        int fd;

        snprintf(p, sizeof(p), "%s/%d/root", proc, (int)pid);
        fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/* openat2(ROOTFD, PATH, FLAGS|O_CLOEXEC, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS).
 * Returns the fd or -errno (-ENOSYS: kernel without openat2). */
static int rootfs_openat(int rootfd, const char *path, int flags)
{
        struct open_how how = {
                .flags = (unsigned long long)(flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

        return fd < 0 ? -errno : (int)fd;
}

int rootfs_read(int rootfd, const char *path, size_t max, char **ret)
{
        int fd = rootfs_openat(rootfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
        struct stat st;
        int r;

        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                r = -errno;
        else if (!S_ISREG(st.st_mode))
                r = -EINVAL;  /* a FIFO or device planted as /etc/passwd */
        else if ((r = procfile_read_fd(fd, max, ret, NULL)) == -ENOBUFS)
                r = -EFBIG;
        close(fd);
        return r;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The listing of a DIR that is not a directory: none, as the archive API
 * gives (it tars DIR itself, never what a last-component link points at:
 * moby's ResolvePath follows every link but the last). */
static int empty_list(char ***ret)
{
        char **names = calloc(1, sizeof(*names));

        if (!names)
                return -ENOMEM;
        *ret = names;
        return 0;
}

/* The archive API writes a second name of an inode it already wrote as a
 * hard link (tar type '1'), which the archive listing skips: keep only the
 * first name (byte-wise, the Engine's walk order) of each inode.  NAMES are
 * "DIR/NAME" with the basename at offset PLEN.  0 or -errno. */
static int drop_hardlinks(int dfd, char **names, size_t plen)
{
        size_t w = 0;

        for (size_t i = 0; names[i]; i++) {
                struct stat a, b;
                bool dup = false;

                if (fstatat(dfd, names[i] + plen, &a, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                for (size_t k = 0; a.st_nlink > 1 && k < w && !dup; k++)
                        dup = fstatat(dfd, names[k] + plen, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
                              a.st_dev == b.st_dev && a.st_ino == b.st_ino;
                if (dup)
                        free(names[i]);
                else
                        names[w++] = names[i];
        }
        names[w] = NULL;
        return 0;
}

int rootfs_list_scripts(int rootfd, const char *dir, size_t max, char ***ret)
{
        int pfd = rootfs_openat(rootfd, dir, O_PATH | O_NOFOLLOW), fd;
        char **names = NULL;
        struct stat dst;
        size_t n = 0;
        struct dirent *de;
        DIR *d;
        int r = 0;

        if (pfd < 0)
                return pfd;
        if (fstat(pfd, &dst) < 0) {
                r = -errno;
                close(pfd);
                return r;
        }
        if (!S_ISDIR(dst.st_mode)) {
                close(pfd);
                return empty_list(ret);
        }
        fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        r = fd < 0 ? -errno : 0;
        close(pfd);
        if (fd < 0)
                return r;
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                close(fd);
                return r;
        }
        while ((errno = 0, de = readdir(d))) {
                struct stat st;
                char *p;

                if (de->d_name[0] == '.')
                        continue;
                /* Never follow: a symlink entry is not a regular file here,
                 * exactly as in the archive listing (tar type '2'). */
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;  /* removed while we read */
                        r = -errno;
                        goto out;
                }
                if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
                        continue;
                if (n == max) {
                        r = -E2BIG;
                        goto out;
                }
                if (asprintf(&p, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/",
                             de->d_name) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
                if (strv_consume(&names, p) < 0) {
                        free(p);
                        r = -ENOMEM;
                        goto out;
                }
                n++;
        }
        if (errno) {
                r = -errno;
                goto out;
        }
        if (!names && !(names = calloc(1, sizeof(*names)))) {
                r = -ENOMEM;
                goto out;
        }
        qsort(names, n, sizeof(*names), cmp_str);
        r = drop_hardlinks(dirfd(d), names, strlen(dir) + !(dir[0] && dir[strlen(dir) - 1] == '/'));
        if (r < 0)
                goto out;
        *ret = names;
        names = NULL;
out:
        strv_free(names);
        closedir(d);
        return r;
}

int rootfs_open_script(int rootfd, const char *path)
{
        int fd = rootfs_openat(rootfd, path, O_PATH | O_NOFOLLOW);
        struct stat st;

        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
                close(fd);
                return S_ISLNK(st.st_mode) ? -ELOOP : -EACCES;
        }
        return fd;
}
