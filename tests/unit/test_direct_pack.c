/* test_direct_pack.c — a direct context survives the trip through bytes
 * exactly, and bytes that are not a whole packed context are refused (every
 * truncation, another magic, a length past the end). */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#include "direct_ctx.h"
#include "direct_pack.h"
#include "strv.h"

static void sample(struct direct_ctx *c)
{
        memset(c, 0, sizeof(*c));
        for (int i = 0; i < DNS_N; i++)
                c->nsfd[i] = -1;
        strcpy(c->spec.id, "0123abcd");
        c->spec.pid = 4242;
        c->spec.running = true;
        c->spec.user = strdup("app:grp");
        c->spec.hostname = strdup("h1");
        c->spec.workdir = strdup("/w");
        cr_assert_eq(strv_push(&c->spec.env, "A=1"), 0);
        cr_assert_eq(strv_push(&c->spec.env, "B="), 0);
        cr_assert_eq(strv_push(&c->spec.group_add, "42"), 0);
        c->spec.no_new_privs = true;
        c->spec.ns_listed[DNS_PID] = c->spec.ns_listed[DNS_MNT] = true;
        c->spec.seccomp = true;
        c->spec.seccomp_flags = 4;
        c->shim = 4200;
        cr_assert_eq(strv_push(&c->cgroup_procs, "/sys/fs/cgroup/pids/docker/x/cgroup.procs"), 0);
        cr_assert_eq(strv_push(&c->freezer, "/sys/fs/cgroup/freezer/docker/x/freezer.state"), 0);
        c->caps[DCAP_BOUNDING] = 0xa80425fbULL;
        c->caps[DCAP_AMBIENT] = 1;
        c->rlimit[RLIMIT_NOFILE].rlim_cur = 1024;
        c->rlimit[RLIMIT_NOFILE].rlim_max = RLIM_INFINITY;
        c->oom_score_adj = -500;
        c->umask = 027;
        c->bpf_len = 3;
        c->bpf = calloc(3, sizeof(*c->bpf));
        c->bpf[1].code = 0x15;
        c->bpf[2].k = 0x7fff0000;
}

Test(direct_pack, round_trip_keeps_every_packed_field)
{
        static unsigned char buf[1 << 16];
        struct direct_ctx c, d;
        uint64_t st = 0;
        size_t len;

        sample(&c);
        cr_assert_eq(direct_pack(&c, 987654321, buf, sizeof(buf), &len), 0);
        cr_assert_eq(direct_unpack(buf, len, &d, &st), 0);
        cr_assert_eq(st, 987654321);
        cr_assert_str_eq(d.spec.id, "0123abcd");
        cr_assert_eq(d.spec.pid, 4242);
        cr_assert_str_eq(d.spec.user, "app:grp");
        cr_assert_str_eq(d.spec.hostname, "h1");
        cr_assert_str_eq(d.spec.workdir, "/w");
        cr_assert(strv_equal(d.spec.env, c.spec.env));
        cr_assert(strv_equal(d.spec.group_add, c.spec.group_add));
        cr_assert(d.spec.no_new_privs);
        cr_assert(d.spec.ns_listed[DNS_PID] && d.spec.ns_listed[DNS_MNT] && !d.spec.ns_listed[DNS_NET]);
        cr_assert(d.spec.seccomp);
        cr_assert_eq(d.spec.seccomp_flags, 4);
        cr_assert_eq(d.shim, 4200);
        cr_assert(strv_equal(d.cgroup_procs, c.cgroup_procs));
        cr_assert(strv_equal(d.freezer, c.freezer));
        cr_assert_eq(memcmp(d.caps, c.caps, sizeof(c.caps)), 0);
        cr_assert_eq(memcmp(d.rlimit, c.rlimit, sizeof(c.rlimit)), 0);
        cr_assert_eq(d.oom_score_adj, -500);
        cr_assert_eq(d.umask, 027);
        cr_assert_eq(d.bpf_len, 3);
        cr_assert_eq(memcmp(d.bpf, c.bpf, 3 * sizeof(*c.bpf)), 0);
        for (int i = 0; i < DNS_N; i++)
                cr_assert_eq(d.nsfd[i], -1);
        cr_assert_null(d.env);
        direct_ctx_done(&c);
        direct_ctx_done(&d);
}

Test(direct_pack, every_truncation_and_a_trailing_byte_are_refused)
{
        static unsigned char buf[1 << 16];
        struct direct_ctx c, d;
        uint64_t st;
        size_t len;

        sample(&c);
        cr_assert_eq(direct_pack(&c, 1, buf, sizeof(buf), &len), 0);
        for (size_t n = 0; n < len; n++)
                cr_assert_eq(direct_unpack(buf, n, &d, &st), -EINVAL, "length %zu", n);
        cr_assert_eq(direct_unpack(buf, len + 1, &d, &st), -EINVAL);
        buf[0] ^= 1;
        cr_assert_eq(direct_unpack(buf, len, &d, &st), -EINVAL);
        direct_ctx_done(&c);
}

Test(direct_pack, a_huge_length_word_is_refused_not_allocated)
{
        static unsigned char buf[1 << 16];
        struct direct_ctx c, d;
        uint64_t st, big = UINT64_MAX / 2;
        size_t len;

        sample(&c);
        cr_assert_eq(direct_pack(&c, 1, buf, sizeof(buf), &len), 0);
        /* magic, starttime, then the id's length word */
        memcpy(buf + 16, &big, sizeof(big));
        cr_assert_eq(direct_unpack(buf, len, &d, &st), -EINVAL);
        direct_ctx_done(&c);
}

Test(direct_pack, too_small_a_buffer_is_e2big)
{
        unsigned char buf[64];
        struct direct_ctx c;
        size_t len = 7;

        sample(&c);
        cr_assert_eq(direct_pack(&c, 1, buf, sizeof(buf), &len), -E2BIG);
        cr_assert_eq(len, 7);
        direct_ctx_done(&c);
}

Test(direct_pack, starttime_is_field_22_even_with_a_hostile_comm)
{
        const char *s = "77 (a) b) (c 9) S 1 77 77 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
                        "123456 1000 100 18446744073709551615\n";
        uint64_t v = 0;

        cr_assert_eq(direct_stat_starttime(s, strlen(s), &v), 0);
        cr_assert_eq(v, 123456);
        cr_assert_eq(direct_stat_starttime("1 (x) S 1", 9, &v), -EINVAL);
        cr_assert_eq(direct_stat_starttime("no paren", 8, &v), -EINVAL);
}
