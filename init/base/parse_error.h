/* parse_error.h — where and why a parser refused its input: one value
 * shared by every parser (grammar/header.c, grammar/policy.c,
 * engine/events.c), so that callers print one kind of error line.
 * Owns: nothing (a plain value; WHAT is static text).
 * Any context. */
#ifndef CONTRAINER_PARSE_ERROR_H
#define CONTRAINER_PARSE_ERROR_H

#include <errno.h>
#include <stddef.h>

struct parse_error {
        size_t pos;        /* byte offset in the input where it went wrong */
        const char *what;  /* static text, e.g. "expected a target" */
};

/* Fill *ERR (NULL-safe) with POS and WHAT; returns -EINVAL, so a parser
 * can write `return parse_fail(err, i, "expected a target");`. */
static inline int parse_fail(struct parse_error *err, size_t pos, const char *what)
{
        if (err) {
                err->pos = pos;
                err->what = what;
        }
        return -EINVAL;
}

#endif
