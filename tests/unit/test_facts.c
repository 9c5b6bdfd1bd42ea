/* test_facts.c — the per-container facts table: set, replace, drop, many
 * containers (docs/events.md "Environment"). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include "strv.h"

Test(facts, set_get_replace_drop)
{
        struct facts *f = facts_new();
        char *a[] = { "CONTRAINER_SOURCE_IMAGE=x", "CONTRAINER_LABEL_K=v", NULL };
        char *b[] = { "CONTRAINER_SOURCE_IMAGE=y", NULL };

        cr_assert_null(facts_get(f, "a"));
        cr_assert_eq(facts_set(f, "a", a), 0);
        cr_assert(strv_equal(facts_get(f, "a"), a));
        cr_assert_eq(facts_set(f, "a", b), 0);
        cr_assert(strv_equal(facts_get(f, "a"), b));
        cr_assert_eq(facts_count(f), 1);
        cr_assert_eq(facts_set(f, "a", NULL), 0, "none: forgotten");
        cr_assert_null(facts_get(f, "a"));
        cr_assert_eq(facts_set(f, "a", a), 0);
        facts_drop(f, "a");
        facts_drop(f, "zz");
        cr_assert_eq(facts_count(f), 0);
        facts_free(f);
}

Test(facts, holds_thousands_of_containers)
{
        struct facts *f = facts_new();
        char id[80], v[80], *vv[2] = { v, NULL };

        for (int i = 0; i < 5000; i++) {
                snprintf(id, sizeof(id), "%064d", i);
                snprintf(v, sizeof(v), "CONTRAINER_SOURCE_IMAGE=i%d", i);
                cr_assert_eq(facts_set(f, id, vv), 0);
        }
        cr_assert_eq(facts_count(f), 5000);
        for (int i = 0; i < 5000; i += 7) {
                snprintf(id, sizeof(id), "%064d", i);
                snprintf(v, sizeof(v), "CONTRAINER_SOURCE_IMAGE=i%d", i);
                cr_assert_str_eq(facts_get(f, id)[0], v);
                facts_drop(f, id);
                cr_assert_null(facts_get(f, id));
        }
        facts_free(f);
}
