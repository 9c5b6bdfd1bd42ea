/* snapshot.c — the running containers the controller knows.  See
 * snapshot.h. */
#include "snapshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct snapshot_store {
        struct container_ref *v;
        size_t n, cap;
        char self_id[80];
        bool in_container;
};

struct snapshot_store *snapshot_new(void)
{
        return calloc(1, sizeof(struct snapshot_store));
}

struct snapshot_store *snapshot_free(struct snapshot_store *s)
{
        if (!s)
                return NULL;
        while (s->n)
                snapshot_remove(s, s->v[0].id);
        free(s->v);
        free(s);
        return NULL;
}

void snapshot_set_self(struct snapshot_store *s, const char *self_id, bool in_container)
{
        size_t n = strnlen(self_id, sizeof(s->self_id) - 1);

        memcpy(s->self_id, self_id, n);
        s->self_id[n] = '\0';
        s->in_container = in_container;
}

struct snapshot snapshot_view(const struct snapshot_store *s)
{
        return (struct snapshot){ .containers = s->v, .n = s->n, .self_id = s->self_id };
}

size_t snapshot_count(const struct snapshot_store *s)
{
        return s->n;
}

const struct container_ref *snapshot_at(const struct snapshot_store *s, size_t i)
{
        return i < s->n ? &s->v[i] : NULL;
}

static struct container_ref *find(const struct snapshot_store *s, const char *id)
{
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i].id, id) == 0)
                        return &s->v[i];
        return NULL;
}

const struct container_ref *snapshot_find(const struct snapshot_store *s, const char *id)
{
        return find(s, id);
}

const char *snapshot_name(const struct snapshot_store *s, const char *id)
{
        const struct container_ref *r = find(s, id);

        return r ? r->name : NULL;
}

/* TRAITS as the store keeps them: a controller that runs in a container
 * it could not identify cannot tell itself apart from a container with its
 * host name (or one not inspected): that one may be itself (fail closed). */
static unsigned effective(const struct snapshot_store *s, unsigned traits)
{
        traits &= ~TRAIT_SELF;
        if (!s->self_id[0] && s->in_container &&
            (!(traits & TRAIT_KNOWN) || (traits & TRAIT_SELFLIKE)))
                traits |= TRAIT_SELF;
        return traits;
}

int snapshot_set(struct snapshot_store *s, const char *id, const char *name, unsigned traits)
{
        struct container_ref *r = find(s, id);
        char *i2, *n2;

        if (r) {
                n2 = strdup(name);
                if (!n2)
                        return -ENOMEM;
                free((char *)r->name);
                r->name = n2;
                if (traits & TRAIT_KNOWN)
                        r->traits = effective(s, traits);
                return 0;
        }
        if (s->n == s->cap) {
                size_t nc = s->cap ? s->cap * 2 : 64;
                struct container_ref *nv = realloc(s->v, nc * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                s->v = nv;
                s->cap = nc;
        }
        i2 = strdup(id);
        n2 = strdup(name);
        if (!i2 || !n2) {
                free(i2);
                free(n2);
                return -ENOMEM;
        }
        s->v[s->n++] = (struct container_ref){ .id = i2, .name = n2, .traits = effective(s, traits) };
        return 0;
}

void snapshot_traits(struct snapshot_store *s, const char *id, unsigned traits)
{
        struct container_ref *r = find(s, id);

        if (r && (traits & TRAIT_KNOWN))
                r->traits = effective(s, traits);
}

void snapshot_remove(struct snapshot_store *s, const char *id)
{
        struct container_ref *r = find(s, id);

        if (!r)
                return;
        free((char *)r->id);
        free((char *)r->name);
        *r = s->v[--s->n];
}

int snapshot_exec_refusal(struct snapshot_store *s, const char *id)
{
        struct container_ref *r = find(s, id);

        if (r && (r->traits & TRAIT_KNOWN) && !(r->traits & TRAIT_SHADOW))
                return 0;
        if (r && !r->logged) {
                r->logged = true;
                return 1;
        }
        return 2;
}
