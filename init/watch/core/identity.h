/* identity.h — who the controller is (docs/watch.md "Policy"): its own container
 * id and name when it runs in a container the Engine knows, else the host
 * name; and whether it runs in some container at all (then, unidentified,
 * it fails closed: see snapshot.h).
 * Owns: reading /proc/self/mountinfo and the container marker files.
 * Does not own: what the identity is used for.  Logs nothing.
 * Context: main loop, after the Engine's version is negotiated. */
#ifndef CONTRAINER_IDENTITY_H
#define CONTRAINER_IDENTITY_H

#include <stdbool.h>

struct docker;

struct identity {
        char id[80];        /* "" when not in a container, or not found */
        char name[256];     /* the container's name, else the host name */
        bool in_container;  /* runs in a container (identified or not) */
};

/* Fill *RET (always: the host name when nothing else is known).  D may be
 * NULL (no Engine yet: only the host name and the marker files). */
void identity_find(struct docker *d, struct identity *ret);

#endif
