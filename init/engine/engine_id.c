/* engine_id.c — the Engine's socket, name and version, and a non-root
 * user's state dir.  See engine_id.h and docs/engines.md. */
#include "engine_id.h"

#include "strv.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

size_t engine_socket_candidates(char *const *env, char (*ret)[ENGINE_SOCKET_MAX], size_t max)
{
        const char *xdg = strv_env_get(env, "XDG_RUNTIME_DIR");
        /* NULL prefix: the path alone; else under XDG_RUNTIME_DIR. */
        static const struct { bool xdg; const char *path; } order[] = {
                { false, "/var/run/docker.sock" },
                { true, "/docker.sock" },
                { false, "/run/podman/podman.sock" },
                { true, "/podman/podman.sock" },
        };
        size_t n = 0;

        /* Only an absolute XDG_RUNTIME_DIR counts (the XDG base directory
         * spec: relative paths are invalid and ignored). */
        if (xdg && xdg[0] != '/')
                xdg = NULL;
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && n < max; i++) {
                const char *pre = order[i].xdg ? xdg : "";
                size_t pl, ql = strlen(order[i].path);

                if (!pre)
                        continue;
                pl = strlen(pre);
                if (pl + ql >= ENGINE_SOCKET_MAX)
                        continue;  /* cannot be a socket address anyway */
                memcpy(ret[n], pre, pl);
                memcpy(ret[n] + pl, order[i].path, ql + 1);
                n++;
        }
        return n;
}

static bool answers(const char *path)
{
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        int fd, r;
        size_t n = strnlen(path, sizeof(a.sun_path));

        if (n >= sizeof(a.sun_path))
                return false;
        memcpy(a.sun_path, path, n + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return false;
        r = connect(fd, (struct sockaddr *)&a, sizeof(a));
        (void)close(fd);  /* a probe: nothing was sent */
        return r == 0;
}

bool engine_socket_discover(char *const *env, char *ret)
{
        char c[4][ENGINE_SOCKET_MAX];
        size_t n = engine_socket_candidates(env, c, 4);
        ssize_t exists = -1;
        struct stat st;

        for (size_t i = 0; i < n; i++) {
                if (stat(c[i], &st) < 0 || !S_ISSOCK(st.st_mode))
                        continue;
                if (answers(c[i])) {
                        memcpy(ret, c[i], ENGINE_SOCKET_MAX);
                        return true;
                }
                if (exists < 0)
                        exists = (ssize_t)i;
        }
        /* Nothing answers now: the one that exists (its daemon may be
         * starting), else the classic path; the controller backs off. */
        memcpy(ret, c[exists < 0 ? 0 : exists], ENGINE_SOCKET_MAX);
        return false;
}

int engine_state_dir(char *const *env, unsigned uid, char *ret, size_t retsz)
{
        const char *x = strv_env_get(env, "XDG_STATE_HOME"), *home = strv_env_get(env, "HOME");
        int w;

        if (uid == 0)
                w = snprintf(ret, retsz, "/var/lib/contrainer");
        else if (x && x[0] == '/')
                w = snprintf(ret, retsz, "%s/contrainer", x);
        else if (home && home[0] == '/')
                w = snprintf(ret, retsz, "%s/.local/state/contrainer", home);
        else
                return -ENOENT;
        return w < 0 || (size_t)w >= retsz ? -ENAMETOOLONG : 0;
}

/* Copy a string field of J named KEY into DST if it is a short string of
 * printable ASCII (blanks allowed); else leave DST empty. */
static void take(const cJSON *j, const char *key, char *dst, size_t dstsz)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
        const char *s;
        size_t n;

        dst[0] = '\0';
        if (!cJSON_IsString(v) || !v->valuestring)
                return;
        s = v->valuestring;
        n = strlen(s);
        if (n == 0 || n >= dstsz)
                return;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
                        return;
        memcpy(dst, s, n + 1);
}

/* "1.41": digits, one dot, digits. */
static bool is_api_version(const char *s)
{
        const char *dot = strchr(s, '.');

        if (!dot || dot == s || !dot[1] || strchr(dot + 1, '.'))
                return false;
        for (const char *p = s; *p; p++)
                if (p != dot && (*p < '0' || *p > '9'))
                        return false;
        return true;
}

int engine_id_parse(const char *json, size_t len, struct engine_id *ret)
{
        cJSON *j = cJSON_ParseWithLength(json, len);
        const cJSON *comps, *c, *plat;
        struct engine_id id = { .name = "" };
        char pname[64];

        if (!cJSON_IsObject(j)) {
                cJSON_Delete(j);
                return -EINVAL;
        }
        take(j, "ApiVersion", id.api_max, sizeof(id.api_max));
        take(j, "MinAPIVersion", id.api_min, sizeof(id.api_min));
        if (!is_api_version(id.api_max))
                id.api_max[0] = '\0';
        if (!is_api_version(id.api_min))
                id.api_min[0] = '\0';
        comps = cJSON_GetObjectItemCaseSensitive(j, "Components");
        if (!cJSON_IsArray(comps))
                comps = NULL;
        cJSON_ArrayForEach(c, comps) {
                char n[32];

                take(c, "Name", n, sizeof(n));
                if (strcmp(n, "Podman Engine") == 0)
                        snprintf(id.name, sizeof(id.name), "Podman");
                else if (strcmp(n, "Engine") == 0)
                        snprintf(id.name, sizeof(id.name), "Docker");
                else
                        continue;
                take(c, "Version", id.version, sizeof(id.version));
                break;
        }
        if (!id.name[0]) {
                /* Old or partial answers: Platform.Name ("Docker Engine -
                 * Community", Podman's "linux/amd64/..." says nothing). */
                plat = cJSON_GetObjectItemCaseSensitive(j, "Platform");
                take(plat, "Name", pname, sizeof(pname));
                if (strncmp(pname, "Docker", 6) == 0)
                        snprintf(id.name, sizeof(id.name), "Docker");
                else if (strstr(pname, "odman"))
                        snprintf(id.name, sizeof(id.name), "Podman");
        }
        if (!id.version[0])
                take(j, "Version", id.version, sizeof(id.version));
        cJSON_Delete(j);
        *ret = id;
        return 0;
}

void engine_id_describe(const struct engine_id *id, char *ret, size_t retsz)
{
        if (!id->name[0])
                snprintf(ret, retsz, "an unknown engine%s%s", id->version[0] ? " " : "", id->version);
        else
                snprintf(ret, retsz, "%s%s%s", id->name, id->version[0] ? " " : "", id->version);
}
