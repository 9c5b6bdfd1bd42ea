/* ctl_signal.c — the controller's signalfd and reaping.  See ctl_signal.h. */
#include "ctl_signal.h"

#include "collector.h"
#include "dispatch.h"
#include "worker.h"

#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

int ctl_signals_setup(void)
{
        sigset_t s;
        int fd;

        sigemptyset(&s);
        sigaddset(&s, SIGTERM);
        sigaddset(&s, SIGINT);
        sigaddset(&s, SIGHUP);
        sigaddset(&s, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &s, NULL) < 0)
                return -errno;
        /* A dead exec connection must be an error return, not our death. */
        if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
                return -errno;
        fd = signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

void ctl_signals_read(int sfd, int *ret_stop, bool *ret_hup, struct dispatch *ds,
                      struct collector *col)
{
        struct signalfd_siginfo si;
        pid_t pid;
        int st;

        while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
                        *ret_stop = (int)si.ssi_signo;
                else if (si.ssi_signo == SIGHUP)
                        *ret_hup = true;
        }
        while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
                worker_forget(pid);
                if (!(ds && dispatch_reaped(ds, pid, st)) && col)
                        (void)collector_reaped(col, pid, st);
        }
}
