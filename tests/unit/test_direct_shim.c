/* test_direct_shim.c — the runtime shim of a container's main process is
 * taken only as it is now: the main process's parent, in our PID namespace,
 * running a containerd-shim executable (review L1: a process that forges
 * "-id ID" in its argv is not enough). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "direct_ctx.h"

static void copy_file(const char *from, const char *to)
{
        char buf[65536];
        int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0755);
        ssize_t n;

        cr_assert(in >= 0 && out >= 0);
        while ((n = read(in, buf, sizeof(buf))) > 0)
                cr_assert_eq(write(out, buf, (size_t)n), n);
        close(in);
        close(out);
}

/* A copy of /bin/sh named NAME in a fresh directory runs
 * `sleep 30 & echo $!; wait`: *SHIM is that shell, *CHILD its sleep. */
static void start(const char *name, pid_t *shim, pid_t *child)
{
        char dir[] = "/tmp/ctrtest-shim-XXXXXX", path[256], line[32];
        int p[2];
        pid_t pid;

        cr_assert(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        copy_file("/bin/sh", path);
        cr_assert_eq(pipe(p), 0);
        pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
                dup2(p[1], 1);
                close(p[0]);
                execl(path, name, "-c", "sleep 30 & echo $!; wait", "-id", "forged", (char *)NULL);
                _exit(127);
        }
        close(p[1]);
        cr_assert(read(p[0], line, sizeof(line) - 1) > 0);
        close(p[0]);
        *shim = pid;
        *child = (pid_t)atoi(line);
        unlink(path);
        rmdir(dir);
}

static void stop(pid_t shim, pid_t child)
{
        kill(child, SIGKILL);
        kill(shim, SIGKILL);
        waitpid(shim, NULL, 0);
}

Test(direct_shim, a_containerd_shim_parent_in_our_pid_namespace_is_taken)
{
        char why[256] = "";
        pid_t shim, child;

        start("containerd-shim-runc-v2", &shim, &child);
        cr_expect_eq(direct_ctx_check_shim(child, shim, why, sizeof(why)), 0, "%s", why);
        stop(shim, child);
}

Test(direct_shim, a_parent_that_is_not_a_containerd_shim_is_refused)
{
        char why[256] = "";
        pid_t shim, child;

        start("not-a-shim", &shim, &child);
        cr_expect_eq(direct_ctx_check_shim(child, shim, why, sizeof(why)), -EOPNOTSUPP);
        cr_expect(strstr(why, "not a containerd shim"), "%s", why);
        stop(shim, child);
}

Test(direct_shim, a_shim_that_is_not_the_parent_is_refused)
{
        char why[256] = "";
        pid_t shim, child, shim2, child2;

        start("containerd-shim-runc-v2", &shim, &child);
        start("containerd-shim-runc-v2", &shim2, &child2);
        cr_expect_eq(direct_ctx_check_shim(child, shim2, why, sizeof(why)), -EOPNOTSUPP);
        cr_expect(strstr(why, "parent"), "%s", why);
        stop(shim, child);
        stop(shim2, child2);
}
