/* target.c — a selector's set algebra over a container snapshot (docs/watch.md).
 * See target.h.
 *
 * The universe is small and known up front: the snapshot's containers
 * (slots 0..n-1), the registrar when it is not in the snapshot (slot n, e.g.
 * while its own die is dispatched), %host (n+1) and %contrainer (n+2).  A set
 * is a membership array over these slots, so "+"/"!" of %all cost O(n) and a
 * header of thousands of terms stays linear in (terms × snapshot).  Each slot
 * remembers when it (last) became a member; the result lists members in that
 * order ("first-added order"). */
#include "target.h"

#include "header.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct universe {
        const struct snapshot *snap;
        size_t n;         /* snapshot containers */
        size_t me;        /* slot of the registrar */
        size_t self;      /* slot of the controller's container, or SIZE_MAX */
        size_t host, contrainer, total;
        const char *rid, *rname;
};

static bool streq(const char *a, const char *b)
{
        return a && b && strcmp(a, b) == 0;
}

static void universe_init(struct universe *u, const struct snapshot *snap,
                          const char *rid, const char *rname)
{
        u->snap = snap;
        u->n = snap ? snap->n : 0;
        u->rid = rid ? rid : "";
        u->rname = rname ? rname : "";
        u->me = u->n;
        u->self = SIZE_MAX;
        for (size_t i = 0; i < u->n; i++) {
                const struct container_ref *c = &snap->containers[i];

                if (u->me == u->n && *u->rid && streq(c->id, u->rid))
                        u->me = i;
                if (u->self == SIZE_MAX && snap->self_id && *snap->self_id &&
                    streq(c->id, snap->self_id))
                        u->self = i;
        }
        u->host = u->n + 1;
        u->contrainer = u->n + 2;
        u->total = u->n + 3;
}

/* The slot a NAME term designates, or SIZE_MAX when no running container has
 * that name.  The registrar's own name is %me (policy class "me",
 * docs/watch.md "Targets"); the controller's own name is %contrainer. */
static size_t universe_find_name(const struct universe *u, const char *name)
{
        if (*u->rname && streq(name, u->rname))
                return u->me;
        if (u->self != SIZE_MAX && streq(name, u->snap->containers[u->self].name))
                return u->contrainer;
        for (size_t i = 0; i < u->n; i++)
                if (streq(name, u->snap->containers[i].name))
                        return i;
        return SIZE_MAX;
}

struct order {
        size_t slot, stamp;
};

static int order_cmp(const void *a, const void *b)
{
        const struct order *x = a, *y = b;

        return (x->stamp > y->stamp) - (x->stamp < y->stamp);
}

static void slot_set(bool *member, size_t *stamp, size_t *clock, size_t slot, bool add)
{
        if (add && !member[slot])
                stamp[slot] = (*clock)++;
        member[slot] = add;
}

int target_eval(const struct header_entry *entry, const struct snapshot *snap,
                const char *registrar_id, const char *registrar_name,
                struct target_set *ret)
{
        struct universe u;
        bool *member = NULL;
        size_t *stamp = NULL, clock = 0, count = 0;
        struct order *ord = NULL;
        struct target *v = NULL;
        int r = -ENOMEM;

        universe_init(&u, snap, registrar_id, registrar_name);
        member = calloc(u.total, sizeof(*member));
        stamp = calloc(u.total, sizeof(*stamp));
        if (!member || !stamp)
                goto out;

        for (size_t t = 0; entry && t < entry->n_terms; t++) {
                const struct sel_term *term = &entry->terms[t];
                bool add = term->op != SEL_SUB;
                size_t slot;

                switch (term->kind) {
                case TK_ME:
                        slot_set(member, stamp, &clock, u.me, add);
                        break;
                case TK_HOST:
                        slot_set(member, stamp, &clock, u.host, add);
                        break;
                case TK_CONTRAINER:
                        slot_set(member, stamp, &clock, u.contrainer, add);
                        break;
                case TK_ALL:
                        for (size_t i = 0; i < u.n; i++)
                                if (i != u.self)
                                        slot_set(member, stamp, &clock, i, add);
                        slot_set(member, stamp, &clock, u.host, add);
                        slot_set(member, stamp, &clock, u.contrainer, add);
                        break;
                case TK_NAME:
                        slot = universe_find_name(&u, term->name);
                        if (slot != SIZE_MAX)
                                slot_set(member, stamp, &clock, slot, add);
                        break;
                }
        }

        for (size_t i = 0; i < u.total; i++)
                count += member[i];
        if (count > 0) {
                size_t k = 0;

                ord = malloc(count * sizeof(*ord));
                v = calloc(count, sizeof(*v));
                if (!ord || !v)
                        goto out;
                for (size_t i = 0; i < u.total; i++)
                        if (member[i])
                                ord[k++] = (struct order){ i, stamp[i] };
                qsort(ord, count, sizeof(*ord), order_cmp);
                for (k = 0; k < count; k++) {
                        size_t s = ord[k].slot;
                        struct target *tg = &v[k];

                        if (s == u.host) {
                                tg->type = TT_HOST;
                        } else if (s == u.contrainer) {
                                tg->type = TT_CONTRAINER;
                        } else if (s == u.n) {
                                tg->type = TT_CONTAINER;
                                tg->id = u.rid;
                                tg->name = u.rname;
                                tg->is_me = 1;
                        } else {
                                tg->type = TT_CONTAINER;
                                tg->id = snap->containers[s].id;
                                tg->name = snap->containers[s].name;
                                tg->is_me = s == u.me;
                                tg->traits = snap->containers[s].traits;
                        }
                }
        }
        ret->v = v;
        ret->n = count;
        v = NULL;
        r = 0;
out:
        free(v);
        free(ord);
        free(stamp);
        free(member);
        return r;
}

void target_set_free(struct target_set *set)
{
        if (!set)
                return;
        free(set->v);
        set->v = NULL;
        set->n = 0;
}

const char *target_text(enum target_type type, const char *s)
{
        return type == TT_HOST ? "%host" : type == TT_CONTRAINER ? "%contrainer" : s;
}
