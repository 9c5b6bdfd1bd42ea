/* registry.c — registrations keyed by container id.  See registry.h.
 * A flat array in registration order: dispatch walks all of them per event
 * and the counts are small (capped), so no index is worth its code. */
#include "registry.h"

#include "header.h"
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct rbody *rbody_new(const char *p, size_t len)
{
        struct rbody *b = malloc(sizeof(*b) + len + 1);

        if (!b)
                return NULL;
        b->refs = 1;
        b->len = len;
        if (len)
                memcpy(b->data, p, len);
        b->data[len] = '\0';
        return b;
}

struct rbody *rbody_ref(struct rbody *b)
{
        if (b)
                b->refs++;
        return b;
}

struct rbody *rbody_unref(struct rbody *b)
{
        if (b && --b->refs == 0)
                free(b);
        return NULL;
}

bool keyset_has(const struct keyset *s, const char *key)
{
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i], key) == 0)
                        return true;
        return false;
}

int keyset_add(struct keyset *s, const char *key)
{
        int r;

        if (keyset_has(s, key))
                return 0;
        r = strv_push(&s->v, key);
        if (r < 0)
                return r;
        s->n++;
        return 0;
}

void keyset_free(struct keyset *s)
{
        s->v = strv_free(s->v);
        s->n = 0;
}

struct registry {
        struct registration **v;
        size_t n, cap;
        unsigned long serial;
};

struct registry *registry_new(void)
{
        return calloc(1, sizeof(struct registry));
}

static void registration_free(struct registration *g)
{
        if (!g)
                return;
        if (g->served && g->hdr)
                for (size_t i = 0; i < g->hdr->n_entries; i++)
                        keyset_free(&g->served[i]);
        free(g->served);
        keyset_free(&g->denied);
        header_free(g->hdr);
        rbody_unref(g->body);
        free(g->script);
        free(g);
}

struct registry *registry_free(struct registry *r)
{
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n; i++)
                registration_free(r->v[i]);
        free(r->v);
        free(r);
        return NULL;
}

size_t registry_count_of(const struct registry *r, const char *id)
{
        size_t c = 0;

        for (size_t i = 0; i < r->n; i++)
                if (strcmp(r->v[i]->id, id) == 0)
                        c++;
        return c;
}

struct registration *registry_add(struct registry *r, const char *id, const char *name,
                                  const char *script, struct header *hdr,
                                  const char *body, size_t body_len, int *ret_err)
{
        struct registration *g = NULL;
        int err = -ENOMEM;

        if (r->n >= REGISTRY_MAX_TOTAL ||
            registry_count_of(r, id) >= REGISTRY_MAX_PER_CONTAINER ||
            strlen(id) >= sizeof(g->id) || strlen(name) >= sizeof(g->name)) {
                err = -E2BIG;
                goto fail;
        }
        if (r->n == r->cap) {
                size_t nc = r->cap ? r->cap * 2 : 16;
                struct registration **nv = realloc(r->v, nc * sizeof(*nv));
                if (!nv)
                        goto fail;
                r->v = nv;
                r->cap = nc;
        }
        g = calloc(1, sizeof(*g));
        if (!g)
                goto fail;
        strcpy(g->id, id);
        strcpy(g->name, name);
        g->script = strdup(script);
        g->body = rbody_new(body, body_len);
        g->served = calloc(hdr->n_entries ? hdr->n_entries : 1, sizeof(*g->served));
        if (!g->script || !g->body || !g->served)
                goto fail;
        g->hdr = hdr;
        g->serial = ++r->serial;
        r->v[r->n++] = g;
        return g;
fail:
        if (g) {
                g->hdr = NULL;
                registration_free(g);
        }
        header_free(hdr);
        if (ret_err)
                *ret_err = err;
        return NULL;
}

size_t registry_drop(struct registry *r, const char *id)
{
        size_t k = 0, dropped = 0;

        for (size_t i = 0; i < r->n; i++) {
                if (strcmp(r->v[i]->id, id) == 0) {
                        registration_free(r->v[i]);
                        dropped++;
                } else {
                        r->v[k++] = r->v[i];
                }
        }
        r->n = k;
        return dropped;
}

void registry_rename(struct registry *r, const char *id, const char *name)
{
        for (size_t i = 0; i < r->n; i++)
                if (strcmp(r->v[i]->id, id) == 0 && strlen(name) < sizeof(r->v[i]->name))
                        strcpy(r->v[i]->name, name);
}

size_t registry_count(const struct registry *r)
{
        return r->n;
}

struct registration *registry_at(const struct registry *r, size_t i)
{
        return i < r->n ? r->v[i] : NULL;
}
