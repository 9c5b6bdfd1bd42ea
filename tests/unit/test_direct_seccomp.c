/* test_direct_seccomp.c — the filter copied from a process is its oldest
 * (the runtime's) even while a thread of it keeps adding filters to every
 * thread (TSYNC), as a hostile container's PID 1 may (review M1); and a
 * signal that reaches the process while it is stopped for the copy is
 * delivered after, never swallowed (review L2).  Needs root
 * (PTRACE_SECCOMP_GET_FILTER wants CAP_SYS_ADMIN). */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "direct_seccomp.h"

/* The "runtime's" filter: 5 instructions (loads of the syscall number, then
 * allow); the container's own: 1 instruction. */
#define RUNTIME_LEN 5

static int install(unsigned flags, unsigned short len)
{
        struct sock_filter f[RUNTIME_LEN];
        struct sock_fprog prog = { .len = len, .filter = f };

        for (unsigned short i = 0; i + 1 < len; i++)
                f[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                                    offsetof(struct seccomp_data, nr));
        f[len - 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

static int started[2];

static void *adder(void *ud)
{
        (void)ud;
        for (int i = 0;; i++) {
                if (install(SECCOMP_FILTER_FLAG_TSYNC, 1) != 0)
                        break;  /* the chain's budget is spent */
                if (i == 20)
                        (void)!write(started[1], "s", 1);
                usleep(50);
        }
        for (;;)
                pause();
        return NULL;
}

/* A child with the runtime's filter whose second thread adds 1-instruction
 * filters to both threads from now on. */
static pid_t hostile_child(void)
{
        char c;
        pid_t pid;

        cr_assert_eq(pipe(started), 0);
        pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
                pthread_t t;

                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || install(0, RUNTIME_LEN) < 0 ||
                    pthread_create(&t, NULL, adder, NULL) != 0)
                        _exit(1);
                for (;;)
                        pause();
        }
        cr_assert_eq(read(started[0], &c, 1), 1, "the child could not install filters");
        close(started[0]);
        close(started[1]);
        return pid;
}

Test(direct_seccomp, a_filter_the_process_stacked_itself_is_never_copied)
{
        struct sock_filter *bpf = NULL;
        unsigned short len = 0;
        char why[256] = "", c;
        int p[2];
        pid_t pid;

        cr_assert_eq(pipe(p), 0);
        pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || install(0, RUNTIME_LEN) < 0 ||
                    install(0, 1) < 0 || install(0, 1) < 0)
                        _exit(1);
                (void)!write(p[1], "s", 1);
                for (;;)
                        pause();
        }
        cr_assert_eq(read(p[0], &c, 1), 1, "the child could not install filters");
        cr_assert_eq(direct_seccomp_copy(pid, &bpf, &len, why, sizeof(why)), 0, "%s", why);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        cr_assert_eq(len, RUNTIME_LEN, "copied the process's own filter (%u instructions)", len);
        free(bpf);
        close(p[0]);
        close(p[1]);
}

Test(direct_seccomp, the_copy_is_the_oldest_filter_while_the_chain_grows)
{
        for (int round = 0; round < 10; round++) {
                struct sock_filter *bpf = NULL;
                unsigned short len = 0;
                char why[256] = "";
                pid_t pid = hostile_child();
                int r = direct_seccomp_copy(pid, &bpf, &len, why, sizeof(why));

                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                cr_assert_eq(r, 0, "round %d: %s", round, why);
                cr_assert_eq(len, RUNTIME_LEN, "round %d: copied a filter of %u instructions, "
                             "not the runtime's", round, len);
                free(bpf);
        }
}

/* Counters shared with the child: signals it sent itself and handled. */
struct counts {
        volatile long sent, handled, stop;
};
static struct counts *cnt;

static void on_usr1(int sig)
{
        (void)sig;
        cnt->handled++;
}

Test(direct_seccomp, a_signal_that_arrives_during_the_copy_is_delivered)
{
        pid_t pid;

        cnt = mmap(NULL, sizeof(*cnt), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        cr_assert(cnt != MAP_FAILED);
        pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
                signal(SIGUSR1, on_usr1);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || install(0, RUNTIME_LEN) < 0)
                        _exit(1);
                while (!cnt->stop) {
                        cnt->sent++;
                        kill(getpid(), SIGUSR1);
                }
                _exit(0);
        }
        while (cnt->sent < 1000)
                usleep(100);
        for (int i = 0; i < 3000; i++) {
                struct sock_filter *bpf = NULL;
                unsigned short len = 0;
                char why[256] = "";

                cr_assert_eq(direct_seccomp_copy(pid, &bpf, &len, why, sizeof(why)), 0, "%s", why);
                free(bpf);
        }
        cnt->stop = 1;
        waitpid(pid, NULL, 0);
        cr_assert_eq(cnt->handled, cnt->sent, "%ld of %ld signals were lost",
                     cnt->sent - cnt->handled, cnt->sent);
        munmap(cnt, sizeof(*cnt));
}
