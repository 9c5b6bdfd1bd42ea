/* test_pid1.c — wait status → exit code, which signals are forwarded, and
 * the reaping core in a child (Criterion isolates each test in a process,
 * so blocking signals and becoming a subreaper stays inside the test). */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "pid1.h"
#include "spawn.h"

static int status_of(void (*fn)(int), int arg)
{
        int st;
        pid_t pid = fork();

        cr_assert_geq(pid, 0);
        if (pid == 0)
                fn(arg);
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        return st;
}

static void do_exit(int code)
{
        _exit(code);
}

static void do_kill(int sig)
{
        signal(sig, SIG_DFL);
        raise(sig);
        _exit(99);
}

Test(pid1, exit_code_is_passed_through)
{
        cr_assert_eq(pid1_exit_status(status_of(do_exit, 0)), 0);
        cr_assert_eq(pid1_exit_status(status_of(do_exit, 3)), 3);
        cr_assert_eq(pid1_exit_status(status_of(do_exit, 255)), 255);
}

Test(pid1, killed_by_signal_n_is_128_plus_n)
{
        cr_assert_eq(pid1_exit_status(status_of(do_kill, SIGTERM)), 128 + SIGTERM);
        cr_assert_eq(pid1_exit_status(status_of(do_kill, SIGKILL)), 137);
        cr_assert_eq(pid1_exit_status(status_of(do_kill, SIGUSR1)), 128 + SIGUSR1);
}

Test(pid1, forwards_catchable_async_signals_only)
{
        int yes[] = { SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT,
                      SIGTSTP, SIGALRM, SIGPIPE, SIGRTMIN, SIGRTMAX };
        int no[] = { SIGCHLD, SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
                     SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU, 0, NSIG };

        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
                cr_assert(pid1_is_forwarded(yes[i]), "signal %d", yes[i]);
        for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
                cr_assert_not(pid1_is_forwarded(no[i]), "signal %d", no[i]);
}

Test(spawn, exec_status_127_for_missing_126_otherwise)
{
        cr_assert_eq(spawn_exec_status(ENOENT), 127);
        cr_assert_eq(spawn_exec_status(EACCES), 126);
        cr_assert_eq(spawn_exec_status(ENOEXEC), 126);
}

Test(pid1, reaps_orphans_and_reports_tracked_status, .timeout = 20)
{
        struct pid1 *p = NULL;
        char *argv[] = { "sh", "-c", "(sleep 0.1 &) ; (sleep 0.1 &) ; exit 7", NULL };
        char *envp[] = { "PATH=/usr/bin:/bin", NULL };
        struct spawn_opts o = { .argv = argv, .envp = envp };
        int64_t deadline = deadline_in(10000);
        pid_t pid;
        int e, st;

        cr_assert_eq(pid1_new(&p), 0);  /* not PID 1: becomes a subreaper */
        cr_assert_not(pid1_is_pid1(p));
        cr_assert_eq(spawn(&o, &pid, &e), 0);
        cr_assert_eq(e, 0);
        cr_assert_eq(pid1_track(p, pid), 0);
        while (!pid1_reaped(p, pid, &st) && !deadline_passed(deadline))
                pid1_wait(p, deadline);
        cr_assert_eq(pid1_exit_status(st), 7);
        /* the two orphaned sleeps are ours now, and get reaped */
        while (pid1_has_children(p) && !deadline_passed(deadline))
                pid1_wait(p, deadline);
        cr_assert_not(pid1_has_children(p));
        pid1_free(p);
}

Test(pid1, terminate_signal_is_noted_and_forwarded, .timeout = 20)
{
        struct pid1 *p = NULL;
        char *argv[] = { "sleep", "30", NULL };
        char *envp[] = { "PATH=/usr/bin:/bin", NULL };
        struct spawn_opts o = { .argv = argv, .envp = envp, .new_pgrp = true };
        int64_t deadline = deadline_in(10000);
        pid_t pid;
        int e, st = 0;

        cr_assert_eq(pid1_new(&p), 0);
        cr_assert_eq(spawn(&o, &pid, &e), 0);
        cr_assert_eq(pid1_track(p, pid), 0);
        pid1_set_forward(p, -pid);
        cr_assert_eq(kill(getpid(), SIGTERM), 0);  /* blocked: goes to the signalfd */
        while (!pid1_reaped(p, pid, &st) && !deadline_passed(deadline))
                pid1_wait(p, deadline);
        cr_assert_eq(pid1_terminate_signal(p), SIGTERM);
        cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
        pid1_free(p);
}

Test(spawn, missing_program_reports_enoent_and_exits_127, .timeout = 20)
{
        char *argv[] = { "/nonexistent/prog", NULL };
        char *envp[] = { NULL };
        struct spawn_opts o = { .argv = argv, .envp = envp };
        pid_t pid;
        int e, st;

        cr_assert_eq(spawn(&o, &pid, &e), 0);
        cr_assert_eq(e, ENOENT);
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_assert_eq(pid1_exit_status(st), 127);
}

Test(deadline, never_and_past)
{
        cr_assert_eq(deadline_poll_timeout(DEADLINE_NEVER), -1);
        cr_assert_eq(deadline_poll_timeout(deadline_now() - 5), 0);
        cr_assert(deadline_passed(deadline_now()));
        cr_assert_not(deadline_passed(DEADLINE_NEVER));
        cr_assert_geq(deadline_poll_timeout(deadline_in(1000)), 900);
        cr_assert_eq(deadline_min(3, 5), 3);
}
