/* direct_spec.c — parse inspect JSON and the OCI bundle's config.json into
 * what a `docker exec` gets.  See direct_spec.h.  The reasons follow what
 * the Engine (daemon/exec.go, exec_linux.go) copies from the container into
 * an exec's process and what runc (libcontainer/setns_init_linux.go,
 * nsexec.c) then applies; anything else that could make a difference is a
 * refusal, never a guess. */
#include "direct_spec.h"

#include "strv.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const rlimit_names[DIRECT_RLIMITS] = {
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
        "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",
        "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",
        "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
};

/* RLIMIT_x name → resource number, or -1. */
static int direct_rlimit_from_name(const char *name)
{
        for (int i = 0; i < DIRECT_RLIMITS; i++)
                if (strcmp(name, rlimit_names[i]) == 0)
                        return i;
        return -1;
}

static void refuse(struct direct_spec *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(struct direct_spec *s, const char *fmt, ...)
{
        va_list ap;

        if (s->why[0])
                return;  /* keep the first reason */
        va_start(ap, fmt);
        vsnprintf(s->why, sizeof(s->why), fmt, ap);
        va_end(ap);
}

static const cJSON *get(const cJSON *o, const char *k)
{
        return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int dup_str(const cJSON *o, const char *k, char **ret)
{
        const char *v = cJSON_GetStringValue(get(o, k));

        *ret = strdup(v ? v : "");
        return *ret ? 0 : -ENOMEM;
}

/* A JSON array of strings → vector (NULL when absent, null or empty). */
static int dup_strv(const cJSON *a, char ***ret)
{
        const cJSON *it;

        *ret = NULL;
        cJSON_ArrayForEach(it, a) {
                if (!cJSON_IsString(it))
                        continue;
                if (strv_push(ret, it->valuestring) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* HostConfig.SecurityOpt: the options whose effect the bundle carries and
 * we copy (no-new-privileges, seccomp, systempaths, label=disable) pass;
 * other label= and apparmor= options (and anything newer) are refused. */
static void check_security_opts(struct direct_spec *s, const cJSON *opts)
{
        /* label=disable (added by the Engine itself for --pid/--ipc host)
         * means "no label": the exec inherits the runtime's, which
         * direct_ctx.c checks against ours. */
        static const char *const ok[] = { "no-new-privileges", "seccomp=", "seccomp:",
                                          "systempaths=unconfined", "label=disable",
                                          "label:disable" };
        const cJSON *it;

        cJSON_ArrayForEach(it, opts) {
                const char *o = cJSON_GetStringValue(it);
                bool pass = false;

                if (!o)
                        continue;
                for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
                        if (strncmp(o, ok[i], strlen(ok[i])) == 0)
                                pass = true;
                if (!pass)
                        refuse(s, "security option '%.180s' is not reproduced on the direct path", o);
        }
}

int direct_spec_inspect(struct direct_spec *s, const char *json, size_t len)
{
        cJSON *root = cJSON_ParseWithLength(json, len);
        const cJSON *st, *cfg, *hc, *v;
        int r = -EINVAL;

        if (!root)
                return -EINVAL;
        st = get(root, "State");
        cfg = get(root, "Config");
        hc = get(root, "HostConfig");
        v = get(root, "Id");
        if (!cJSON_IsString(v) || strlen(v->valuestring) >= sizeof(s->id) ||
            !cJSON_IsObject(st) || !cJSON_IsObject(cfg) || !cJSON_IsObject(hc))
                goto out;
        snprintf(s->id, sizeof(s->id), "%s", v->valuestring);
        s->running = cJSON_IsTrue(get(st, "Running"));
        s->paused = cJSON_IsTrue(get(st, "Paused"));
        s->restarting = cJSON_IsTrue(get(st, "Restarting"));
        v = get(st, "Pid");
        s->pid = cJSON_IsNumber(v) ? (pid_t)v->valuedouble : 0;
        r = -ENOMEM;
        if (dup_str(cfg, "User", &s->user) < 0 || dup_str(cfg, "Hostname", &s->hostname) < 0 ||
            dup_str(cfg, "WorkingDir", &s->workdir) < 0 ||
            dup_strv(get(cfg, "Env"), &s->env) < 0 ||
            dup_strv(get(hc, "GroupAdd"), &s->group_add) < 0)
                goto out;
        r = 0;
        if (!s->running)
                refuse(s, "container %.12s is not running", s->id);
        else if (s->paused)
                refuse(s, "container %.12s is paused", s->id);
        else if (s->restarting)
                refuse(s, "container %.12s is restarting", s->id);
        else if (s->pid <= 0)
                refuse(s, "container %.12s has no main process", s->id);
        /* Legacy --link adds its variables to every exec's environment. */
        if (cJSON_GetArraySize(get(hc, "Links")) > 0)
                refuse(s, "%s", "legacy links (--link) add environment the direct path does not reproduce");
        v = get(hc, "UsernsMode");
        if (cJSON_IsString(v) && v->valuestring[0] && strcmp(v->valuestring, "host") != 0)
                refuse(s, "user namespace mode '%.100s' is not reproduced", v->valuestring);
        check_security_opts(s, get(hc, "SecurityOpt"));
out:
        cJSON_Delete(root);
        return r;
}

static int parse_caps(struct direct_spec *s, const cJSON *caps)
{
        static const char *const keys[DCAP_N] = { "bounding", "effective", "inheritable",
                                                  "permitted", "ambient" };

        for (int i = 0; i < DCAP_N; i++)
                if (dup_strv(get(caps, keys[i]), &s->caps[i]) < 0)
                        return -ENOMEM;
        return 0;
}

static void parse_rlimits(struct direct_spec *s, const cJSON *rl)
{
        const cJSON *it;

        cJSON_ArrayForEach(it, rl) {
                const char *type = cJSON_GetStringValue(get(it, "type"));
                const cJSON *soft = get(it, "soft"), *hard = get(it, "hard");
                int res = type ? direct_rlimit_from_name(type) : -1;

                if (res < 0 || !cJSON_IsNumber(soft) || !cJSON_IsNumber(hard)) {
                        refuse(s, "rlimit '%.100s' is not understood", type ? type : "?");
                        continue;
                }
                s->rlimit[res].set = true;
                /* cJSON keeps numbers as doubles: 2^64-1 (unlimited) comes
                 * back as 1.8446744073709552e19, which is past UINT64_MAX. */
                s->rlimit[res].soft = soft->valuedouble >= 1.8446744073709552e19
                                              ? UINT64_MAX : (uint64_t)soft->valuedouble;
                s->rlimit[res].hard = hard->valuedouble >= 1.8446744073709552e19
                                              ? UINT64_MAX : (uint64_t)hard->valuedouble;
        }
}

static void parse_namespaces(struct direct_spec *s, const cJSON *nss)
{
        static const char *const types[DNS_N] = { "ipc", "uts", "network", "pid", "cgroup", "mount" };
        const cJSON *it;

        cJSON_ArrayForEach(it, nss) {
                const char *t = cJSON_GetStringValue(get(it, "type"));
                bool known = false;

                for (int i = 0; t && i < DNS_N; i++)
                        if (strcmp(t, types[i]) == 0)
                                known = s->ns_listed[i] = true;
                if (t && strcmp(t, "user") == 0)
                        refuse(s, "%s", "the container has a user namespace (not reproduced)");
                else if (!known)
                        refuse(s, "namespace type '%.100s' is not reproduced", t ? t : "?");
        }
}

static void parse_seccomp(struct direct_spec *s, const cJSON *sc)
{
        const cJSON *it;

        if (!cJSON_IsObject(sc))
                return;
        s->seccomp = true;
        if (cJSON_GetStringValue(get(sc, "listenerPath")) &&
            cJSON_GetStringValue(get(sc, "listenerPath"))[0])
                refuse(s, "%s", "a seccomp notify listener is not reproduced");
        cJSON_ArrayForEach(it, get(sc, "flags")) {
                const char *f = cJSON_GetStringValue(it);

                if (f && strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0)
                        s->seccomp_flags |= SECCOMP_FILTER_FLAG_LOG;
                else if (f && strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
                        s->seccomp_flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
                else if (!f || strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") != 0)
                        refuse(s, "seccomp flag '%.100s' is not reproduced", f ? f : "?");
        }
}

int direct_spec_bundle(struct direct_spec *s, const char *json, size_t len)
{
        cJSON *root = cJSON_ParseWithLength(json, len);
        const cJSON *proc, *lin, *v;
        int r = -EINVAL;

        if (!root)
                return -EINVAL;
        proc = get(root, "process");
        lin = get(root, "linux");
        if (!cJSON_IsObject(proc) || !cJSON_IsObject(lin))
                goto out;
        r = parse_caps(s, get(proc, "capabilities"));
        if (r < 0)
                goto out;
        s->no_new_privs = cJSON_IsTrue(get(proc, "noNewPrivileges"));
        v = get(proc, "oomScoreAdj");
        if (cJSON_IsNumber(v)) {
                s->has_oom = true;
                s->oom_score_adj = (int)v->valuedouble;
        }
        v = get(get(proc, "user"), "umask");
        if (cJSON_IsNumber(v)) {
                s->has_umask = true;
                s->umask = (mode_t)v->valuedouble & 07777;
        }
        parse_rlimits(s, get(proc, "rlimits"));
        v = get(proc, "apparmorProfile");
        if (cJSON_GetStringValue(v) && v->valuestring[0])
                refuse(s, "AppArmor profile '%.100s' is not reproduced", v->valuestring);
        v = get(proc, "selinuxLabel");
        if (cJSON_GetStringValue(v) && v->valuestring[0])
                refuse(s, "SELinux label '%.100s' is not reproduced", v->valuestring);
        parse_namespaces(s, get(lin, "namespaces"));
        parse_seccomp(s, get(lin, "seccomp"));
        r = 0;
out:
        cJSON_Delete(root);
        return r;
}

void direct_spec_done(struct direct_spec *s)
{
        free(s->user);
        free(s->hostname);
        free(s->workdir);
        strv_free(s->env);
        strv_free(s->group_add);
        for (int i = 0; i < DCAP_N; i++)
                strv_free(s->caps[i]);
        memset(s, 0, sizeof(*s));
}
