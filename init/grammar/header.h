/* header.h — the registration header grammar of docs/watch.md → an AST, and the
 * split of a script's output into header line and body.
 * Owns: parsing and the AST's memory.  Does not own: what a target resolves
 * to (target.h) or whether it is allowed (policy.h).
 * Pure: no I/O, no globals, no logging; safe on any bytes (fuzzed). */
#ifndef CONTRAINER_HEADER_H
#define CONTRAINER_HEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "parse_error.h"

#define HEADER_MAX_LEN     65536  /* bytes in one header line */
#define HEADER_MAX_ENTRIES 4096   /* entries in one header */
#define HEADER_MAX_TERMS   4096   /* targets in one selector */
#define HEADER_MAX_EVENTS  64     /* events of one entry */

enum target_kind { TK_ME, TK_CONTRAINER, TK_HOST, TK_ALL, TK_NAME };
enum sel_op { SEL_FIRST, SEL_ADD, SEL_SUB };  /* first term, "+", "!" or "~" */

struct sel_term {
        enum sel_op op;
        enum target_kind kind;
        char *name;        /* TK_NAME only, else NULL */
};

struct header_entry {
        struct sel_term *terms;
        size_t n_terms;    /* >= 1 */
        char **events;     /* NULL-terminated; empty (events[0] == NULL) = immediate */
        size_t n_events;
        char *text;        /* the entry as written, white space removed (for logs) */
};

struct header {
        struct header_entry *entries;
        size_t n_entries;  /* >= 1: an empty header is one entry "%me" */
};

/* Parse LEN bytes at S (no newline expected; NUL bytes are an error).
 * On success *RET is a new header (caller frees) and 0 is returned.
 * On failure returns -EINVAL and fills *ERR (if not NULL); -ENOMEM. */
int header_parse(const char *s, size_t len, struct header **ret, struct parse_error *err);

/* Free H and everything in it; returns NULL.  header_free(NULL) is a no-op. */
struct header *header_free(struct header *h);

/* Does ENTRY fire on ACTION?  ACTION is compared by its text before any
 * ':' ("exec_start: sh -c x" is "exec_start").  False for immediate entries. */
bool header_entry_matches(const struct header_entry *entry, const char *action);

/* Merge duplicates (docs/watch.md): an entry whose text (white space removed)
 * repeats an earlier one's is dropped, and so is an event repeated inside an
 * entry; order is kept.  Returns how many entries were dropped.  Without
 * memory nothing is merged (the header stays valid). */
size_t header_merge_duplicates(struct header *h);

/* Split a script's stdout OUT[0..len) into the header line (before the first
 * '\n', a trailing '\r' dropped) and the body (everything after it; empty if
 * there is no newline).  Pointers borrow OUT.  Returns 0, or -EINVAL with
 * *ERR filled when the output holds a NUL byte or the header line is longer
 * than HEADER_MAX_LEN. */
int header_split_output(const char *out, size_t len,
                        const char **ret_hdr, size_t *ret_hdr_len,
                        const char **ret_body, size_t *ret_body_len,
                        struct parse_error *err);

#endif
