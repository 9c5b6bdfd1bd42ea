/* registry.h — the registrations the controller holds (SPEC §2.3 Lifetime).
 * Owns: registrations keyed by the registrar's container id (never by the
 * output's hash: two replicas are two registrations), their parsed headers,
 * reference-counted bodies, and per registration the immediate targets
 * already served and the targets already reported as denied.
 * Does not own: collecting (collect_worker.c), deciding what fires (fire.c).
 * Indexes the entries by event, so that an event costs what fires on it.
 * Pure data structure: no I/O, no logging.  Main loop only. */
#ifndef CONTRAINER_REGISTRY_H
#define CONTRAINER_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rbody.h"

struct header;

#define REGISTRY_MAX_PER_CONTAINER 256
#define REGISTRY_MAX_TOTAL 65536

struct keyset {
        char **v;   /* NULL-terminated, may be NULL */
        size_t n;
};

bool keyset_has(const struct keyset *s, const char *key);
int keyset_add(struct keyset *s, const char *key);  /* 0, -ENOMEM; adding twice is a no-op */
void keyset_free(struct keyset *s);

struct registration {
        char id[80];
        char name[256];
        char *script;           /* the script's path, or a label hook's NAME */
        bool from_label;        /* a label hook (docs/events.md "Label hooks") */
        struct header *hdr;
        struct rbody *body;
        struct keyset *served;  /* one set per header entry (immediate entries use theirs) */
        struct keyset denied;   /* target keys whose denial was logged */
        unsigned long serial;   /* order of registration */
        uint64_t started_ns;    /* the registrar's State.StartedAt when collected (0: unknown) */
        size_t merged;          /* duplicate entries merged away (header_merge_duplicates) */
        size_t bytes;           /* what it holds: body, script path, entry texts */
};

/* One entry of one registration. */
struct registry_hit {
        struct registration *g;
        size_t entry;  /* index in g->hdr->entries */
};

struct registry;

struct registry *registry_new(void);
struct registry *registry_free(struct registry *r);

/* Add a registration of container ID/NAME from SCRIPT.  Takes HDR (freed on
 * failure too; its duplicate entries are merged first); copies BODY.  Returns the registration (borrowed), NULL on
 * ENOMEM or when a cap is reached (-E2BIG in *RET_ERR if not NULL). */
struct registration *registry_add(struct registry *r, const char *id, const char *name,
                                  const char *script, struct header *hdr,
                                  const char *body, size_t body_len, int *ret_err);

/* Drop every registration of container ID; returns how many. */
size_t registry_drop(struct registry *r, const char *id);

/* The container ID is now called NAME. */
void registry_rename(struct registry *r, const char *id, const char *name);

size_t registry_count(const struct registry *r);
size_t registry_count_of(const struct registry *r, const char *id);
/* The entries that fire on ACTION (compared by its text before any ':',
 * as header_entry_matches), each once, in registration order then entry
 * order.  *RET is borrowed until the next add/drop.  Costs one hash lookup. */
size_t registry_firing(const struct registry *r, const char *action,
                       const struct registry_hit **ret);

/* The immediate entries (no events), in registration order. */
size_t registry_immediates(const struct registry *r, const struct registry_hit **ret);

/* The I-th registration in registration order (borrowed; valid until the
 * next add/drop). */
struct registration *registry_at(const struct registry *r, size_t i);

#endif
