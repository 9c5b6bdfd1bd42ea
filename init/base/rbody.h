/* rbody.h — a reference-counted, NUL-terminated byte string: a body that a
 * registration (watch/core/registry.c) and the jobs queued from it
 * (watch/run/dispatch.c) share without copying.
 * Owns: the allocation and its count.  Does not own: what the bytes mean.
 * Pure data structure: no I/O, no logging.  Main loop only (not atomic). */
#ifndef CONTRAINER_RBODY_H
#define CONTRAINER_RBODY_H

#include <stddef.h>

struct rbody {
        unsigned refs;
        size_t len;
        char data[];  /* NUL-terminated */
};

struct rbody *rbody_new(const char *p, size_t len);  /* refs = 1; NULL on ENOMEM */
struct rbody *rbody_ref(struct rbody *b);            /* NULL stays NULL */
struct rbody *rbody_unref(struct rbody *b);          /* frees at 0; returns NULL */

#endif
