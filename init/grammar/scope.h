/* scope.h — `--scope FILTER` (docs/events.md "Scope"): Docker's filter
 * syntax `label=KEY`, `label=KEY=VALUE`, `name=REGEX`; containers outside
 * the scope are invisible to the controller.  As Docker combines filters:
 * every label filter must hold, and at least one name filter when there
 * are any.
 * Owns: parsing, the compiled name patterns, the label filters' text (for
 * the Engine's `filters`), matching.  Does not own: the requests
 * (docker.c builds the Engine's filters), what is done with a container
 * out of scope (pipeline.c, controller.c).
 * Pure: no I/O, no globals, no logging; fuzzed.  Main loop only. */
#ifndef CONTRAINER_SCOPE_H
#define CONTRAINER_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#define SCOPE_MAX_FILTERS 64
#define SCOPE_FILTER_MAX 1024   /* bytes of one filter */

struct scope;

struct scope *scope_new(void);               /* NULL on ENOMEM */
struct scope *scope_free(struct scope *s);   /* NULL-safe, returns NULL */

/* Add FILTER.  0; -EINVAL with a reason in ERR (one line, no newline)
 * when it does not parse (not KEY=VALUE, a key other than label or name,
 * an empty label key, a name pattern that is not a regular expression,
 * too many or too long filters); -ENOMEM. */
int scope_add(struct scope *s, const char *filter, char *err, size_t errsz);

/* No filter at all: everything is in scope. */
bool scope_empty(const struct scope *s);

/* The label filters as given after "label=" ("KEY" or "KEY=VALUE"), in
 * order, NULL-terminated (borrowed), for the Engine's filters. */
char *const *scope_labels(const struct scope *s);
bool scope_has_names(const struct scope *s);

/* Does a container named NAME (no leading '/') pass the name filters?
 * A pattern matches NAME or "/NAME" anywhere (Docker's `name` filter is
 * an unanchored regular expression over "/NAME"). */
bool scope_name_ok(const struct scope *s, const char *name);

/* Do the labels KEYS[i]=VALUES[i] (N of them) pass the label filters? */
bool scope_labels_ok(const struct scope *s, char *const *keys, char *const *values, size_t n);

/* Every filter as given, ", "-separated ("" when empty), for /status and
 * the start-up line (borrowed). */
const char *scope_text(const struct scope *s);

#endif
