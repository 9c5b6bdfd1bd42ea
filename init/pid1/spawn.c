/* spawn.c — fork/exec (see spawn.h).
 * Between fork and exec only async-signal-safe calls are made.  The child
 * inherits init's all-blocked mask: it keeps it until after tcsetpgrp(), so
 * a background child taking the terminal is not stopped by SIGTTOU (a
 * blocked SIGTTOU lets tcsetpgrp proceed, tcsetpgrp(3)), then it starts
 * from an empty mask and default dispositions as tini does — a command must
 * not inherit a SIGPIPE or SIGHUP that someone above us ignored. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

int spawn_exec_status(int exec_errno)
{
        return exec_errno == ENOENT ? 127 : 126;
}

/* Runs in the child; never returns. */
static void child(const struct spawn_opts *o, int errfd)
{
        /* The kernel's struct sigaction (handler, flags, restorer, mask). */
        struct { void (*handler)(int); unsigned long flags; void (*restorer)(void);
                 unsigned char mask[NSIG / 8]; } dfl = { .handler = SIG_DFL };
        sigset_t none;
        int e;

        if (o->new_pgrp) {
                (void)setpgid(0, 0);  /* the parent does it too; whoever is first wins */
                /* Only a terminal can have a foreground group; ENOTTY otherwise. */
                if (o->foreground && isatty(STDIN_FILENO))
                        (void)tcsetpgrp(STDIN_FILENO, getpgrp());
        }
        /* The raw syscall: glibc's sigaction refuses its internal signals
         * (32, 33) and sanitizer runtimes intercept it, and an ignored one
         * would survive exec (seen under ASan: SigIgn had 33 and 34 set). */
        for (int sig = 1; sig < NSIG; sig++)
                (void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, (size_t)(NSIG / 8));  /* EINVAL for KILL/STOP */
        /* Every inherited fd above stderr goes at exec; CLOEXEC rather than
         * closing so errfd stays open until the exec succeeds. */
        if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {  /* < Linux 5.11 */
                for (int fd = 3; fd < 1024; fd++)
                        if (fd != errfd)
                                (void)close(fd);
        }
        if (o->cwd && chdir(o->cwd) < 0) {
                e = errno;
                if (errfd >= 0)
                        (void)!write(errfd, &e, sizeof(e));
                _exit(spawn_exec_status(e));
        }
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
        /* execvp() takes PATH from environ, so point it at the child's env. */
        environ = (char **)o->envp;
        execvp(o->argv[0], o->argv);
        e = errno;
        if (o->exec_fail_msg)
                (void)!write(STDERR_FILENO, o->exec_fail_msg, strlen(o->exec_fail_msg));
        else
                (void)!write(errfd, &e, sizeof(e));
        _exit(spawn_exec_status(e));
}

int spawn(const struct spawn_opts *o, pid_t *ret_pid, int *ret_exec_errno)
{
        int pfd[2], e = 0, r;
        ssize_t n;
        pid_t pid;

        if (o->exec_fail_msg) {
                /* No exec report wanted: no pipe, no waiting for the child. */
                pid = fork();
                if (pid < 0)
                        return -errno;
                if (pid == 0)
                        child(o, -1);
                if (o->new_pgrp)
                        (void)setpgid(pid, pid);
                *ret_pid = pid;
                *ret_exec_errno = 0;
                return 0;
        }
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                r = -errno;
                (void)close(pfd[0]);
                (void)close(pfd[1]);
                return r;
        }
        if (pid == 0) {
                (void)close(pfd[0]);
                child(o, pfd[1]);
        }
        (void)close(pfd[1]);
        /* Both sides set the group so that neither a signal forwarded to
         * -pid right after fork nor the child's tcsetpgrp can race it. */
        if (o->new_pgrp)
                (void)setpgid(pid, pid);  /* EACCES once it exec'd: already done */
        /* EOF = exec succeeded (the write end closed on exec); 4 bytes = errno. */
        do
                n = read(pfd[0], &e, sizeof(e));
        while (n < 0 && errno == EINTR);
        (void)close(pfd[0]);
        if (n != (ssize_t)sizeof(e))
                e = 0;
        *ret_pid = pid;
        *ret_exec_errno = e;
        return 0;
}
