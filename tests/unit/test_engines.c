/* Engines users run (docs/engines.md): which engine /version describes,
 * where the socket is, a non-root user's state dir, and the client against
 * fake Engines on a unix socket — Docker 29's minimum API version, a
 * /version that lies or says nothing, a socket that is not an Engine. */
#include "docker.h"
#include "docker_http.h"
#include "engine_id.h"
#include "fake_socket.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- engine_id_parse ------------------------------------------------------ */

/* Trimmed from the engines' own answers (docs/engines.md). */
static const char docker20[] =
        "{\"Platform\":{\"Name\":\"\"},\"Components\":[{\"Name\":\"Engine\",\"Version\":\"20.10.24+dfsg1\","
        "\"Details\":{\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\"}},{\"Name\":\"containerd\","
        "\"Version\":\"1.6.20~ds1\"}],\"Version\":\"20.10.24+dfsg1\",\"ApiVersion\":\"1.41\","
        "\"MinAPIVersion\":\"1.12\",\"Os\":\"linux\"}";
static const char podman43[] =
        "{\"Platform\":{\"Name\":\"linux/amd64/debian-12\"},\"Components\":[{\"Name\":\"Podman Engine\","
        "\"Version\":\"4.3.1\",\"Details\":{\"APIVersion\":\"4.3.1\",\"MinAPIVersion\":\"4.0.0\"}},"
        "{\"Name\":\"Conmon\",\"Version\":\"conmon version 2.1.6, commit: unknown\"}],"
        "\"Version\":\"4.3.1\",\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.24\"}";
static const char docker29[] =
        "{\"Platform\":{\"Name\":\"Docker Engine - Community\"},\"Components\":[{\"Name\":\"Engine\","
        "\"Version\":\"29.0.0\",\"Details\":{\"ApiVersion\":\"1.52\",\"MinAPIVersion\":\"1.44\"}}],"
        "\"Version\":\"29.0.0\",\"ApiVersion\":\"1.52\",\"MinAPIVersion\":\"1.44\"}";

static struct engine_id parse_ok(const char *doc)
{
        struct engine_id id;

        cr_assert_eq(engine_id_parse(doc, strlen(doc), &id), 0, "%s", doc);
        return id;
}

Test(engine_id, names_docker_podman_and_their_versions)
{
        struct engine_id id = parse_ok(docker20);
        char d[80];

        cr_assert_str_eq(id.name, "Docker");
        cr_assert_str_eq(id.version, "20.10.24+dfsg1");
        cr_assert_str_eq(id.api_max, "1.41");
        cr_assert_str_eq(id.api_min, "1.12");
        id = parse_ok(podman43);
        cr_assert_str_eq(id.name, "Podman");
        cr_assert_str_eq(id.version, "4.3.1");
        cr_assert_str_eq(id.api_max, "1.41", "the Docker API's, not libpod's");
        cr_assert_str_eq(id.api_min, "1.24");
        engine_id_describe(&id, d, sizeof(d));
        cr_assert_str_eq(d, "Podman 4.3.1");
        id = parse_ok(docker29);
        cr_assert_str_eq(id.name, "Docker");
        cr_assert_str_eq(id.api_min, "1.44");
}

Test(engine_id, a_version_that_lies_or_omits_fields_leaves_them_unknown)
{
        struct engine_id id;
        char d[80];

        cr_assert_eq(engine_id_parse("OK", 2, &id), -EINVAL);
        cr_assert_eq(engine_id_parse("[1]", 3, &id), -EINVAL);
        id = parse_ok("{}");
        cr_assert_str_eq(id.name, "");
        cr_assert_str_eq(id.version, "");
        engine_id_describe(&id, d, sizeof(d));
        cr_assert_str_eq(d, "an unknown engine");
        /* wrong types, a version that is no version, control characters,
         * an overlong string */
        id = parse_ok("{\"Components\":\"Engine\",\"Version\":42,\"ApiVersion\":\"1.x\","
                      "\"MinAPIVersion\":[\"1.44\"],\"Platform\":\"Docker\"}");
        cr_assert_str_eq(id.name, "");
        cr_assert_str_eq(id.version, "");
        cr_assert_str_eq(id.api_max, "");
        cr_assert_str_eq(id.api_min, "");
        id = parse_ok("{\"Components\":[{\"Name\":\"Engine\",\"Version\":\"1\\u001b[2J\"}],"
                      "\"Version\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}");
        cr_assert_str_eq(id.name, "Docker");
        cr_assert_str_eq(id.version, "", "neither an escape sequence nor 62 bytes are shown");
        /* an old daemon: no Components, the platform's name */
        id = parse_ok("{\"Platform\":{\"Name\":\"Docker Engine - Community\"},\"Version\":\"19.03.15\"}");
        cr_assert_str_eq(id.name, "Docker");
        cr_assert_str_eq(id.version, "19.03.15");
}

