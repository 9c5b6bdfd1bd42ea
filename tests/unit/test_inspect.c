/* test_inspect.c — inspect JSON → struct docker_inspect, and which
 * containers are host-equivalent (docs/watch.md "Policy"), from inspects recorded on a
 * real Engine (tests/fixtures/inspect-*.json) and small hand-made ones. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"
#include "target.h"

static char *slurp(const char *name, size_t *ret_len)
{
        const char *dir = getenv("CONTRAINER_FIXTURES");
        char path[512];
        FILE *f;
        char *data;
        long n;

        snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures", name);
        f = fopen(path, "rbe");
        cr_assert_not_null(f, "fixture %s (run from the repository root)", path);
        cr_assert_eq(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        cr_assert_geq(n, 0);
        rewind(f);
        data = malloc((size_t)n + 1);
        cr_assert_eq(fread(data, 1, (size_t)n, f), (size_t)n);
        fclose(f);
        data[n] = '\0';
        *ret_len = (size_t)n;
        return data;
}

static struct docker_inspect parse_ok(const char *json, const char *sock)
{
        struct docker_inspect in;

        cr_assert_eq(inspect_parse(json, strlen(json), sock, &in), 0, "%s", json);
        return in;
}

Test(inspect, a_recorded_plain_container_is_not_host_equivalent)
{
        size_t len;
        char *j = slurp("inspect-plain.json", &len);
        struct docker_inspect in;

        cr_assert_eq(inspect_parse(j, len, "/var/run/docker.sock", &in), 0);
        cr_assert_eq(strlen(in.id), 64);
        cr_assert_str_eq(in.name, "ctrtest-hostile-rec-plain");
        cr_assert_eq(strncmp(in.hostname, in.id, 12), 0);
        cr_assert_not(in.running);
        cr_assert_str_eq(in.started_at, "0001-01-01T00:00:00Z");
        cr_assert_null(inspect_host_equivalent(&in));
        cr_assert_eq(inspect_traits(&in, "vm"), TRAIT_KNOWN);
        cr_assert_eq(inspect_traits(&in, in.hostname), TRAIT_KNOWN | TRAIT_SELFLIKE);
        free(j);
}

Test(inspect, a_recorded_hostile_container_is_seen_every_way)
{
        size_t len;
        char *j = slurp("inspect-heq.json", &len);
        struct docker_inspect in;

        /* docker create --privileged --pid host --cap-add SYS_ADMIN
         *   -v /var/run/docker.sock:/var/run/docker.sock -v /:/host:ro --label execID=0 */
        cr_assert_eq(inspect_parse(j, len, "/elsewhere/d.sock", &in), 0);
        cr_assert(in.privileged);
        cr_assert(in.host_pid);
        cr_assert(in.cap_admin, "CapAdd is recorded as CAP_SYS_ADMIN");
        cr_assert(in.binds_socket);
        cr_assert(in.binds_root);
        cr_assert(in.label_shadows);
        cr_assert_not(in.host_ipc);
        cr_assert_not(in.host_userns);
        cr_assert_str_eq(inspect_host_equivalent(&in), "privileged");
        cr_assert_eq(inspect_traits(&in, "vm"), TRAIT_KNOWN | TRAIT_HOSTEQ | TRAIT_SHADOW);
        free(j);
}

struct heq_case {
        const char *json;
        const char *why;  /* NULL: not host-equivalent */
};

