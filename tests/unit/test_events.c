/* test_events.c — Engine /events lines → struct event, against events
 * recorded from a real dockerd (tests/fixtures/events-lifecycle.jsonl: a
 * busybox container created, started, exec'd, renamed, restarted, stopped
 * and removed; the .expected file holds the values read by Python, whose
 * JSON integers are exact), the timeNano precision trap, malformed input,
 * `since` formatting and the line splitter. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "header.h"
#include "events.h"

static const char *fixture(const char *name)
{
        static char path[512];
        const char *dir = getenv("CONTRAINER_FIXTURES");

        snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures", name);
        return path;
}

static char *slurp(const char *name, size_t *ret_len)
{
        FILE *f = fopen(fixture(name), "rbe");
        char *data;
        long n;

        cr_assert_not_null(f, "fixture %s (run from the repository root)", fixture(name));
        cr_assert_eq(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        cr_assert_geq(n, 0);
        rewind(f);
        data = malloc((size_t)n + 1);
        cr_assert_eq(fread(data, 1, (size_t)n, f), (size_t)n);
        data[n] = '\0';
        fclose(f);
        *ret_len = (size_t)n;
        return data;
}

static int parse_str(const char *s, struct event *ev, struct parse_error *err)
{
        return event_parse(s, strlen(s), ev, err);
}

/* ---- recorded events --------------------------------------------------- */

Test(events, parses_every_recorded_event_exactly)
{
        size_t jl, el, n = 0;
        char *json = slurp("events-lifecycle.jsonl", &jl);
        char *exp = slurp("events-lifecycle.expected", &el);
        char *jsave, *esave;
        char *line = strtok_r(json, "\n", &jsave);
        char *want = strtok_r(exp, "\n", &esave);

        for (; line && want; line = strtok_r(NULL, "\n", &jsave), want = strtok_r(NULL, "\n", &esave)) {
                struct event ev;
                struct parse_error err = { 0 };
                char got[1024];

                cr_assert_eq(parse_str(line, &ev, &err), 0, "line %zu: %s at %zu", n + 1,
                             err.what, err.pos);
                snprintf(got, sizeof(got), "%s\t%s\t%s\t%s\t%s\t%s\t%" PRIu64, ev.type, ev.action,
                         ev.id, ev.name, ev.exec_id, "-", ev.time_nano);
                if (ev.has_exit_code) {
                        char code[16];
                        char *tab = got;

                        snprintf(code, sizeof(code), "%d", ev.exit_code);
                        /* replace the "-" placeholder (6th field) */
                        for (int f = 0; f < 5; f++)
                                tab = strchr(tab, '\t') + 1;
                        memmove(tab + strlen(code), tab + 1, strlen(tab + 1) + 1);
                        memcpy(tab, code, strlen(code));
                }
                cr_assert_str_eq(got, want, "line %zu", n + 1);
                n++;
        }
        cr_assert_null(line);
        cr_assert_null(want);
        cr_assert_eq(n, 24);
        free(json);
        free(exp);
}

Test(events, recorded_label_called_timenano_does_not_fool_the_parser)
{
        size_t len;
        char *json = slurp("events-lifecycle.jsonl", &len);
        char *nl = strchr(json, '\n');
        struct event ev;

        /* The first recorded event carries the label timeNano=1 before the
         * top-level timeNano. */
        cr_assert(strstr(json, "\"timeNano\":\"1\"") < nl);
        cr_assert_eq(event_parse(json, (size_t)(nl - json), &ev, NULL), 0);
        cr_assert_eq(ev.time_nano, UINT64_C(1795433529514728734));
        free(json);
}

/* ---- timeNano exactness ----------------------------------------------- */

struct time_case {
        const char *json;
        uint64_t want;
};

#define EV(rest) "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"abc\"}" rest "}"

