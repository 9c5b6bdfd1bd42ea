/* test_worker.c — a worker holds no other worker's record pipe (review H1:
 * a process that reaches a worker's descriptors must find no way to write
 * records into another collection), and its own answers arrive whole. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "worker.h"

/* Answer "open" when any fd here is the pipe *UD (another worker's read
 * end: its inode), else "closed". */
static int probe(void *ud, int fd)
{
        const struct stat *other = ud;

        for (int i = 0; i < 1024; i++) {
                struct stat st;
                if (fstat(i, &st) == 0 && st.st_dev == other->st_dev && st.st_ino == other->st_ino)
                        return worker_puts(fd, 1, "open");
        }
        return worker_puts(fd, 1, "closed");
}

static int idle(void *ud, int fd)
{
        (void)ud;
        (void)fd;
        pause();
        return 0;
}

Test(worker, a_worker_does_not_hold_another_workers_pipe)
{
        struct worker a = { 0 }, b = { 0 };
        uint32_t type, len;
        const char *data;
        char got[16] = "";

        struct stat pipe_a;

        cr_assert_eq(worker_spawn(&a, 4096, idle, NULL), 0);
        cr_assert_eq(fstat(a.fd, &pipe_a), 0);
        cr_assert_eq(worker_spawn(&b, 4096, probe, &pipe_a), 0);
        for (int i = 0; i < 500 && !got[0]; i++) {
                struct pollfd p = { b.fd, POLLIN, 0 };
                (void)poll(&p, 1, 10);
                (void)worker_read(&b);
                if (worker_next(&b, &type, &data, &len) == 1 && len < sizeof(got))
                        memcpy(got, data, len);
        }
        worker_release(&a);
        worker_release(&b);
        worker_end_all(0);  /* kills and reaps both */
        cr_expect_str_eq(got, "closed", "the second worker holds the first's pipe");
}
