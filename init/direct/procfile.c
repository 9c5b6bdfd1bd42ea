/* procfile.c — read a small file whole.  See procfile.h. */
#include "procfile.h"

#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int procfile_read(const char *path, size_t max, char **ret)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        struct buf b;
        char chunk[4096];
        int r = 0;

        if (fd < 0)
                return -errno;
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
        close(fd);
        if (r < 0) {
                buf_free(&b);
                return r;
        }
        *ret = buf_steal(&b);
        if (!*ret && !(*ret = strdup("")))
                return -ENOMEM;
        return 0;
}
