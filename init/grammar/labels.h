/* labels.h — a container's labels as the controller uses them
 * (docs/events.md "Environment" and "Label hooks"): the body environment's
 * CONTRAINER_LABEL_<KEY> variables, with their caps and key mangling, and
 * the label hooks `contrainer.hook.NAME.on` / `.run`, turned into the
 * output a script NAME would have printed.
 * Owns: the sort, the mangling, the caps, the hook key grammar and the
 * memory it returns.  Does not own: reading labels (inspect.c), registering
 * (enroll.c) or logging (callers log the reports).
 * Pure: no I/O, no globals, no logging; safe on any bytes (fuzzed).  Any
 * context (the collection worker calls it). */
#ifndef CONTRAINER_LABELS_H
#define CONTRAINER_LABELS_H

#include <stdbool.h>
#include <stddef.h>

#define LABEL_ENV_MAX 64           /* CONTRAINER_LABEL_* variables per container */
#define LABEL_VALUE_MAX 4096       /* bytes of a value given to bodies */
#define LABEL_ENV_PREFIX "CONTRAINER_LABEL_"
/* A variable's name stays under 128 bytes, which every dispatch path
 * passes on: longer keys are not given. */
#define LABEL_KEY_MAX (127 - (sizeof(LABEL_ENV_PREFIX) - 1))
#define LABEL_HOOK_PREFIX "contrainer.hook."
#define LABEL_HOOKS_MAX 256        /* label hooks per container (as scripts) */
#define LABEL_HOOK_NAME_MAX 255

struct label {
        const char *key;
        const char *value;
};

/* Sort V[0..N) byte-wise by key (keys are unique in a map; equal keys keep
 * no particular order). */
void labels_sort(struct label *v, size_t n);

/* What label_env left out. */
struct label_env_report {
        size_t n_over;             /* labels past LABEL_ENV_MAX, not given */
        size_t n_collisions;       /* keys dropped: same variable as an earlier key */
        const char *lost, *kept;   /* the first collision: its keys (borrowed from V) */
        size_t n_cut;              /* values cut at LABEL_VALUE_MAX */
        size_t n_long;             /* keys over LABEL_KEY_MAX bytes, not given */
};

/* The environment strings "CONTRAINER_LABEL_<KEY>=VALUE" of V[0..N),
 * sorted with labels_sort first: KEY upper-cased, every byte outside
 * [A-Z0-9] becomes '_'; on a collision the first key in byte order wins;
 * at most LABEL_ENV_MAX strings; values cut at LABEL_VALUE_MAX bytes;
 * keys longer than LABEL_KEY_MAX bytes left out.
 * *RET: a new NULL-terminated vector (strv_free).  0 or -ENOMEM. */
int label_env(const struct label *v, size_t n, char ***ret, struct label_env_report *rep);

/* One label hook: NAME and either the output a script NAME would have
 * printed (HEADER '\n' BODY) or why it registers nothing. */
struct label_hook {
        char *name;     /* NAME, or the key's text after the prefix when bad */
        char *out;      /* the output, or NULL */
        size_t len;
        char *reason;   /* NULL when OUT is set */
};

/* The hooks of V[0..N) (labels starting with LABEL_HOOK_PREFIX), in NAME
 * order when V is sorted.  A bad key (not NAME.on or NAME.run, NAME as a
 * header NAME), a missing half, a line break in the header, an output over
 * MAX_OUTPUT bytes, or more than LABEL_HOOKS_MAX hooks each yield one
 * failed hook with its reason; the others are unaffected.
 * *RET (free with label_hooks_free), *RET_N.  0 or -ENOMEM. */
int label_hooks(const struct label *v, size_t n, size_t max_output, struct label_hook **ret,
                size_t *ret_n);
void label_hooks_free(struct label_hook *h, size_t n);

#endif
