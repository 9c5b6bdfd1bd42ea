/* policy.c — the operator's `--allow GLOB=CLASSES` rules (docs/watch.md "Policy").
 * See policy.h.  Deny by default: with no rule a registrar reaches only
 * itself; rules only ever add classes (their union), so rule order does not
 * matter and no rule can take "me" away.  A target needs every class of its
 * policy_class_of mask: the host-equivalent containers need containers and
 * host, the controller (and what cannot be told apart from it) contrainer
 * and host, and a rule that grants contrainer must grant host too. */
#include "policy.h"

#include "header.h"
#include "parse_error.h"
#include "target.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* Caps on operator input: glibc's fnmatch backtracks on patterns like
 * "*a*a*a…", so a bounded pattern keeps every match cheap. */
#define POLICY_MAX_RULES 1024
#define POLICY_MAX_GLOB  256

struct rule {
        char *glob;
        unsigned classes;
};

struct policy {
        struct rule *v;
        size_t n;
};

struct policy *policy_new(void)
{
        return calloc(1, sizeof(struct policy));
}

struct policy *policy_free(struct policy *p)
{
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n; i++)
                free(p->v[i].glob);
        free(p->v);
        free(p);
        return NULL;
}

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim white space around RULE[*b..*e). */
static void trim(const char *rule, size_t *b, size_t *e)
{
        while (*b < *e && is_space(rule[*b]))
                (*b)++;
        while (*e > *b && is_space(rule[*e - 1]))
                (*e)--;
}

static int parse_classes(const char *rule, size_t b, size_t end, unsigned *ret,
                         struct parse_error *err)
{
        static const struct {
                const char *name;
                unsigned bit;
        } names[] = {
                { "me", POLICY_ME },
                { "containers", POLICY_CONTAINERS },
                { "contrainer", POLICY_CONTRAINER },
                { "host", POLICY_HOST },
        };
        unsigned classes = 0;

        for (;;) {
                const char *comma = memchr(rule + b, ',', end - b);
                size_t ie = comma ? (size_t)(comma - rule) : end, ib = b, k;

                trim(rule, &ib, &ie);
                if (ib == ie)
                        return parse_fail(err, ib, "expected a class (me, containers, contrainer, host)");
                for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
                        if (strlen(names[k].name) == ie - ib &&
                            memcmp(names[k].name, rule + ib, ie - ib) == 0)
                                break;
                if (k == sizeof(names) / sizeof(names[0]))
                        return parse_fail(err, ib, "unknown class (me, containers, contrainer, host)");
                classes |= names[k].bit;
                if (!comma)
                        break;
                b = (size_t)(comma - rule) + 1;
        }
        *ret = classes;
        return 0;
}

int policy_add(struct policy *p, const char *rule, struct parse_error *err)
{
        const char *eq;
        size_t len, gb = 0, ge;
        unsigned classes;
        struct rule *nv;
        char *glob;
        int r;

        if (!p || !rule)
                return parse_fail(err, 0, "expected GLOB=CLASSES");
        len = strlen(rule);
        eq = strchr(rule, '=');
        if (!eq)
                return parse_fail(err, len, "expected GLOB=CLASSES");
        ge = (size_t)(eq - rule);
        trim(rule, &gb, &ge);
        if (gb == ge)
                return parse_fail(err, gb, "empty glob");
        if (ge - gb > POLICY_MAX_GLOB)
                return parse_fail(err, gb + POLICY_MAX_GLOB, "glob too long");
        r = parse_classes(rule, (size_t)(eq - rule) + 1, len, &classes, err);
        if (r < 0)
                return r;
        /* A %contrainer body runs next to the Docker socket: granting
         * contrainer is granting host, so the rule must say so. */
        if ((classes & POLICY_CONTRAINER) && !(classes & POLICY_HOST))
                return parse_fail(err, (size_t)(eq - rule) + 1,
                            "the contrainer class is the host (its bodies hold the Docker socket): write contrainer,host");
        if (p->n >= POLICY_MAX_RULES)
                return parse_fail(err, 0, "too many rules");

        glob = strndup(rule + gb, ge - gb);
        if (!glob)
                return -ENOMEM;
        nv = realloc(p->v, (p->n + 1) * sizeof(*nv));
        if (!nv) {
                free(glob);
                return -ENOMEM;
        }
        p->v = nv;
        p->v[p->n++] = (struct rule){ glob, classes };
        return 0;
}

int policy_add_all(struct policy *p)
{
        return policy_add(p, "*=me,containers,contrainer,host", NULL);
}

unsigned policy_classes(const struct policy *p, const char *registrar_name)
{
        unsigned classes = POLICY_ME;

        if (!registrar_name)
                registrar_name = "";
        for (size_t i = 0; p && i < p->n; i++)
                if ((p->v[i].classes & ~classes) &&
                    fnmatch(p->v[i].glob, registrar_name, 0) == 0)
                        classes |= p->v[i].classes;
        return classes;
}

unsigned policy_class_of(const struct target *t)
{
        if (t->is_me)
                return POLICY_ME;
        switch (t->type) {
        case TT_HOST:
                return POLICY_HOST;
        case TT_CONTRAINER:
                return POLICY_CONTRAINER | POLICY_HOST;
        case TT_CONTAINER:
        default:
                if (t->traits & TRAIT_SELF)
                        return POLICY_CONTRAINER | POLICY_HOST;
                /* Not inspected (yet): fail closed, as if host-equivalent. */
                if ((t->traits & TRAIT_HOSTEQ) || !(t->traits & TRAIT_KNOWN))
                        return POLICY_CONTAINERS | POLICY_HOST;
                return POLICY_CONTAINERS;
        }
}

bool policy_allows(const struct policy *p, const char *registrar_name,
                   const struct target *t)
{
        unsigned need = policy_class_of(t);

        return (policy_classes(p, registrar_name) & need) == need;
}