static const struct time_case time_cases[] = {
        { EV(",\"timeNano\":1700000000518571711"), UINT64_C(1700000000518571711) },
        { EV(",\"time\":1700000000,\"timeNano\":1700000000518571711"), UINT64_C(1700000000518571711) },
        { EV(",\"timeNano\":1700000000518571711,\"time\":1"), UINT64_C(1700000000518571711) },
        { "{\"timeNano\":1700000000518571799,\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"abc\"}}",
          UINT64_C(1700000000518571799) },
        { EV(",\"x\":{\"timeNano\":5},\"timeNano\":1700000000518571711"), UINT64_C(1700000000518571711) },
        { EV(",\"x\":[{\"timeNano\":5}],\"timeNano\":1700000000518571711"), UINT64_C(1700000000518571711) },
        { EV(",\"x\":\"\\\"timeNano\\\":5,\",\"timeNano\":1700000000518571711"), UINT64_C(1700000000518571711) },
        { EV(",\"timeNanoX\":5,\"timeNano\":1700000000518571711"), UINT64_C(1700000000518571711) },
        { EV(" , \"timeNano\" : 1700000000518571711 "), UINT64_C(1700000000518571711) },
        { EV(",\"time\":1700000000"), UINT64_C(1700000000000000000) },
        { EV(",\"timeNano\":0"), 0 },
        { EV(",\"timeNano\":18446744073709551615"), UINT64_MAX },
        { EV(",\"time\\u004eano\":12345"), 12345 },  /* escaped key, small value: exact via double */
};

static struct criterion_test_params index_params(size_t n)
{
        size_t *idx = cr_malloc(n * sizeof(*idx));

        for (size_t i = 0; i < n; i++)
                idx[i] = i;
        return cr_make_param_array(size_t, idx, n, NULL);
}

ParameterizedTestParameters(events, reads_timenano_exactly)
{
        return index_params(sizeof(time_cases) / sizeof(time_cases[0]));
}

ParameterizedTest(size_t *i, events, reads_timenano_exactly)
{
        const struct time_case *c = &time_cases[*i];
        struct parse_error err = { 0 };
        struct event ev;

        cr_assert_eq(parse_str(c->json, &ev, &err), 0, "%s: %s", c->json, err.what);
        cr_assert_eq(ev.time_nano, c->want, "%s: %" PRIu64, c->json, ev.time_nano);
}

/* ---- malformed input -------------------------------------------------- */

struct bad_case {
        const char *json;
        const char *what;
};

static const struct bad_case bad_cases[] = {
        { "", "invalid JSON" },
        { "{", "invalid JSON" },
        { "not json", "invalid JSON" },
        { EV(",\"timeNano\":1") " trailing", "invalid JSON" },
        { "[]", "not a JSON object" },
        { "42", "not a JSON object" },
        { "{\"Action\":\"start\",\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}", "missing Type" },
        { "{\"Type\":7,\"Action\":\"start\",\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}", "missing Type" },
        { "{\"Type\":\"container\",\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}", "missing Action" },
        { "{\"Type\":\"container\",\"Action\":null,\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}", "missing Action" },
        { "{\"Type\":\"container\",\"Action\":\"start\",\"timeNano\":1}", "missing Actor" },
        { "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":[],\"timeNano\":1}", "missing Actor" },
        { "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{},\"timeNano\":1}", "missing Actor.ID" },
        { "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":1},\"timeNano\":1}", "missing Actor.ID" },
        { EV(""), "missing timeNano" },
        { EV(",\"timeNano\":\"1700000000518571711\""), "timeNano is not a number" },
        { EV(",\"timeNano\":-1"), "timeNano" },
        { EV(",\"timeNano\":1.5"), "timeNano" },
        { EV(",\"timeNano\":1e300"), "timeNano" },
        { EV(",\"timeNano\":18446744073709551616"), "timeNano" },
        { EV(",\"time\":\"1\""), "time is not a number" },
        { EV(",\"time\":-5"), "time" },
        { EV(",\"time\":1e20"), "time" },
        { "{\"Type\":\"containerxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"Action\":\"start\",\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}",
          "Type too long" },
        { "{\"Type\":\"container\",\"Action\":\"startxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx: x\",\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}",
          "Action too long" },
        { "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},\"timeNano\":1}",
          "Actor.ID too long" },
};

ParameterizedTestParameters(events, rejects_malformed_events)
{
        return index_params(sizeof(bad_cases) / sizeof(bad_cases[0]));
}

ParameterizedTest(size_t *i, events, rejects_malformed_events)
{
        const struct bad_case *c = &bad_cases[*i];
        struct parse_error err = { 0, NULL };
        struct event ev;

        memset(&ev, 0x5a, sizeof(ev));
        cr_assert_eq(parse_str(c->json, &ev, &err), -EINVAL, "%s", c->json);
        cr_assert_not_null(err.what);
        cr_assert(strstr(err.what, c->what), "%s: '%s', want '%s'", c->json, err.what, c->what);
        cr_assert_eq(ev.type[0], 0x5a, "ret written on failure");
}

