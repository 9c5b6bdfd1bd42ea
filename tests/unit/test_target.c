/* test_target.c — selector set algebra over a container snapshot (docs/watch.md
 * "Header grammar", "Targets"): a table of selectors and the targets they resolve to, plus
 * the registrar-not-in-snapshot, no-controller-container and large-snapshot
 * cases. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "header.h"
#include "target.h"

#define ID_APP "aaaa000000000000000000000000000000000000000000000000000000000001"
#define ID_WEB "bbbb000000000000000000000000000000000000000000000000000000000002"
#define ID_CTL "cccc000000000000000000000000000000000000000000000000000000000003"
#define ID_DB  "dddd000000000000000000000000000000000000000000000000000000000004"

/* Snapshot order: app (the registrar), web, ctl (the controller), db. */
static const struct container_ref containers[] = {
        { ID_APP, "app", 0, false },
        { ID_WEB, "web", 0, false },
        { ID_CTL, "ctl", 0, false },
        { ID_DB, "db", 0, false },
};
static const struct snapshot snap = { containers, 4, ID_CTL };

static struct criterion_test_params index_params(size_t n)
{
        size_t *idx = cr_malloc(n * sizeof(*idx));

        for (size_t i = 0; i < n; i++)
                idx[i] = i;
        return cr_make_param_array(size_t, idx, n, NULL);
}

/* Targets as text: names, "%host", "%contrainer"; "*" marks is_me. */
static void render(const struct target_set *set, char *dst, size_t dstsz)
{
        FILE *f;

        dst[0] = '\0';  /* fmemopen writes no NUL when nothing is written */
        f = fmemopen(dst, dstsz, "w");
        cr_assert_not_null(f);
        for (size_t i = 0; i < set->n; i++) {
                const struct target *t = &set->v[i];

                fprintf(f, "%s", i ? " " : "");
                switch (t->type) {
                case TT_HOST:
                        cr_assert_null(t->id);
                        fprintf(f, "%%host");
                        break;
                case TT_CONTRAINER:
                        cr_assert_null(t->id);
                        fprintf(f, "%%contrainer");
                        break;
                case TT_CONTAINER:
                        cr_assert_not_null(t->id);
                        fprintf(f, "%s%s", t->name, t->is_me ? "*" : "");
                        break;
                }
        }
        fclose(f);
}

static void eval(const char *hdr, const struct snapshot *s, const char *rid,
                 const char *rname, char *out, size_t outsz)
{
        struct header *h = NULL;
        struct target_set set = { 0 };

        cr_assert_eq(header_parse(hdr, strlen(hdr), &h, NULL), 0, "parse '%s'", hdr);
        cr_assert_eq(target_eval(&h->entries[0], s, rid, rname, &set), 0);
        render(&set, out, outsz);
        target_set_free(&set);
        cr_assert_null(set.v);
        cr_assert_eq(set.n, 0);
        header_free(h);
}

struct eval_case {
        const char *hdr;
        const char *want;
};

static const struct eval_case eval_cases[] = {
        { "", "app*" },
        { "%me", "app*" },
        { "%all", "app* web db %host %contrainer" },
        { "%all!%me", "web db %host %contrainer" },
        { "%all~%me", "web db %host %contrainer" },
        { "%me!%all", "" },
        { "web+db+%me", "web db app*" },
        { "app", "app*" },                 /* own name is %me */
        { "app+%me", "app*" },
        { "ctl", "%contrainer" },          /* the controller's name is %contrainer */
        { "%contrainer+ctl", "%contrainer" },
        { "%host", "%host" },
        { "%host+%host", "%host" },
        { "ghost", "" },                   /* not running: nothing */
        { "ghost+web", "web" },
        { "web+web", "web" },
        { "web!web", "" },
        { "web!web+web", "web" },
        { "%all!%host!%contrainer", "app* web db" },
        { "%all!web!db", "app* %host %contrainer" },
        { "db+%all", "db app* web %host %contrainer" },
        { "%all!ghost", "app* web db %host %contrainer" },
        { "%host!%all+db", "db" },
        { "WEB", "" },                     /* names are case-sensitive */
};

ParameterizedTestParameters(target, evaluates_selectors_left_to_right)
{
        return index_params(sizeof(eval_cases) / sizeof(eval_cases[0]));
}

ParameterizedTest(size_t *i, target, evaluates_selectors_left_to_right)
{
        const struct eval_case *c = &eval_cases[*i];
        char out[256];

        eval(c->hdr, &snap, ID_APP, "app", out, sizeof(out));
        cr_assert_str_eq(out, c->want, "'%s' → '%s', want '%s'", c->hdr, out, c->want);
}

