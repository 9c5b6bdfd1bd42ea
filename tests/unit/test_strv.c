/* test_strv.c — string vectors: push, sort byte-wise, compare, env helpers. */
#include <criterion/criterion.h>

#include "strv.h"

Test(strv, sorts_bytewise_not_by_locale)
{
        char **v = NULL;
        const char *in[] = { "b", "a", "B", "10", "9" };

        for (size_t i = 0; i < 5; i++)
                cr_assert_eq(strv_push(&v, in[i]), 0);
        strv_sort(v);
        cr_assert_str_eq(v[0], "10");
        cr_assert_str_eq(v[1], "9");
        cr_assert_str_eq(v[2], "B");
        cr_assert_str_eq(v[3], "a");
        cr_assert_str_eq(v[4], "b");
        cr_assert_null(v[5]);
        strv_free(v);
}

Test(strv, sorting_and_freeing_null_are_no_ops)
{
        strv_sort(NULL);
        cr_assert_null(strv_free(NULL));
        cr_assert_eq(strv_len(NULL), 0);
}

Test(strv, equal_compares_content_and_order)
{
        char **a = NULL, **b = NULL;

        cr_assert(strv_equal(NULL, NULL));
        cr_assert_eq(strv_push(&a, "X=1"), 0);
        cr_assert_not(strv_equal(a, NULL));
        cr_assert_eq(strv_push(&b, "X=1"), 0);
        cr_assert(strv_equal(a, b));
        cr_assert_eq(strv_push(&a, "Y=2"), 0);
        cr_assert_eq(strv_push(&b, "Y=3"), 0);
        cr_assert_not(strv_equal(a, b));
        strv_free(a);
        strv_free(b);
}

Test(strv, env_set_replaces_or_appends)
{
        char **env = NULL;

        cr_assert_eq(strv_env_set(&env, "A", "1"), 0);
        cr_assert_eq(strv_env_set(&env, "AB", "2"), 0);
        cr_assert_eq(strv_env_set(&env, "A", "x y"), 0);
        cr_assert_eq(strv_len(env), 2);
        cr_assert_str_eq(strv_env_get(env, "A"), "x y");
        cr_assert_str_eq(strv_env_get(env, "AB"), "2");
        cr_assert_null(strv_env_get(env, "B"));
        strv_free(env);
}
