/* events.c — the Engine's /events stream: bytes → lines → struct event.
 * See events.h.
 *
 * timeNano (~1.8e18) is beyond a double's exact integers (2^53), and cJSON
 * keeps numbers only as double (ENGINE-NOTES "Precision trap": jq 1.6
 * turned …518571711 into …518571800).  So the digits are read from the raw
 * text of the top-level "timeNano" member, found by a small scanner that
 * skips nested values (a label called timeNano inside Actor.Attributes must
 * not be taken), and cross-checked against the double cJSON read for the
 * same member. */
#include "events.h"

#include "buf.h"
#include "header.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(struct parse_error *err, size_t pos, const char *what)
{
        if (err) {
                err->pos = pos;
                err->what = what;
        }
        return -EINVAL;
}

/* ---- raw scanner over JSON text that cJSON has already accepted -------- */

/* cJSON's own notion of white space (cJSON.c buffer_skip_whitespace). */
static const char *skip_ws(const char *p)
{
        while (*p && (unsigned char)*p <= 32)
                p++;
        return p;
}

/* P at '"': the byte after the closing quote, or NULL. */
static const char *skip_string(const char *p)
{
        for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && !*++p)
                        return NULL;
        return *p ? p + 1 : NULL;
}

static const char *skip_value(const char *p)
{
        size_t depth = 0;

        if (*p == '"')
                return skip_string(p);
        if (*p != '{' && *p != '[') {
                while (*p && *p != ',' && *p != '}' && *p != ']' && (unsigned char)*p > 32)
                        p++;
                return p;
        }
        while (*p) {
                if (*p == '"') {
                        p = skip_string(p);
                        if (!p)
                                return NULL;
                        continue;
                }
                if (*p == '{' || *p == '[') {
                        depth++;
                } else if (*p == '}' || *p == ']') {
                        if (--depth == 0)
                                return p + 1;
                }
                p++;
        }
        return NULL;
}

/* The start of the value of the first member KEY of the top-level object in
 * S (NUL-terminated), or NULL.  Keys are compared as written (an escaped key
 * is not found; the caller's cross-check then rejects the digits path). */
static const char *find_top_member(const char *s, const char *key)
{
        size_t klen = strlen(key);
        const char *p = skip_ws(s);

        if (*p != '{')
                return NULL;
        p++;
        for (;;) {
                const char *k, *q;

                p = skip_ws(p);
                if (*p != '"')
                        return NULL;
                k = p + 1;
                q = skip_string(p);
                if (!q)
                        return NULL;
                p = skip_ws(q);
                if (*p != ':')
                        return NULL;
                p = skip_ws(p + 1);
                if ((size_t)(q - 1 - k) == klen && memcmp(k, key, klen) == 0)
                        return p;
                p = skip_value(p);
                if (!p)
                        return NULL;
                p = skip_ws(p);
                if (*p != ',')
                        return NULL;
                p++;
        }
}

