/* buf.h — growable byte buffer with a hard maximum (after OpenSSH's sshbuf).
 * Owns: its storage.  Does not own: what the bytes mean.
 * A plain value struct (embedded in callers, no allocation for the handle);
 * the fields are read-only for callers: change them only through buf_*.
 * Pure: no I/O, no logging.  Not for use between fork and exec. */
#ifndef CONTRAINER_BUF_H
#define CONTRAINER_BUF_H

#include <stddef.h>

struct buf {
        char *data;  /* NUL-terminated after any successful append (not counted in len) */
        size_t len;
        size_t cap;
        size_t max;  /* hard cap on len */
};

/* Empty buffer that will never hold more than MAX bytes. */
void buf_init(struct buf *b, size_t max);

/* Append N bytes.  Returns 0, -ENOBUFS if len+n would pass max (then it
 * appends only what fits, so callers can keep a capped prefix), -ENOMEM. */
int buf_append(struct buf *b, const void *p, size_t n);

/* Append a NUL-terminated string; same returns as buf_append. */
int buf_puts(struct buf *b, const char *s);

/* Drop the first N bytes (N <= len), keeping the rest. */
void buf_consume(struct buf *b, size_t n);

/* Forget the content, keep the storage. */
void buf_reset(struct buf *b);

/* Hand the storage (NUL-terminated, or NULL if nothing was ever appended) to
 * the caller, who frees it; the buffer becomes empty. */
char *buf_steal(struct buf *b);

/* Free the storage; the buffer becomes empty (max kept). */
void buf_free(struct buf *b);

#endif
