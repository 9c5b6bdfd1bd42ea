/* direct_user.c — user, groups and environment of a `docker exec`.  See
 * direct_user.h.  The resolution follows moby/sys/user GetExecUser (as used
 * by the Engine's getUser at exec time) line by line: a numeric user or
 * group is always an id, never a name; the first matching entry wins;
 * supplementary groups come from /etc/group only in the implicit form
 * ("user", not "user:group"); a missing file is "no entries", not an error. */
#include "direct_user.h"

#include "strv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_MAX 2147483647L  /* moby/sys/user maxId: 1<<31 - 1 */

/* Go's strconv.Atoi, strictly: optional sign, digits, no overflow. */
static bool parse_int(const char *s, size_t n, long *ret)
{
        long v = 0;
        bool neg = false;
        size_t i = 0;

        if (n > 0 && (s[0] == '-' || s[0] == '+')) {
                neg = s[0] == '-';
                i = 1;
        }
        if (i == n)
                return false;
        for (; i < n; i++) {
                if (s[i] < '0' || s[i] > '9' || v > (ID_MAX * 4) / 10)
                        return false;
                v = v * 10 + (s[i] - '0');
        }
        *ret = neg ? -v : v;
        return true;
}

/* Field I (0-based) of a ':'-separated line [L, E): pointer and length;
 * a missing field is empty (Go's parseLine leaves it zero). */
static void field(const char *l, const char *e, int i, const char **ret, size_t *ret_n)
{
        const char *p = l;

        for (; i > 0 && p < e; i--) {
                const char *c = memchr(p, ':', (size_t)(e - p));
                p = c ? c + 1 : e;
        }
        if (i > 0) {
                *ret = e;
                *ret_n = 0;
                return;
        }
        const char *c = memchr(p, ':', (size_t)(e - p));
        *ret = p;
        *ret_n = (size_t)((c ? c : e) - p);
}

static long field_int(const char *l, const char *e, int i)
{
        const char *f;
        size_t n;
        long v;

        field(l, e, i, &f, &n);
        return parse_int(f, n, &v) ? v : 0;  /* Go ignores the error: 0 */
}

static bool field_is(const char *l, const char *e, int i, const char *s)
{
        const char *f;
        size_t n;

        field(l, e, i, &f, &n);
        return n == strlen(s) && memcmp(f, s, n) == 0;
}

/* Iterate the non-blank lines of TEXT: *L, *E bound each (trimmed). */
static bool next_line(const char **cur, const char **l, const char **e)
{
        while (*cur && **cur) {
                const char *s = *cur, *nl = strchr(s, '\n');
                const char *end = nl ? nl : s + strlen(s);

                *cur = nl ? nl + 1 : end;
                while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
                        s++;
                while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
                        end--;
                if (s < end) {
                        *l = s;
                        *e = end;
                        return true;
                }
        }
        return false;
}

/* Is NAME in the comma-separated member list (field 3) of group line? */
static bool group_has_member(const char *l, const char *e, const char *name)
{
        const char *f;
        size_t n, k = strlen(name);

        field(l, e, 3, &f, &n);
        for (const char *p = f, *end = f + n; p <= end;) {
                const char *c = memchr(p, ',', (size_t)(end - p));
                const char *q = c ? c : end;
                if ((size_t)(q - p) == k && memcmp(p, name, k) == 0)
                        return true;
                p = q + 1;
        }
        return false;
}

static void add_group(struct direct_user *u, gid_t g)
{
        for (size_t i = 0; i < u->ngroups; i++)
                if (u->groups[i] == g)
                        return;
        if (u->ngroups < DIRECT_USER_MAX_GROUPS)
                u->groups[u->ngroups++] = g;
}

static int resolve_group_add(const char *group, char *const *group_add, struct direct_user *u,
                             const char **why)
{
        for (size_t i = 0; group_add && group_add[i]; i++) {
                const char *ag = group_add[i], *cur = group, *l, *e;
                bool found = false;
                long v;

                while (!found && next_line(&cur, &l, &e)) {
                        char num[24];
                        snprintf(num, sizeof(num), "%ld", field_int(l, e, 2));
                        if (field_is(l, e, 0, ag) || strcmp(num, ag) == 0) {
                                add_group(u, (gid_t)field_int(l, e, 2));
                                found = true;
                        }
                }
                if (found)
                        continue;
                if (!parse_int(ag, strlen(ag), &v)) {
                        *why = "an additional group (--group-add) is not in the container's /etc/group";
                        return -EINVAL;
                }
                if (v < 0 || v > ID_MAX) {
                        *why = "an additional group id is out of range";
                        return -EINVAL;
                }
                add_group(u, (gid_t)v);
        }
        return 0;
}

