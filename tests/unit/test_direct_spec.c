/* test_direct_spec.c — inspect and OCI bundle documents → what an exec gets,
 * and the refusals (a reason, never a guess). */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "direct_spec.h"

#define INSPECT(state, cfg, hc) \
        "{\"Id\":\"abc123\",\"State\":{" state "},\"Config\":{" cfg "},\"HostConfig\":{" hc "}}"

static int parse_inspect(struct direct_spec *s, const char *j)
{
        memset(s, 0, sizeof(*s));
        return direct_spec_inspect(s, j, strlen(j));
}

Test(direct_spec, inspect_gives_id_pid_user_env_workdir)
{
        struct direct_spec s;
        const char *j = INSPECT("\"Running\":true,\"Pid\":4242",
                                "\"User\":\"app:grp\",\"Hostname\":\"h1\",\"WorkingDir\":\"/w\","
                                "\"Env\":[\"A=1\",\"B=2\"]",
                                "\"GroupAdd\":[\"42\"],\"SecurityOpt\":[\"no-new-privileges:true\","
                                "\"seccomp=unconfined\",\"label=disable\"],\"UsernsMode\":\"host\",\"Links\":null");

        cr_assert_eq(parse_inspect(&s, j), 0);
        cr_assert_str_eq(s.id, "abc123");
        cr_assert_eq(s.pid, 4242);
        cr_assert_str_eq(s.user, "app:grp");
        cr_assert_str_eq(s.hostname, "h1");
        cr_assert_str_eq(s.workdir, "/w");
        cr_assert_str_eq(s.env[1], "B=2");
        cr_assert_str_eq(s.group_add[0], "42");
        cr_assert_str_eq(s.why, "");
        direct_spec_done(&s);
}

Test(direct_spec, unknown_security_options_links_and_userns_are_refused)
{
        static const char *const docs[] = {
                INSPECT("\"Running\":true,\"Pid\":1", "", "\"SecurityOpt\":[\"label=type:x_t\"]"),
                INSPECT("\"Running\":true,\"Pid\":1", "", "\"SecurityOpt\":[\"apparmor=p\"]"),
                INSPECT("\"Running\":true,\"Pid\":1", "", "\"Links\":[\"/a:/b/a\"]"),
                INSPECT("\"Running\":true,\"Pid\":1", "", "\"UsernsMode\":\"private\""),
                INSPECT("\"Running\":false,\"Pid\":0", "", ""),
                INSPECT("\"Running\":true,\"Paused\":true,\"Pid\":1", "", ""),
        };

        for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
                struct direct_spec s;
                cr_assert_eq(parse_inspect(&s, docs[i]), 0);
                cr_assert_neq(s.why[0], '\0', "document %zu was not refused", i);
                direct_spec_done(&s);
        }
}

Test(direct_spec, malformed_documents_are_einval)
{
        struct direct_spec s;

        cr_assert_eq(parse_inspect(&s, "{"), -EINVAL);
        cr_assert_eq(parse_inspect(&s, "{\"Id\":1}"), -EINVAL);
        memset(&s, 0, sizeof(s));
        cr_assert_eq(direct_spec_bundle(&s, "[]", 2), -EINVAL);
}

static const char bundle[] =
        "{\"process\":{\"user\":{\"uid\":0,\"gid\":0,\"umask\":18},"
        "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],"
        "\"permitted\":[\"CAP_KILL\"]},"
        "\"noNewPrivileges\":true,\"oomScoreAdj\":-5,"
        "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":4096,\"soft\":1024},"
        "{\"type\":\"RLIMIT_CORE\",\"hard\":18446744073709551615,\"soft\":18446744073709551615}]},"
        "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"network\",\"path\":\"/x\"},"
        "{\"type\":\"pid\"}],\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
        "\"flags\":[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]}}}";

Test(direct_spec, bundle_gives_caps_nnp_rlimits_umask_namespaces_seccomp)
{
        struct direct_spec s;

        memset(&s, 0, sizeof(s));
        cr_assert_eq(direct_spec_bundle(&s, bundle, strlen(bundle)), 0);
        cr_assert_str_eq(s.why, "");
        cr_assert_str_eq(s.caps[DCAP_BOUNDING][1], "CAP_KILL");
        cr_assert_null(s.caps[DCAP_AMBIENT]);
        cr_assert(s.no_new_privs);
        cr_assert(s.has_oom && s.oom_score_adj == -5);
        cr_assert(s.has_umask && s.umask == 022);
        cr_assert(s.rlimit[7].set && s.rlimit[7].soft == 1024 && s.rlimit[7].hard == 4096);
        cr_assert_eq(s.rlimit[4].hard, UINT64_MAX);
        cr_assert(!s.rlimit[0].set);
        cr_assert(s.ns_listed[DNS_MNT] && s.ns_listed[DNS_NET] && s.ns_listed[DNS_PID]);
        cr_assert(!s.ns_listed[DNS_CGROUP] && !s.ns_listed[DNS_UTS]);
        cr_assert(s.seccomp);
        cr_assert_eq(s.seccomp_flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW);
        direct_spec_done(&s);
}

