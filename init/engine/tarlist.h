/* tarlist.h — streaming lister of a tar archive's regular executable files
 * directly inside its top directory (what GET /containers/{id}/archive?path=DIR
 * returns: entries "DIR-basename/NAME").
 * Owns: the parser state and the collected names.  Does not own: the
 * transport (docker.c feeds it from a libcurl write callback).
 * Pure: no I/O, no globals, no logging; safe on any bytes. */
#ifndef CONTRAINER_TARLIST_H
#define CONTRAINER_TARLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define TARLIST_EXT_MAX 65536  /* bytes of one PAX or GNU long-name record */
/* Bytes of the whole archive read (the Engine streams every file's
 * contents too): a bigger script dir fails its collection on the exec API
 * path (docs/watch.md "Limits"). */
#define TARLIST_BYTES_MAX (16u << 20)

struct tar_lister {
        unsigned char hdr[512];
        size_t hdr_len;
        uint64_t data_left;     /* payload bytes of the current entry still to come */
        uint64_t pad_left;      /* padding to the next 512 boundary */
        char kind;              /* 'x' / 'L' while collecting an extended record, else 0 */
        struct buf ext;         /* that record */
        char *next_name;        /* name from a PAX path= or GNU 'L' record */
        char **names;           /* NULL-terminated, file names (no directory) */
        size_t n, max;
        bool end;               /* saw the terminating zero block */
        bool bad;               /* checksum or structure error */
        bool too_many;          /* more than MAX qualifying entries */
        uint64_t fed;           /* bytes fed before the end */
        bool too_big;           /* more than TARLIST_BYTES_MAX of them */
};

void tar_lister_init(struct tar_lister *t, size_t max_names);

/* Feed LEN bytes.  0; -EPROTO once the archive is malformed; -E2BIG once
 * more than MAX names qualify; -EFBIG once more than TARLIST_BYTES_MAX
 * bytes came before the end; -ENOMEM.  Bytes after the end are ignored. */
int tar_lister_feed(struct tar_lister *t, const void *data, size_t len);

/* Hand the names (sorted byte-wise, never NULL on success) to the caller.
 * 0 or -ENOMEM; the lister keeps nothing. */
int tar_lister_take(struct tar_lister *t, char ***ret);

void tar_lister_free(struct tar_lister *t);

#endif