Test(events, reports_the_position_of_a_json_error)
{
        static const char s[] = "{\"Type\":\"container\",,}";
        struct parse_error err;
        struct event ev;

        cr_assert_eq(event_parse(s, sizeof(s) - 1, &ev, &err), -EINVAL);
        /* cJSON points at or just after the stray second ',' (offset 20) */
        cr_assert(err.pos >= 20 && err.pos <= 21, "at %zu", err.pos);
}

Test(events, rejects_nul_bytes_with_their_position)
{
        static const char s[] = EV(",\"timeNano\":1");
        char buf[sizeof(s)];
        struct parse_error err;
        struct event ev;

        memcpy(buf, s, sizeof(s));
        buf[10] = '\0';
        cr_assert_eq(event_parse(buf, sizeof(s) - 1, &ev, &err), -EINVAL);
        cr_assert_eq(err.pos, 10);
        cr_assert(strstr(err.what, "NUL"));
}

Test(events, survives_invalid_utf8)
{
        static const char s[] = "{\"Type\":\"container\",\"Action\":\"st\xff\xfe\",\"Actor\":{\"ID\":\"\xc3\x28\","
                                "\"Attributes\":{\"name\":\"/\xed\xa0\x80x\"}},\"timeNano\":1}";
        struct event ev;

        cr_assert_eq(event_parse(s, sizeof(s) - 1, &ev, NULL), 0);
        cr_assert_str_eq(ev.action, "st\xff\xfe");
        cr_assert_str_eq(ev.name, "\xed\xa0\x80x");
}

Test(events, does_not_read_past_the_given_length)
{
        /* A line that is a view into a bigger buffer: only LEN bytes count. */
        static const char s[] = EV(",\"timeNano\":1") "GARBAGE";
        struct event ev;

        cr_assert_eq(event_parse(s, sizeof(s) - 1 - 7, &ev, NULL), 0);
        cr_assert_eq(ev.time_nano, 1);
}

Test(events, rejects_lines_over_the_limit)
{
        struct parse_error err;
        struct event ev;

        cr_assert_eq(event_parse("{}", EVENT_LINE_MAX + 1, &ev, &err), -EINVAL);
        cr_assert(strstr(err.what, "too long"));
}

/* ---- fields ----------------------------------------------------------- */

Test(events, names_lose_the_leading_slash)
{
        struct event ev;

        cr_assert_eq(parse_str(EV(",\"timeNano\":1,\"Actor\":{\"ID\":\"a\",\"Attributes\":{\"name\":\"/web\"}}"),
                               &ev, NULL), 0);
        /* duplicate Actor: cJSON takes the first, which has no Attributes */
        cr_assert_str_eq(ev.name, "");
        cr_assert_eq(parse_str("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"a\","
                               "\"Attributes\":{\"name\":\"/web\"}},\"timeNano\":1}", &ev, NULL), 0);
        cr_assert_str_eq(ev.name, "web");
        cr_assert_eq(parse_str("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"a\","
                               "\"Attributes\":{\"name\":\"web\"}},\"timeNano\":1}", &ev, NULL), 0);
        cr_assert_str_eq(ev.name, "web");
}

Test(events, action_keeps_its_text_before_the_colon)
{
        struct event ev;

        cr_assert_eq(parse_str("{\"Type\":\"container\",\"Action\":\"exec_start: sh -c 'echo a:b' "
                               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\","
                               "\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}", &ev, NULL), 0);
        cr_assert_str_eq(ev.action, "exec_start");
        cr_assert_eq(parse_str("{\"Type\":\"container\",\"Action\":\"health_status: healthy\","
                               "\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}", &ev, NULL), 0);
        cr_assert_str_eq(ev.action, "health_status");
}

