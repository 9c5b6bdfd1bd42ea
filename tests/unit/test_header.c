/* test_header.c — the registration header grammar (docs/watch.md): tables of
 * valid headers with their AST (rendered canonically), invalid headers with
 * the byte position and text of the error, the HEADER_MAX_* caps, event
 * matching and the split of a script's output into header and body. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "header.h"

/* Parameters are indices into static tables: Criterion runs each test in a
 * re-executed child, where pointers inside a parameter would not be valid. */
static struct criterion_test_params index_params(size_t n)
{
        size_t *idx = cr_malloc(n * sizeof(*idx));

        for (size_t i = 0; i < n; i++)
                idx[i] = i;
        return cr_make_param_array(size_t, idx, n, NULL);
}

/* Canonical text of an AST: entries joined by " | ", ops as + and !,
 * specials as %word, events as :name. */
static void render(const struct header *h, char *dst, size_t dstsz)
{
        static const char *kinds[] = { "%me", "%contrainer", "%host", "%all", NULL };
        FILE *f;

        dst[0] = '\0';  /* fmemopen writes no NUL when nothing is written */
        f = fmemopen(dst, dstsz, "w");
        cr_assert_not_null(f);
        for (size_t i = 0; i < h->n_entries; i++) {
                const struct header_entry *e = &h->entries[i];

                fprintf(f, "%s", i ? " | " : "");
                cr_assert_geq(e->n_terms, 1);
                for (size_t t = 0; t < e->n_terms; t++) {
                        const struct sel_term *st = &e->terms[t];

                        cr_assert_eq(st->op == SEL_FIRST, t == 0);
                        fprintf(f, "%s", st->op == SEL_ADD ? "+" : st->op == SEL_SUB ? "!" : "");
                        if (st->kind == TK_NAME)
                                fprintf(f, "%s", st->name);
                        else
                                fprintf(f, "%s", kinds[st->kind]);
                        cr_assert_eq(st->name != NULL, st->kind == TK_NAME);
                }
                for (size_t v = 0; v < e->n_events; v++)
                        fprintf(f, ":%s", e->events[v]);
                cr_assert_null(e->events[e->n_events], "events must be NULL-terminated");
        }
        fclose(f);
}

struct valid_case {
        const char *in;
        const char *ast;
};

static const struct valid_case valid_cases[] = {
        { "", "%me" },
        { "  \t\r ", "%me" },
        { "%me", "%me" },
        { "%me:start", "%me:start" },
        { "%all!%me", "%all!%me" },
        { "%all~%me", "%all!%me" },
        { "%me!%all", "%me!%all" },
        { "a+b+%me", "a+b+%me" },
        { "%all!%me:start:die", "%all!%me:start:die" },
        { " web , db : start : die ", "web | db:start:die" },
        { "% m e", "%me" },                /* white space anywhere is ignored */
        { "we b", "web" },
        { "%contrainer:die,%host", "%contrainer:die | %host" },
        { "my-app.1_x", "my-app.1_x" },
        { "0abc", "0abc" },
        { "Web-Server", "Web-Server" },
        { "%all:health_status", "%all:health_status" },
        { "%me:start,%me:start", "%me:start | %me:start" },
        { "a!b~c+d", "a!b!c+d" },
        { "%me:exec_start:exec_die", "%me:exec_start:exec_die" },
        { "\t%host\t", "%host" },
        { "%all!%contrainer!%host", "%all!%contrainer!%host" },
};

ParameterizedTestParameters(header, parses_valid_headers)
{
        return index_params(sizeof(valid_cases) / sizeof(valid_cases[0]));
}

ParameterizedTest(size_t *i, header, parses_valid_headers)
{
        const struct valid_case *c = &valid_cases[*i];
        struct parse_error err = { 0 };
        struct header *h = NULL;
        char out[512];
        int r;

        r = header_parse(c->in, strlen(c->in), &h, &err);
        cr_assert_eq(r, 0, "'%s': %d at %zu: %s", c->in, r, err.pos, err.what ? err.what : "");
        cr_assert_not_null(h);
        render(h, out, sizeof(out));
        cr_assert_str_eq(out, c->ast, "'%s' parsed as '%s', want '%s'", c->in, out, c->ast);
        header_free(h);
}

