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

int cursor_read(const char *dir, struct cursor *ret)
{
        char path[4096], data[CURSOR_FILE_MAX];
        ssize_t n;
        int fd, r;

        if (snprintf(path, sizeof(path), "%s/cursor", dir) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
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
        char path[4096], tmp[4096], data[CURSOR_FILE_MAX];
        int fd = -1, dfd = -1, n, r;

        n = cursor_format(c, data, sizeof(data));
        if (n < 0)
                return n;
        if (snprintf(path, sizeof(path), "%s/cursor", dir) >= (int)sizeof(path) ||
            snprintf(tmp, sizeof(tmp), "%s/cursor.new", dir) >= (int)sizeof(tmp))
                return -ENAMETOOLONG;
        r = mkdir_p(dir);
        if (r < 0)
                return r;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
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
        if (rename(tmp, path) < 0) {
                r = -errno;
                goto out;
        }
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
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