/* Plain decimal digits at P, ending at a JSON delimiter, into *RET. */
static bool parse_u64_digits(const char *p, uint64_t *ret)
{
        uint64_t v = 0;
        const char *b = p;

        for (; *p >= '0' && *p <= '9'; p++) {
                unsigned d = (unsigned)(*p - '0');

                if (v > (UINT64_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        if (p == b || *p == '.' || *p == 'e' || *p == 'E')
                return false;
        *ret = v;
        return true;
}

/* ---- event_parse ------------------------------------------------------- */

static int copy_str(char *dst, size_t dstsz, const char *src)
{
        size_t n = strlen(src);

        if (n >= dstsz)
                return -EINVAL;
        memcpy(dst, src, n + 1);
        return 0;
}

static const char *get_str(const cJSON *obj, const char *key)
{
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

        return cJSON_IsString(it) ? cJSON_GetStringValue(it) : NULL;
}

/* exitCode is a string in Actor.Attributes (map[string]string); accept a
 * number too.  Anything else reads as "no exit code", not an error. */
static bool parse_exit_code(const cJSON *it, int *ret)
{
        const char *s;
        long v = 0;
        bool neg;

        if (cJSON_IsNumber(it)) {
                double d = cJSON_GetNumberValue(it);

                if (!(d >= INT_MIN && d <= INT_MAX) || d != (double)(int)d)
                        return false;
                *ret = (int)d;
                return true;
        }
        if (!cJSON_IsString(it))
                return false;
        s = cJSON_GetStringValue(it);
        neg = *s == '-';
        s += neg;
        if (!*s)
                return false;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return false;
                v = v * 10 + (*s - '0');
                if (v > (long)INT_MAX + 1)
                        return false;
        }
        if (!neg && v > INT_MAX)
                return false;
        *ret = (int)(neg ? -v : v);
        return true;
}

static int parse_time(const char *text, const cJSON *root, uint64_t *ret, struct parse_error *err)
{
        const cJSON *tn = cJSON_GetObjectItemCaseSensitive(root, "timeNano");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "time");

        if (tn) {
                const char *raw;
                uint64_t v;
                double d;

                if (!cJSON_IsNumber(tn))
                        return fail(err, 0, "timeNano is not a number");
                d = cJSON_GetNumberValue(tn);
                raw = find_top_member(text, "timeNano");
                /* Same member as cJSON's?  Then its correctly rounded double
                 * equals the one cJSON's strtod produced. */
                if (raw && parse_u64_digits(raw, &v) && (double)v == d) {
                        *ret = v;
                        return 0;
                }
                if (d >= 0 && d <= 9007199254740992.0 && d == (double)(uint64_t)d) {
                        *ret = (uint64_t)d;
                        return 0;
                }
                return fail(err, raw ? (size_t)(raw - text) : 0,
                            "timeNano is not an exact non-negative integer");
        }
        if (t) {
                double d;

                if (!cJSON_IsNumber(t))
                        return fail(err, 0, "time is not a number");
                d = cJSON_GetNumberValue(t);
                /* Seconds: < 1.8e10 keeps the product below 2^64. */
                if (!(d >= 0 && d < 1.8e10) || d != (double)(uint64_t)d)
                        return fail(err, 0, "time is not a non-negative integer");
                *ret = (uint64_t)d * UINT64_C(1000000000);
                return 0;
        }
        return fail(err, 0, "missing timeNano");
}

static int fill_event(const char *text, const cJSON *root, struct event *ev, struct parse_error *err)
{
        const cJSON *actor, *attrs, *it;
        const char *type, *action, *id, *s;
        size_t alen;
        int r;

        if (!cJSON_IsObject(root))
                return fail(err, 0, "event is not a JSON object");
        type = get_str(root, "Type");
        if (!type)
                return fail(err, 0, "missing Type");
        if (copy_str(ev->type, sizeof(ev->type), type) < 0)
                return fail(err, 0, "Type too long");

        action = get_str(root, "Action");
        if (!action)
                return fail(err, 0, "missing Action");
        /* "exec_start: sh -c …" is exec_start (ENGINE-NOTES, SPEC §2.3a). */
        alen = strcspn(action, ":");
        while (alen > 0 && (action[alen - 1] == ' ' || action[alen - 1] == '\t'))
                alen--;
        if (alen >= sizeof(ev->action))
                return fail(err, 0, "Action too long");
        memcpy(ev->action, action, alen);
        ev->action[alen] = '\0';
        /* "health_status: unhealthy": the state is the text after ':'
         * (docs/events.md "Events"). */
        if (strcmp(ev->action, "health_status") == 0 && action[strcspn(action, ":")] == ':') {
                const char *h = action + strcspn(action, ":") + 1;
                size_t hl;

                while (*h == ' ' || *h == '\t')
                        h++;
                hl = strlen(h);
                while (hl > 0 && (h[hl - 1] == ' ' || h[hl - 1] == '\t'))
                        hl--;
                if (hl >= sizeof(ev->health)) {
                        snprintf(ev->health, sizeof(ev->health), "?");
                } else {
                        memcpy(ev->health, h, hl);
                        ev->health[hl] = '\0';
                }
        }

        actor = cJSON_GetObjectItemCaseSensitive(root, "Actor");
        if (!cJSON_IsObject(actor))
                return fail(err, 0, "missing Actor");
        id = get_str(actor, "ID");
        if (!id)
                return fail(err, 0, "missing Actor.ID");
        if (copy_str(ev->id, sizeof(ev->id), id) < 0)
                return fail(err, 0, "Actor.ID too long");

        attrs = cJSON_GetObjectItemCaseSensitive(actor, "Attributes");
        if (cJSON_IsObject(attrs)) {
                s = get_str(attrs, "name");
                if (s) {
                        if (*s == '/')
                                s++;
                        if (copy_str(ev->name, sizeof(ev->name), s) < 0)
                                return fail(err, 0, "Actor.Attributes.name too long");
                }
                s = get_str(attrs, "execID");
                if (s && copy_str(ev->exec_id, sizeof(ev->exec_id), s) < 0)
                        return fail(err, 0, "Actor.Attributes.execID too long");
                /* Facts for the body's environment: cut to fit, never an
                 * error (a long image reference must not lose the event). */
                s = get_str(attrs, "image");
                if (s)
                        snprintf(ev->image, sizeof(ev->image), "%s", s);
                s = get_str(attrs, "signal");
                if (s && strlen(s) < sizeof(ev->signal))
                        snprintf(ev->signal, sizeof(ev->signal), "%s", s);
                s = get_str(attrs, "oldName");
                if (s)
                        snprintf(ev->old_name, sizeof(ev->old_name), "%s", *s == '/' ? s + 1 : s);
                it = cJSON_GetObjectItemCaseSensitive(attrs, "exitCode");
                if (it)
                        ev->has_exit_code = parse_exit_code(it, &ev->exit_code);
        }

        r = parse_time(text, root, &ev->time_nano, err);
        if (r < 0)
                return r;
        return 0;
}

int event_parse(const char *line, size_t len, struct event *ret, struct parse_error *err)
{
        const char *nul, *end = NULL;
        struct event ev = { 0 };
        cJSON *root = NULL;
        char *text = NULL;
        int r;

        if (len > EVENT_LINE_MAX)
                return fail(err, EVENT_LINE_MAX, "event line too long");
        nul = len ? memchr(line, '\0', len) : NULL;
        if (nul)
                return fail(err, (size_t)(nul - line), "NUL byte in event");
        /* A NUL-terminated private copy: the raw scanner relies on the
         * terminator, and the line may be a view into a bigger buffer. */
        text = malloc(len + 1);
        if (!text)
                return -ENOMEM;
        if (len)
                memcpy(text, line, len);
        text[len] = '\0';

        root = cJSON_ParseWithOpts(text, &end, 1);
        if (!root) {
                /* cJSON returns NULL for ENOMEM too; a 1 MB line cannot tell
                 * the two apart, and "invalid JSON" is the likely one. */
                r = fail(err, end && end >= text && end <= text + len ? (size_t)(end - text) : 0,
                         "invalid JSON");
                goto out;
        }
        r = fill_event(text, root, &ev, err);
        if (r < 0)
                goto out;
        *ret = ev;
        r = 0;
out:
        cJSON_Delete(root);
        free(text);
        return r;
}

bool event_health_known(const char *h)
{
        return strcmp(h, "healthy") == 0 || strcmp(h, "unhealthy") == 0 ||
               strcmp(h, "starting") == 0;
}

bool event_same(const struct event *a, const struct event *b)
{
        return a->time_nano == b->time_nano && strcmp(a->id, b->id) == 0 &&
               strcmp(a->action, b->action) == 0;
}

void event_format_since(uint64_t time_nano, char *dst, size_t dstsz)
{
        if (!dst || dstsz == 0)
                return;
        snprintf(dst, dstsz, "%" PRIu64 ".%09" PRIu64, time_nano / UINT64_C(1000000000),
                 time_nano % UINT64_C(1000000000));
}

/* ---- line splitter ----------------------------------------------------- */

struct line_splitter {
        struct buf partial;  /* the start of a line whose '\n' has not come yet */
        size_t max;
        bool skipping;       /* inside an over-long line: drop up to its '\n' */
};

struct line_splitter *line_splitter_new(size_t max_line)
{
        struct line_splitter *ls = calloc(1, sizeof(*ls));

        if (!ls)
                return NULL;
        ls->max = max_line ? max_line : EVENT_LINE_MAX;
        buf_init(&ls->partial, ls->max);
        return ls;
}

struct line_splitter *line_splitter_free(struct line_splitter *ls)
{
        if (!ls)
                return NULL;
        buf_free(&ls->partial);
        free(ls);
        return NULL;
}

void line_splitter_reset(struct line_splitter *ls)
{
        if (!ls)
                return;
        buf_reset(&ls->partial);
        ls->skipping = false;
}

static int emit(const char *line, size_t len,
                int (*cb)(void *userdata, const char *line, size_t len), void *userdata)
{
        if (len > 0 && line[len - 1] == '\r')
                len--;
        if (len == 0)
                return 0;
        return cb(userdata, line, len);
}

int line_splitter_feed(struct line_splitter *ls, const char *data, size_t len,
                       int (*cb)(void *userdata, const char *line, size_t len),
                       void *userdata, size_t *ret_dropped)
{
        size_t dropped = 0;
        int r = 0;

        while (len > 0) {
                const char *nl = memchr(data, '\n', len);
                size_t k = nl ? (size_t)(nl - data) : len;

                if (ls->skipping) {
                        /* already counted when the line first overflowed */
                } else if (ls->partial.len + k > ls->max) {
                        dropped++;
                        buf_reset(&ls->partial);
                        ls->skipping = true;
                } else if (!nl) {
                        r = buf_append(&ls->partial, data, k);
                        if (r < 0)
                                goto out;
                } else if (ls->partial.len == 0) {
                        /* the common case: a whole line inside one chunk, no copy */
                        r = emit(data, k, cb, userdata);
                        if (r < 0)
                                goto out;
                } else {
                        r = buf_append(&ls->partial, data, k);
                        if (r < 0)
                                goto out;
                        r = emit(ls->partial.data, ls->partial.len, cb, userdata);
                        buf_reset(&ls->partial);
                        if (r < 0)
                                goto out;
                }
                if (nl) {
                        ls->skipping = false;
                        k++;
                }
                data += k;
                len -= k;
        }
        r = 0;
out:
        if (ret_dropped)
                *ret_dropped += dropped;
        return r;
}
