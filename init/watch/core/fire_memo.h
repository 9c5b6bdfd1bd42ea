/* fire_memo.h — what one event's firing remembers while it runs: each
 * registrar's evaluated selectors (one evaluation per distinct selector text
 * per registrar per event), each registrar's use of its caps (entries looked
 * at, evaluation cost), and a set of strings (the targets a registration has
 * already served on this event).  All three are hash tables, so the cost of
 * an event stays linear in the entries looked at (docs/watch.md "Limits").
 * Owns: the tables and the target sets they keep.  Does not own: the
 * evaluation itself (target.h) or the caps' values (fire.h).
 * Pure: no I/O, no logging, no globals.  Main loop only (fire.c). */
#ifndef CONTRAINER_FIRE_MEMO_H
#define CONTRAINER_FIRE_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target.h"

/* A set of strings (keys copied). */
struct strset {
        char **v;      /* cap slots, NULL = free */
        uint64_t *h;
        size_t cap, n;
};

/* Does S hold KEY? */
bool strset_has(const struct strset *s, const char *key);

/* Add KEY to S: 1 when added, 0 when it was there, -ENOMEM. */
int strset_add(struct strset *s, const char *key);

/* Empty S and free its storage. */
void strset_free(struct strset *s);

/* One registrar's account on one event. */
struct memo_registrar {
        size_t entries;  /* firing entries looked at */
        size_t cost;     /* evaluation cost spent */
        bool capped;     /* an entry was skipped over a cap */
};

/* One selector of one registrar, evaluated once. */
struct memo_eval {
        struct target_set ts;  /* valid when evaluated */
        bool evaluated;
        const void *served_by; /* the last registration that went over ts */
};

struct fire_memo {
        struct memo_slot *v;
        size_t cap, n;
};

/* The account of registrar ID in M (zeroed when new); NULL on ENOMEM. */
struct memo_registrar *memo_registrar(struct fire_memo *m, const char *id);

/* The evaluation of selector SEL (its text) for registrar ID (zeroed, not
 * evaluated, when new); NULL on ENOMEM. */
struct memo_eval *memo_eval(struct fire_memo *m, const char *id, const char *sel, size_t sel_len);

/* Each registrar account in M, in no order: calls FN(UD, ID, ACCOUNT). */
void memo_each_registrar(struct fire_memo *m, void (*fn)(void *ud, const char *id, struct memo_registrar *r),
                         void *ud);

/* Free everything M holds (target sets too); M becomes empty. */
void memo_free(struct fire_memo *m);

#endif