struct invalid_case {
        const char *in;
        size_t len;         /* 0: strlen(in) */
        size_t pos;
        const char *what;   /* a substring of err.what */
};

static const struct invalid_case invalid_cases[] = {
        { ",", 0, 0, "empty entry" },
        { ",a", 0, 0, "empty entry" },
        { "a,", 0, 2, "empty entry" },
        { "a,,b", 0, 2, "empty entry" },
        { "a , , b", 0, 4, "empty entry" },
        { "%me:start,  ", 0, 12, "empty entry" },
        { "%foo", 0, 0, "unknown %target" },
        { "%me2", 0, 0, "unknown %target" },
        { "%ME", 0, 0, "unknown %target" },
        { "a+%bogus", 0, 2, "unknown %target" },
        { "%", 0, 0, "expected a target" },
        { "a+", 0, 2, "expected a target" },
        { "a!!b", 0, 2, "expected a target" },
        { "+a", 0, 0, "expected a target" },
        { "-a", 0, 0, "expected a target" },
        { "_a", 0, 0, "expected a target" },
        { ".a", 0, 0, "expected a target" },
        { ":start", 0, 0, "expected a target" },
        { "\xc3\xa9", 0, 0, "expected a target" },
        { "a:", 0, 2, "expected an event" },
        { "a:Start", 0, 2, "expected an event" },
        { "a:1x", 0, 2, "expected an event" },
        { "a:_x", 0, 2, "expected an event" },
        { "a:start:", 0, 8, "expected an event" },
        { "a::start", 0, 2, "expected an event" },
        { "a:start-x", 0, 7, "unexpected character" },
        { "a:start+b", 0, 7, "unexpected character" },
        { "a b%me", 0, 3, "unexpected character" },
        { "a;b", 0, 1, "unexpected character" },
        { "a\nb", 0, 1, "newline" },
        { "a\0b", 3, 1, "NUL" },
        { "%me\0", 4, 3, "NUL" },
};

ParameterizedTestParameters(header, rejects_invalid_headers_at_the_right_byte)
{
        return index_params(sizeof(invalid_cases) / sizeof(invalid_cases[0]));
}

ParameterizedTest(size_t *i, header, rejects_invalid_headers_at_the_right_byte)
{
        const struct invalid_case *c = &invalid_cases[*i];
        size_t len = c->len ? c->len : strlen(c->in);
        struct parse_error err = { .pos = 9999, .what = NULL };
        struct header *h = (struct header *)0x1;  /* must stay untouched */
        int r;

        r = header_parse(c->in, len, &h, &err);
        cr_assert_eq(r, -EINVAL, "'%s' should fail, got %d", c->in, r);
        cr_assert_eq(h, (struct header *)0x1, "ret written on failure");
        cr_assert_not_null(err.what);
        cr_assert_eq(err.pos, c->pos, "'%s': error at %zu (%s), want %zu", c->in, err.pos,
                     err.what, c->pos);
        cr_assert(strstr(err.what, c->what), "'%s': '%s' lacks '%s'", c->in, err.what, c->what);
}

Test(header, rejects_empty_target)
{
        struct parse_error err;
        struct header *h = NULL;

        cr_assert_eq(header_parse("web+", 4, &h, &err), -EINVAL);
        cr_assert_eq(err.pos, 4);
        cr_assert_null(h);
}

Test(header, accepts_a_null_error_pointer)
{
        struct header *h = NULL;

        cr_assert_eq(header_parse("%bad", 4, &h, NULL), -EINVAL);
        cr_assert_null(h);
}