Test(events, name_of_255_bytes_fits_256_does_not)
{
        char name[300], *s;
        struct event ev;
        struct parse_error err;

        memset(name, 'n', 256);
        name[256] = '\0';
        cr_assert_neq(asprintf(&s, "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"a\","
                                   "\"Attributes\":{\"name\":\"/%s\"}},\"timeNano\":1}", name), -1);
        cr_assert_eq(parse_str(s, &ev, &err), -EINVAL);
        cr_assert(strstr(err.what, "name too long"));
        free(s);
        name[255] = '\0';
        cr_assert_neq(asprintf(&s, "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"a\","
                                   "\"Attributes\":{\"name\":\"/%s\"}},\"timeNano\":1}", name), -1);
        cr_assert_eq(parse_str(s, &ev, &err), 0);
        cr_assert_eq(strlen(ev.name), 255);
        free(s);
}

struct exit_case {
        const char *attr;
        bool has;
        int code;
};

static const struct exit_case exit_cases[] = {
        { "\"137\"", true, 137 },
        { "\"0\"", true, 0 },
        { "\"-1\"", true, -1 },
        { "3", true, 3 },
        { "\"2147483647\"", true, 2147483647 },
        { "\"-2147483648\"", true, -2147483647 - 1 },
        { "\"2147483648\"", false, 0 },
        { "\"99999999999999999999\"", false, 0 },
        { "\"\"", false, 0 },
        { "\"-\"", false, 0 },
        { "\"12x\"", false, 0 },
        { "1.5", false, 0 },
        { "null", false, 0 },
        { "[]", false, 0 },
};

ParameterizedTestParameters(events, reads_exit_codes_leniently)
{
        return index_params(sizeof(exit_cases) / sizeof(exit_cases[0]));
}

ParameterizedTest(size_t *i, events, reads_exit_codes_leniently)
{
        const struct exit_case *c = &exit_cases[*i];
        struct event ev;
        char *s;

        cr_assert_neq(asprintf(&s, "{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"a\","
                                   "\"Attributes\":{\"exitCode\":%s}},\"timeNano\":1}", c->attr), -1);
        cr_assert_eq(parse_str(s, &ev, NULL), 0, "%s", s);
        cr_assert_eq(ev.has_exit_code, c->has, "%s", c->attr);
        if (c->has)
                cr_assert_eq(ev.exit_code, c->code);
        free(s);
}

Test(events, same_compares_id_action_and_time)
{
        struct event a = { .id = "x", .action = "start", .time_nano = 5 }, b = a;

        strcpy(b.name, "different names do not matter");
        cr_assert(event_same(&a, &b));
        b.time_nano = 6;
        cr_assert_not(event_same(&a, &b));
        b = a;
        strcpy(b.action, "die");
        cr_assert_not(event_same(&a, &b));
        b = a;
        strcpy(b.id, "y");
        cr_assert_not(event_same(&a, &b));
}

/* ---- since ------------------------------------------------------------ */

Test(events, formats_since_with_nine_exact_decimals)
{
        char buf[64];

        event_format_since(0, buf, sizeof(buf));
        cr_assert_str_eq(buf, "0.000000000");
        event_format_since(UINT64_C(1795433529514728734), buf, sizeof(buf));
        cr_assert_str_eq(buf, "1795433529.514728734");
        event_format_since(UINT64_C(1700000000000000123), buf, sizeof(buf));
        cr_assert_str_eq(buf, "1700000000.000000123");
        event_format_since(UINT64_MAX, buf, sizeof(buf));
        cr_assert_str_eq(buf, "18446744073.709551615");
        event_format_since(UINT64_C(999999999), buf, sizeof(buf));
        cr_assert_str_eq(buf, "0.999999999");
}

Test(events, format_since_truncates_instead_of_overflowing)
{
        char buf[8];

        memset(buf, 'x', sizeof(buf));
        event_format_since(UINT64_C(1795433529514728734), buf, 5);
        cr_assert_str_eq(buf, "1795");
        cr_assert_eq(buf[5], 'x');
        event_format_since(1, buf, 0);
        cr_assert_eq(buf[5], 'x');
}

/* ---- line splitter ---------------------------------------------------- */

struct lines {
        char *all;     /* lines joined with '|' */
        size_t len, cap, n;
        int fail_at;   /* return -EIO on this line (1-based), 0: never */
};

static int collect(void *userdata, const char *line, size_t len)
{
        struct lines *l = userdata;

        l->n++;
        if (l->fail_at && (int)l->n == l->fail_at)
                return -EIO;
        if (l->len + len + 2 > l->cap) {
                l->cap = (l->len + len + 2) * 2;
                l->all = realloc(l->all, l->cap);
        }
        if (l->len)
                l->all[l->len++] = '|';
        memcpy(l->all + l->len, line, len);
        l->len += len;
        l->all[l->len] = '\0';
        return 0;
}

