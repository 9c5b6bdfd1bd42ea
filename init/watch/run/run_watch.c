/* run_watch.c — watch one run's process: capture, bound, kill, reap.  See
 * run_watch.h. */
#include "run_watch.h"

#include "deadline.h"
#include "procguard.h"
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Close whichever ends of the two output pipes are open (-1: not made). */
void run_watch_close_pipes(const int po[2], const int pe[2])
{
        for (int i = 0; i < 2; i++) {
                if (po[i] >= 0)
                        (void)close(po[i]);
                if (pe[i] >= 0)
                        (void)close(pe[i]);
        }
}

/* PID is our child, leader of its own process group, writing to the pipes
 * PO and PE (both ends given; all four are closed here).  Capture both up
 * to MAX_OUTPUT, kill the group at DEADLINE, on overflow or on a stop
 * request, reap it.  0 with *RET, or -errno (the child killed). */
int run_watch(pid_t pid, int po[2], int pe[2], int64_t deadline, size_t max_output,
              struct body_local_result *ret)
{
        struct body_local_result res = { .wstatus = 0 };
        struct procguard g = PROCGUARD_INIT;
        int64_t drain_end = 0;
        bool exited = false, killed = false;
        int r;

        buf_init(&res.out, max_output);
        buf_init(&res.err, max_output);
        if (procguard_open_child(pid, &g) == 0)
                worker_guard(g.pidfd, pid);
        (void)close(po[1]);
        (void)close(pe[1]);
        po[1] = pe[1] = -1;
        (void)fcntl(po[0], F_SETFL, O_NONBLOCK);
        (void)fcntl(pe[0], F_SETFL, O_NONBLOCK);

        /* Read until both pipes close and the child is gone; a background
         * process that keeps a pipe open cannot hold us past the child's
         * exit by more than a short drain. */
        while (po[0] >= 0 || pe[0] >= 0 || !exited) {
                struct pollfd p[4] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 },
                                       { exited ? -1 : g.pidfd, POLLIN, 0 },
                                       { worker_stop_fd(), POLLIN, 0 } };
                int64_t now = deadline_now(), wake;
                int st;

                if (!exited && waitpid(pid, &st, WNOHANG) == pid) {
                        exited = true;
                        res.wstatus = st;
                        drain_end = now + 200;
                        worker_guard(-1, 0);
                        procguard_close(&g);
                }
                if (exited && (now >= drain_end || (po[0] < 0 && pe[0] < 0)))
                        break;
                if (!killed && !exited && (now >= deadline || worker_stop_requested())) {
                        if (now >= deadline)
                                res.timed_out = true;
                        else
                                res.stopped = true;
                        /* Our child, not reaped: its group id is still its own. */
                        (void)kill(-pid, SIGKILL);
                        killed = true;
                }
                wake = exited ? drain_end : killed ? now + 50 : deadline;
                if (g.pidfd < 0 && !exited && wake > now + 50)
                        wake = now + 50;  /* no pidfd: poll the child's exit */
                if (poll(p, 4, deadline_poll_timeout(wake)) < 0 && errno != EINTR) {
                        r = -errno;
                        if (!exited) {
                                /* Not left running unbounded behind an error. */
                                (void)kill(-pid, SIGKILL);
                                (void)waitpid(pid, &st, 0);
                        }
                        goto out;
                }
                for (int i = 0; i < 2; i++) {
                        int *fd = i ? &pe[0] : &po[0];
                        struct buf *b = i ? &res.err : &res.out;
                        char tmp[16384];
                        ssize_t n;

                        if (*fd < 0)
                                continue;
                        n = read(*fd, tmp, sizeof(tmp));
                        if (n > 0) {
                                if (buf_append(b, tmp, (size_t)n) == -ENOBUFS && !res.overflow) {
                                        res.overflow = true;
                                        if (!exited)
                                                (void)kill(-pid, SIGKILL);
                                        killed = true;
                                }
                        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                                (void)close(*fd);
                                *fd = -1;
                        }
                }
        }
        if (!exited) {
                int st;
                (void)kill(-pid, SIGKILL);
                if (waitpid(pid, &st, 0) == pid)
                        res.wstatus = st;
        }
        *ret = res;
        memset(&res, 0, sizeof(res));
        r = 0;
out:
        worker_guard(-1, 0);
        procguard_close(&g);
        for (int i = 0; i < 2; i++) {
                if (po[i] >= 0)
                        (void)close(po[i]);
                if (pe[i] >= 0)
                        (void)close(pe[i]);
        }
        buf_free(&res.out);
        buf_free(&res.err);
        return r;
}