#define ID "\"Id\":\"0123\""
static const struct heq_case heq_cases[] = {
        { "{" ID "}", NULL },
        { "{" ID ",\"HostConfig\":{\"Privileged\":true}}", "privileged" },
        { "{" ID ",\"HostConfig\":{\"Privileged\":\"true\"}}", NULL },
        { "{" ID ",\"HostConfig\":{\"PidMode\":\"host\"}}", "host PID namespace" },
        { "{" ID ",\"HostConfig\":{\"PidMode\":\"container:abc\"}}", NULL },
        { "{" ID ",\"HostConfig\":{\"UsernsMode\":\"host\"}}", "host user namespace" },
        { "{" ID ",\"HostConfig\":{\"IpcMode\":\"host\"}}", "host IPC namespace" },
        { "{" ID ",\"HostConfig\":{\"IpcMode\":\"private\",\"NetworkMode\":\"host\",\"UTSMode\":\"host\"}}", NULL },
        { "{" ID ",\"HostConfig\":{\"CapAdd\":[\"NET_ADMIN\",\"sys_admin\"]}}", "adds CAP_SYS_ADMIN, ALL or another capability that escapes" },
        { "{" ID ",\"HostConfig\":{\"CapAdd\":[\"all\"]}}", "adds CAP_SYS_ADMIN, ALL or another capability that escapes" },
        { "{" ID ",\"HostConfig\":{\"CapAdd\":[\"CAP_DAC_READ_SEARCH\"]}}", "adds CAP_SYS_ADMIN, ALL or another capability that escapes" },
        { "{" ID ",\"HostConfig\":{\"CapAdd\":[\"NET_ADMIN\",\"SYS_PTRACE\"]}}", NULL },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/run/docker.sock\"}]}", "the Docker socket is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/var/run\"}]}", "the Docker socket is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/run/\"}]}", "the Docker socket is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/var/runner\"}]}", NULL },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/e\"}]}", "the Docker socket is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/engine\"}]}", NULL },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\"}]}", "the host's / is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"//\"}]}", "the host's / is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"/\"}]}", NULL },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/home/x\"}]}", NULL },
        { "{" ID ",\"HostConfig\":{\"Binds\":[\"/:/host:ro\"]}}", "the host's / is bind-mounted" },
        { "{" ID ",\"HostConfig\":{\"Binds\":[\"/var/run/docker.sock:/s\"]}}", "the Docker socket is bind-mounted" },
        { "{" ID ",\"HostConfig\":{\"Binds\":[\"data:/data\",\"/tmp:/t\"]}}", NULL },
        /* docs/watch.md "Host-equivalent containers": raw devices, other
         * runtimes' sockets, host system paths, writable host cgroups. */
        { "{" ID ",\"HostConfig\":{\"Devices\":[{\"PathOnHost\":\"/dev/loop0\",\"PathInContainer\":\"/dev/loop0\",\"CgroupPermissions\":\"rwm\"}]}}", "a host device is passed in (--device or a device cgroup rule)" },
        { "{" ID ",\"HostConfig\":{\"Devices\":[]}}", NULL },
        { "{" ID ",\"HostConfig\":{\"Devices\":[{\"PathOnHost\":\"/dev/fuse\"},{\"PathOnHost\":\"/dev/net/tun\"}]}}", NULL },
        { "{" ID ",\"HostConfig\":{\"Devices\":[{\"PathOnHost\":\"/dev/fuse\"},{\"PathOnHost\":\"/dev/sda\",\"CgroupPermissions\":\"r\"}]}}", "a host device is passed in (--device or a device cgroup rule)" },
        { "{" ID ",\"HostConfig\":{\"Devices\":[{}]}}", "a host device is passed in (--device or a device cgroup rule)" },
        { "{" ID ",\"HostConfig\":{\"DeviceCgroupRules\":[\"b *:* rwm\"]}}", "a host device is passed in (--device or a device cgroup rule)" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/run/containerd/containerd.sock\"}]}", "a container runtime's socket or state is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/run/containerd\"}]}", "a container runtime's socket or state is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/run/containerd/io.containerd.runtime.v2.task\"}]}", "a container runtime's socket or state is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/run/user/1000/podman/podman.sock\"}]}", "a container runtime's socket or state is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/var/run/crio/crio.sock\"}]}", "a container runtime's socket or state is bind-mounted" },
        { "{" ID ",\"HostConfig\":{\"Binds\":[\"/run/docker/containerd:/c\"]}}", "a container runtime's socket or state is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/var/lib/docker/volumes\"}]}", "a host system path is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/var/lib\"}]}", "a host system path is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/etc\",\"RW\":false}]}", "a host system path is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/etc/cron.d\",\"RW\":true}]}", "a host system path is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/root/.ssh\"}]}", "a host system path is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/dev\"}]}", "a host system path is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/dev/sda\"}]}", "a host system path is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/boot\"}]}", "a host system path is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/lib/modules\"}]}", "a host system path is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/usr\"}]}", "a host system path is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/proc\"}]}", "a host system path is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/sys/fs/cgroup\"}]}", "a host system path is bind-mounted" },
        { "{" ID ",\"HostConfig\":{\"Binds\":[\"/etc/passwd:/p:ro\"]}}", "a host system path is bind-mounted" },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/etc/localtime\",\"RW\":false}]}", NULL },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/etc/localtime\",\"RW\":true}]}", "a host system path is bind-mounted" },
        { "{" ID ",\"HostConfig\":{\"Binds\":[\"/etc/timezone:/etc/timezone:ro\"]}}", NULL },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/dev/log\"}]}", NULL },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/etcetera\"}]}", NULL },
        { "{" ID ",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/data\"}]}", NULL },
        { "{" ID ",\"HostConfig\":{\"CgroupnsMode\":\"host\"}}", NULL },
        { "{" ID ",\"HostConfig\":{\"CgroupnsMode\":\"host\"},\"Mounts\":[{\"Type\":\"tmpfs\",\"Destination\":\"/sys/fs/cgroup/x\",\"RW\":true}]}", "the host's cgroup namespace with a writable cgroup file system" },
        { "{" ID ",\"HostConfig\":{\"CgroupnsMode\":\"private\"},\"Mounts\":[{\"Type\":\"volume\",\"Destination\":\"/sys/fs/cgroup\",\"RW\":true}]}", NULL },
        { "{" ID ",\"HostConfig\":{\"SecurityOpt\":[\"systempaths=unconfined\"]}}", "/proc and /sys are unmasked (systempaths=unconfined)" },
        { "{" ID ",\"HostConfig\":{\"SecurityOpt\":[\"seccomp=unconfined\"]}}", NULL },
};

