/* direct_pack.c — struct direct_ctx ⇄ bytes.  See direct_pack.h.  The format
 * is a magic and version, then fields in a fixed order: numbers as 8-byte
 * host-order words, strings as a length word and the bytes, vectors as a
 * count word and strings.  It never leaves the machine (nor the
 * controller's lifetime), so host order is enough. */
#include "direct_pack.h"

#include "direct_ctx.h"
#include "strv.h"

#include <errno.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PACK_MAGIC UINT64_C(0x3158544354434443)  /* "CDCTCTX1" */

struct out {
        unsigned char *p;
        size_t len, cap;
        bool over;
};

static void put(struct out *o, const void *v, size_t n)
{
        if (o->over || n > o->cap - o->len) {
                o->over = true;
                return;
        }
        memcpy(o->p + o->len, v, n);
        o->len += n;
}

static void put_u64(struct out *o, uint64_t v)
{
        put(o, &v, sizeof(v));
}

static void put_str(struct out *o, const char *s)
{
        size_t n = s ? strlen(s) : 0;

        put_u64(o, n);
        put(o, s ? s : "", n);
}

static void put_strv(struct out *o, char *const *v)
{
        size_t n = strv_len(v);

        put_u64(o, n);
        for (size_t i = 0; i < n; i++)
                put_str(o, v[i]);
}

int direct_pack(const struct direct_ctx *c, uint64_t starttime, void *buf, size_t bufsz,
                size_t *ret_len)
{
        const struct direct_spec *s = &c->spec;
        struct out o = { .p = buf, .cap = bufsz };
        uint64_t ns = 0;

        for (int i = 0; i < DNS_N; i++)
                ns |= (uint64_t)s->ns_listed[i] << i;
        put_u64(&o, PACK_MAGIC);
        put_u64(&o, starttime);
        put_str(&o, s->id);
        put_u64(&o, (uint64_t)s->pid);
        put_str(&o, s->user);
        put_str(&o, s->hostname);
        put_str(&o, s->workdir);
        put_strv(&o, s->env);
        put_strv(&o, s->group_add);
        put_u64(&o, s->no_new_privs);
        put_u64(&o, ns);
        put_u64(&o, s->seccomp);
        put_u64(&o, s->seccomp_flags);
        put_u64(&o, (uint64_t)c->shim);
        put_strv(&o, c->cgroup_procs);
        put_strv(&o, c->freezer);
        for (int i = 0; i < DCAP_N; i++)
                put_u64(&o, c->caps[i]);
        for (int i = 0; i < DIRECT_RLIMITS; i++) {
                put_u64(&o, c->rlimit[i].rlim_cur);
                put_u64(&o, c->rlimit[i].rlim_max);
        }
        put_u64(&o, (uint64_t)(int64_t)c->oom_score_adj);
        put_u64(&o, c->umask);
        put_u64(&o, c->bpf ? c->bpf_len : 0);
        if (c->bpf)
                put(&o, c->bpf, (size_t)c->bpf_len * sizeof(*c->bpf));
        if (o.over)
                return -E2BIG;
        *ret_len = o.len;
        return 0;
}

struct in {
        const unsigned char *p;
        size_t len, off;
        bool bad;
};

static void get(struct in *in, void *v, size_t n)
{
        if (in->bad || n > in->len - in->off) {
                in->bad = true;
                memset(v, 0, n);
                return;
        }
        memcpy(v, in->p + in->off, n);
        in->off += n;
}

static uint64_t get_u64(struct in *in)
{
        uint64_t v;

        get(in, &v, sizeof(v));
        return v;
}

/* A word that must be at most MAX (what direct_pack can have written). */
static uint64_t get_max(struct in *in, uint64_t max)
{
        uint64_t v = get_u64(in);

        if (v > max)
                in->bad = true;
        return v;
}

/* A string, or NULL on a malformed input or ENOMEM (*NOMEM set). */
static char *get_str(struct in *in, bool *nomem)
{
        uint64_t n = get_u64(in);
        char *s;

        if (in->bad || n > in->len - in->off || memchr(in->p + in->off, '\0', n)) {
                in->bad = true;
                return NULL;
        }
        s = strndup((const char *)in->p + in->off, n);
        if (!s) {
                *nomem = in->bad = true;
                return NULL;
        }
        in->off += n;
        return s;
}