Test(target, me_is_the_registrar_even_when_not_in_the_snapshot)
{
        static const struct container_ref others[] = { { ID_WEB, "web", 0, false } };
        static const struct snapshot s = { others, 1, NULL };
        struct header *h = NULL;
        struct target_set set = { 0 };
        const char *rid = ID_APP, *rname = "app";

        cr_assert_eq(header_parse("%me", 3, &h, NULL), 0);
        cr_assert_eq(target_eval(&h->entries[0], &s, rid, rname, &set), 0);
        cr_assert_eq(set.n, 1);
        cr_assert_eq(set.v[0].type, TT_CONTAINER);
        cr_assert_eq(set.v[0].id, rid, "points at the registrar strings");
        cr_assert_eq(set.v[0].name, rname);
        cr_assert(set.v[0].is_me);
        target_set_free(&set);
        header_free(h);
}

Test(target, all_excludes_a_registrar_that_is_gone)
{
        static const struct container_ref others[] = { { ID_WEB, "web", 0, false } };
        static const struct snapshot s = { others, 1, NULL };
        char out[128];

        eval("%all", &s, ID_APP, "app", out, sizeof(out));
        cr_assert_str_eq(out, "web %host %contrainer");
        eval("%all+%me", &s, ID_APP, "app", out, sizeof(out));
        cr_assert_str_eq(out, "web %host %contrainer app*");
        eval("app", &s, ID_APP, "app", out, sizeof(out));
        cr_assert_str_eq(out, "app*");
}

Test(target, results_point_into_the_snapshot)
{
        struct header *h = NULL;
        struct target_set set = { 0 };

        cr_assert_eq(header_parse("web", 3, &h, NULL), 0);
        cr_assert_eq(target_eval(&h->entries[0], &snap, ID_APP, "app", &set), 0);
        cr_assert_eq(set.n, 1);
        cr_assert_eq(set.v[0].id, containers[1].id);
        cr_assert_eq(set.v[0].name, containers[1].name);
        cr_assert_not(set.v[0].is_me);
        target_set_free(&set);
        header_free(h);
}

Test(target, without_a_controller_container_every_container_counts)
{
        static const struct snapshot s = { containers, 4, "" };
        char out[128];

        eval("%all", &s, ID_APP, "app", out, sizeof(out));
        cr_assert_str_eq(out, "app* web ctl db %host %contrainer");
        eval("ctl", &s, ID_APP, "app", out, sizeof(out));
        cr_assert_str_eq(out, "ctl");
}

Test(target, empty_snapshot_still_has_host_contrainer_and_me)
{
        static const struct snapshot s = { NULL, 0, NULL };
        char out[128];

        eval("%all", &s, ID_APP, "app", out, sizeof(out));
        cr_assert_str_eq(out, "%host %contrainer");
        eval("%me+web", &s, ID_APP, "app", out, sizeof(out));
        cr_assert_str_eq(out, "app*");
}

Test(target, free_of_an_empty_set_is_safe)
{
        struct target_set set = { 0 };

        target_set_free(&set);
        target_set_free(NULL);
        cr_assert_null(set.v);
}

/* 4096 "%all" terms over 5000 containers: linear in terms × snapshot. */
Test(target, large_snapshot_and_many_terms_stay_fast, .timeout = 20)
{
        size_t n = 5000;
        struct container_ref *c = calloc(n, sizeof(*c));
        char (*ids)[65] = calloc(n, sizeof(*ids));
        char (*names)[16] = calloc(n, sizeof(*names));
        struct snapshot s = { c, n, NULL };
        struct header *h = NULL;
        struct target_set set = { 0 };
        size_t hlen = HEADER_MAX_TERMS * 5;
        char *hdr = malloc(hlen + 1);

        for (size_t i = 0; i < n; i++) {
                snprintf(ids[i], sizeof(ids[i]), "%064zx", i);
                snprintf(names[i], sizeof(names[i]), "c%zu", i);
                c[i] = (struct container_ref){ ids[i], names[i], 0, false };
        }
        s.self_id = ids[7];
        for (size_t i = 0; i < HEADER_MAX_TERMS; i++)
                memcpy(hdr + 5 * i, i % 2 ? "!%all" : "+%all", 5);
        hdr[0] = ' ';
        hdr[hlen] = '\0';
        memcpy(hdr + hlen - 5, "+%all", 5);
        cr_assert_eq(header_parse(hdr, hlen, &h, NULL), 0);
        cr_assert_eq(target_eval(&h->entries[0], &s, ids[3], names[3], &set), 0);
        cr_assert_eq(set.n, n - 1 + 2, "all but the controller, plus host and contrainer");
        cr_assert(set.v[3].is_me);
        target_set_free(&set);
        header_free(h);
        free(hdr);
        free(c);
        free(ids);
        free(names);
}