Test(direct_spec, bundle_refuses_user_ns_labels_listeners_unknown_rlimits)
{
        static const char *const docs[] = {
                "{\"process\":{},\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}}",
                "{\"process\":{},\"linux\":{\"namespaces\":[{\"type\":\"time\"}]}}",
                "{\"process\":{\"apparmorProfile\":\"docker-default\"},\"linux\":{}}",
                "{\"process\":{\"selinuxLabel\":\"system_u:r:c\"},\"linux\":{}}",
                "{\"process\":{},\"linux\":{\"seccomp\":{\"listenerPath\":\"/s\"}}}",
                "{\"process\":{},\"linux\":{\"seccomp\":{\"flags\":[\"SECCOMP_FILTER_FLAG_NEW\"]}}}",
                "{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NEW\",\"hard\":1,\"soft\":1}]},\"linux\":{}}",
        };

        for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
                struct direct_spec s;
                memset(&s, 0, sizeof(s));
                cr_assert_eq(direct_spec_bundle(&s, docs[i], strlen(docs[i])), 0);
                cr_assert_neq(s.why[0], '\0', "bundle %zu was not refused", i);
                direct_spec_done(&s);
        }
}

/* Documents recorded from dockerd 20.10.24 for `docker run -d --network none
 * ctrtest/busybox sleep`: tests/fixtures/inspect-busybox.json and
 * bundle-config-default.json (the shim's config.json). */
static char *slurp(const char *name, size_t *ret_len)
{
        const char *dir = getenv("CONTRAINER_FIXTURES");
        char path[512], *data;
        FILE *f;
        long n;

        snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures", name);
        f = fopen(path, "rbe");
        cr_assert_not_null(f, "fixture %s (run from the repository root)", path);
        cr_assert_eq(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        rewind(f);
        data = malloc((size_t)n + 1);
        cr_assert_eq(fread(data, 1, (size_t)n, f), (size_t)n);
        data[n] = '\0';
        fclose(f);
        *ret_len = (size_t)n;
        return data;
}

Test(direct_spec, recorded_engine_documents_give_dockers_defaults)
{
        struct direct_spec s;
        size_t n;
        char *j = slurp("inspect-busybox.json", &n);

        memset(&s, 0, sizeof(s));
        cr_assert_eq(direct_spec_inspect(&s, j, n), 0);
        free(j);
        cr_assert_eq(strlen(s.id), 64);
        cr_assert_gt(s.pid, 0);
        cr_assert(s.running);
        cr_assert_str_eq(s.user, "");
        j = slurp("bundle-config-default.json", &n);
        cr_assert_eq(direct_spec_bundle(&s, j, n), 0);
        free(j);
        cr_assert_str_eq(s.why, "");
        /* Docker's 14 default capabilities; no inheritable set since the
         * CVE-2022-24769 fix (20.10.14), no ambient one */
        static const int sets[] = { DCAP_BOUNDING, DCAP_EFFECTIVE, DCAP_PERMITTED };
        for (size_t i = 0; i < 3; i++) {
                size_t k = 0;
                while (s.caps[sets[i]] && s.caps[sets[i]][k])
                        k++;
                cr_assert_eq(k, 14, "set %d has %zu", sets[i], k);
        }
        cr_assert_null(s.caps[DCAP_INHERITABLE]);
        cr_assert_null(s.caps[DCAP_AMBIENT]);
        cr_assert(s.ns_listed[DNS_MNT] && s.ns_listed[DNS_NET] && s.ns_listed[DNS_UTS] &&
                  s.ns_listed[DNS_PID] && s.ns_listed[DNS_IPC]);
        cr_assert(!s.ns_listed[DNS_CGROUP]);  /* cgroup v1 host: the host's */
        cr_assert(s.seccomp);
        cr_assert(!s.no_new_privs);
        cr_assert(s.has_oom && s.oom_score_adj == 0);
        direct_spec_done(&s);
}
