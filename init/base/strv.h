/* strv.h — NULL-terminated string vectors (argv, envp, name lists).
 * Owns: the vector and (for strv_push/strv_free) the strings in it.
 * Does not own: byte buffers (buf.h), what the strings mean.
 * Pure: no I/O, no logging.  Not for use between fork and exec. */
#ifndef CONTRAINER_STRV_H
#define CONTRAINER_STRV_H

#include <stdbool.h>
#include <stddef.h>

/* Number of entries before the terminating NULL (0 for NULL). */
size_t strv_len(char *const *v);

/* Append a copy of S to *V (which may be NULL); *V stays NULL-terminated.
 * Returns 0 or -ENOMEM (then *V is unchanged). */
int strv_push(char ***v, const char *s);

/* Append S itself (ownership passes to the vector on success). */
int strv_consume(char ***v, char *s);

/* Sort byte-wise (strcmp, never the locale's order). */
void strv_sort(char **v);

/* Same strings in the same order?  (NULL equals an empty vector.) */
bool strv_equal(char *const *a, char *const *b);

/* Free every string and the vector; returns NULL. strv_free(NULL) is a no-op. */
char **strv_free(char **v);

/* Environment helpers over "NAME=VALUE" vectors.
 * strv_env_get: the value of NAME or NULL (borrowed).
 * strv_env_set: replace or append NAME=VALUE (copies); 0 or -ENOMEM. */
const char *strv_env_get(char *const *env, const char *name);
int strv_env_set(char ***env, const char *name, const char *value);

#endif
