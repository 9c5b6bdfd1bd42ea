/* parse_error.h — where and why a parser refused its input: one value
 * shared by every parser (grammar/header.c, grammar/policy.c,
 * engine/events.c), so that callers print one kind of error line.
 * Owns: nothing (a plain value; WHAT is static text).
 * Any context. */
#ifndef CONTRAINER_PARSE_ERROR_H
#define CONTRAINER_PARSE_ERROR_H

#include <stddef.h>

struct parse_error {
        size_t pos;        /* byte offset in the input where it went wrong */
        const char *what;  /* static text, e.g. "expected a target" */
};

#endif