/* ---- where the socket is, where the state is ------------------------------ */

Test(engine_id, socket_candidates_in_the_documented_order)
{
        char *env[] = { "HOME=/home/u", "XDG_RUNTIME_DIR=/run/user/1000", NULL };
        char *rel[] = { "XDG_RUNTIME_DIR=run/user/1000", NULL };
        char c[4][ENGINE_SOCKET_MAX];

        cr_assert_eq(engine_socket_candidates(env, c, 4), 4);
        cr_assert_str_eq(c[0], "/var/run/docker.sock");
        cr_assert_str_eq(c[1], "/run/user/1000/docker.sock");
        cr_assert_str_eq(c[2], "/run/podman/podman.sock");
        cr_assert_str_eq(c[3], "/run/user/1000/podman/podman.sock");
        /* no (or a relative) XDG_RUNTIME_DIR: the rootful ones only */
        cr_assert_eq(engine_socket_candidates(rel, c, 4), 2);
        cr_assert_str_eq(c[1], "/run/podman/podman.sock");
        cr_assert_eq(engine_socket_candidates(NULL, c, 1), 1);
}

Test(engine_id, state_dir_of_root_and_of_a_user)
{
        char *xdg[] = { "HOME=/home/u", "XDG_STATE_HOME=/home/u/st", NULL };
        char *home[] = { "HOME=/home/u", "XDG_STATE_HOME=relative", NULL };
        char *none[] = { "PATH=/bin", NULL };
        char d[64];

        cr_assert_eq(engine_state_dir(xdg, 0, d, sizeof(d)), 0);
        cr_assert_str_eq(d, "/var/lib/contrainer");
        cr_assert_eq(engine_state_dir(xdg, 1000, d, sizeof(d)), 0);
        cr_assert_str_eq(d, "/home/u/st/contrainer");
        cr_assert_eq(engine_state_dir(home, 1000, d, sizeof(d)), 0);
        cr_assert_str_eq(d, "/home/u/.local/state/contrainer");
        cr_assert_eq(engine_state_dir(none, 1000, d, sizeof(d)), -ENOENT);
        cr_assert_eq(engine_state_dir(home, 1000, d, 10), -ENAMETOOLONG);
}

static void answer_ok(int c, const char *req, void *ud)
{
        (void)req;
        (void)ud;
        fake_socket_reply(c, 200, "Api-Version: 1.41\r\n", "OK");
}

/* Discovery sees the machine's /run: each test runs in a process of its
 * own, which gets a mount namespace with empty /run and /var/run. */
static void private_run(void)
{
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("tmpfs", "/run", "tmpfs", 0, NULL) < 0)
                cr_skip_test("needs root for a private /run: %m");
        /* /var/run is usually a link to /run; else it gets its own. */
        struct stat st;
        if (lstat("/var/run", &st) == 0 && !S_ISLNK(st.st_mode) &&
            mount("tmpfs", "/var/run", "tmpfs", 0, NULL) < 0)
                cr_skip_test("cannot mount /var/run: %m");
}

Test(engine_id, discovery_takes_the_first_socket_that_answers)
{
        char xdg[] = "/run/ctrtest-xdg", sock[ENGINE_SOCKET_MAX];
        char *env[] = { "XDG_RUNTIME_DIR=/run/ctrtest-xdg", NULL };
        pid_t p1, p2;
        int fd;

        private_run();
        /* nothing anywhere: the classic path, for the usual error */
        cr_assert_not(engine_socket_discover(env, sock));
        cr_assert_str_eq(sock, "/var/run/docker.sock");
        cr_assert_eq(mkdir(xdg, 0700), 0);
        cr_assert_eq(mkdir("/run/ctrtest-xdg/podman", 0700), 0);
        cr_assert_eq(mkdir("/run/podman", 0700), 0);
        /* rootless Podman only */
        p1 = fake_socket_start("/run/ctrtest-xdg/podman/podman.sock", answer_ok, NULL);
        cr_assert(engine_socket_discover(env, sock));
        cr_assert_str_eq(sock, "/run/ctrtest-xdg/podman/podman.sock");
        /* rootful Podman comes before it */
        p2 = fake_socket_start("/run/podman/podman.sock", answer_ok, NULL);
        cr_assert(engine_socket_discover(env, sock));
        cr_assert_str_eq(sock, "/run/podman/podman.sock");
        fake_socket_stop(p2, "/run/podman/podman.sock");
        /* a regular file named docker.sock is no socket; a dead socket is
         * passed over for one that answers */
        fd = open("/run/ctrtest-xdg/docker.sock", O_CREAT | O_WRONLY, 0600);
        cr_assert_geq(fd, 0);
        close(fd);
        p2 = fake_socket_start("/run/podman/podman.sock", answer_ok, NULL);
        fake_socket_stop(p2, "/run/podman/podman.sock");
        cr_assert(engine_socket_discover(env, sock));
        cr_assert_str_eq(sock, "/run/ctrtest-xdg/podman/podman.sock");
        fake_socket_stop(p1, "/run/ctrtest-xdg/podman/podman.sock");
}

