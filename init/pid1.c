/* pid1.c — signal mask, signalfd, forwarding and reaping (see pid1.h).
 * The shape is catatonit's and dumb-init's: every asynchronous signal is
 * blocked and read from one signalfd, so there are no handlers and no
 * races between a handler and the loop; SIGCHLD only says "reap now", and
 * each pass reaps with waitpid(-1, WNOHANG) until nothing is left, because
 * the kernel merges SIGCHLDs of children that die together. */
#include "pid1.h"
#include "deadline.h"
#include "log.h"

#include <errno.h>
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
