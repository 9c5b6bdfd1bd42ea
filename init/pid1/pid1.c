/* pid1.c — signal mask, signalfd, forwarding and reaping (see pid1.h).
 * The shape is catatonit's and dumb-init's: every asynchronous signal is
 * blocked and read from one signalfd, so there are no handlers and no
 * races between a handler and the loop; SIGCHLD only says "reap now", and
 * each pass reaps with waitpid(-1, WNOHANG) until nothing is left, because
 * the kernel merges SIGCHLDs of children that die together. */
#include "pid1.h"
#include "deadline.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* A handful of pids at once: the command, runsvdir, one script. */
#define PID1_TRACK_MAX 16

struct tracked {
        pid_t pid;
        bool done;
        int wstatus;
};

struct pid1 {
        int sfd;
        bool is_pid1;
        pid_t forward;
        int terminate_sig;
        struct tracked track[PID1_TRACK_MAX];
};

/* Faults are delivered to the thread that caused them and must stay
 * deliverable (a blocked SIGSEGV would be forced anyway, a blocked SIGABRT
 * would make abort() take a detour), so they are the only ones not blocked. */
static const int sync_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS };

bool pid1_is_forwarded(int sig)
{
        switch (sig) {
        case SIGKILL: case SIGSTOP: case SIGCHLD:
        case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGABRT:
        case SIGTRAP: case SIGSYS: case SIGTTIN: case SIGTTOU:
                return false;
        default:
                return sig > 0 && sig < NSIG;
        }
}

int pid1_exit_status(int wstatus)
{
        if (WIFEXITED(wstatus))
                return WEXITSTATUS(wstatus);
        if (WIFSIGNALED(wstatus))
                return 128 + WTERMSIG(wstatus);
        /* Stopped/continued statuses are never asked for (no WUNTRACED). */
        return 255;
}

