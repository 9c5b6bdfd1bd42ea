/* test_direct_cache.c — a context put by one process is found by another
 * forked from the same controller, only for the same container id and the
 * same main process (pid and start time); nothing is cached without init. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "direct_cache.h"
#include "direct_ctx.h"
#include "strv.h"

static void ctx_of(struct direct_ctx *c, const char *id, pid_t pid)
{
        memset(c, 0, sizeof(*c));
        for (int i = 0; i < DNS_N; i++)
                c->nsfd[i] = -1;
        strcpy(c->spec.id, id);
        c->spec.pid = pid;
        c->spec.user = strdup("1000:1000");
        c->spec.hostname = strdup("h");
        c->spec.workdir = strdup("");
        c->shim = getppid();
        c->umask = 022;
        cr_assert_eq(strv_push(&c->cgroup_procs, "/x/cgroup.procs"), 0);
}

static void cleanup(void)
{
        direct_cache_free();
}

TestSuite(direct_cache, .fini = cleanup);

Test(direct_cache, a_put_in_a_child_is_found_by_the_parent)
{
        struct direct_ctx c, d;
        uint64_t st;
        pid_t k;
        int ws;

        cr_assert_eq(direct_cache_init(), 0);
        cr_assert_eq(direct_cache_starttime(getpid(), &st), 0);
        k = fork();
        if (k == 0) {
                ctx_of(&c, "aaaa", getppid());
                direct_cache_put(&c, st);
                direct_ctx_done(&c);
                _exit(0);
        }
        cr_assert_eq(waitpid(k, &ws, 0), k);
        cr_assert_eq(direct_cache_get("aaaa", &d), 0);
        cr_assert_eq(d.spec.pid, getpid());
        cr_assert_str_eq(d.spec.user, "1000:1000");
        cr_assert_eq(d.umask, 022);
        cr_assert_str_eq(d.cgroup_procs[0], "/x/cgroup.procs");
        direct_ctx_done(&d);
        cr_assert_eq(direct_cache_get("aaaab", &d), -ENOENT);
        cr_assert_eq(direct_cache_get("bbbb", &d), -ENOENT);
}

Test(direct_cache, another_start_time_is_stale)
{
        struct direct_ctx c, d;
        uint64_t st;

        cr_assert_eq(direct_cache_init(), 0);
        cr_assert_eq(direct_cache_starttime(getpid(), &st), 0);
        ctx_of(&c, "cccc", getpid());
        direct_cache_put(&c, st + 1);  /* as if gathered from an earlier process */
        cr_assert_eq(direct_cache_get("cccc", &d), -ESTALE);
        direct_cache_put(&c, st);  /* the same id again: replaced */
        cr_assert_eq(direct_cache_get("cccc", &d), 0);
        direct_ctx_done(&d);
        direct_ctx_done(&c);
}

Test(direct_cache, a_dead_main_process_is_stale)
{
        struct direct_ctx c, d;
        pid_t k = fork();
        int ws;

        if (k == 0)
                _exit(0);
        cr_assert_eq(waitpid(k, &ws, 0), k);
        cr_assert_eq(direct_cache_init(), 0);
        ctx_of(&c, "dddd", k);
        direct_cache_put(&c, 1);
        cr_assert_eq(direct_cache_get("dddd", &d), -ESTALE);
        direct_ctx_done(&c);
}

Test(direct_cache, without_init_nothing_is_cached)
{
        struct direct_ctx c, d;
        uint64_t st;

        cr_assert_eq(direct_cache_starttime(getpid(), &st), 0);
        ctx_of(&c, "eeee", getpid());
        direct_cache_put(&c, st);
        cr_assert_eq(direct_cache_get("eeee", &d), -ENOENT);
        direct_ctx_done(&c);
}