int direct_user_resolve(const char *spec, const char *passwd, const char *group,
                        char *const *group_add, struct direct_user *ret, const char **ret_why)
{
        struct direct_user u = { .uid = 0, .gid = 0 };
        const char *colon = strchr(spec, ':');
        size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
        const char *garg = colon ? colon + 1 : "";
        char uarg[256], matched[256] = "";
        long uid_num = 0, gid_num = 0;
        bool uid_ok, gid_ok;
        const char *cur, *l, *e;
        bool user_found = false;
        gid_t sgids[DIRECT_USER_MAX_GROUPS];
        size_t nsg = 0;
        int r;

        if (ulen >= sizeof(uarg) || strlen(garg) >= 256) {
                *ret_why = "the user name is too long";
                return -EINVAL;
        }
        memcpy(uarg, spec, ulen);
        uarg[ulen] = '\0';
        uid_ok = parse_int(uarg, ulen, &uid_num);
        gid_ok = parse_int(garg, strlen(garg), &gid_num);

        for (cur = passwd; !user_found && next_line(&cur, &l, &e);) {
                bool hit = ulen == 0 ? field_int(l, e, 2) == 0
                         : uid_ok    ? field_int(l, e, 2) == uid_num
                                     : field_is(l, e, 0, uarg);
                if (!hit)
                        continue;
                const char *f;
                size_t n;
                field(l, e, 0, &f, &n);
                if (n >= sizeof(matched)) {
                        *ret_why = "a passwd entry's name is too long";
                        return -EINVAL;
                }
                memcpy(matched, f, n);
                matched[n] = '\0';
                u.uid = (uid_t)field_int(l, e, 2);
                u.gid = (gid_t)field_int(l, e, 3);
                user_found = true;
        }
        if (!user_found && ulen > 0) {
                if (!uid_ok) {
                        *ret_why = "the configured user is not in the container's /etc/passwd";
                        return -EINVAL;
                }
                if (uid_num < 0 || uid_num > ID_MAX) {
                        *ret_why = "the configured uid is out of range";
                        return -EINVAL;
                }
                u.uid = (uid_t)uid_num;
        }
        if (*garg || matched[0]) {
                bool gfound = false;
                for (cur = group; next_line(&cur, &l, &e);) {
                        if (*garg) {
                                bool hit = gid_ok ? field_int(l, e, 2) == gid_num
                                                  : field_is(l, e, 0, garg);
                                if (hit && !gfound) {
                                        u.gid = (gid_t)field_int(l, e, 2);
                                        gfound = true;
                                }
                        } else if (group_has_member(l, e, matched) &&
                                   nsg < DIRECT_USER_MAX_GROUPS) {
                                sgids[nsg++] = (gid_t)field_int(l, e, 2);
                        }
                }
                if (*garg && !gfound) {
                        if (!gid_ok) {
                                *ret_why = "the configured group is not in the container's /etc/group";
                                return -EINVAL;
                        }
                        if (gid_num < 0 || gid_num > ID_MAX) {
                                *ret_why = "the configured gid is out of range";
                                return -EINVAL;
                        }
                        u.gid = (gid_t)gid_num;
                }
        }
        /* The Engine's getUser: AdditionalGids = [gid] + Sgids + GroupAdd;
         * runc deduplicates them (GetAdditionalGroups) and setgroups(2)
         * keeps them sorted, so a set is exactly what the process sees. */
        add_group(&u, u.gid);
        for (size_t i = 0; i < nsg; i++)
                add_group(&u, sgids[i]);
        r = resolve_group_add(group, group_add, &u, ret_why);
        if (r < 0)
                return r;
        /* runc setupUser: GetExecUserPath("uid:gid", {Home: "/"}) — the home
         * of the first passwd entry with that uid, else "/". */
        snprintf(u.home, sizeof(u.home), "/");
        for (cur = passwd; next_line(&cur, &l, &e);) {
                if (field_int(l, e, 2) != (long)u.uid)
                        continue;
                const char *f;
                size_t n;
                field(l, e, 5, &f, &n);
                snprintf(u.home, sizeof(u.home), "%.*s", (int)n, f);
                break;
        }
        *ret = u;
        return 0;
}

/* Index of NAME (up to '=' or end) in ENV, or -1. */
static long env_find(char *const *env, const char *kv)
{
        size_t k = strcspn(kv, "=");

        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], kv, k) == 0 && (env[i][k] == '=' || env[i][k] == '\0'))
                        return (long)i;
        return -1;
}

char **direct_env_build(const char *hostname, char *const *config_env, const char *home)
{
        char **env = NULL;
        const char *h;

        if (strv_env_set(&env, "PATH", DIRECT_DEFAULT_PATH) < 0 ||
            strv_env_set(&env, "HOSTNAME", hostname ? hostname : "") < 0)
                return strv_free(env);
        /* container.ReplaceOrAppendEnvValues */
        for (size_t i = 0; config_env && config_env[i]; i++) {
                const char *kv = config_env[i];
                long at = env_find(env, kv);

                if (!strchr(kv, '=')) {
                        if (at >= 0) {
                                size_t n = strv_len(env);
                                free(env[at]);
                                memmove(env + at, env + at + 1, (n - (size_t)at) * sizeof(*env));
                        }
                        continue;
                }
                if (at >= 0) {
                        char *c = strdup(kv);
                        if (!c)
                                return strv_free(env);
                        free(env[at]);
                        env[at] = c;
                } else if (strv_push(&env, kv) < 0) {
                        return strv_free(env);
                }
        }
        h = strv_env_get(env, "HOME");
        if ((!h || !*h) && strv_env_set(&env, "HOME", home) < 0)
                return strv_free(env);
        return env;
}
