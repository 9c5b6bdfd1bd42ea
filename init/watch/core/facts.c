/* facts.c — container id → facts, a chained hash table that doubles its
 * buckets when it holds more entries than buckets.  See facts.h. */
#include "facts.h"

#include "strv.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fent {
        struct fent *next;
        char *id;
        char **vars;
};

struct facts {
        struct fent **b;
        size_t n_b, n;
};

struct facts *facts_new(void)
{
        struct facts *f = calloc(1, sizeof(*f));

        if (!f)
                return NULL;
        f->n_b = 64;
        f->b = calloc(f->n_b, sizeof(*f->b));
        if (!f->b) {
                free(f);
                return NULL;
        }
        return f;
}

static void fent_free(struct fent *e)
{
        free(e->id);
        strv_free(e->vars);
        free(e);
}

struct facts *facts_free(struct facts *f)
{
        if (!f)
                return NULL;
        for (size_t i = 0; i < f->n_b; i++)
                while (f->b[i]) {
                        struct fent *e = f->b[i];
                        f->b[i] = e->next;
                        fent_free(e);
                }
        free(f->b);
        free(f);
        return NULL;
}

static size_t bucket(const struct facts *f, const char *id)
{
        uint64_t h = 1469598103934665603ull;  /* FNV-1a */

        for (; *id; id++)
                h = (h ^ (unsigned char)*id) * 1099511628211ull;
        return (size_t)h & (f->n_b - 1);
}

static struct fent **find(const struct facts *f, const char *id)
{
        struct fent **pp = &f->b[bucket(f, id)];

        while (*pp && strcmp((*pp)->id, id) != 0)
                pp = &(*pp)->next;
        return pp;
}

static void grow(struct facts *f)
{
        size_t nn = f->n_b * 2;
        struct fent **nb = calloc(nn, sizeof(*nb));
        struct facts tmp = { .b = nb, .n_b = nn };

        if (!nb)
                return;  /* longer chains, still correct */
        for (size_t i = 0; i < f->n_b; i++)
                while (f->b[i]) {
                        struct fent *e = f->b[i];
                        size_t k = bucket(&tmp, e->id);
                        f->b[i] = e->next;
                        e->next = nb[k];
                        nb[k] = e;
                }
        free(f->b);
        f->b = nb;
        f->n_b = nn;
}

int facts_set(struct facts *f, const char *id, char *const *vars)
{
        struct fent **pp, *e;
        char **copy = NULL;

        for (size_t i = 0; vars && vars[i]; i++)
                if (strv_push(&copy, vars[i]) < 0) {
                        strv_free(copy);
                        return -ENOMEM;
                }
        pp = find(f, id);
        if (!copy) {
                facts_drop(f, id);
                return 0;
        }
        if (*pp) {
                strv_free((*pp)->vars);
                (*pp)->vars = copy;
                return 0;
        }
        e = calloc(1, sizeof(*e));
        if (!e || !(e->id = strdup(id))) {
                free(e);
                strv_free(copy);
                return -ENOMEM;
        }
        e->vars = copy;
        *pp = e;
        if (++f->n > f->n_b)
                grow(f);
        return 0;
}

char *const *facts_get(const struct facts *f, const char *id)
{
        struct fent *e = *find(f, id);

        return e ? e->vars : NULL;
}

void facts_drop(struct facts *f, const char *id)
{
        struct fent **pp = find(f, id), *e = *pp;

        if (!e)
                return;
        *pp = e->next;
        fent_free(e);
        f->n--;
}

size_t facts_count(const struct facts *f)
{
        return f->n;
}
