/* cursor.c — the event cursor on disk.  See cursor.h.
 * The write is runit's update_status pattern: write "cursor.new", fsync it,
 * rename over "cursor", fsync the directory, so a crash leaves either the
 * old or the new cursor, never a torn one. */
#include "cursor.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CURSOR_FILE_MAX 512

int cursor_format(const struct cursor *c, char *dst, size_t dstsz)
{
        int n = snprintf(dst, dstsz, "%" PRIu64 " %s %s\n", c->time_nano,
                         c->id[0] ? c->id : "-", c->action[0] ? c->action : "-");

        if (n < 0 || (size_t)n >= dstsz)
                return -ENOBUFS;
        return n;
}

/* Copy the token at *P (up to a space or newline) into DST; false if it is
 * empty, too long or holds bytes outside [!-~]. */
static bool take_token(const char **p, const char *end, char *dst, size_t dstsz)
{
        size_t n = 0;

        while (*p < end && **p != ' ' && **p != '\n') {
                unsigned char c = (unsigned char)**p;
                if (c <= ' ' || c > '~' || n + 1 >= dstsz)
                        return false;
                dst[n++] = (char)c;
                (*p)++;
        }
        dst[n] = '\0';
        return n > 0;
}

int cursor_parse(const char *s, size_t len, struct cursor *ret)
{
        struct cursor c = { 0 };
        const char *p = s, *end = s + len;
        char num[32];

        if (!take_token(&p, end, num, sizeof(num)) || p >= end || *p++ != ' ')
                return -EINVAL;
        if (!take_token(&p, end, c.id, sizeof(c.id)) || p >= end || *p++ != ' ')
                return -EINVAL;
        if (!take_token(&p, end, c.action, sizeof(c.action)))
                return -EINVAL;
        if (p < end && *p == '\n')
                p++;
        if (p != end)
                return -EINVAL;
        for (const char *q = num; *q; q++) {
                if (*q < '0' || *q > '9')
                        return -EINVAL;
                if (c.time_nano > (UINT64_MAX - (uint64_t)(*q - '0')) / 10)
                        return -EINVAL;
                c.time_nano = c.time_nano * 10 + (uint64_t)(*q - '0');
        }
        if (strcmp(c.id, "-") == 0)
                c.id[0] = '\0';
        if (strcmp(c.action, "-") == 0)
                c.action[0] = '\0';
        *ret = c;
        return 0;
}

/* DIR opened as a folder; -ENOTDIR, -errno. */
static int open_dir(const char *dir)
{
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        return dfd < 0 ? -errno : dfd;
}

/* Is the open folder DFD owned by us and not writable by group or others? */
static int dir_trusted(int dfd, char *why, size_t whysz)
{
        struct stat st;

        if (fstat(dfd, &st) < 0)
                return -errno;
        if (st.st_uid != geteuid()) {
                snprintf(why, whysz, "owned by uid %u, not by this controller's uid %u",
                         (unsigned)st.st_uid, (unsigned)geteuid());
                return -EPERM;
        }
        if (st.st_mode & (S_IWGRP | S_IWOTH)) {
                snprintf(why, whysz, "writable by its group or others (mode %04o)",
                         (unsigned)(st.st_mode & 07777));
                return -EPERM;
        }
        return 0;
}

int cursor_check_dir(const char *dir, char *why, size_t whysz)
{
        int dfd = open_dir(dir), r;

        if (whysz)
                why[0] = '\0';
        if (dfd == -ENOENT)
                return 0;  /* made 0700 by the first write */
        if (dfd < 0) {
                snprintf(why, whysz, "%s", strerror(-dfd));
                return dfd;
        }
        r = dir_trusted(dfd, why, whysz);
        (void)close(dfd);
        return r;
}

int cursor_read(const char *dir, struct cursor *ret)
{
        char data[CURSOR_FILE_MAX];
        ssize_t n;
        int dfd, fd, r;

        dfd = open_dir(dir);
        if (dfd < 0)
                return dfd;
        fd = openat(dfd, "cursor", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        r = fd < 0 ? -errno : 0;
        (void)close(dfd);
        if (r < 0)
                return r;
        n = read(fd, data, sizeof(data));
        r = n < 0 ? -errno : 0;
        (void)close(fd);
        if (r < 0)
                return r;
        if ((size_t)n >= sizeof(data))
                return -EINVAL;
        return cursor_parse(data, (size_t)n, ret);
}

static int mkdir_p(const char *dir)
{
        char tmp[4096];
        size_t n = strlen(dir);

        if (n == 0 || n >= sizeof(tmp))
                return -ENAMETOOLONG;
        memcpy(tmp, dir, n + 1);
        for (char *p = tmp + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int cursor_write(const char *dir, const struct cursor *c)
{
        char data[CURSOR_FILE_MAX], why[160];
        int fd = -1, dfd = -1, n, r;

        n = cursor_format(c, data, sizeof(data));
        if (n < 0)
                return n;
        if (strlen(dir) >= 4096)
                return -ENAMETOOLONG;
        r = mkdir_p(dir);
        if (r < 0)
                return r;
        /* Everything below goes through the folder's fd: a name swapped
         * under us (a link planted as cursor.new) is never followed. */
        dfd = open_dir(dir);
        if (dfd < 0)
                return dfd;
        r = dir_trusted(dfd, why, sizeof(why));
        if (r < 0)
                goto out;
        if (unlinkat(dfd, "cursor.new", 0) < 0 && errno != ENOENT) {
                r = -errno;
                goto out;
        }
        fd = openat(dfd, "cursor.new", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
                r = -errno;
                goto out;
        }
        if (write(fd, data, (size_t)n) != n) {
                r = errno ? -errno : -EIO;
                goto out;
        }
        if (fsync(fd) < 0) {
                r = -errno;
                goto out;
        }
        if (close(fd) < 0) {
                fd = -1;
                r = -errno;
                goto out;
        }
        fd = -1;
        if (renameat(dfd, "cursor.new", dfd, "cursor") < 0) {
                r = -errno;
                goto out;
        }
        r = fsync(dfd) < 0 ? -errno : 0;
out:
        if (fd >= 0)
                (void)close(fd);
        if (dfd >= 0)
                (void)close(dfd);
        return r;
}