static struct criterion_test_params index_params(size_t n)
{
        size_t *idx = cr_malloc(n * sizeof(*idx));

        for (size_t i = 0; i < n; i++)
                idx[i] = i;
        return cr_make_param_array(size_t, idx, n, NULL);
}

ParameterizedTestParameters(inspect, host_equivalence_one_way_at_a_time)
{
        return index_params(sizeof(heq_cases) / sizeof(heq_cases[0]));
}

ParameterizedTest(size_t *i, inspect, host_equivalence_one_way_at_a_time)
{
        const struct heq_case *c = &heq_cases[*i];
        struct docker_inspect in = parse_ok(c->json, "/srv/e/d.sock");
        const char *why = inspect_host_equivalent(&in);

        if (c->why) {
                cr_assert_not_null(why, "%s", c->json);
                cr_assert_str_eq(why, c->why, "%s", c->json);
                cr_assert(inspect_traits(&in, NULL) & TRAIT_HOSTEQ);
        } else {
                cr_assert_null(why, "%s: %s", c->json, why);
                cr_assert_not(inspect_traits(&in, NULL) & TRAIT_HOSTEQ);
        }
}

Test(inspect, labels_that_shadow_exec_ids_and_self_likeness)
{
        struct docker_inspect in;

        in = parse_ok("{" ID ",\"Config\":{\"Labels\":{\"execID\":\"\"}}}", NULL);
        cr_assert(inspect_traits(&in, NULL) & TRAIT_SHADOW);
        in = parse_ok("{" ID ",\"Config\":{\"Labels\":{\"execid\":\"0\",\"exec\":\"x\"}}}", NULL);
        cr_assert_not(inspect_traits(&in, NULL) & TRAIT_SHADOW, "keys are case-sensitive, like the Engine's");
        in = parse_ok("{" ID ",\"Config\":{\"Hostname\":\"box\"}}", NULL);
        cr_assert(inspect_traits(&in, "box") & TRAIT_SELFLIKE);
        cr_assert_not(inspect_traits(&in, "other") & TRAIT_SELFLIKE);
        cr_assert_not(inspect_traits(&in, "") & TRAIT_SELFLIKE);
        in = parse_ok("{" ID ",\"HostConfig\":{\"UTSMode\":\"host\"}}", NULL);
        cr_assert(inspect_traits(&in, "other") & TRAIT_SELFLIKE);
}

