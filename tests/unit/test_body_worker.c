/* test_body_worker.c — local bodies: done when the child exits even if a
 * background process holds its output; a timeout kills the whole group;
 * the close_range fallback closes every inherited descriptor. */
#include <criterion/criterion.h>

#include "body_worker.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", NULL };

static bool pid_gone(pid_t pid)
{
        char path[64], buf[512] = "";
        FILE *f;

        if (kill(pid, 0) < 0)
                return true;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return true;
        (void)!fgets(buf, sizeof(buf), f);
        fclose(f);
        return strstr(buf, ") Z") != NULL;
}

Test(body_worker, done_when_the_child_exits_though_a_background_child_holds_stdout)
{
        char *argv[] = { "/bin/sh", "-c", "sleep 30 & echo $!; echo done", NULL };
        struct body_local_result res;
        long bg;

        cr_assert_eq(body_local(argv, envp, 20, 4096, &res), 0);
        cr_assert_not(res.timed_out);
        cr_assert(WIFEXITED(res.wstatus) && WEXITSTATUS(res.wstatus) == 0);
        cr_assert(res.out.len > 0);
        cr_assert_eq(sscanf(res.out.data, "%ld", &bg), 1);
        /* it did not wait for the background sleep: that still runs */
        cr_assert_not(pid_gone((pid_t)bg));
        cr_assert(strstr(res.out.data, "done"));
        (void)kill((pid_t)bg, SIGKILL);
        buf_free(&res.out);
        buf_free(&res.err);
}

Test(body_worker, a_timeout_kills_the_whole_group_even_a_term_ignoring_one)
{
        char *argv[] = { "/bin/sh", "-c", "trap '' TERM; sleep 300 & echo $!; sleep 301", NULL };
        struct body_local_result res;
        long bg;

        cr_assert_eq(body_local(argv, envp, 1, 4096, &res), 0);
        cr_assert(res.timed_out);
        cr_assert_eq(sscanf(res.out.data ? res.out.data : "", "%ld", &bg), 1);
        for (int i = 0; i < 500 && !pid_gone((pid_t)bg); i++)
                usleep(10000);
        cr_assert(pid_gone((pid_t)bg), "the background sleep %ld survived", bg);
        buf_free(&res.out);
        buf_free(&res.err);
}

Test(body_worker, the_fallback_closes_every_descriptor_from_lowest)
{
        int p[2], st;
        pid_t pid;

        cr_assert_eq(pipe(p), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                int a = open("/dev/null", O_RDONLY), b = dup2(a, 200), left = 0;
                (void)b;
                close(p[0]);
                if (dup2(p[1], 3) != 3)
                        _exit(2);
                body_close_fds_fallback(4);
                for (int fd = 4; fd < 1024; fd++)
                        if (fcntl(fd, F_GETFD) >= 0)
                                left++;
                (void)!write(3, &left, sizeof(left));
                _exit(0);
        }
        close(p[1]);
        int left = -1;
        cr_assert_eq(read(p[0], &left, sizeof(left)), (ssize_t)sizeof(left));
        cr_assert_eq(left, 0);
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        close(p[0]);
}
