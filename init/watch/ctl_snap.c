/* ctl_snap.c — what the controller knows of the running containers: the
 * snapshot (id, name, TRAIT_* from their inspect), its own recent exec ids
 * and the de-duplication ring of events.  See controller_int.h. */
#include "controller_int.h"

#include "events.h"
#include "target.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *ctl_snap_name(const struct ctl *c, const char *id)
{
        for (size_t i = 0; i < c->n_snap; i++)
                if (strcmp(c->snap[i].id, id) == 0)
                        return c->snap[i].name;
        return NULL;
}

void ctl_snap_remove(struct ctl *c, const char *id)
{
        for (size_t i = 0; i < c->n_snap; i++) {
                if (strcmp(c->snap[i].id, id) == 0) {
                        free((char *)c->snap[i].id);
                        free((char *)c->snap[i].name);
                        c->snap[i] = c->snap[--c->n_snap];
                        return;
                }
        }
}

/* TRAITS as the snapshot keeps them: a controller that runs in a container
 * it could not identify cannot tell itself apart from a container with its
 * host name (or one not inspected): that one may be itself (fail closed). */
static unsigned effective(const struct ctl *c, unsigned traits)
{
        traits &= ~TRAIT_SELF;
        if (!c->self_id[0] && c->in_container &&
            (!(traits & TRAIT_KNOWN) || (traits & TRAIT_SELFLIKE)))
                traits |= TRAIT_SELF;
        return traits;
}

void ctl_snap_traits(struct ctl *c, const char *id, unsigned traits)
{
        struct container_ref *r = ctl_snap_find(c, id);

        if (r && (traits & TRAIT_KNOWN))
                r->traits = effective(c, traits);
}

struct container_ref *ctl_snap_find(const struct ctl *c, const char *id)
{
        for (size_t i = 0; i < c->n_snap; i++)
                if (strcmp(c->snap[i].id, id) == 0)
                        return &c->snap[i];
        return NULL;
}

int ctl_snap_set(struct ctl *c, const char *id, const char *name, unsigned traits)
{
        char *i2, *n2;

        for (size_t i = 0; i < c->n_snap; i++) {
                if (strcmp(c->snap[i].id, id) == 0) {
                        n2 = strdup(name);
                        if (!n2)
                                return -ENOMEM;
                        free((char *)c->snap[i].name);
                        c->snap[i].name = n2;
                        if (traits & TRAIT_KNOWN)
                                c->snap[i].traits = effective(c, traits);
                        return 0;
                }
        }
        if (c->n_snap == c->cap_snap) {
                size_t nc = c->cap_snap ? c->cap_snap * 2 : 64;
                struct container_ref *nv = realloc(c->snap, nc * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                c->snap = nv;
                c->cap_snap = nc;
        }
        i2 = strdup(id);
        n2 = strdup(name);
        if (!i2 || !n2) {
                free(i2);
                free(n2);
                return -ENOMEM;
        }
        c->snap[c->n_snap] = (struct container_ref){ .id = i2, .name = n2,
                                                     .traits = effective(c, traits) };
        c->n_snap++;
        return 0;
}

void ctl_snap_clear(struct ctl *c)
{
        while (c->n_snap)
                ctl_snap_remove(c, c->snap[0].id);
}

void ctl_ours_add(struct ctl *c, const char *exec_id)
{
        size_t n = strnlen(exec_id, sizeof(c->ours[0]) - 1);

        memcpy(c->ours[c->ours_pos], exec_id, n);
        c->ours[c->ours_pos][n] = '\0';
        c->ours_pos = (c->ours_pos + 1) % OURS_MAX;
}

bool ctl_ours_has(const struct ctl *c, const char *exec_id)
{
        if (!exec_id[0])
                return false;
        for (size_t i = 0; i < OURS_MAX; i++)
                if (strcmp(c->ours[i], exec_id) == 0)
                        return true;
        return false;
}

bool ctl_recent_has(const struct ctl *c, const struct event *e)
{
        for (size_t i = 0; i < c->n_recent; i++)
                if (event_same(&c->recent[i], e))
                        return true;
        return false;
}

void ctl_recent_add(struct ctl *c, const struct event *e)
{
        c->recent[c->recent_pos] = *e;
        c->recent_pos = (c->recent_pos + 1) % RECENT_MAX;
        if (c->n_recent < RECENT_MAX)
                c->n_recent++;
}