Test(inspect, names_lose_the_slash_and_bad_answers_are_eproto)
{
        struct docker_inspect in;
        char big[600];
        const char *bad[] = { "", "[]", "{}", "{\"Id\":1}", "{\"Id\":\"\"}", "not json", "{" ID };

        in = parse_ok("{" ID ",\"Name\":\"/web\",\"State\":{\"Running\":true,\"Paused\":true,\"StartedAt\":\"x\"}}", NULL);
        cr_assert_str_eq(in.id, "0123");
        cr_assert_str_eq(in.name, "web");
        cr_assert(in.running);
        cr_assert(in.paused);
        cr_assert_str_eq(in.started_at, "x");
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_eq(inspect_parse(bad[i], strlen(bad[i]), NULL, &in), -EPROTO, "%s", bad[i]);
        memset(big, 'a', sizeof(big));
        snprintf(big, sizeof(big), "{" ID ",\"Name\":\"%0300d\"}", 0);
        cr_assert_eq(inspect_parse(big, strlen(big), NULL, &in), -EPROTO, "a name over 255 bytes");
        cr_assert_eq(inspect_parse(NULL, 0, NULL, &in), -EPROTO);
}

/* A local volume is only a name in the container's inspect; its driver
 * options (GET /volumes/NAME) say whether it binds a host path. */
Test(inspect, local_volumes_are_listed_for_a_check_and_their_options_decide)
{
        struct docker_inspect in = parse_ok(
                "{" ID ",\"Mounts\":[{\"Type\":\"volume\",\"Name\":\"v1\",\"Driver\":\"local\"},"
                "{\"Type\":\"volume\",\"Name\":\"v2\",\"Driver\":\"rexray\"},"
                "{\"Type\":\"volume\",\"Name\":\"v3\",\"Driver\":\"local\"}]}", NULL);
        static const struct { const char *json; const char *why; } v[] = {
                { "{\"Name\":\"v1\",\"Driver\":\"local\",\"Options\":null}", NULL },
                { "{\"Name\":\"v1\",\"Driver\":\"local\",\"Options\":{}}", NULL },
                { "{\"Name\":\"v1\",\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/\"}}", "the host's / is bind-mounted" },
                { "{\"Name\":\"v1\",\"Options\":{\"type\":\"none\",\"o\":\"ro,rbind\",\"device\":\"/etc\"}}", "a host system path is bind-mounted" },
                { "{\"Name\":\"v1\",\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/var/run\"}}", "the Docker socket is bind-mounted" },
                { "{\"Name\":\"v1\",\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/srv/data\"}}", NULL },
                { "{\"Name\":\"v1\",\"Options\":{\"type\":\"ext4\",\"device\":\"/dev/sda1\"}}", "a volume mounts a host device" },
                { "{\"Name\":\"v1\",\"Options\":{\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=1m\"}}", NULL },
                { "{\"Name\":\"v1\",\"Options\":{\"type\":\"nfs\",\"device\":\":/export\",\"o\":\"addr=10.0.0.1\"}}", NULL },
                { "not json", "a volume could not be checked" },
        };

        cr_assert_eq(in.nvolumes, 2, "local volumes only");
        cr_assert_str_eq(in.volumes[0], "v1");
        cr_assert_str_eq(in.volumes[1], "v3");
        cr_assert_null(inspect_host_equivalent(&in));
        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                struct docker_inspect c = in;
                const char *why;

                inspect_volume_apply(v[i].json, strlen(v[i].json), NULL, &c);
                why = inspect_host_equivalent(&c);
                if (v[i].why)
                        cr_assert(why && strcmp(why, v[i].why) == 0, "%s: %s", v[i].json, why ? why : "(none)");
                else
                        cr_assert_null(why, "%s: %s", v[i].json, why);
        }
}

Test(inspect, more_local_volumes_than_checked_fail_closed)
{
        char json[16384];
        size_t n = (size_t)snprintf(json, sizeof(json), "{" ID ",\"Mounts\":[");
        struct docker_inspect in;

        for (int i = 0; i <= INSPECT_VOLUMES_MAX; i++)
                n += (size_t)snprintf(json + n, sizeof(json) - n, "%s{\"Type\":\"volume\",\"Name\":\"v%d\",\"Driver\":\"local\"}",
                                      i ? "," : "", i);
        snprintf(json + n, sizeof(json) - n, "]}");
        in = parse_ok(json, NULL);
        cr_assert_eq(in.nvolumes, INSPECT_VOLUMES_MAX);
        cr_assert_str_eq(inspect_host_equivalent(&in), "a volume could not be checked");
}
