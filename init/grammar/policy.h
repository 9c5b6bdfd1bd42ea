/* policy.h — the operator's `--allow GLOB=CLASSES` rules (docs/watch.md "Policy").
 * Owns: the rule list.  Does not own: logging denials (dispatch does).
 * Pure: no I/O, no globals, no logging; fuzzed. */
#ifndef CONTRAINER_POLICY_H
#define CONTRAINER_POLICY_H

#include <stdbool.h>

struct parse_error;
struct target;

enum policy_class {
        POLICY_ME = 1u << 0,
        POLICY_CONTAINERS = 1u << 1,
        POLICY_CONTRAINER = 1u << 2,
        POLICY_HOST = 1u << 3,
        POLICY_ALL = 0xfu,
};

struct policy;

/* An empty policy: every registrar may target only itself. NULL on ENOMEM. */
struct policy *policy_new(void);
struct policy *policy_free(struct policy *p);

/* Add one rule "GLOB=CLASSES" (CLASSES: comma list of me, containers,
 * contrainer, host; white space around items ignored).  Returns 0, -EINVAL
 * with *ERR filled (bad syntax, unknown class, empty glob, contrainer
 * without host: granting contrainer is granting host), -ENOMEM. */
int policy_add(struct policy *p, const char *rule, struct parse_error *err);

/* `--allow-all`: the rule "*=me,containers,contrainer,host". */
int policy_add_all(struct policy *p);

/* Union of the classes of every rule whose glob (fnmatch(3), no flags)
 * matches REGISTRAR_NAME, always including POLICY_ME. */
unsigned policy_classes(const struct policy *p, const char *registrar_name);

/* The classes a target needs, all of them (docs/watch.md "Policy"): me for the
 * registrar; host for %host; contrainer and host for %contrainer and for a
 * container with TRAIT_SELF; containers and host for a host-equivalent
 * container (TRAIT_HOSTEQ) or one not inspected (no TRAIT_KNOWN: fail
 * closed); containers for any other. */
unsigned policy_class_of(const struct target *t);

/* May REGISTRAR_NAME's registration run on T (its classes hold every class
 * policy_class_of(T) needs)? */
bool policy_allows(const struct policy *p, const char *registrar_name,
                   const struct target *t);

#endif
