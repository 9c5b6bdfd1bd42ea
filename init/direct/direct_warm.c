/* direct_warm.c — the cgroup warmer process and its trigger.  See
 * direct_warm.h. */
#include "direct_warm.h"

#include "deadline.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WARM_P_PIDFD 3  /* waitid's P_PIDFD (linux/wait.h), not in every libc */

struct direct_warm {
        int pidfd;  /* the warmer's: ended and waited for exactly, never a reused PID */
        int cmd;    /* write end of its command pipe */
        int ino;    /* inotify on the Engine's cgroup directories, -1 none */
        int watches;          /* how many directories it watches */
        char *mi;             /* the mountinfo text, to look again while there are none */
        int64_t next_look_ms; /* when (deadline.h clock) */
};

/* The Engine makes its parent directory (<mount>/docker) with its first
 * container: while nothing is watched, look again at most this often. */
#define WARM_LOOK_AGAIN_MS 10000

/* The warmer: each byte read is "armed for BYTE × 10 ms from now"; while
 * armed, one no-op migration (its own pid into its own cgroup.procs) every
 * DIRECT_WARM_EVERY_MS.  Ends when the pipe closes (EOF) or the controller
 * dies (PDEATHSIG). */
static __attribute__((noreturn)) void warmer(int cmd, int procs)
{
        int64_t until = 0;

        for (;;) {
                struct pollfd p = { .fd = cmd, .events = POLLIN };
                unsigned char b[64];
                int64_t now = deadline_now();

                if (poll(&p, 1, until > now ? DIRECT_WARM_EVERY_MS : -1) < 0 && errno != EINTR)
                        _exit(1);
                if (p.revents) {
                        ssize_t n = read(cmd, b, sizeof(b));

                        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                                _exit(0);
                        now = deadline_now();
                        for (ssize_t i = 0; i < n; i++)
                                if (now + b[i] * 10 > until)
                                        until = now + b[i] * 10;
                }
                /* Nothing to do if it fails: only latency is at stake. */
                if (until > deadline_now())
                        (void)!pwrite(procs, "0", 1, 0);
        }
}

static pid_t start_warmer(int cmd, int procs)
{
        pid_t parent = getpid(), pid = fork();

        if (pid != 0)
                return pid;
        /* The command pipe on 0, cgroup.procs on 1, nothing else: none of
         * the controller's sockets or pipes may stay open behind it. */
        (void)prctl(PR_SET_NAME, "contrainer-warm");
        /* Both above 2 first: either may be 0 or 1 when stdio was closed. */
        cmd = fcntl(cmd, F_DUPFD, 3);
        procs = fcntl(procs, F_DUPFD, 3);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent || cmd < 0 ||
            procs < 0 || dup2(cmd, 0) < 0 || dup2(procs, 1) < 0 ||
            syscall(SYS_close_range, 2U, ~0U, 0U) < 0)
                _exit(1);
        warmer(0, 1);
}

/* Watch each candidate directory for new directories, on the first cgroup
 * mount that has it (the Engine makes a container's directory in every
 * hierarchy at once).  Returns how many are watched. */
static int watch_candidates(int ino, const char *mi)
{
        int n = 0;

        static const char *const names[] = { "docker", "system.slice" };

        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
                for (const char *l = mi; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                        char mnt[1024], path[1100], fstype[32];
                        const char *sep = strstr(l, " - ");
                        struct stat st;

                        if (!sep || sscanf(l, "%*s %*s %*s %*s %1023s", mnt) != 1 ||
                            sscanf(sep + 3, "%31s", fstype) != 1 ||
                            (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0))
                                continue;
                        if ((size_t)snprintf(path, sizeof(path), "%s/%s", mnt, names[k]) >= sizeof(path) ||
                            stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                                continue;
                        if (inotify_add_watch(ino, path, IN_CREATE | IN_ONLYDIR) >= 0) {
                                n++;
                                break;
                        }
                }
        }
        return n;
}

static void look_again(struct direct_warm *w)
{
        int64_t now = deadline_now();

        if (w->watches > 0 || w->ino < 0 || !w->mi || now < w->next_look_ms)
                return;
        w->next_look_ms = now + WARM_LOOK_AGAIN_MS;
        w->watches = watch_candidates(w->ino, w->mi);
}

struct direct_warm *direct_warm_new(const char *own_procs, const char *mi)
{
        struct direct_warm *w = calloc(1, sizeof(*w));
        int p[2] = { -1, -1 }, procs = -1, e;
        pid_t pid;

        if (!w)
                return NULL;
        w->ino = -1;
        w->cmd = -1;
        w->pidfd = -1;
        procs = open(own_procs, O_WRONLY | O_CLOEXEC);
        if (procs < 0 || pipe2(p, O_CLOEXEC) < 0)
                goto fail;
        /* The controller never waits on a full pipe: an arming dropped
         * there is one already pending. */
        if (fcntl(p[1], F_SETFL, O_NONBLOCK) < 0)
                goto fail;
        pid = start_warmer(p[0], procs);
        if (pid < 0)
                goto fail;
        close(p[0]);
        close(procs);
        w->cmd = p[1];
        /* close-on-exec.  Without one (Linux < 5.3) the warmer ends on the
         * pipe's EOF and the controller's reaping takes it. */
        w->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        w->mi = mi ? strdup(mi) : NULL;
        if (w->ino >= 0 && mi)
                w->watches = watch_candidates(w->ino, mi);  /* the next arming looks again */
        return w;
fail:
        e = errno;
        if (p[0] >= 0)
                close(p[0]);
        if (p[1] >= 0)
                close(p[1]);
        if (procs >= 0)
                close(procs);
        free(w);
        errno = e;
        return NULL;
}

int direct_warm_fd(const struct direct_warm *w)
{
        return w ? w->ino : -1;
}

void direct_warm_arm(struct direct_warm *w, int ms)
{
        unsigned char b;

        if (!w || w->cmd < 0)
                return;
        look_again(w);
        b = (unsigned char)(ms <= 0 ? 0 : ms >= 2550 ? 255 : (ms + 9) / 10);
        (void)!write(w->cmd, &b, 1);  /* EAGAIN: one is pending */
}

void direct_warm_io(struct direct_warm *w)
{
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        bool created = false;
        ssize_t got;

        if (!w || w->ino < 0)
                return;
        while ((got = read(w->ino, buf, sizeof(buf))) > 0) {
                for (char *q = buf; q < buf + got;) {
                        const struct inotify_event *ev = (const struct inotify_event *)q;

                        if (ev->mask & (IN_CREATE | IN_Q_OVERFLOW))
                                created = true;
                        q += sizeof(*ev) + ev->len;
                }
        }
        if (created)
                direct_warm_arm(w, DIRECT_WARM_CREATE_MS);
}

void direct_warm_free(struct direct_warm *w)
{
        if (!w)
                return;
        if (w->cmd >= 0)
                close(w->cmd);  /* EOF: it ends by itself */
        if (w->pidfd >= 0) {
                siginfo_t si;

                (void)syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0U);
                (void)waitid((idtype_t)WARM_P_PIDFD, (id_t)w->pidfd, &si, WEXITED);
                close(w->pidfd);
        }
        if (w->ino >= 0)
                close(w->ino);
        free(w->mi);
        free(w);
}
