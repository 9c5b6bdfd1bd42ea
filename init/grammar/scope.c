/* scope.c — --scope filters.  See scope.h. */
#include "scope.h"

#include "strv.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scope {
        char **labels;        /* "KEY" or "KEY=VALUE" */
        regex_t *names;
        size_t n_labels, n_names;
        char *text;
};

struct scope *scope_new(void)
{
        struct scope *s = calloc(1, sizeof(*s));

        if (s && !(s->text = strdup(""))) {
                free(s);
                return NULL;
        }
        return s;
}

struct scope *scope_free(struct scope *s)
{
        if (!s)
                return NULL;
        strv_free(s->labels);
        for (size_t i = 0; i < s->n_names; i++)
                regfree(&s->names[i]);
        free(s->names);
        free(s->text);
        free(s);
        return NULL;
}

static int add_text(struct scope *s, const char *filter)
{
        size_t tl = strlen(s->text), fl = strlen(filter);
        char *t = realloc(s->text, tl + (tl ? 2 : 0) + fl + 1);

        if (!t)
                return -ENOMEM;
        if (tl)
                memcpy(t + tl, ", ", 2), tl += 2;
        memcpy(t + tl, filter, fl + 1);
        s->text = t;
        return 0;
}

static int bad(char *err, size_t errsz, const char *filter, const char *why)
{
        char shown[204];
        size_t i;

        /* the filter as given, control bytes shown as '?': one line */
        for (i = 0; filter[i] && i < 200; i++)
                shown[i] = (unsigned char)filter[i] < 0x20 || filter[i] == 0x7f ? '?' : filter[i];
        shown[i] = '\0';
        if (err && errsz)
                snprintf(err, errsz, "--scope '%s': %s", shown, why);
        return -EINVAL;
}

int scope_add(struct scope *s, const char *filter, char *err, size_t errsz)
{
        const char *eq = strchr(filter, '='), *v;
        size_t fl = strlen(filter);

        if (s->n_labels + s->n_names >= SCOPE_MAX_FILTERS)
                return bad(err, errsz, filter, "too many --scope filters (at most 64)");
        if (fl > SCOPE_FILTER_MAX)
                return bad(err, errsz, filter, "longer than 1024 bytes");
        for (const char *p = filter; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return bad(err, errsz, filter, "holds a control character");
        if (!eq)
                return bad(err, errsz, filter, "not Docker's filter syntax KEY=VALUE (label=KEY, label=KEY=VALUE or name=REGEX)");
        v = eq + 1;
        if ((size_t)(eq - filter) == 5 && strncmp(filter, "label", 5) == 0) {
                if (!*v || *v == '=')
                        return bad(err, errsz, filter, "label= needs a KEY (label=KEY or label=KEY=VALUE)");
                if (strv_push(&s->labels, v) < 0)
                        return -ENOMEM;
                s->n_labels++;
        } else if ((size_t)(eq - filter) == 4 && strncmp(filter, "name", 4) == 0) {
                regex_t *nv;
                int r;

                if (!*v)
                        return bad(err, errsz, filter, "name= needs a pattern");
                nv = realloc(s->names, (s->n_names + 1) * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                s->names = nv;
                r = regcomp(&s->names[s->n_names], v, REG_EXTENDED | REG_NOSUB);
                if (r == REG_ESPACE)
                        return -ENOMEM;
                if (r != 0) {
                        char why[200], msg[160];

                        regerror(r, NULL, msg, sizeof(msg));
                        snprintf(why, sizeof(why), "name= needs a regular expression: %s", msg);
                        return bad(err, errsz, filter, why);
                }
                s->n_names++;
        } else {
                return bad(err, errsz, filter, "unsupported key: only label= and name= can scope a controller");
        }
        return add_text(s, filter);
}

bool scope_empty(const struct scope *s)
{
        return !s || (s->n_labels == 0 && s->n_names == 0);
}

char *const *scope_labels(const struct scope *s)
{
        static char *const none[] = { NULL };

        return s && s->labels ? s->labels : none;
}

bool scope_has_names(const struct scope *s)
{
        return s && s->n_names > 0;
}

bool scope_name_ok(const struct scope *s, const char *name)
{
        char slashed[300];

        if (!s || s->n_names == 0)
                return true;
        snprintf(slashed, sizeof(slashed), "/%s", name);
        for (size_t i = 0; i < s->n_names; i++)
                if (regexec(&s->names[i], name, 0, NULL, 0) == 0 ||
                    regexec(&s->names[i], slashed, 0, NULL, 0) == 0)
                        return true;
        return false;
}

bool scope_labels_ok(const struct scope *s, char *const *keys, char *const *values, size_t n)
{
        for (size_t i = 0; s && i < s->n_labels; i++) {
                const char *f = s->labels[i], *eq = strchr(f, '=');
                size_t kl = eq ? (size_t)(eq - f) : strlen(f);
                bool ok = false;

                for (size_t j = 0; j < n && !ok; j++)
                        ok = strlen(keys[j]) == kl && memcmp(keys[j], f, kl) == 0 &&
                             (!eq || strcmp(values[j], eq + 1) == 0);
                if (!ok)
                        return false;
        }
        return true;
}

const char *scope_text(const struct scope *s)
{
        return s ? s->text : "";
}