static void feed_all(struct line_splitter *ls, const char *s, size_t len, size_t chunk,
                     struct lines *l, size_t *dropped)
{
        for (size_t off = 0; off < len; off += chunk) {
                size_t n = len - off < chunk ? len - off : chunk;

                cr_assert_eq(line_splitter_feed(ls, s + off, n, collect, l, dropped), 0);
        }
}

Test(events, splitter_yields_the_same_lines_for_every_chunk_size, .timeout = 60)
{
        size_t len, want_n = 0;
        char *json = slurp("events-lifecycle.jsonl", &len);
        struct lines ref = { 0 };
        struct line_splitter *ls = line_splitter_new(EVENT_LINE_MAX);
        size_t dropped = 0;

        feed_all(ls, json, len, len, &ref, &dropped);
        cr_assert_eq(ref.n, 24);
        for (size_t i = 0; i < len; i++)
                want_n += json[i] == '\n';
        cr_assert_eq(ref.n, want_n);
        for (size_t chunk = 1; chunk <= 700; chunk += chunk < 40 ? 1 : 37) {
                struct lines got = { 0 };

                line_splitter_reset(ls);
                feed_all(ls, json, len, chunk, &got, &dropped);
                cr_assert_eq(got.n, ref.n, "chunk %zu", chunk);
                cr_assert_str_eq(got.all, ref.all, "chunk %zu", chunk);
                free(got.all);
        }
        cr_assert_eq(dropped, 0);
        /* every line of it parses */
        free(ref.all);
        line_splitter_free(ls);
        free(json);
}

Test(events, splitter_keeps_a_partial_line_across_feeds)
{
        struct line_splitter *ls = line_splitter_new(64);
        struct lines l = { 0 };

        cr_assert_eq(line_splitter_feed(ls, "ab", 2, collect, &l, NULL), 0);
        cr_assert_eq(l.n, 0);
        cr_assert_eq(line_splitter_feed(ls, "c\nd", 3, collect, &l, NULL), 0);
        cr_assert_eq(l.n, 1);
        cr_assert_eq(line_splitter_feed(ls, "e\r\n\n\nf\n", 7, collect, &l, NULL), 0);
        cr_assert_str_eq(l.all, "abc|de|f", "CR dropped, empty lines skipped");
        line_splitter_free(ls);
        free(l.all);
}

Test(events, splitter_drops_overlong_lines_and_resynchronises)
{
        struct line_splitter *ls = line_splitter_new(8);
        struct lines l = { 0 };
        size_t dropped = 0;

        /* exactly max fits */
        cr_assert_eq(line_splitter_feed(ls, "12345678\n", 9, collect, &l, &dropped), 0);
        /* one over, in one chunk */
        cr_assert_eq(line_splitter_feed(ls, "123456789\nok\n", 13, collect, &l, &dropped), 0);
        cr_assert_eq(dropped, 1);
        /* over-long across many feeds: counted once, tail skipped */
        cr_assert_eq(line_splitter_feed(ls, "aaaaa", 5, collect, &l, &dropped), 0);
        cr_assert_eq(line_splitter_feed(ls, "aaaaa", 5, collect, &l, &dropped), 0);
        cr_assert_eq(line_splitter_feed(ls, "aaaaa", 5, collect, &l, &dropped), 0);
        cr_assert_eq(line_splitter_feed(ls, "aa\nnext\n", 8, collect, &l, &dropped), 0);
        cr_assert_eq(dropped, 2);
        cr_assert_str_eq(l.all, "12345678|ok|next");
        line_splitter_free(ls);
        free(l.all);
}

Test(events, splitter_stops_when_the_callback_fails)
{
        struct line_splitter *ls = line_splitter_new(0);
        struct lines l = { .fail_at = 2 };

        cr_assert_eq(line_splitter_feed(ls, "a\nb\nc\n", 6, collect, &l, NULL), -EIO);
        cr_assert_eq(l.n, 2);
        cr_assert_str_eq(l.all, "a");
        line_splitter_free(ls);
        free(l.all);
}

