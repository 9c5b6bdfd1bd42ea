/* test_procguard.c — the cgroup and stat matchers, and group kills of our
 * own children through a pidfd. */
#include <criterion/criterion.h>

#include "procguard.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ID "3f4e1a2b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f8"

static bool match(const char *text, const char *id)
{
        return procguard_cgroup_match(text, strlen(text), id);
}

Test(procguard, cgroup_v1_and_v2_lines_of_a_container_match)
{
        cr_assert(match("12:memory:/docker/" ID "\n0::/docker/" ID "\n", ID));
        cr_assert(match("0::/system.slice/docker-" ID ".scope\n", ID));
        cr_assert(match("1:name=systemd:/docker/" ID "/init.scope\n", ID));
        /* seen from a controller in its own cgroup namespace */
        cr_assert(match("0::/../" ID "\n", ID));
        /* the last line without its newline */
        cr_assert(match("0::/docker/" ID, ID));
}

Test(procguard, other_cgroups_do_not_match)
{
        cr_assert_not(match("0::/user.slice/session-1.scope\n", ID));
        cr_assert_not(match("0::/\n", ID));
        cr_assert_not(match("", ID));
        /* the id inside a longer hex word, or only in the controllers field */
        cr_assert_not(match("0::/docker/a" ID "\n", ID));
        cr_assert_not(match("0::/docker/" ID "0\n", ID));
        cr_assert_not(match("3:" ID ":/\n", ID));
        /* a name, not the id: the container named after it is elsewhere */
        cr_assert_not(match("0::/docker/x" ID "\n", ID));
        /* a short or non-hex id never matches */
        cr_assert_not(match("0::/docker/abc\n", "abc"));
        cr_assert_not(match("0::/docker/ZZZZZZZZZZZZZZ\n", "ZZZZZZZZZZZZZZ"));
}

Test(procguard, stat_leader_parses_after_the_last_parenthesis)
{
        const char *a = "42 (sh) S 7 42 42 0 -1 4194560 ...";
        const char *b = "42 (a) b) 1 2 3) S 7 42 42 0";
        const char *c = "42 (sleep) S 7 40 40 0";
        const char *d = "43 (sh) S 7 42 42 0";

        cr_assert(procguard_stat_leader(a, strlen(a), 42));
        cr_assert(procguard_stat_leader(b, strlen(b), 42));
        cr_assert_not(procguard_stat_leader(c, strlen(c), 42));
        cr_assert_not(procguard_stat_leader(d, strlen(d), 42));
        cr_assert_not(procguard_stat_leader("", 0, 42));
}

Test(procguard, kills_a_childs_whole_group_and_nothing_once_it_is_gone)
{
        struct procguard g = PROCGUARD_INIT;
        int p[2], st;
        pid_t pid, grandchild;

        cr_assert_eq(pipe(p), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                pid_t k;
                (void)setpgid(0, 0);
                k = fork();
                if (k == 0) {
                        pause();
                        _exit(0);
                }
                (void)!write(p[1], &k, sizeof(k));
                pause();
                _exit(0);
        }
        (void)setpgid(pid, pid);
        cr_assert_eq(read(p[0], &grandchild, sizeof(grandchild)), (ssize_t)sizeof(grandchild));
        cr_assert_eq(procguard_open_child(pid, &g), 0);
        cr_assert(procguard_alive(&g));
        cr_assert_eq(procguard_kill_group(&g), 0);
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
        /* the grandchild was in the group: gone too (reparented, reaped
         * by init or a subreaper; kill 0 fails or it is a zombie) */
        bool gone = false;
        for (int i = 0; i < 500 && !gone; i++) {
                char path[64], buf[256] = "";
                FILE *f;
                snprintf(path, sizeof(path), "/proc/%d/stat", (int)grandchild);
                f = fopen(path, "re");
                if (f) {
                        (void)!fgets(buf, sizeof(buf), f);
                        fclose(f);
                }
                gone = kill(grandchild, 0) < 0 || strstr(buf, ") Z") != NULL;
                if (!gone)
                        usleep(10000);
        }
        cr_assert(gone, "the group member %d survived", (int)grandchild);
        /* reaped: the pidfd no longer names a live process */
        cr_assert_not(procguard_alive(&g));
        cr_assert_eq(procguard_kill_group(&g), -ESRCH);
        procguard_close(&g);
        procguard_close(&g);
        cr_assert_eq(procguard_kill_raw(-1, 5), -EBADF);
        close(p[0]);
        close(p[1]);
}

Test(procguard, a_pid_outside_the_container_is_refused)
{
        /* our own process is no container's exec */
        cr_assert_eq(procguard_open_exec(getpid(), ID, &(struct procguard)PROCGUARD_INIT), -EXDEV);
        cr_assert_eq(procguard_open_exec(1, ID, &(struct procguard)PROCGUARD_INIT), -EXDEV);
}