/* ---- the client against fake Engines -------------------------------------- */

struct fake {
        const char *ping_api;    /* the /_ping header, NULL none */
        const char *version;     /* the /version document */
        long min;                /* versioned paths below 1.MIN get Docker 29's 400 */
};

static void answer(int c, const char *req, void *ud)
{
        const struct fake *f = ud;
        char t[256], hdr[64] = "";
        unsigned maj, mi;

        fake_socket_target(req, t, sizeof(t));
        if (strcmp(t, "/_ping") == 0) {
                if (f->ping_api)
                        snprintf(hdr, sizeof(hdr), "Api-Version: %s\r\n", f->ping_api);
                fake_socket_reply(c, 200, hdr, "OK");
                return;
        }
        if (strcmp(t, "/version") == 0) {
                fake_socket_reply(c, 200, "", f->version);
                return;
        }
        if (sscanf(t, "/v%u.%u/", &maj, &mi) == 2 && maj == 1 && (long)mi < f->min) {
                char msg[200];

                snprintf(msg, sizeof(msg), "{\"message\":\"client version %u.%u is too old. Minimum "
                         "supported API version is 1.%ld, please upgrade your client to a newer version\"}",
                         maj, mi, f->min);
                fake_socket_reply(c, 400, "", msg);
                return;
        }
        if (strstr(t, "/_ping")) {
                fake_socket_reply(c, 200, "", "OK");
                return;
        }
        if (strstr(t, "/containers/json")) {
                fake_socket_reply(c, 200, "", "[{\"Id\":\"abc\",\"Names\":[\"/one\"]}]");
                return;
        }
        if (strstr(t, "/version")) {
                fake_socket_reply(c, 200, "", f->version);
                return;
        }
        fake_socket_reply(c, 404, "", "{\"message\":\"page not found\"}");
}

static struct docker *start(struct fake *f, char *sock, pid_t *p)
{
        snprintf(sock, 64, "/tmp/ctrtest-eng-%d.sock", (int)getpid());
        *p = fake_socket_start(sock, answer, f);
        return docker_new(sock);
}

Test(engines, docker_29_refuses_below_1_44_and_is_spoken_to_in_1_44)
{
        struct fake f = { .ping_api = "1.52", .version = docker29, .min = 44 };
        struct docker_container *v = NULL;
        struct docker *d;
        char sock[64];
        size_t n = 0;
        pid_t p;

        d = start(&f, sock, &p);
        cr_assert_eq(docker_negotiate(d), 0);
        cr_assert_str_eq(docker_api_version(d), "1.44");
        cr_assert_str_eq(docker_engine(d)->name, "Docker");
        cr_assert_str_eq(docker_engine(d)->version, "29.0.0");
        /* every later call is on the versioned path the daemon accepts */
        cr_assert_eq(docker_list_running(d, &v, &n), 0);
        cr_assert_eq(n, 1);
        cr_assert_str_eq(v[0].name, "one");
        free(v);
        docker_free(d);
        fake_socket_stop(p, sock);
}

Test(engines, a_minimum_the_version_omits_is_learnt_from_the_refusal)
{
        /* /version says nothing of a minimum (or nothing at all): the 400
         * on our versioned path names it */
        struct fake f = { .ping_api = "1.52", .version = "{\"Version\":\"29.0.0\"}", .min = 44 };
        struct docker_container *v = NULL;
        struct docker *d;
        char sock[64];
        size_t n = 0;
        pid_t p;

        d = start(&f, sock, &p);
        cr_assert_eq(docker_negotiate(d), 0);
        cr_assert_str_eq(docker_api_version(d), "1.44");
        cr_assert_str_eq(docker_engine(d)->name, "", "no Components: not known");
        cr_assert_eq(docker_list_running(d, &v, &n), 0);
        free(v);
        docker_free(d);
        fake_socket_stop(p, sock);
}

