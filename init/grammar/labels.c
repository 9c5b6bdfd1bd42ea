/* labels.c — labels → CONTRAINER_LABEL_* and label hooks.  See labels.h. */
#include "labels.h"

#include "strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_label(const void *a, const void *b)
{
        return strcmp(((const struct label *)a)->key, ((const struct label *)b)->key);
}

void labels_sort(struct label *v, size_t n)
{
        if (n > 1)
                qsort(v, n, sizeof(*v), cmp_label);
}

static char mangle(char c)
{
        if (c >= 'a' && c <= 'z')
                return (char)(c - 'a' + 'A');
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                return c;
        return '_';
}

/* "PREFIX<mangled KEY>=VALUE" (VALUE cut at LABEL_VALUE_MAX); NULL on ENOMEM. */
static char *env_string(const struct label *l, bool *cut)
{
        size_t pl = sizeof(LABEL_ENV_PREFIX) - 1, kl = strlen(l->key), vl = strlen(l->value);
        char *s;

        *cut = vl > LABEL_VALUE_MAX;
        if (*cut)
                vl = LABEL_VALUE_MAX;
        s = malloc(pl + kl + 1 + vl + 1);
        if (!s)
                return NULL;
        memcpy(s, LABEL_ENV_PREFIX, pl);
        for (size_t i = 0; i < kl; i++)
                s[pl + i] = mangle(l->key[i]);
        s[pl + kl] = '=';
        memcpy(s + pl + kl + 1, l->value, vl);
        s[pl + kl + 1 + vl] = '\0';
        return s;
}

/* Is the variable of S (up to '=') one of V[0..n)'s? */
static bool has_var(char *const *v, size_t n, const char *s)
{
        size_t kl = strcspn(s, "=");

        for (size_t i = 0; i < n; i++)
                if (strncmp(v[i], s, kl) == 0 && v[i][kl] == '=')
                        return true;
        return false;
}

int label_env(const struct label *v, size_t n, char ***ret, struct label_env_report *rep)
{
        char **out = calloc(LABEL_ENV_MAX + 1, sizeof(*out));
        size_t k = 0;

        memset(rep, 0, sizeof(*rep));
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                bool cut;
                char *s;

                if (k == LABEL_ENV_MAX) {
                        rep->n_over = n - i;
                        break;
                }
                if (strlen(v[i].key) > LABEL_KEY_MAX) {
                        rep->n_long++;
                        continue;
                }
                s = env_string(&v[i], &cut);
                if (!s) {
                        strv_free(out);
                        return -ENOMEM;
                }
                /* k <= LABEL_ENV_MAX: the check is bounded. */
                if (has_var(out, k, s)) {
                        if (!rep->n_collisions++) {
                                size_t kl = strcspn(s, "=");
                                rep->lost = v[i].key;
                                for (size_t j = 0; j < i && !rep->kept; j++) {
                                        bool c2;
                                        char *t = env_string(&v[j], &c2);
                                        if (t && strncmp(t, s, kl) == 0 && t[kl] == '=')
                                                rep->kept = v[j].key;
                                        free(t);
                                }
                        }
                        free(s);
                        continue;
                }
                rep->n_cut += cut;
                out[k++] = s;
        }
        *ret = out;
        return 0;
}

/* ---- label hooks ---------------------------------------------------------- */

static bool name_ok(const char *s, size_t len)
{
        if (len == 0 || len > LABEL_HOOK_NAME_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

                if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
                        return false;
        }
        return true;
}

struct hook_acc {
        char *name;
        const char *on, *run;
        char *reason;
};

static struct hook_acc *find_acc(struct hook_acc *a, size_t n, const char *name, size_t len)
{
        for (size_t i = 0; i < n; i++)
                if (strlen(a[i].name) == len && memcmp(a[i].name, name, len) == 0)
                        return &a[i];
        return NULL;
}

void label_hooks_free(struct label_hook *h, size_t n)
{
        for (size_t i = 0; h && i < n; i++) {
                free(h[i].name);
                free(h[i].out);
                free(h[i].reason);
        }
        free(h);
}

