/* inspect.c — a container's inspect JSON → struct docker_inspect, and which
 * containers are as good as the host.  See inspect.h.
 *
 * Host-equivalent (SPEC §2.4): privileged; the host's PID, IPC or user
 * namespace (PidMode/IpcMode/UsernsMode "host"; Docker has no "host" mount
 * namespace mode, a bind of "/" is that); CapAdd of SYS_ADMIN or ALL, and
 * of the three other capabilities that are a known way out on their own
 * (SYS_MODULE: load a kernel module; SYS_RAWIO: raw I/O ports and
 * memory; DAC_READ_SEARCH: open_by_handle_at reads any host file); a bind
 * mount of the Docker socket (any path ending in docker.sock, the socket
 * the controller uses, or a folder above either) or of the host's "/".
 * Not host-equivalent: host network and UTS namespaces, devices. */
#include "inspect.h"

#include "target.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

static const char *str_of(const cJSON *o, const char *key)
{
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);

        return cJSON_IsString(x) && x->valuestring ? x->valuestring : "";
}

static bool is_host(const cJSON *o, const char *key)
{
        return strcmp(str_of(o, key), "host") == 0;
}

static bool dangerous_cap(const char *cap)
{
        static const char *const caps[] = { "ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_RAWIO",
                                            "DAC_READ_SEARCH" };

        if (strncasecmp(cap, "CAP_", 4) == 0)
                cap += 4;
        for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
                if (strcasecmp(cap, caps[i]) == 0)
                        return true;
        return false;
}

/* Is DIR (a path, maybe with trailing slashes) PATH itself or a folder above it? */
static bool is_at_or_above(const char *dir, const char *path)
{
        size_t n = strlen(dir);

        while (n > 1 && dir[n - 1] == '/')
                n--;
        if (n == 1 && dir[0] == '/')
                return path[0] == '/';
        return n > 0 && strncmp(dir, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool is_socket_source(const char *src, const char *sock_path)
{
        static const char *const usual[] = { "/var/run/docker.sock", "/run/docker.sock" };
        size_t n = strlen(src);

        while (n > 1 && src[n - 1] == '/')
                n--;
        if (n >= 11 && strncmp(src + n - 11, "docker.sock", 11) == 0)
                return true;
        if (sock_path && *sock_path && is_at_or_above(src, sock_path))
                return true;
        for (size_t i = 0; i < sizeof(usual) / sizeof(usual[0]); i++)
                if (is_at_or_above(src, usual[i]))
                        return true;
        return false;
}

static bool is_root(const char *src)
{
        size_t n = strspn(src, "/");

        return n > 0 && src[n] == '\0';
}

static void mounts(const cJSON *j, const char *sock_path, struct docker_inspect *in)
{
        const cJSON *m, *it;

        m = cJSON_GetObjectItemCaseSensitive(j, "Mounts");
        cJSON_ArrayForEach(it, m) {
                const char *type = str_of(it, "Type"), *src = str_of(it, "Source");

                if (strcmp(type, "bind") != 0 || !*src)
                        continue;
                if (is_root(src))
                        in->binds_root = true;
                else if (is_socket_source(src, sock_path))
                        in->binds_socket = true;
        }
        /* HostConfig.Binds ("SRC:DST[:OPTS]") says the same for -v; read it
         * too in case Mounts is absent (older daemons). */
        m = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "HostConfig"), "Binds");
        cJSON_ArrayForEach(it, m) {
                char src[4096];
                const char *colon;

                if (!cJSON_IsString(it) || !it->valuestring || it->valuestring[0] != '/')
                        continue;  /* a named volume */
                colon = strchr(it->valuestring, ':');
                snprintf(src, sizeof(src), "%.*s",
                         (int)(colon ? (size_t)(colon - it->valuestring) : strlen(it->valuestring)),
                         it->valuestring);
                if (is_root(src))
                        in->binds_root = true;
                else if (is_socket_source(src, sock_path))
                        in->binds_socket = true;
        }
}

static int copy(char *dst, size_t dstsz, const char *src)
{
        if (strlen(src) >= dstsz)
                return -EPROTO;
        strcpy(dst, src);
        return 0;
}