Test(header, empty_header_is_one_immediate_me_entry)
{
        struct header *h = NULL;

        cr_assert_eq(header_parse(NULL, 0, &h, NULL), 0);
        cr_assert_eq(h->n_entries, 1);
        cr_assert_eq(h->entries[0].n_terms, 1);
        cr_assert_eq(h->entries[0].terms[0].kind, TK_ME);
        cr_assert_eq(h->entries[0].n_events, 0);
        cr_assert_null(h->entries[0].events[0]);
        cr_assert_str_eq(h->entries[0].text, "%me");
        header_free(h);
}

Test(header, entry_text_is_the_entry_without_white_space)
{
        const char *s = " %all ! %me : start , web ";
        struct header *h = NULL;

        cr_assert_eq(header_parse(s, strlen(s), &h, NULL), 0);
        cr_assert_eq(h->n_entries, 2);
        cr_assert_str_eq(h->entries[0].text, "%all!%me:start");
        cr_assert_str_eq(h->entries[1].text, "web");
        header_free(h);
}

Test(header, free_of_null_is_a_no_op)
{
        cr_assert_null(header_free(NULL));
}

/* ---- caps: errors, never crashes, and fast on huge inputs ------------- */

static char *repeat(const char *unit, size_t times, const char *tail)
{
        size_t ul = strlen(unit), tl = strlen(tail);
        char *s = malloc(ul * times + tl + 1);

        cr_assert_not_null(s);
        for (size_t i = 0; i < times; i++)
                memcpy(s + i * ul, unit, ul);
        memcpy(s + ul * times, tail, tl + 1);
        return s;
}

static int parse_str(const char *s, struct header **h, struct parse_error *err)
{
        return header_parse(s, strlen(s), h, err);
}

Test(header, accepts_exactly_max_entries)
{
        char *s = repeat("a,", HEADER_MAX_ENTRIES - 1, "a");
        struct header *h = NULL;

        cr_assert_eq(parse_str(s, &h, NULL), 0);
        cr_assert_eq(h->n_entries, HEADER_MAX_ENTRIES);
        header_free(h);
        free(s);
}

Test(header, rejects_one_entry_too_many)
{
        char *s = repeat("a,", HEADER_MAX_ENTRIES, "a");
        struct parse_error err;
        struct header *h = NULL;

        cr_assert_eq(parse_str(s, &h, &err), -EINVAL);
        cr_assert_eq(err.pos, 2 * HEADER_MAX_ENTRIES);
        cr_assert(strstr(err.what, "too many entries"));
        free(s);
}

Test(header, caps_targets_per_selector)
{
        char *ok = repeat("a+", HEADER_MAX_TERMS - 1, "a");
        char *bad = repeat("a+", HEADER_MAX_TERMS, "a");
        struct parse_error err;
        struct header *h = NULL;

        cr_assert_eq(parse_str(ok, &h, NULL), 0);
        cr_assert_eq(h->entries[0].n_terms, HEADER_MAX_TERMS);
        header_free(h);
        cr_assert_eq(parse_str(bad, &h, &err), -EINVAL);
        cr_assert_eq(err.pos, 2 * HEADER_MAX_TERMS);
        cr_assert(strstr(err.what, "too many targets"));
        free(ok);
        free(bad);
}

Test(header, caps_events_per_entry)
{
        char *ok = repeat(":e", HEADER_MAX_EVENTS, "");
        char *bad = repeat(":e", HEADER_MAX_EVENTS + 1, "");
        char *s1, *s2;
        struct parse_error err;
        struct header *h = NULL;

        cr_assert_neq(asprintf(&s1, "a%s", ok), -1);
        cr_assert_neq(asprintf(&s2, "a%s", bad), -1);
        cr_assert_eq(parse_str(s1, &h, NULL), 0);
        cr_assert_eq(h->entries[0].n_events, HEADER_MAX_EVENTS);
        header_free(h);
        cr_assert_eq(parse_str(s2, &h, &err), -EINVAL);
        cr_assert_eq(err.pos, 2 + 2 * HEADER_MAX_EVENTS);
        cr_assert(strstr(err.what, "too many events"));
        free(ok);
        free(bad);
        free(s1);
        free(s2);
}

