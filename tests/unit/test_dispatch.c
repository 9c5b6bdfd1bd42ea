/* test_dispatch.c — body jobs on %contrainer (a local `sh -c`, no Engine):
 * a body's end comes back as a binary outcome (wproto.h) with its ticket,
 * one target runs its bodies one at a time in order, bounds hold. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "deadline.h"
#include "dispatch.h"
#include "registry.h"
#include "strv.h"
#include "worker.h"
#include "wproto.h"

struct seen_results {
        size_t n_done, n_result;
        intptr_t order[8];          /* tickets in on_done order */
        struct wproto_outcome o[8]; /* outcomes in on_result order */
        bool has[8];
        char status[8][64];
};

static void on_done(void *ud, void *ticket)
{
        struct seen_results *s = ud;

        cr_assert_lt(s->n_done, 8);
        s->order[s->n_done++] = (intptr_t)ticket;
}

static void on_result(void *ud, const struct dispatch_result *r)
{
        struct seen_results *s = ud;

        cr_assert_lt(s->n_result, 8);
        s->has[s->n_result] = r->outcome != NULL;
        if (r->outcome)
                s->o[s->n_result] = *r->outcome;
        snprintf(s->status[s->n_result], sizeof(s->status[0]), "%s", r->status);
        s->n_result++;
}

static void on_exec_id(void *ud, const char *id)
{
        (void)ud;
        (void)id;
}

static struct dispatch *new_ds(struct seen_results *s, unsigned timeout_s, size_t max_output)
{
        struct dispatch *ds = dispatch_new(&(struct dispatch_config){
                .jobs = 2, .timeout_s = timeout_s, .max_output = max_output, .sysimage = "/",
                .on_exec_id = on_exec_id, .on_done = on_done, .on_result = on_result, .ud = s });

        cr_assert_not_null(ds);
        return ds;
}

static void enqueue(struct dispatch *ds, const char *body, intptr_t ticket)
{
        struct rbody *b = rbody_new(body, strlen(body));
        char **vars = NULL;

        cr_assert_eq(strv_env_set(&vars, "CONTRAINER_EVENT", "test"), 0);
        cr_assert_eq(dispatch_enqueue(ds, TT_CONTRAINER, NULL, NULL, b, vars, "test body", (void *)ticket), 0);
        rbody_unref(b);
}

/* Run the loop until N bodies are done, within 20 s. */
static void run_until(struct dispatch *ds, struct seen_results *s, size_t n)
{
        int64_t deadline = deadline_in(20000);

        while (s->n_result < n && !deadline_passed(deadline)) {
                int fds[8];
                struct pollfd p[8];
                size_t nf;
                pid_t pid;
                int st;

                dispatch_pump(ds);
                nf = dispatch_fds(ds, fds, 8);
                for (size_t i = 0; i < nf; i++)
                        p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
                (void)poll(p, nf, 50);
                while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
                        worker_forget(pid);
                        (void)dispatch_reaped(ds, pid, st);
                }
                dispatch_io(ds);
        }
        cr_assert_eq(s->n_result, n, "bodies not finished in time");
}

Test(dispatch, an_exit_status_comes_back_as_a_binary_outcome, .timeout = 30)
{
        struct seen_results s = { 0 };
        struct dispatch *ds = new_ds(&s, 10, 4096);

        enqueue(ds, "exit 3", 41);
        run_until(ds, &s, 1);
        cr_assert(s.has[0]);
        cr_assert_eq(s.o[0].kind, WPROTO_EXIT);
        cr_assert_eq(s.o[0].exit_code, 3);
        cr_assert_str_eq(s.status[0], "exit 3");
        cr_assert_eq(s.n_done, 1);
        cr_assert_eq(s.order[0], 41, "the ticket comes back");
        dispatch_free(ds);
}

Test(dispatch, one_target_runs_its_bodies_one_at_a_time_in_order, .timeout = 30)
{
        struct seen_results s = { 0 };
        struct dispatch *ds = new_ds(&s, 10, 4096);

        enqueue(ds, "sleep 0.3; exit 1", 1);
        enqueue(ds, "exit 2", 2);
        enqueue(ds, "exit 0", 3);
        dispatch_pump(ds);
        cr_assert_eq(dispatch_running(ds), 1, "one target: one body at a time");
        run_until(ds, &s, 3);
        cr_assert_eq(s.order[0], 1);
        cr_assert_eq(s.order[1], 2);
        cr_assert_eq(s.order[2], 3);
        cr_assert_eq(s.o[2].exit_code, 0);
        dispatch_free(ds);
}

Test(dispatch, a_body_over_the_timeout_is_killed_with_its_group, .timeout = 30)
{
        struct seen_results s = { 0 };
        struct dispatch *ds = new_ds(&s, 1, 4096);

        enqueue(ds, "sleep 30 & sleep 31", 7);
        run_until(ds, &s, 1);
        cr_assert_eq(s.o[0].kind, WPROTO_TIMEOUT);
        cr_assert(s.o[0].killed);
        cr_assert_str_eq(s.status[0], "timeout killed");
        dispatch_free(ds);
}

Test(dispatch, output_over_the_cap_is_an_overflow, .timeout = 30)
{
        struct seen_results s = { 0 };
        struct dispatch *ds = new_ds(&s, 10, 100);

        enqueue(ds, "i=0; while [ $i -lt 100 ]; do echo 0123456789; i=$((i+1)); done", 8);
        run_until(ds, &s, 1);
        cr_assert_eq(s.o[0].kind, WPROTO_OVERFLOW);
        dispatch_free(ds);
}

/* From now on this (test) process cannot fork: clone, clone3, fork and
 * vfork fail with EAGAIN, as they do for a controller at its pids limit. */
static void forbid_fork(void)
{
        struct sock_filter f[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 4, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 3, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fork, 2, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_vfork, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAGAIN),
        };
        struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
                _exit(10);
}

#if defined(__x86_64__)
/* In a child of the test: the sanitizer's exit-time leak check needs a
 * clone of its own, so the child ends with _exit and says through its exit
 * status which check failed (0: all held). */
static int cannot_fork_child(void)
{
        struct seen_results s = { 0 };
        struct dispatch *ds = new_ds(&s, 10, 4096);

        forbid_fork();
        enqueue(ds, "exit 0", 5);
        enqueue(ds, "exit 0", 6);
        dispatch_pump(ds);
        /* Both are reported (for /status and /metrics) and given back, in
         * order; nothing is left running or queued. */
        if (s.n_result != 2 || !s.has[0] || s.o[0].kind != WPROTO_FAILED)
                return 1;
        if (strcmp(s.status[0], "failed: cannot fork a worker") != 0)
                return 2;
        if (s.n_done != 2 || s.order[0] != 5 || s.order[1] != 6)
                return 3;
        if (dispatch_running(ds) != 0 || dispatch_queued(ds) != 0)
                return 4;
        dispatch_free(ds);
        return 0;
}

Test(dispatch, a_body_whose_worker_cannot_be_forked_is_a_failed_result, .timeout = 30)
{
        pid_t pid = fork();
        int st;

        cr_assert_geq(pid, 0);
        if (pid == 0)
                _exit(cannot_fork_child());
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_assert(WIFEXITED(st), "the child died (status %d)", st);
        cr_assert_eq(WEXITSTATUS(st), 0, "check %d failed", WEXITSTATUS(st));
}
#endif
