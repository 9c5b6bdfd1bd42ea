/* rbody.c — reference-counted byte strings.  See rbody.h. */
#include "rbody.h"

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
