/* buf.c — growable byte buffer with a hard maximum.  See buf.h. */
#include "buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
        b->data = NULL;
        b->len = 0;
        b->cap = 0;
        b->max = max;
}

static int buf_reserve(struct buf *b, size_t need)
{
        size_t cap;
        char *p;

        if (need + 1 <= b->cap)
                return 0;
        cap = b->cap ? b->cap : 256;
        while (cap < need + 1)
                cap = cap > (size_t)-1 / 2 ? need + 1 : cap * 2;
        p = realloc(b->data, cap);
        if (!p)
                return -ENOMEM;
        b->data = p;
        b->cap = cap;
        return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
        size_t room = b->max - b->len, take = n < room ? n : room;
        int r;

        r = buf_reserve(b, b->len + take);
        if (r < 0)
                return r;
        if (take)
                memcpy(b->data + b->len, p, take);
        b->len += take;
        b->data[b->len] = '\0';
        return take < n ? -ENOBUFS : 0;
}

int buf_puts(struct buf *b, const char *s)
{
        return buf_append(b, s, strlen(s));
}

void buf_consume(struct buf *b, size_t n)
{
        if (n >= b->len) {
                buf_reset(b);
                return;
        }
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
        b->data[b->len] = '\0';
}

void buf_reset(struct buf *b)
{
        b->len = 0;
        if (b->data)
                b->data[0] = '\0';
}

char *buf_steal(struct buf *b)
{
        char *p = b->data;

        b->data = NULL;
        b->len = b->cap = 0;
        return p;
}

void buf_free(struct buf *b)
{
        free(b->data);
        b->data = NULL;
        b->len = b->cap = 0;
}
