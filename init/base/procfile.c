/* procfile.c — read a small file whole.  See procfile.h. */
#include "procfile.h"

#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int procfile_read_fd(int fd, size_t max, char **ret, size_t *ret_len)
{
        struct buf b;
        char chunk[4096];
        size_t len;
        int r = 0;

        buf_init(&b, max);
        for (;;) {
                ssize_t n = read(fd, chunk, sizeof(chunk));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = -errno;
                        break;
                }
                if (n == 0)
                        break;
                r = buf_append(&b, chunk, (size_t)n);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                buf_free(&b);
                return r;
        }
        len = b.len;
        *ret = buf_steal(&b);
        if (!*ret && !(*ret = strdup("")))
                return -ENOMEM;
        if (ret_len)
                *ret_len = len;
        return 0;
}

int procfile_read(const char *path, size_t max, char **ret)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        int r;

        if (fd < 0)
                return -errno;
        r = procfile_read_fd(fd, max, ret, NULL);
        close(fd);
        return r;
}
