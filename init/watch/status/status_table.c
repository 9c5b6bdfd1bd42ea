/* status_table.c — the /status JSON as a table for a person.  See
 * status_table.h. */
#include "status_table.h"

#include "buf.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define STATUS_TABLE_RECENT 10

static const char *str(const cJSON *o, const char *k)
{
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));

        return s ? s : "";
}

static double num(const cJSON *o, const char *k)
{
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, k);

        return cJSON_IsNumber(n) ? cJSON_GetNumberValue(n) : 0;
}

/* Append S, control characters shown as '?', cut to W bytes and padded to W
 * (W 0: as is, no padding, newlines kept: layout text). */
static void put(struct buf *b, const char *s, size_t w)
{
        size_t n = 0;

        for (; *s && (!w || n < w); s++, n++) {
                bool ctl = (unsigned char)*s < 0x20 || *s == 0x7f;
                (void)buf_append(b, ctl && (w || *s != '\n') ? "?" : s, 1);
        }
        for (; n < w; n++)
                (void)buf_append(b, " ", 1);
        if (w)
                (void)buf_append(b, " ", 1);
}

static void putf(struct buf *b, size_t w, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void putf(struct buf *b, size_t w, const char *fmt, ...)
{
        char s[512];
        va_list ap;

        va_start(ap, fmt);
        (void)vsnprintf(s, sizeof(s), fmt, ap);
        va_end(ap);
        put(b, s, w);
}

static void age(char *dst, size_t n, double s)
{
        if (s < 120)
                snprintf(dst, n, "%.0fs", s);
        else if (s < 7200)
                snprintf(dst, n, "%.0fm", s / 60);
        else if (s < 172800)
                snprintf(dst, n, "%.0fh", s / 3600);
        else
                snprintf(dst, n, "%.0fd", s / 86400);
}

static void result_cell(struct buf *b, const cJSON *d, size_t w)
{
        char s[400];

        if (!d) {
                put(b, "-", w);
                return;
        }
        snprintf(s, sizeof(s), "%s: %s on %s", str(d, "event"), str(d, "status"), str(d, "target"));
        put(b, s, w);
}

int status_table(const char *text, struct buf *b)
{
        cJSON *root = cJSON_Parse(text), *eng, *ctr, *cs, *ds, *x;
        char a[32];
        int n;

        if (!root || !cJSON_IsObject(root) || !cJSON_IsObject(eng = cJSON_GetObjectItemCaseSensitive(root, "engine"))) {
                cJSON_Delete(root);
                return -EINVAL;
        }
        ctr = cJSON_GetObjectItemCaseSensitive(root, "counters");
        putf(b, 0, "controller %s (contrainer %s) on %s, API %s, event stream %s\n", str(root, "node"),
             str(root, "version"), str(eng, "socket"), str(eng, "api_version"),
             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(eng, "connected")) ? "live" : "DOWN");
        x = cJSON_GetObjectItemCaseSensitive(root, "scope");
        if (cJSON_GetArraySize(x) > 0) {
                put(b, "scope:", 0);
                for (int i = 0; i < cJSON_GetArraySize(x); i++)
                        putf(b, 0, "%s%s", i ? ", " : " ", cJSON_GetStringValue(cJSON_GetArrayItem(x, i)) ?: "");
                put(b, " (containers outside it are invisible here)\n", 0);
        }
        x = cJSON_GetObjectItemCaseSensitive(root, "unavailable");
        if (cJSON_GetArraySize(x) > 0) {
                put(b, "not available here:", 0);
                for (int i = 0; i < cJSON_GetArraySize(x); i++)
                        putf(b, 0, "%s%s", i ? ", " : " ", cJSON_GetStringValue(cJSON_GetArrayItem(x, i)) ?: "");
                put(b, "\n", 0);
        }
        x = cJSON_GetObjectItemCaseSensitive(ctr, "bodies");
        putf(b, 0, "events %.0f, scripts %.0f, bodies ok %.0f failed %.0f timeout %.0f overflow %.0f gone %.0f stopped %.0f error %.0f, "
             "denials %.0f, reconnects %.0f, reconciliations %.0f\n\n",
             num(ctr, "events"), num(ctr, "scripts"), num(x, "ok"), num(x, "failed"), num(x, "timeout"),
             num(x, "overflow"), num(x, "gone"), num(x, "stopped"), num(x, "error"), num(ctr, "denials"),
             num(ctr, "reconnects"), num(ctr, "reconciliations"));

        put(b, "CONTAINER", 24);
        put(b, "SCRIPT", 20);
        put(b, "ENTRIES", 24);
        put(b, "LAST RESULT", 44);
        put(b, "AGE\n", 0);
        cs = cJSON_GetObjectItemCaseSensitive(root, "containers");
        n = 0;
        for (int i = 0; i < cJSON_GetArraySize(cs); i++) {
                const cJSON *c = cJSON_GetArrayItem(cs, i);
                const cJSON *regs = cJSON_GetObjectItemCaseSensitive(c, "registrations");
                const cJSON *last = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "last_results"), 0);

                for (int r = 0; r < cJSON_GetArraySize(regs); r++, n++) {
                        const cJSON *g = cJSON_GetArrayItem(regs, r);
                        const char *sc = str(g, "script"), *sl = strrchr(sc, '/');

                        put(b, r ? "" : str(c, "name"), 24);
                        if (strcmp(str(g, "source"), "label") == 0)
                                putf(b, 20, "label:%s", sc);
                        else
                                put(b, sl ? sl + 1 : sc, 20);
                        put(b, str(g, "header")[0] ? str(g, "header") : "%me", 24);
                        result_cell(b, r ? NULL : last, 44);
                        if (!r && last) {
                                age(a, sizeof(a), num(last, "age_s"));
                                put(b, a, 0);
                        } else {
                                put(b, "-", 0);
                        }
                        put(b, "\n", 0);
                }
        }
        if (!n)
                put(b, "(no registrations)\n", 0);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "truncated")))
                put(b, "(more containers than the status answer holds: see --json)\n", 0);

        ds = cJSON_GetObjectItemCaseSensitive(root, "dispatches");
        n = cJSON_GetArraySize(ds);
        putf(b, 0, "\nlast %d dispatch(es), newest last:\n", n < STATUS_TABLE_RECENT ? n : STATUS_TABLE_RECENT);
        put(b, "AGE", 6);
        put(b, "REGISTRAR", 24);
        put(b, "EVENT", 12);
        put(b, "TARGET", 24);
        put(b, "PATH", 6);
        put(b, "STATUS", 16);
        put(b, "DURATION\n", 0);
        for (int i = n > STATUS_TABLE_RECENT ? n - STATUS_TABLE_RECENT : 0; i < n; i++) {
                const cJSON *d = cJSON_GetArrayItem(ds, i);
                age(a, sizeof(a), num(d, "age_s"));
                put(b, a, 6);
                put(b, str(d, "registrar"), 24);
                put(b, str(d, "event"), 12);
                put(b, str(d, "target"), 24);
                put(b, str(d, "path"), 6);
                put(b, str(d, "status"), 16);
                putf(b, 0, "%.3fs\n", num(d, "duration_ms") / 1000.0);
        }
        cJSON_Delete(root);
        return b->data ? 0 : -ENOMEM;
}
