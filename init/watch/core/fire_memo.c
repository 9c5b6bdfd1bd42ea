/* fire_memo.c — one event's memo of selector evaluations, registrar
 * accounts and string sets: open-addressing hash tables (FNV-1a, linear
 * probing, at most half full).  See fire_memo.h. */
#include "fire_memo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char)s[i];
                h *= 1099511628211u;
        }
        return h;
}

#define FNV_START 14695981039346656037u

/* ---- string sets ---------------------------------------------------------- */

static size_t strset_find(const struct strset *s, const char *key, uint64_t h)
{
        size_t i = (size_t)h & (s->cap - 1);

        while (s->v[i] && (s->h[i] != h || strcmp(s->v[i], key) != 0))
                i = (i + 1) & (s->cap - 1);
        return i;
}

bool strset_has(const struct strset *s, const char *key)
{
        uint64_t h = fnv(FNV_START, key, strlen(key));

        return s->cap && s->v[strset_find(s, key, h)];
}

static int strset_grow(struct strset *s)
{
        struct strset b = { .cap = s->cap ? s->cap * 2 : 16 };

        b.v = calloc(b.cap, sizeof(*b.v));
        b.h = calloc(b.cap, sizeof(*b.h));
        if (!b.v || !b.h) {
                free(b.v);
                free(b.h);
                return -ENOMEM;
        }
        for (size_t i = 0; i < s->cap; i++)
                if (s->v[i]) {
                        size_t j = strset_find(&b, s->v[i], s->h[i]);

                        b.v[j] = s->v[i];
                        b.h[j] = s->h[i];
                }
        b.n = s->n;
        free(s->v);
        free(s->h);
        *s = b;
        return 0;
}

int strset_add(struct strset *s, const char *key)
{
        uint64_t h = fnv(FNV_START, key, strlen(key));
        size_t i;

        if (s->cap && s->v[strset_find(s, key, h)])
                return 0;
        if ((s->n + 1) * 2 > s->cap && strset_grow(s) < 0)
                return -ENOMEM;
        i = strset_find(s, key, h);
        s->v[i] = strdup(key);
        if (!s->v[i])
                return -ENOMEM;
        s->h[i] = h;
        s->n++;
        return 1;
}

void strset_free(struct strset *s)
{
        for (size_t i = 0; i < s->cap; i++)
                free(s->v[i]);
        free(s->v);
        free(s->h);
        *s = (struct strset){ 0 };
}

/* ---- the memo ------------------------------------------------------------- */

/* A registrar account (sel == NULL) or one selector's evaluation. */
struct memo_slot {
        char *key;  /* "ID" or "ID\037SELECTOR"; NULL = free */
        size_t key_len;
        uint64_t h;
        struct memo_registrar reg;
        struct memo_eval ev;
};

static size_t memo_find(const struct fire_memo *m, const char *key, size_t len, uint64_t h)
{
        size_t i = (size_t)h & (m->cap - 1);

        while (m->v[i].key && (m->v[i].h != h || m->v[i].key_len != len ||
                               memcmp(m->v[i].key, key, len) != 0))
                i = (i + 1) & (m->cap - 1);
        return i;
}

static int memo_grow(struct fire_memo *m)
{
        struct fire_memo b = { .cap = m->cap ? m->cap * 2 : 64 };

        b.v = calloc(b.cap, sizeof(*b.v));
        if (!b.v)
                return -ENOMEM;
        for (size_t i = 0; i < m->cap; i++)
                if (m->v[i].key)
                        b.v[memo_find(&b, m->v[i].key, m->v[i].key_len, m->v[i].h)] = m->v[i];
        b.n = m->n;
        free(m->v);
        *m = b;
        return 0;
}

static struct memo_slot *memo_slot(struct fire_memo *m, const char *id, const char *sel,
                                   size_t sel_len)
{
        size_t idl = strlen(id), len = idl + (sel ? 1 + sel_len : 0), i;
        char *key = malloc(len + 1);
        uint64_t h;

        if (!key)
                return NULL;
        memcpy(key, id, idl);
        if (sel) {
                key[idl] = '\037';
                memcpy(key + idl + 1, sel, sel_len);
        }
        key[len] = '\0';
        h = fnv(FNV_START, key, len);
        if (m->cap) {
                i = memo_find(m, key, len, h);
                if (m->v[i].key) {
                        free(key);
                        return &m->v[i];
                }
        }
        if ((m->n + 1) * 2 > m->cap && memo_grow(m) < 0) {
                free(key);
                return NULL;
        }
        i = memo_find(m, key, len, h);
        m->v[i] = (struct memo_slot){ .key = key, .key_len = len, .h = h };
        m->n++;
        return &m->v[i];
}

struct memo_registrar *memo_registrar(struct fire_memo *m, const char *id)
{
        struct memo_slot *s = memo_slot(m, id, NULL, 0);

        return s ? &s->reg : NULL;
}

struct memo_eval *memo_eval(struct fire_memo *m, const char *id, const char *sel, size_t sel_len)
{
        struct memo_slot *s = memo_slot(m, id, sel, sel_len);

        return s ? &s->ev : NULL;
}

void memo_each_registrar(struct fire_memo *m, void (*fn)(void *ud, const char *id, struct memo_registrar *r),
                         void *ud)
{
        for (size_t i = 0; i < m->cap; i++)
                if (m->v[i].key && !memchr(m->v[i].key, '\037', m->v[i].key_len))
                        fn(ud, m->v[i].key, &m->v[i].reg);
}

void memo_free(struct fire_memo *m)
{
        for (size_t i = 0; i < m->cap; i++)
                if (m->v[i].key) {
                        free(m->v[i].key);
                        target_set_free(&m->v[i].ev.ts);
                }
        free(m->v);
        *m = (struct fire_memo){ 0 };
}
