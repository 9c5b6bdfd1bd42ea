/* registry.c — registrations keyed by container id.  See registry.h.
 * A flat array in registration order, plus an index of the entries by the
 * event they fire on (an open-addressing hash of event names, each with its
 * hits in registration order) and the list of immediate entries: an event
 * costs what fires on it, not what one container registered for others. */
#include "registry.h"

#include "header.h"
#include "strv.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

struct hitvec {
        char *key;  /* NULL: a free slot */
        struct registry_hit *v;
        size_t n, cap;
};

struct registry {
        struct registration **v;
        size_t n, cap;
        unsigned long serial;
        struct hitvec *slots;  /* power of two, at most half full */
        size_t n_slots, n_keys;
        struct hitvec imm;
};

struct registry *registry_new(void)
{
        return calloc(1, sizeof(struct registry));
}

static size_t hash_of(const char *s, size_t len)
{
        uint64_t h = 1469598103934665603ull;  /* FNV-1a */

        for (size_t i = 0; i < len; i++)
                h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
        return (size_t)h;
}

/* The slot of KEY[0..LEN) in SLOTS/N (N a power of two, never full): its
 * key's or the free one where it would go. */
static struct hitvec *slot_of(struct hitvec *slots, size_t n, const char *key, size_t len)
{
        size_t i = hash_of(key, len) & (n - 1);

        while (slots[i].key && !(strlen(slots[i].key) == len && memcmp(slots[i].key, key, len) == 0))
                i = (i + 1) & (n - 1);
        return &slots[i];
}

static int index_grow(struct registry *r)
{
        size_t nn = r->n_slots ? r->n_slots * 2 : 64;
        struct hitvec *ns;

        if (r->n_keys + 1 <= r->n_slots / 2)
                return 0;
        ns = calloc(nn, sizeof(*ns));
        if (!ns)
                return -ENOMEM;
        for (size_t i = 0; i < r->n_slots; i++)
                if (r->slots[i].key)
                        *slot_of(ns, nn, r->slots[i].key, strlen(r->slots[i].key)) = r->slots[i];
        free(r->slots);
        r->slots = ns;
        r->n_slots = nn;
        return 0;
}

static int hit_push(struct hitvec *h, struct registration *g, size_t entry)
{
        if (h->n && h->v[h->n - 1].g == g && h->v[h->n - 1].entry == entry)
                return 0;
        if (h->n == h->cap) {
                size_t nc = h->cap ? h->cap * 2 : 8;
                struct registry_hit *nv = realloc(h->v, nc * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                h->v = nv;
                h->cap = nc;
        }
        h->v[h->n++] = (struct registry_hit){ g, entry };
        return 0;
}

/* Index G's entries.  On failure the caller unindexes G. */
static int index_add(struct registry *r, struct registration *g)
{
        for (size_t ei = 0; ei < g->hdr->n_entries; ei++) {
                const struct header_entry *e = &g->hdr->entries[ei];

                if (e->n_events == 0 && hit_push(&r->imm, g, ei) < 0)
                        return -ENOMEM;
                for (size_t k = 0; k < e->n_events; k++) {
                        const char *ev = e->events[k];
                        struct hitvec *h;

                        if (index_grow(r) < 0)
                                return -ENOMEM;
                        h = slot_of(r->slots, r->n_slots, ev, strlen(ev));
                        if (!h->key) {
                                h->key = strdup(ev);
                                if (!h->key)
                                        return -ENOMEM;
                                r->n_keys++;
                        }
                        if (hit_push(h, g, ei) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

static void hits_filter(struct hitvec *h, const char *id, const struct registration *only)
{
        size_t k = 0;

        for (size_t i = 0; i < h->n; i++)
                if (only ? h->v[i].g != only : strcmp(h->v[i].g->id, id) != 0)
                        h->v[k++] = h->v[i];
        h->n = k;
}

/* Remove the hits of container ID (or of the registration ONLY); rebuild
 * the table without its empty keys when they are the majority. */
static void index_remove(struct registry *r, const char *id, const struct registration *only)
{
        size_t empty = 0;

        hits_filter(&r->imm, id, only);
        for (size_t i = 0; i < r->n_slots; i++) {
                if (!r->slots[i].key)
                        continue;
                hits_filter(&r->slots[i], id, only);
                empty += r->slots[i].n == 0;
        }
        if (empty == 0 || empty * 2 < r->n_keys)
                return;
        struct hitvec *old = r->slots;
        size_t n_old = r->n_slots;
        r->slots = NULL;
        r->n_slots = r->n_keys = 0;
        for (size_t i = 0; i < n_old; i++) {
                if (old[i].key && old[i].n && index_grow(r) == 0) {
                        *slot_of(r->slots, r->n_slots, old[i].key, strlen(old[i].key)) = old[i];
                        r->n_keys++;
                        continue;
                }
                if (old[i].key && old[i].n) {
                        /* Out of memory rebuilding: put the table back. */
                        free(r->slots);
                        r->slots = old;
                        r->n_slots = n_old;
                        r->n_keys = 0;
                        for (size_t j = 0; j < n_old; j++)
                                r->n_keys += old[j].key != NULL;
                        return;
                }
        }
        for (size_t i = 0; i < n_old; i++) {
                if (old[i].key && !old[i].n) {
                        free(old[i].key);
                        free(old[i].v);
                }
        }
        free(old);
}

size_t registry_firing(const struct registry *r, const char *action,
                       const struct registry_hit **ret)
{
        size_t alen;
        const struct hitvec *h;

        *ret = NULL;
        if (!action || !r->n_slots)
                return 0;
        alen = strcspn(action, ":");
        while (alen > 0 && (action[alen - 1] == ' ' || action[alen - 1] == '\t'))
                alen--;
        h = slot_of(r->slots, r->n_slots, action, alen);
        *ret = h->v;
        return h->key ? h->n : 0;
}

size_t registry_immediates(const struct registry *r, const struct registry_hit **ret)
{
        *ret = r->imm.v;
        return r->imm.n;
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
        for (size_t i = 0; i < r->n_slots; i++) {
                free(r->slots[i].key);
                free(r->slots[i].v);
        }
        free(r->slots);
        free(r->imm.v);
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
        g->merged = header_merge_duplicates(hdr);
        g->bytes = body_len + strlen(script);
        for (size_t i = 0; i < hdr->n_entries; i++)
                g->bytes += strlen(hdr->entries[i].text) + 1;
        if (index_add(r, g) < 0) {
                index_remove(r, NULL, g);
                registration_free(g);
                g = NULL;
                hdr = NULL;
                goto fail;
        }
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

        if (registry_count_of(r, id) == 0)
                return 0;
        index_remove(r, id, NULL);
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
