/* envexport.h — the container environment as files (phusion semantics).
 * Owns: /etc/container_environment/ (one file per variable: only missing
 * or changed files are written, in place; a missing directory is filled as
 * DIR.new and renamed once), the .sh (shell-quoted exports) and .json dumps
 * (atomically: .new + rename, and only when changed), and re-reading the
 * directory into the environment for the next step.  The quoting/escaping/
 * naming helpers are pure (envexport_pure.c: unit-tested, fuzzed).
 * Where the files go is chosen by envplace.c; with no place at all the
 * object only carries the environment from step to step.
 * Does not own: when to refresh (init_main.c, boot.c, shutdown.c) or logging
 * (errors are returned; skipped files go to the caller's skip callback).
 * Context: the init main loop. */
#ifndef CONTRAINER_ENVEXPORT_H
#define CONTRAINER_ENVEXPORT_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct envexport;

/* Caps on what a boot script can make us load.  One "NAME=VALUE" string
 * must fit the kernel's MAX_ARG_STRLEN (32 pages, 128 KiB, NUL included) or
 * every later exec fails with E2BIG (docs/hardening.md "Limits"): names are
 * at most ENVEXPORT_NAME_MAX bytes, so a value gets the rest.  The sum is
 * kept well inside ARG_MAX (a quarter of the 8 MiB default stack). */
#define ENVEXPORT_ARG_STRLEN_MAX (128 * 1024)
#define ENVEXPORT_NAME_MAX 200
#define ENVEXPORT_VALUE_MAX (ENVEXPORT_ARG_STRLEN_MAX - ENVEXPORT_NAME_MAX - 2)
#define ENVEXPORT_VARS_MAX 8192

/* Pure helpers. */

/* HOME, USER, GROUP, UID, GID, SHELL: never exported (as my_init). */
bool envexport_is_excluded(const char *name);
/* The same for the first NL bytes of NAME. */
bool envexport_is_excluded_n(const char *name, size_t nl);
/* Split "NAME=VALUE" without copying; false for an entry without '='. */
bool envexport_split_entry(const char *entry, size_t *ret_namelen, const char **ret_value);
/* [A-Za-z_][A-Za-z0-9_]*: may appear in the .sh file. */
bool envexport_name_is_shell(const char *name);
/* Usable as a file name in the directory: non-empty, at most ENVEXPORT_NAME_MAX bytes, no
 * '/' or '=', not "." or "..". */
bool envexport_name_is_file(const char *name);
/* Append S as one single-quoted shell word ('it'\''s').  0 or buf errors. */
int envexport_shell_quote(struct buf *b, const char *s);
/* Append S[0..len) as a JSON string with quotes.  Control characters,
 * quote and backslash are escaped; invalid UTF-8 bytes become U+FFFD (as Go's
 * encoding/json does) so the output is always valid JSON.  0 or buf errors. */
int envexport_json_string(struct buf *b, const char *s, size_t len);
/* Render "export NAME='VALUE'\n" lines / one JSON object line for the
 * exported variables of ENV ("NAME=VALUE" vector).  0 or buf errors. */
int envexport_render_sh(struct buf *b, char *const *env);
int envexport_render_json(struct buf *b, char *const *env);
/* Length of a file's content with one trailing newline dropped. */
size_t envexport_strip_newline(const char *s, size_t len);

/* The stateful side. */

typedef void envexport_skip_fn(const char *name, int err);

/* Paths are borrowed; DIR NULL: no files at all (start only takes ENVIRON,
 * refresh keeps it); SKIP (may be NULL) hears about each file of the
 * directory that was not loaded (-EFBIG, -EINVAL for a NUL byte, -E2BIG
 * past ENVEXPORT_VARS_MAX, open/read errors).  NULL only on ENOMEM. */
struct envexport *envexport_new(const char *dir, const char *sh_path, const char *json_path,
                                envexport_skip_fn *skip);
struct envexport *envexport_free(struct envexport *e);

/* Start-up: the environment is ENVIRON plus the directory's files for names
 * ENVIRON lacks (an image can bake defaults in); create the directory if
 * missing and write all three forms.  The current environment is set even
 * when writing fails.  Returns 0 or the first -errno. */
int envexport_start(struct envexport *e, char *const *environ);

/* Before each later step: the environment becomes the excluded variables of
 * the start-up environment plus the directory's files (so deleting a file
 * deletes the variable); rewrite .sh and .json.  A missing directory keeps
 * the current environment.  Returns 0 or -errno (environment unchanged when
 * the directory could not be read). */
int envexport_refresh(struct envexport *e);

/* The current environment, "NAME=VALUE" vector; valid until the next
 * start/refresh/free. */
char *const *envexport_env(const struct envexport *e);

#endif