int inspect_parse(const char *json, size_t len, const char *sock_path, struct docker_inspect *ret)
{
        struct docker_inspect in;
        const cJSON *st, *hc, *cfg, *x, *it;
        const char *name;
        cJSON *j;
        int r = -EPROTO;

        memset(&in, 0, sizeof(in));
        if (!json || len > INSPECT_JSON_MAX)
                return -EPROTO;
        j = cJSON_ParseWithLength(json, len);
        if (!j)
                return -EPROTO;
        if (!cJSON_IsObject(j) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "Id")) ||
            copy(in.id, sizeof(in.id), str_of(j, "Id")) < 0 || !in.id[0])
                goto out;
        name = str_of(j, "Name");
        if (name[0] == '/')
                name++;
        if (copy(in.name, sizeof(in.name), name) < 0)
                goto out;
        st = cJSON_GetObjectItemCaseSensitive(j, "State");
        in.running = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "Running"));
        in.paused = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "Paused"));
        (void)copy(in.started_at, sizeof(in.started_at), str_of(st, "StartedAt"));

        cfg = cJSON_GetObjectItemCaseSensitive(j, "Config");
        (void)copy(in.hostname, sizeof(in.hostname), str_of(cfg, "Hostname"));
        x = cJSON_GetObjectItemCaseSensitive(cfg, "Labels");
        in.label_shadows = cJSON_GetObjectItemCaseSensitive(x, "execID") != NULL;

        hc = cJSON_GetObjectItemCaseSensitive(j, "HostConfig");
        in.privileged = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(hc, "Privileged"));
        in.host_pid = is_host(hc, "PidMode");
        in.host_ipc = is_host(hc, "IpcMode");
        in.host_userns = is_host(hc, "UsernsMode");
        in.host_uts = is_host(hc, "UTSMode");
        x = cJSON_GetObjectItemCaseSensitive(hc, "CapAdd");
        cJSON_ArrayForEach(it, x)
                if (cJSON_IsString(it) && it->valuestring && dangerous_cap(it->valuestring))
                        in.cap_admin = true;
        mounts(j, sock_path, &in);
        *ret = in;
        r = 0;
out:
        cJSON_Delete(j);
        return r;
}

const char *inspect_host_equivalent(const struct docker_inspect *in)
{
        if (in->privileged)
                return "privileged";
        if (in->host_pid)
                return "host PID namespace";
        if (in->host_userns)
                return "host user namespace";
        if (in->host_ipc)
                return "host IPC namespace";
        if (in->cap_admin)
                return "adds CAP_SYS_ADMIN, ALL or another capability that escapes";
        if (in->binds_socket)
                return "the Docker socket is bind-mounted";
        if (in->binds_root)
                return "the host's / is bind-mounted";
        return NULL;
}

unsigned inspect_traits(const struct docker_inspect *in, const char *own_hostname)
{
        unsigned t = TRAIT_KNOWN;

        if (inspect_host_equivalent(in))
                t |= TRAIT_HOSTEQ;
        if (in->label_shadows)
                t |= TRAIT_SHADOW;
        if (in->host_uts || (own_hostname && *own_hostname && strcmp(in->hostname, own_hostname) == 0))
                t |= TRAIT_SELFLIKE;
        return t;
}

void inspect_traits_line(const struct docker_inspect *in, char *dst, size_t dstsz)
{
        struct utsname u;
        const char *why = inspect_host_equivalent(in);

        if (uname(&u) < 0)
                u.nodename[0] = '\0';
        snprintf(dst, dstsz, "%u %s", inspect_traits(in, u.nodename), why ? why : "-");
}

void inspect_facts_free(struct inspect_facts *f)
{
        for (size_t i = 0; i < f->n_labels; i++) {
                free(f->keys[i]);
                free(f->values[i]);
        }
        free(f->keys);
        free(f->values);
        free(f->image);
        memset(f, 0, sizeof(*f));
}

int inspect_facts_parse(const char *json, size_t len, struct inspect_facts *ret)
{
        struct inspect_facts f = { .image = NULL };
        const cJSON *cfg, *st, *x, *it;
        cJSON *j;
        int r = -ENOMEM;

        memset(ret, 0, sizeof(*ret));
        if (!json || len > INSPECT_JSON_MAX)
                return -EPROTO;
        j = cJSON_ParseWithLength(json, len);
        if (!j)
                return -EPROTO;
        if (!cJSON_IsObject(j)) {
                r = -EPROTO;
                goto out;
        }
        cfg = cJSON_GetObjectItemCaseSensitive(j, "Config");
        x = cJSON_GetObjectItemCaseSensitive(cfg, "Image");
        if (cJSON_IsString(x) && x->valuestring && !(f.image = strdup(x->valuestring)))
                goto out;
        x = cJSON_GetObjectItemCaseSensitive(cfg, "Labels");
        if (cJSON_IsObject(x)) {
                size_t cap = (size_t)cJSON_GetArraySize(x) + 1;

                f.keys = calloc(cap, sizeof(*f.keys));
                f.values = calloc(cap, sizeof(*f.values));
                if (!f.keys || !f.values)
                        goto out;
                cJSON_ArrayForEach(it, x) {
                        if (!it->string || !cJSON_IsString(it) || !it->valuestring)
                                continue;
                        f.keys[f.n_labels] = strdup(it->string);
                        f.values[f.n_labels] = strdup(it->valuestring);
                        f.n_labels++;
                        if (!f.keys[f.n_labels - 1] || !f.values[f.n_labels - 1])
                                goto out;
                }
        }
        st = cJSON_GetObjectItemCaseSensitive(j, "State");
        x = cJSON_GetObjectItemCaseSensitive(st, "ExitCode");
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "Running")) && cJSON_IsNumber(x) &&
            x->valuedouble >= -2147483648.0 && x->valuedouble <= 2147483647.0) {
                f.has_exit_code = true;
                f.exit_code = (int)x->valuedouble;
        }
        (void)copy(f.finished_at, sizeof(f.finished_at), str_of(st, "FinishedAt"));
        *ret = f;
        f = (struct inspect_facts){ .image = NULL };
        r = 0;
out:
        inspect_facts_free(&f);
        cJSON_Delete(j);
        return r;
}