Test(header, accepts_a_name_of_exactly_max_len)
{
        char *s = malloc(HEADER_MAX_LEN);
        struct header *h = NULL;

        memset(s, 'n', HEADER_MAX_LEN);
        cr_assert_eq(header_parse(s, HEADER_MAX_LEN, &h, NULL), 0);
        cr_assert_eq(strlen(h->entries[0].terms[0].name), HEADER_MAX_LEN);
        header_free(h);
        free(s);
}

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(header, rejects_ten_megabytes_at_once, .timeout = 10)
{
        size_t len = 10u << 20;
        char *s = malloc(len);
        struct parse_error err;
        struct header *h = NULL;
        double t0 = now();

        memset(s, 'a', len);
        cr_assert_eq(header_parse(s, len, &h, &err), -EINVAL);
        cr_assert_eq(err.pos, HEADER_MAX_LEN);
        cr_assert(strstr(err.what, "too long"));
        cr_assert_lt(now() - t0, 0.5);
        free(s);
}

/* The worst shapes that fit in HEADER_MAX_LEN: many tiny entries, many
 * tiny terms, all white space.  Linear time keeps each far below 1 s
 * even under ASan. */
Test(header, parses_worst_case_shapes_in_linear_time, .timeout = 10)
{
        static const char *units[] = { "a,", "a+", "%all!", " ", ":e", "%me:x," };
        char *s = malloc(HEADER_MAX_LEN);

        for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
                size_t ul = strlen(units[u]);
                struct header *h = NULL;
                double t0 = now();

                for (size_t i = 0; i < HEADER_MAX_LEN; i++)
                        s[i] = units[u][i % ul];
                (void)header_parse(s, HEADER_MAX_LEN, &h, NULL);
                header_free(h);
                cr_assert_lt(now() - t0, 1.0, "unit '%s' took too long", units[u]);
        }
        free(s);
}

/* ---- header_entry_matches -------------------------------------------- */

struct match_case {
        const char *hdr;
        const char *action;
        bool want;
};

static const struct match_case match_cases[] = {
        { "%me:start", "start", true },
        { "%me:start", "restart", false },
        { "%me:restart", "start", false },
        { "%me:exec_start", "exec_start: sh -c echo hi", true },
        { "%me:exec_start", "exec_start : sh", true },
        { "%me:exec_start", "exec_start", true },
        { "%me:exec", "exec_start: sh", false },
        { "%me:exec_start", "exec", false },
        { "%me:start:die", "die", true },
        { "%me:die", "", false },
        { "%me:die", ":die", false },
        { "%me", "start", false },   /* immediate entries never match events */
        { "", "start", false },
        { "%me:health_status", "health_status: healthy", true },
};

ParameterizedTestParameters(header, entry_matches_action_before_colon)
{
        return index_params(sizeof(match_cases) / sizeof(match_cases[0]));
}

ParameterizedTest(size_t *i, header, entry_matches_action_before_colon)
{
        const struct match_case *c = &match_cases[*i];
        struct header *h = NULL;

        cr_assert_eq(parse_str(c->hdr, &h, NULL), 0);
        cr_assert_eq(header_entry_matches(&h->entries[0], c->action), c->want,
                     "'%s' on action '%s'", c->hdr, c->action);
        header_free(h);
}

Test(header, entry_never_matches_a_null_action)
{
        struct header *h = NULL;

        cr_assert_eq(parse_str("%me:start", &h, NULL), 0);
        cr_assert_not(header_entry_matches(&h->entries[0], NULL));
        header_free(h);
}

/* ---- header_split_output --------------------------------------------- */

struct split_case {
        const char *out;
        const char *hdr;
        const char *body;
};