int pid1_new(struct pid1 **ret)
{
        struct pid1 *p;
        sigset_t all;
        int r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->sfd = -1;
        p->is_pid1 = getpid() == 1;

        if (sigfillset(&all) < 0)
                goto fail_errno;
        for (size_t i = 0; i < sizeof(sync_signals) / sizeof(sync_signals[0]); i++)
                (void)sigdelset(&all, sync_signals[i]);
        if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
                goto fail_errno;
        p->sfd = signalfd(-1, &all, SFD_NONBLOCK | SFD_CLOEXEC);
        if (p->sfd < 0)
                goto fail_errno;
        /* Outside a PID namespace orphans would go to the real init and the
         * command's zombies would pile up there: become their reaper. */
        if (!p->is_pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                goto fail_errno;
        *ret = p;
        return 0;

fail_errno:
        r = -errno;
        pid1_free(p);
        return r;
}

struct pid1 *pid1_free(struct pid1 *p)
{
        if (!p)
                return NULL;
        if (p->sfd >= 0)
                (void)close(p->sfd);  /* nothing to do about a close error here */
        free(p);
        return NULL;
}

bool pid1_is_pid1(const struct pid1 *p)
{
        return p->is_pid1;
}

void pid1_set_forward(struct pid1 *p, pid_t target)
{
        p->forward = target;
}

int pid1_terminate_signal(const struct pid1 *p)
{
        return p->terminate_sig;
}

int pid1_track(struct pid1 *p, pid_t pid)
{
        for (size_t i = 0; i < PID1_TRACK_MAX; i++) {
                if (p->track[i].pid == 0) {
                        p->track[i] = (struct tracked){ .pid = pid };
                        return 0;
                }
        }
        return -ENOSPC;
}

static struct tracked *find_tracked(struct pid1 *p, pid_t pid)
{
        for (size_t i = 0; pid > 0 && i < PID1_TRACK_MAX; i++)
                if (p->track[i].pid == pid)
                        return &p->track[i];
        return NULL;
}

bool pid1_reaped(struct pid1 *p, pid_t pid, int *ret_wstatus)
{
        struct tracked *t = find_tracked(p, pid);

        if (!t || !t->done)
                return false;
        if (ret_wstatus)
                *ret_wstatus = t->wstatus;
        t->pid = 0;
        return true;
}

void pid1_untrack(struct pid1 *p, pid_t pid)
{
        struct tracked *t = find_tracked(p, pid);

        if (t)
                t->pid = 0;
}

/* Reap every exited child.  Returns true if children remain.  __WALL also
 * collects orphans created by clone() with an exit signal other than
 * SIGCHLD, which a plain waitpid() would leave as zombies forever. */
static bool reap_all(struct pid1 *p)
{
        for (;;) {
                int st;
                pid_t pid = waitpid(-1, &st, WNOHANG | __WALL);

                if (pid > 0) {
                        struct tracked *t = find_tracked(p, pid);

                        if (t && !t->done) {
                                t->done = true;
                                t->wstatus = st;
                        }
                        continue;
                }
                if (pid == 0)
                        return true;
                if (errno == EINTR)
                        continue;
                /* ECHILD: nobody left. */
                return false;
        }
}

bool pid1_has_children(struct pid1 *p)
{
        return reap_all(p);
}

static void forward(struct pid1 *p, int sig)
{
        if (p->forward == 0 || !pid1_is_forwarded(sig))
                return;
        /* ESRCH: the target is gone between its exit and our reaping it. */
        if (kill(p->forward, sig) < 0 && errno != ESRCH)
                log_warn("cannot forward signal %d to %d: %m", sig, (int)p->forward);
}

static void handle_signal(struct pid1 *p, int sig)
{
        if (sig == SIGCHLD)
                return;
        if ((sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) && p->terminate_sig == 0) {
                p->terminate_sig = sig;
                log_info("received SIG%s, shutting down", sigabbrev_np(sig));
        }
        forward(p, sig);
}

int pid1_wait(struct pid1 *p, int64_t deadline)
{
        struct pollfd pfd = { .fd = p->sfd, .events = POLLIN };
        struct signalfd_siginfo si[16];
        int n, r = 1;

        n = poll(&pfd, 1, deadline_poll_timeout(deadline));
        if (n < 0 && errno != EINTR)
                r = -errno;
        else if (n == 0)
                r = 0;
        while (n > 0) {
                ssize_t got = read(p->sfd, si, sizeof(si));

                if (got < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                r = -errno;
                        break;
                }
                for (size_t i = 0; i < (size_t)got / sizeof(si[0]); i++)
                        handle_signal(p, (int)si[i].ssi_signo);
                if ((size_t)got < sizeof(si))
                        break;
        }
        (void)reap_all(p);
        return r;
}

/* ---- /proc walk (used when not PID 1: never kill(-1), docs/init.md) ------ */

struct procent {
        pid_t pid, ppid;
        char state;
        char comm[17];
};

static int cmp_procent(const void *a, const void *b)
{
        pid_t x = ((const struct procent *)a)->pid, y = ((const struct procent *)b)->pid;

        return (x > y) - (x < y);
}

/* "pid (comm) S ppid ...": comm may hold spaces and ')', so the last ')'
 * ends it (proc(5)). */
static int read_stat(int procfd, const char *name, struct procent *e)
{
        char path[64], buf[512];
        const char *l, *rp;
        ssize_t n;
        int fd, ppid;
        size_t cl;

        snprintf(path, sizeof(path), "%s/stat", name);
        fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        (void)close(fd);  /* read-only */
        if (n <= 0)
                return -EIO;
        buf[n] = '\0';
        l = strchr(buf, '(');
        rp = strrchr(buf, ')');
        if (!l || !rp || rp < l || sscanf(rp + 1, " %c %d", &e->state, &ppid) != 2)
                return -EIO;
        cl = (size_t)(rp - l - 1);
        if (cl >= sizeof(e->comm))
                cl = sizeof(e->comm) - 1;
        memcpy(e->comm, l + 1, cl);
        e->comm[cl] = '\0';
        e->pid = (pid_t)atoi(name);
        e->ppid = (pid_t)ppid;
        return 0;
}

int pid1_for_each_descendant(struct pid1 *p, int (*fn)(pid_t pid, const char *comm, void *ud),
                             void *ud)
{
        struct procent *all = NULL;
        size_t n = 0, cap = 0;
        pid_t self = getpid();
        struct dirent *de;
        int fd, r = 0, visited = 0;
        DIR *d;

        (void)p;
        fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                (void)close(fd);
                return r;
        }
        while ((de = readdir(d))) {
                struct procent e;

                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                /* Gone since readdir: it is nobody's to signal any more. */
                if (read_stat(dirfd(d), de->d_name, &e) < 0)
                        continue;
                if (n == cap) {
                        size_t nc = cap ? cap * 2 : 256;
                        struct procent *na = realloc(all, nc * sizeof(*na));
                        if (!na) {
                                r = -ENOMEM;
                                goto out;
                        }
                        all = na;
                        cap = nc;
                }
                all[n++] = e;
        }
        qsort(all, n, sizeof(*all), cmp_procent);
        for (size_t i = 0; i < n; i++) {
                struct procent *cur = &all[i];
                bool ours = false;

                if (cur->state == 'Z' || cur->pid == self)
                        continue;
                /* Depth bound: a pid-reuse cycle cannot loop us forever. */
                for (int depth = 0; depth < 4096 && cur; depth++) {
                        struct procent key = { .pid = cur->ppid };
                        if (cur->ppid == self) {
                                ours = true;
                                break;
                        }
                        if (cur->ppid <= 1)
                                break;
                        cur = bsearch(&key, all, n, sizeof(*all), cmp_procent);
                }
                if (!ours)
                        continue;
                visited++;
                r = fn(all[i].pid, all[i].comm, ud);
                if (r < 0)
                        goto out;
        }
        r = visited;
out:
        (void)closedir(d);
        free(all);
        return r;
}
