/* header.c — the registration header grammar of docs/watch.md → an AST.
 * See header.h.
 *
 * White space (space, tab, CR) is ignored anywhere, even inside a word
 * ("%m e" is "%me", "ab c" is "abc"): the input is first compacted into a
 * copy without white space plus a map back to the original byte positions,
 * and a small recursive-descent parser runs over the copy.  Everything is
 * one linear pass with hard caps (HEADER_MAX_*), so a hostile script's
 * output costs at most O(HEADER_MAX_LEN). */
#include "header.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct parser {
        const char *s;        /* compacted input */
        size_t n;             /* its length */
        const uint32_t *map;  /* compacted index → original offset */
        size_t orig_len;      /* original length: the position of "end" */
        size_t i;             /* cursor in s */
        struct parse_error *err;
};

static bool is_ws(char c)
{
        return c == ' ' || c == '\t' || c == '\r';
}

static bool is_name_first(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_name_char(char c)
{
        return is_name_first(c) || c == '_' || c == '.' || c == '-';
}

static bool is_event_first(char c)
{
        return c >= 'a' && c <= 'z';
}

static bool is_event_char(char c)
{
        return is_event_first(c) || c == '_';
}

static int fail_at(struct parser *p, size_t i, const char *what)
{
        return parse_fail(p->err, i < p->n ? p->map[i] : p->orig_len, what);
}

static void entry_clear(struct header_entry *e)
{
        for (size_t i = 0; i < e->n_terms; i++)
                free(e->terms[i].name);
        free(e->terms);
        for (size_t i = 0; i < e->n_events; i++)
                free(e->events[i]);
        free(e->events);
        free(e->text);
        memset(e, 0, sizeof(*e));
}

struct header *header_free(struct header *h)
{
        if (!h)
                return NULL;
        for (size_t i = 0; i < h->n_entries; i++)
                entry_clear(&h->entries[i]);
        free(h->entries);
        free(h);
        return NULL;
}

/* Grow *V (element size SZ, capacity *CAP) so that it holds N+1 elements. */
static int grow(void **v, size_t *cap, size_t n, size_t sz)
{
        size_t ncap;
        void *nv;

        if (n + 1 <= *cap)
                return 0;
        ncap = *cap ? *cap * 2 : 4;
        nv = realloc(*v, ncap * sz);
        if (!nv)
                return -ENOMEM;
        *v = nv;
        *cap = ncap;
        return 0;
}

static int parse_term(struct parser *p, enum sel_op op, struct header_entry *e, size_t *cap)
{
        static const struct {
                const char *word;
                enum target_kind kind;
        } specials[] = {
                { "me", TK_ME },
                { "contrainer", TK_CONTRAINER },
                { "host", TK_HOST },
                { "all", TK_ALL },
        };
        size_t start = p->i, j;
        struct sel_term t = { .op = op };
        int r;

        if (e->n_terms >= HEADER_MAX_TERMS)
                return fail_at(p, start, "too many targets in one entry");

        if (start < p->n && p->s[start] == '%') {
                /* Read the whole word so "%me2" is an unknown target, not
                 * "%me" followed by garbage. */
                for (j = start + 1; j < p->n && is_name_char(p->s[j]); j++)
                        ;
                if (j == start + 1)
                        return fail_at(p, start, "expected a target after '%'");
                for (size_t k = 0;; k++) {
                        if (k == sizeof(specials) / sizeof(specials[0]))
                                return fail_at(p, start, "unknown %target");
                        if (strlen(specials[k].word) == j - start - 1 &&
                            memcmp(specials[k].word, p->s + start + 1, j - start - 1) == 0) {
                                t.kind = specials[k].kind;
                                break;
                        }
                }
        } else if (start < p->n && is_name_first(p->s[start])) {
                for (j = start + 1; j < p->n && is_name_char(p->s[j]); j++)
                        ;
                t.kind = TK_NAME;
                t.name = strndup(p->s + start, j - start);
                if (!t.name)
                        return -ENOMEM;
        } else {
                return fail_at(p, start, "expected a target");
        }

        r = grow((void **)&e->terms, cap, e->n_terms, sizeof(*e->terms));
        if (r < 0) {
                free(t.name);
                return r;
        }
        e->terms[e->n_terms++] = t;
        p->i = j;
        return 0;
}

static int parse_event(struct parser *p, struct header_entry *e, size_t *cap)
{
        size_t start = p->i, j;
        char *ev;
        int r;

        if (e->n_events >= HEADER_MAX_EVENTS)
                return fail_at(p, start, "too many events in one entry");
        if (start >= p->n || !is_event_first(p->s[start]))
                return fail_at(p, start, "expected an event name [a-z][a-z_]*");
        for (j = start + 1; j < p->n && is_event_char(p->s[j]); j++)
                ;
        /* events stays NULL-terminated: room for n_events + 2. */
        r = grow((void **)&e->events, cap, e->n_events + 1, sizeof(*e->events));
        if (r < 0)
                return r;
        ev = strndup(p->s + start, j - start);
        if (!ev)
                return -ENOMEM;
        e->events[e->n_events++] = ev;
        e->events[e->n_events] = NULL;
        p->i = j;
        return 0;
}

static int parse_entry(struct parser *p, struct header_entry *e)
{
        size_t start = p->i, tcap = 0, ecap = 0;
        enum sel_op op = SEL_FIRST;
        int r;

        if (start >= p->n || p->s[start] == ',')
                return fail_at(p, start, "empty entry");
        e->events = calloc(1, sizeof(*e->events));
        if (!e->events)
                return -ENOMEM;
        ecap = 1;

        for (;;) {
                r = parse_term(p, op, e, &tcap);
                if (r < 0)
                        return r;
                if (p->i >= p->n)
                        break;
                if (p->s[p->i] == '+')
                        op = SEL_ADD;
                else if (p->s[p->i] == '!' || p->s[p->i] == '~')
                        op = SEL_SUB;
                else
                        break;
                p->i++;
        }
        while (p->i < p->n && p->s[p->i] == ':') {
                p->i++;
                r = parse_event(p, e, &ecap);
                if (r < 0)
                        return r;
        }
        if (p->i < p->n && p->s[p->i] != ',')
                return fail_at(p, p->i, "unexpected character");

        e->text = strndup(p->s + start, p->i - start);
        if (!e->text)
                return -ENOMEM;
        return 0;
}

static int parse_entries(struct parser *p, struct header *h)
{
        size_t cap = 0;
        int r;

        for (;;) {
                if (h->n_entries >= HEADER_MAX_ENTRIES)
                        return fail_at(p, p->i, "too many entries");
                r = grow((void **)&h->entries, &cap, h->n_entries, sizeof(*h->entries));
                if (r < 0)
                        return r;
                memset(&h->entries[h->n_entries], 0, sizeof(h->entries[0]));
                /* Count it before parsing so header_free cleans a half-built entry. */
                h->n_entries++;
                r = parse_entry(p, &h->entries[h->n_entries - 1]);
                if (r < 0)
                        return r;
                if (p->i >= p->n)
                        return 0;
                p->i++;  /* the ',' */
        }
}

static const char empty_me[] = "%me";
static const uint32_t empty_me_map[sizeof(empty_me)];

int header_parse(const char *s, size_t len, struct header **ret, struct parse_error *err)
{
        struct parser p = { .orig_len = len, .err = err };
        struct header *h = NULL;
        char *c = NULL;
        uint32_t *map = NULL;
        size_t n = 0;
        int r;

        if (len > HEADER_MAX_LEN) {
                if (err) {
                        err->pos = HEADER_MAX_LEN;
                        err->what = "header too long";
                }
                return -EINVAL;
        }
        c = malloc(len + 1);
        map = malloc((len + 1) * sizeof(*map));
        h = calloc(1, sizeof(*h));
        if (!c || !map || !h) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < len; i++) {
                if (is_ws(s[i]))
                        continue;
                if (s[i] == '\0' || s[i] == '\n') {
                        if (err) {
                                err->pos = i;
                                err->what = s[i] ? "newline in header" : "NUL byte in header";
                        }
                        r = -EINVAL;
                        goto out;
                }
                c[n] = s[i];
                map[n++] = (uint32_t)i;
        }
        c[n] = '\0';

        if (n == 0) {
                /* docs/watch.md: an empty header means %me with no event. */
                p.s = empty_me;
                p.n = sizeof(empty_me) - 1;
                p.map = empty_me_map;
                p.orig_len = 0;
        } else {
                p.s = c;
                p.n = n;
                p.map = map;
        }
        r = parse_entries(&p, h);
        if (r < 0)
                goto out;
        *ret = h;
        h = NULL;
        r = 0;
out:
        header_free(h);
        free(c);
        free(map);
        return r;
}