static const struct split_case split_cases[] = {
        { "hdr\nbody\nmore\n", "hdr", "body\nmore\n" },
        { "hdr\r\nbody", "hdr", "body" },
        { "hdr", "hdr", "" },
        { "hdr\n", "hdr", "" },
        { "", "", "" },
        { "\nbody", "", "body" },
        { "\r\nbody", "", "body" },
        { "\r", "", "" },
        { "a\r\r\nb", "a\r", "b" },  /* only one trailing CR is the line end's */
        { "%all:start\necho \"$CONTRAINER_EVENT\"\n", "%all:start", "echo \"$CONTRAINER_EVENT\"\n" },
};

ParameterizedTestParameters(header, splits_output_into_header_and_body)
{
        return index_params(sizeof(split_cases) / sizeof(split_cases[0]));
}

ParameterizedTest(size_t *i, header, splits_output_into_header_and_body)
{
        const struct split_case *c = &split_cases[*i];
        const char *hdr, *body;
        size_t hl, bl;

        cr_assert_eq(header_split_output(c->out, strlen(c->out), &hdr, &hl, &body, &bl, NULL), 0);
        cr_assert_eq(hl, strlen(c->hdr));
        cr_assert_eq(memcmp(hdr, c->hdr, hl), 0);
        cr_assert_eq(bl, strlen(c->body));
        cr_assert_eq(memcmp(body, c->body, bl), 0);
}

Test(header, split_rejects_nul_anywhere_in_the_output)
{
        static const char out[] = "hdr\nbody\0more";
        struct parse_error err;
        const char *hdr = NULL, *body = NULL;
        size_t hl = 7, bl = 7;

        cr_assert_eq(header_split_output(out, sizeof(out) - 1, &hdr, &hl, &body, &bl, &err),
                     -EINVAL);
        cr_assert_eq(err.pos, 8);
        cr_assert(strstr(err.what, "NUL"));
        cr_assert_null(hdr);
        cr_assert_eq(hl, 7);
}

Test(header, split_caps_the_header_line_not_the_body, .timeout = 10)
{
        size_t len = HEADER_MAX_LEN + 1 + (8u << 20);
        char *out = malloc(len);
        struct parse_error err;
        const char *hdr, *body;
        size_t hl, bl;

        memset(out, 'x', len);
        out[HEADER_MAX_LEN] = '\n';
        cr_assert_eq(header_split_output(out, len, &hdr, &hl, &body, &bl, &err), 0);
        cr_assert_eq(hl, HEADER_MAX_LEN);
        cr_assert_eq(bl, 8u << 20);
        out[HEADER_MAX_LEN] = 'x';
        out[HEADER_MAX_LEN + 1] = '\n';
        cr_assert_eq(header_split_output(out, len, &hdr, &hl, &body, &bl, &err), -EINVAL);
        cr_assert_eq(err.pos, HEADER_MAX_LEN);
        cr_assert(strstr(err.what, "too long"));
        free(out);
}

Test(header, merge_duplicates_keeps_the_first_of_each_entry_in_order)
{
        struct header *h = NULL;
        const char *s = "b:start, a, b:start ,a:die:die:start:die, a, c";

        cr_assert_eq(header_parse(s, strlen(s), &h, NULL), 0);
        cr_assert_eq(h->n_entries, 6);
        cr_assert_eq(header_merge_duplicates(h), 2);
        cr_assert_eq(h->n_entries, 4);
        cr_assert_str_eq(h->entries[0].text, "b:start");
        cr_assert_str_eq(h->entries[1].text, "a");
        cr_assert_str_eq(h->entries[2].text, "a:die:die:start:die");
        cr_assert_eq(h->entries[2].n_events, 2);
        cr_assert_str_eq(h->entries[2].events[0], "die");
        cr_assert_str_eq(h->entries[2].events[1], "start");
        cr_assert_str_eq(h->entries[3].text, "c");
        cr_assert_eq(header_merge_duplicates(h), 0, "idempotent");
        cr_assert_eq(header_merge_duplicates(NULL), 0);
        header_free(h);
}