static char **get_strv(struct in *in, bool *nomem)
{
        uint64_t n = get_u64(in);
        char **v = NULL;

        /* Each element takes at least its length word. */
        if (in->bad || n > (in->len - in->off) / sizeof(uint64_t)) {
                in->bad = true;
                return NULL;
        }
        for (uint64_t i = 0; i < n; i++) {
                char *s = get_str(in, nomem);

                if (!s || strv_consume(&v, s) < 0) {
                        if (s)
                                *nomem = in->bad = true;
                        return strv_free(v);
                }
        }
        return v;
}

void direct_unpack_free(struct direct_ctx *c)
{
        direct_spec_done(&c->spec);
        strv_free(c->cgroup_procs);
        strv_free(c->freezer);
        free(c->bpf);
}

int direct_unpack(const void *buf, size_t len, struct direct_ctx *ret, uint64_t *ret_starttime)
{
        struct in in = { .p = buf, .len = len };
        struct direct_ctx c = { 0 };
        struct direct_spec *s = &c.spec;
        uint64_t starttime, ns, nbpf;
        bool nomem = false;
        int64_t oom;
        char *id;

        if (get_u64(&in) != PACK_MAGIC)
                return -EINVAL;
        starttime = get_u64(&in);
        id = get_str(&in, &nomem);
        if (id && strlen(id) < sizeof(s->id))
                memcpy(s->id, id, strlen(id) + 1);
        else
                in.bad = true;
        free(id);
        s->pid = (pid_t)get_max(&in, INT32_MAX);
        s->running = true;
        s->user = get_str(&in, &nomem);
        s->hostname = get_str(&in, &nomem);
        s->workdir = get_str(&in, &nomem);
        s->env = get_strv(&in, &nomem);
        s->group_add = get_strv(&in, &nomem);
        s->no_new_privs = get_max(&in, 1) != 0;
        ns = get_max(&in, (UINT64_C(1) << DNS_N) - 1);
        for (int i = 0; i < DNS_N; i++)
                s->ns_listed[i] = (ns >> i) & 1;
        s->seccomp = get_max(&in, 1) != 0;
        s->seccomp_flags = (unsigned)get_max(&in, UINT32_MAX);
        c.shim = (pid_t)get_max(&in, INT32_MAX);
        c.cgroup_procs = get_strv(&in, &nomem);
        c.freezer = get_strv(&in, &nomem);
        for (int i = 0; i < DCAP_N; i++)
                c.caps[i] = get_u64(&in);
        for (int i = 0; i < DIRECT_RLIMITS; i++) {
                c.rlimit[i].rlim_cur = get_u64(&in);
                c.rlimit[i].rlim_max = get_u64(&in);
        }
        oom = (int64_t)get_u64(&in);
        if (oom < INT32_MIN || oom > INT32_MAX)
                in.bad = true;
        c.oom_score_adj = (int)oom;
        c.umask = (mode_t)get_max(&in, 07777);
        nbpf = get_max(&in, BPF_MAXINSNS);
        if (!in.bad && nbpf > 0) {
                if (nbpf * sizeof(*c.bpf) > in.len - in.off) {
                        in.bad = true;
                } else if (!(c.bpf = calloc(nbpf, sizeof(*c.bpf)))) {
                        nomem = in.bad = true;
                } else {
                        get(&in, c.bpf, nbpf * sizeof(*c.bpf));
                        c.bpf_len = (unsigned short)nbpf;
                }
        }
        if (in.bad || in.off != in.len || s->pid <= 0 || c.shim <= 0 || !s->user ||
            !s->hostname || !s->workdir || (s->seccomp && !c.bpf)) {
                direct_unpack_free(&c);
                return nomem ? -ENOMEM : -EINVAL;
        }
        for (int i = 0; i < DNS_N; i++)
                c.nsfd[i] = -1;
        *ret = c;
        *ret_starttime = starttime;
        return 0;
}

int direct_stat_starttime(const char *stat, size_t len, uint64_t *ret)
{
        const char *p = NULL, *end = stat + len;
        uint64_t v = 0;
        int field = 2;  /* the ")" ends field 2 (comm) */

        for (const char *q = stat; q < end; q++)
                if (*q == ')')
                        p = q;
        if (!p)
                return -EINVAL;
        for (p++; p < end && field < 22; p++)
                if (*p == ' ')
                        field++;
        if (field != 22 || p >= end || *p < '0' || *p > '9')
                return -EINVAL;
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
                if (v > (UINT64_MAX - 9) / 10)
                        return -EINVAL;
                v = v * 10 + (uint64_t)(*p - '0');
        }
        if (p < end && *p != ' ' && *p != '\n')
                return -EINVAL;
        *ret = v;
        return 0;
}
