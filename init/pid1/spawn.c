/* spawn.c — start a program (see spawn.h).
 * The child is made with clone(CLONE_VM | CLONE_VFORK), as glibc's and
 * musl's posix_spawn do: it shares our memory until it execs, so nothing
 * is copied (no page tables, no copy-on-write faults in either process),
 * and we resume only once it has exec'd or _exit()ed — an exec failure is
 * simply left in the shared struct, without a pipe.  posix_spawn itself is
 * not used: it does not fall back to /bin/sh for a script without "#!"
 * (execvp does, and boot scripts rely on it).  The child runs on a stack of
 * its own (a buffer in our frame, which we do not touch until it is done),
 * with every signal blocked (init's mask), so no handler ever runs on
 * shared memory; its dispositions are its own (no CLONE_SIGHAND).  Under
 * AddressSanitizer, whose shadow stack bookkeeping a shared-memory child
 * would confuse, a plain fork() is used instead.
 * COMMAND alone keeps the descriptors we inherited (keep_fds: a socket
 * passed by systemd-socket-activate or podman --preserve-fds), as tini and
 * catatonit do; every other child gets only stdio.
 * Between clone and exec only async-signal-safe calls are made.  The child
 * inherits init's all-blocked mask: it keeps it until after tcsetpgrp(), so
 * a background child taking the terminal is not stopped by SIGTTOU (a
 * blocked SIGTTOU lets tcsetpgrp proceed, tcsetpgrp(3)), then it starts
 * from an empty mask and default dispositions as tini does — a command must
 * not inherit a SIGPIPE or SIGHUP that someone above us ignored. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SPAWN_FORK 1
#else
#define SPAWN_FORK 0
#endif

extern char **environ;

int spawn_exec_status(int exec_errno)
{
        return exec_errno == ENOENT ? 127 : 126;
}

struct child_args {
        const struct spawn_opts *o;
        int errfd;                /* fork: the exec-report pipe, else -1 */
        volatile int exec_errno;  /* clone: written by the child before it exits */
};

/* Write "LISTEN_PID=<our pid>" into BUF (async-signal-safe). */
static void put_listen_pid(char *buf)
{
        static const char key[] = "LISTEN_PID=";
        char digits[16];
        unsigned v = (unsigned)getpid();
        size_t n = 0;

        do
                digits[n++] = (char)('0' + v % 10);
        while ((v /= 10) > 0 && n < sizeof(digits));
        memcpy(buf, key, sizeof(key) - 1);
        buf += sizeof(key) - 1;
        while (n > 0)
                *buf++ = digits[--n];
        *buf = '\0';
}

/* Runs in the child; never returns. */
static int child(void *arg)
{
        struct child_args *a = arg;
        const struct spawn_opts *o = a->o;
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
         * closing so errfd stays open until the exec succeeds.  The fd
         * table is the child's own in both ways of starting it. */
        if (!o->keep_fds && close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {  /* < Linux 5.11 */
                for (int fd = 3; fd < 1024; fd++)
                        if (fd != a->errfd)
                                (void)close(fd);
        }
        if (o->cwd && chdir(o->cwd) < 0) {
                e = errno;
                goto fail;
        }
        if (o->listen_pid)
                put_listen_pid(o->listen_pid);
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
        /* execvp() takes PATH from environ: point it at the child's
         * environment (with clone that is our variable: start_child puts
         * ours back). */
        environ = (char **)o->envp;
        execvp(o->argv[0], o->argv);
        e = errno;
fail:
        if (o->exec_fail_msg)
                (void)!write(STDERR_FILENO, o->exec_fail_msg, strlen(o->exec_fail_msg));
        else if (a->errfd >= 0)
                (void)!write(a->errfd, &e, sizeof(e));
        else
                a->exec_errno = e;
        _exit(spawn_exec_status(e));
}

#if SPAWN_FORK
/* fork, and unless the caller does not want to know, wait for the exec
 * through a CLOEXEC pipe: EOF = it exec'd, 4 bytes = its errno. */
static pid_t start_child(struct child_args *a)
{
        int pfd[2] = { -1, -1 }, e = 0;
        ssize_t n;
        pid_t pid;

        if (!a->o->exec_fail_msg && pipe2(pfd, O_CLOEXEC) < 0)
                return -1;
        a->errfd = pfd[1];
        pid = fork();
        if (pid == 0) {
                if (pfd[0] >= 0)
                        (void)close(pfd[0]);
                child(a);
        }
        if (pfd[0] < 0)
                return pid;
        e = errno;
        (void)close(pfd[1]);
        if (pid > 0) {
                do
                        n = read(pfd[0], &e, sizeof(e));
                while (n < 0 && errno == EINTR);
                a->exec_errno = n == (ssize_t)sizeof(e) ? e : 0;
        }
        (void)close(pfd[0]);
        errno = e;  /* fork's, if it failed */
        return pid;
}
#else
/* Room for the child's frames, execvp's path buffer (at most PATH_MAX +
 * NAME_MAX bytes on its stack) and its argument vector for a script
 * without "#!" (argc + 2 pointers). */
static size_t child_stack_size(char *const *argv)
{
        size_t argc = 0;

        while (argv[argc])
                argc++;
        return 32 * 1024 + (argc + 3) * sizeof(char *);
}

static pid_t start_child(struct child_args *a)
{
        size_t size = child_stack_size(a->o->argv);
        char **saved = environ;
        /* Below this frame on our own stack, which nobody touches until the
         * child has exec'd or exited: CLONE_VFORK suspends us till then. */
        char stack[size];
        pid_t pid;
        int e;

        a->errfd = -1;
        pid = clone(child, (void *)((uintptr_t)(stack + size) & ~(uintptr_t)15),
                    CLONE_VM | CLONE_VFORK | SIGCHLD, a);
        e = errno;
        environ = saved;  /* the child pointed it at its environment */
        errno = e;
        return pid;
}
#endif

int spawn(const struct spawn_opts *o, pid_t *ret_pid, int *ret_exec_errno)
{
        struct child_args a = { .o = o, .errfd = -1, .exec_errno = 0 };
        pid_t pid;

        pid = start_child(&a);
        if (pid < 0)
                return -errno;
        /* After fork both sides set the group so that neither a signal
         * forwarded to -pid right away nor the child's tcsetpgrp can race
         * it; after clone the child has done it before we resume. */
        if (o->new_pgrp && SPAWN_FORK)
                (void)setpgid(pid, pid);
        *ret_pid = pid;
        /* exec_fail_msg: the child said it itself (and nothing came back). */
        *ret_exec_errno = o->exec_fail_msg ? 0 : a.exec_errno;
        return 0;
}