Test(engines, a_version_that_lies_does_not_move_the_api_off_what_works)
{
        /* a minimum above the maximum; garbage where the document should be */
        struct fake lies = { .ping_api = "1.41",
                             .version = "{\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"9.99\","
                                        "\"Components\":[{\"Name\":\"Engine\",\"Version\":7}]}" };
        struct fake garbage = { .ping_api = "1.40", .version = "\x01\x02 not json" };
        struct fake silent = { .ping_api = NULL, .version = "{}" };
        struct docker *d;
        char sock[64];
        pid_t p;

        d = start(&lies, sock, &p);
        cr_assert_eq(docker_negotiate(d), 0);
        cr_assert_str_eq(docker_api_version(d), "1.41");
        cr_assert_str_eq(docker_engine(d)->name, "Docker");
        cr_assert_str_eq(docker_engine(d)->version, "");
        docker_free(d);
        fake_socket_stop(p, sock);

        d = start(&garbage, sock, &p);
        cr_assert_eq(docker_negotiate(d), 0);
        cr_assert_str_eq(docker_api_version(d), "1.40", "the ping's header still counts");
        cr_assert_str_eq(docker_engine(d)->name, "");
        docker_free(d);
        fake_socket_stop(p, sock);

        d = start(&silent, sock, &p);
        cr_assert_eq(docker_negotiate(d), 0);
        cr_assert_str_eq(docker_api_version(d), DOCKER_API_OURS);
        docker_free(d);
        fake_socket_stop(p, sock);
}

static void not_an_engine(int c, const char *req, void *ud)
{
        (void)req;
        (void)ud;
        (void)!write(c, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", 32);
}

static void http_but_not_an_engine(int c, const char *req, void *ud)
{
        (void)req;
        (void)ud;
        fake_socket_reply(c, 404, "", "<html>nginx</html>");
}

Test(engines, a_socket_that_is_not_an_engine_is_an_error_not_a_crash)
{
        struct docker *d;
        struct timespec t0, t1;
        char sock[64];
        pid_t p;
        int r;

        snprintf(sock, sizeof(sock), "/tmp/ctrtest-eng-%d.sock", (int)getpid());
        p = fake_socket_start(sock, not_an_engine, NULL);
        d = docker_new(sock);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        r = docker_negotiate(d);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        cr_assert_lt(r, 0, "got %d", r);
        cr_assert_lt(t1.tv_sec - t0.tv_sec, DOCKER_CONNECT_TIMEOUT_S + 1, "bounded");
        docker_free(d);
        fake_socket_stop(p, sock);

        p = fake_socket_start(sock, http_but_not_an_engine, NULL);
        d = docker_new(sock);
        cr_assert_eq(docker_negotiate(d), -EPROTO);
        docker_free(d);
        fake_socket_stop(p, sock);
}

Test(engines, a_finite_events_query_asks_podman_without_until)
{
        struct docker *d = docker_new("/nowhere.sock");
        struct engine_id pm = { .name = "Podman" };
        char *u;

        cr_assert_not_null(d);
        u = docker_events_url(d, UINT64_C(1796396594432249418), UINT64_C(1796396600000000000));
        cr_assert_not_null(strstr(u, "since=1796396594.432249418&until=1796396600.000000000&"), "%s", u);
        free(u);
        /* Podman 4.3 answers nothing with until=: stream=false instead */
        docker_http_set_engine(d, &pm);
        u = docker_events_url(d, UINT64_C(1796396594432249418), UINT64_C(1796396600000000000));
        cr_assert_not_null(strstr(u, "since=1796396594.432249418&stream=false&"), "%s", u);
        cr_assert_null(strstr(u, "until="), "%s", u);
        free(u);
        /* the live stream is the same for both */
        u = docker_events_url(d, UINT64_C(1796396594432249418), 0);
        cr_assert_null(strstr(u, "stream=false"), "%s", u);
        free(u);
        docker_free(d);
}

/* Podman 4.3 answers HTTP 500 to the state "dead": the list of containers
 * that ended (the die catch-up) names each engine's own states. */
Test(engines, the_ended_filter_names_each_engines_states)
{
        struct docker *d = docker_new("/nowhere.sock");
        struct engine_id pm = { .name = "Podman" };
        char *labels[] = { "com.example.team=a", NULL };
        char *f;

        cr_assert_not_null(d);
        f = docker_ended_filter(d);
        cr_assert_not_null(strstr(f, "%22exited%22%2C%22dead%22"), "%s", f);
        free(f);
        docker_http_set_engine(d, &pm);
        f = docker_ended_filter(d);
        cr_assert_null(strstr(f, "dead"), "%s", f);
        cr_assert_not_null(strstr(f, "%22exited%22%2C%22stopped%22"), "%s", f);
        free(f);
        /* with a --scope label, too */
        cr_assert_eq(docker_set_label_filters(d, labels), 0);
        f = docker_ended_filter(d);
        cr_assert_null(strstr(f, "dead"), "%s", f);
        cr_assert_not_null(strstr(f, "com.example.team"), "%s", f);
        free(f);
        docker_free(d);
}