Test(events, splitter_reset_forgets_the_partial_line)
{
        struct line_splitter *ls = line_splitter_new(0);
        struct lines l = { 0 };

        cr_assert_eq(line_splitter_feed(ls, "half", 4, collect, &l, NULL), 0);
        line_splitter_reset(ls);
        cr_assert_eq(line_splitter_feed(ls, "new\n", 4, collect, &l, NULL), 0);
        cr_assert_str_eq(l.all, "new");
        cr_assert_null(line_splitter_free(ls));
        cr_assert_null(line_splitter_free(NULL));
        free(l.all);
}

static int parse_cb(void *userdata, const char *line, size_t len)
{
        struct event *ev = userdata;
        int r = event_parse(line, len, ev, NULL);

        cr_assert_eq(r, 0, "%.*s", (int)len, line);
        return 0;
}

Test(events, recorded_stream_parses_through_the_splitter)
{
        size_t len;
        char *json = slurp("events-lifecycle.jsonl", &len);
        struct line_splitter *ls = line_splitter_new(EVENT_LINE_MAX);
        struct event ev;

        for (size_t off = 0; off < len; off += 100)
                cr_assert_eq(line_splitter_feed(ls, json + off, len - off < 100 ? len - off : 100,
                                                parse_cb, &ev, NULL), 0);
        cr_assert_str_eq(ev.action, "destroy");
        cr_assert_eq(ev.time_nano, UINT64_C(1795433532256869771));
        line_splitter_free(ls);
        free(json);
}

/* docs/events.md "Events": the health state after ':' and the facts a
 * body gets (image, signal, old name) are read from the event. */
Test(events, health_status_keeps_its_state)
{
        struct event ev;

        cr_assert_eq(parse_str("{\"Type\":\"container\",\"Action\":\"health_status: unhealthy \","
                               "\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}", &ev, NULL), 0);
        cr_assert_str_eq(ev.action, "health_status");
        cr_assert_str_eq(ev.health, "unhealthy");
        cr_assert(event_health_known(ev.health));
        cr_assert_eq(parse_str("{\"Type\":\"container\",\"Action\":\"health_status:healthy\","
                               "\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}", &ev, NULL), 0);
        cr_assert_str_eq(ev.health, "healthy");
        cr_assert_eq(parse_str("{\"Type\":\"container\",\"Action\":\"health_status: sick\","
                               "\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}", &ev, NULL), 0);
        cr_assert_str_eq(ev.health, "sick");
        cr_assert_not(event_health_known(ev.health));
        cr_assert_eq(parse_str("{\"Type\":\"container\",\"Action\":\"health_status: "
                               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\","
                               "\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}", &ev, NULL), 0);
        cr_assert_str_eq(ev.health, "?");
        cr_assert_not(event_health_known(ev.health));
        cr_assert_eq(parse_str("{\"Type\":\"container\",\"Action\":\"health_status\","
                               "\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}", &ev, NULL), 0);
        cr_assert_str_eq(ev.health, "");
        cr_assert_eq(parse_str("{\"Type\":\"container\",\"Action\":\"start: healthy\","
                               "\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}", &ev, NULL), 0);
        cr_assert_str_eq(ev.health, "");
}

Test(events, reads_image_signal_and_old_name)
{
        struct event ev;

        cr_assert_eq(parse_str("{\"Type\":\"container\",\"Action\":\"kill\",\"Actor\":{\"ID\":\"a\","
                               "\"Attributes\":{\"image\":\"busybox:1\",\"signal\":\"15\"}},\"timeNano\":1}",
                               &ev, NULL), 0);
        cr_assert_str_eq(ev.image, "busybox:1");
        cr_assert_str_eq(ev.signal, "15");
        cr_assert_eq(parse_str("{\"Type\":\"container\",\"Action\":\"rename\",\"Actor\":{\"ID\":\"a\","
                               "\"Attributes\":{\"name\":\"/new\",\"oldName\":\"/old\"}},\"timeNano\":1}",
                               &ev, NULL), 0);
        cr_assert_str_eq(ev.old_name, "old");
        cr_assert_str_eq(ev.signal, "");
        /* a signal that does not fit is dropped, not an error */
        cr_assert_eq(parse_str("{\"Type\":\"container\",\"Action\":\"kill\",\"Actor\":{\"ID\":\"a\","
                               "\"Attributes\":{\"signal\":\"123456789012345678\"}},\"timeNano\":1}",
                               &ev, NULL), 0);
        cr_assert_str_eq(ev.signal, "");
}