static int finish(struct hook_acc *a, size_t max_output, struct label_hook *h)
{
        const char *why = NULL;
        char line[200];

        h->name = a->name;
        a->name = NULL;
        if (a->reason) {
                h->reason = a->reason;
                a->reason = NULL;
                return 0;
        }
        if (!a->on)
                why = "it has a .run label but no .on label";
        else if (!a->run)
                why = "it has a .on label but no .run label";
        else if (strpbrk(a->on, "\r\n"))
                why = "its .on label (the header) holds a line break";
        if (!why) {
                size_t ol = strlen(a->on), rl = strlen(a->run);

                if (ol + 1 + rl > max_output) {
                        snprintf(line, sizeof(line), "its labels hold more than --max-output (%zu bytes)",
                                 max_output);
                        why = line;
                } else {
                        h->out = malloc(ol + 1 + rl + 1);
                        if (!h->out)
                                return -ENOMEM;
                        memcpy(h->out, a->on, ol);
                        h->out[ol] = '\n';
                        memcpy(h->out + ol + 1, a->run, rl + 1);
                        h->len = ol + 1 + rl;
                        return 0;
                }
        }
        h->reason = strdup(why);
        return h->reason ? 0 : -ENOMEM;
}

int label_hooks(const struct label *v, size_t n, size_t max_output, struct label_hook **ret,
                size_t *ret_n)
{
        const size_t pl = sizeof(LABEL_HOOK_PREFIX) - 1;
        /* at most LABEL_HOOKS_MAX hooks and one entry for "too many" */
        struct hook_acc *a = calloc(LABEL_HOOKS_MAX + 1, sizeof(*a));
        struct label_hook *h = NULL;
        size_t na = 0, over = 0;
        int r = -ENOMEM;

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const char *k = v[i].key, *rest, *dot;
                struct hook_acc *x;
                size_t nl;
                bool is_on, bad;

                if (strncmp(k, LABEL_HOOK_PREFIX, pl) != 0)
                        continue;
                rest = k + pl;
                dot = strrchr(rest, '.');
                is_on = dot && strcmp(dot, ".on") == 0;
                nl = dot ? (size_t)(dot - rest) : 0;
                bad = !dot || (!is_on && strcmp(dot, ".run") != 0) || !name_ok(rest, nl);
                if (bad)  /* the whole rest names the failed hook */
                        nl = strnlen(rest, LABEL_HOOK_NAME_MAX);
                x = find_acc(a, na, rest, nl);
                if (!x && na == LABEL_HOOKS_MAX) {
                        over++;
                        continue;
                }
                if (!x) {
                        x = &a[na];
                        x->name = strndup(rest, nl);
                        if (!x->name)
                                goto out;
                        na++;
                }
                if (bad) {
                        if (!x->reason &&
                            !(x->reason = strdup("bad label key: not contrainer.hook.NAME.on or contrainer.hook.NAME.run with NAME [a-zA-Z0-9][a-zA-Z0-9_.-]*")))
                                goto out;
                } else if (is_on) {
                        x->on = v[i].value;
                } else {
                        x->run = v[i].value;
                }
        }
        if (over) {
                char line[160];

                snprintf(line, sizeof(line), "%zu label hook label(s) past the cap of %d hooks per container, ignored",
                         over, LABEL_HOOKS_MAX);
                a[na].name = strdup(LABEL_HOOK_PREFIX "*");
                a[na].reason = strdup(line);
                if (!a[na].name || !a[na].reason)
                        goto out;
                na++;
        }
        h = calloc(na ? na : 1, sizeof(*h));
        if (!h)
                goto out;
        for (size_t i = 0; i < na; i++)
                if (finish(&a[i], max_output, &h[i]) < 0)
                        goto out;
        *ret = h;
        *ret_n = na;
        h = NULL;
        r = 0;
out:
        label_hooks_free(h, na);
        for (size_t i = 0; i < LABEL_HOOKS_MAX + 1; i++) {
                free(a[i].name);
                free(a[i].reason);
        }
        free(a);
        return r;
}