bool header_entry_matches(const struct header_entry *entry, const char *action)
{
        size_t alen;

        if (!entry || !action || entry->n_events == 0)
                return false;
        alen = strcspn(action, ":");
        while (alen > 0 && (action[alen - 1] == ' ' || action[alen - 1] == '\t'))
                alen--;
        for (size_t i = 0; i < entry->n_events; i++)
                if (strlen(entry->events[i]) == alen && memcmp(entry->events[i], action, alen) == 0)
                        return true;
        return false;
}

struct text_ix {
        const char *text;
        size_t i;
};

static int text_ix_cmp(const void *a, const void *b)
{
        const struct text_ix *x = a, *y = b;
        int c = strcmp(x->text, y->text);

        return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Drop later repeats of an event inside E, keeping the first's place. */
static size_t merge_events(struct header_entry *e)
{
        size_t k = 0, dropped = 0;

        if (!e->events)
                return 0;
        for (size_t i = 0; i < e->n_events; i++) {
                bool seen = false;
                /* n_events <= HEADER_MAX_EVENTS: quadratic is bounded. */
                for (size_t j = 0; j < k && !seen; j++)
                        seen = strcmp(e->events[j], e->events[i]) == 0;
                if (seen) {
                        free(e->events[i]);
                        dropped++;
                } else {
                        e->events[k++] = e->events[i];
                }
        }
        e->events[k] = NULL;
        e->n_events = k;
        return dropped;
}

size_t header_merge_duplicates(struct header *h)
{
        struct text_ix *ix;
        bool *dup;
        size_t k = 0, dropped = 0;

        if (!h)
                return 0;
        for (size_t i = 0; i < h->n_entries; i++)
                (void)merge_events(&h->entries[i]);
        if (h->n_entries < 2)
                return 0;
        ix = malloc(h->n_entries * sizeof(*ix));
        dup = calloc(h->n_entries, sizeof(*dup));
        if (!ix || !dup) {
                free(ix);
                free(dup);
                return 0;  /* merging is an optimisation: without memory, keep all */
        }
        for (size_t i = 0; i < h->n_entries; i++)
                ix[i] = (struct text_ix){ h->entries[i].text, i };
        /* Sorted by text, then position: every repeat follows its first. */
        qsort(ix, h->n_entries, sizeof(*ix), text_ix_cmp);
        for (size_t i = 1; i < h->n_entries; i++)
                if (strcmp(ix[i].text, ix[i - 1].text) == 0)
                        dup[ix[i].i] = true;
        for (size_t i = 0; i < h->n_entries; i++) {
                if (dup[i]) {
                        entry_clear(&h->entries[i]);
                        dropped++;
                } else {
                        h->entries[k++] = h->entries[i];
                }
        }
        h->n_entries = k;
        free(ix);
        free(dup);
        return dropped;
}

int header_split_output(const char *out, size_t len,
                        const char **ret_hdr, size_t *ret_hdr_len,
                        const char **ret_body, size_t *ret_body_len,
                        struct parse_error *err)
{
        const char *nl, *nul;
        size_t hlen, bstart;

        if (len == 0) {
                /* memchr(NULL, c, 0) is undefined; an empty output is an
                 * empty header and an empty body. */
                *ret_hdr = *ret_body = out ? out : "";
                *ret_hdr_len = *ret_body_len = 0;
                return 0;
        }
        nul = memchr(out, '\0', len);
        if (nul) {
                if (err) {
                        err->pos = (size_t)(nul - out);
                        err->what = "NUL byte in output";
                }
                return -EINVAL;
        }
        nl = memchr(out, '\n', len);
        hlen = nl ? (size_t)(nl - out) : len;
        bstart = nl ? hlen + 1 : len;
        if (hlen > 0 && out[hlen - 1] == '\r')
                hlen--;
        if (hlen > HEADER_MAX_LEN) {
                if (err) {
                        err->pos = HEADER_MAX_LEN;
                        err->what = "header line too long";
                }
                return -EINVAL;
        }
        *ret_hdr = out;
        *ret_hdr_len = hlen;
        *ret_body = out + bstart;
        *ret_body_len = len - bstart;
        return 0;
}
