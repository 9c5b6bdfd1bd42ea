/* test_scope.c — --scope filters: Docker's syntax, what does not parse,
 * how label and name filters combine (docs/events.md "Scope"). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "scope.h"

Test(scope, parses_label_and_name_filters)
{
        struct scope *s = scope_new();
        char err[300];

        cr_assert(scope_empty(s));
        cr_assert_eq(scope_add(s, "label=com.docker.compose.project=shop", err, sizeof(err)), 0);
        cr_assert_eq(scope_add(s, "label=team", err, sizeof(err)), 0);
        cr_assert_eq(scope_add(s, "name=^web-", err, sizeof(err)), 0);
        cr_assert_not(scope_empty(s));
        cr_assert_str_eq(scope_labels(s)[0], "com.docker.compose.project=shop");
        cr_assert_str_eq(scope_labels(s)[1], "team");
        cr_assert_null(scope_labels(s)[2]);
        cr_assert_str_eq(scope_text(s), "label=com.docker.compose.project=shop, label=team, name=^web-");
        scope_free(s);
}

Test(scope, bad_filters_say_why_in_one_line)
{
        static const char *const bad[] = { "label", "label=", "label==v", "status=running",
                                           "name=", "name=(", "name=a[", "", "=x", "label=a\nb" };
        struct scope *s = scope_new();
        char err[300];

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                err[0] = '\0';
                cr_assert_eq(scope_add(s, bad[i], err, sizeof(err)), -EINVAL, "%s", bad[i]);
                cr_assert_not_null(strstr(err, "--scope"), "%s", err);
                cr_assert_null(strchr(err, '\n'), "one line");
        }
        cr_assert(scope_empty(s), "nothing half-added");
        scope_free(s);
}

Test(scope, names_match_as_docker_does)
{
        struct scope *s = scope_new();

        cr_assert(scope_name_ok(s, "anything"));
        cr_assert_eq(scope_add(s, "name=^/shop-", NULL, 0), 0);
        cr_assert_eq(scope_add(s, "name=^db$", NULL, 0), 0);
        cr_assert(scope_name_ok(s, "shop-web"));
        cr_assert(scope_name_ok(s, "db"));
        cr_assert_not(scope_name_ok(s, "other-shop-web"));
        cr_assert_not(scope_name_ok(s, "dbx"));
        scope_free(s);
}

Test(scope, every_label_filter_must_hold)
{
        struct scope *s = scope_new();
        char *k[] = { "p", "team" }, *v[] = { "a", "x" }, *v2[] = { "b", "x" };

        cr_assert(scope_labels_ok(s, k, v, 2));
        cr_assert_eq(scope_add(s, "label=p=a", NULL, 0), 0);
        cr_assert_eq(scope_add(s, "label=team", NULL, 0), 0);
        cr_assert(scope_labels_ok(s, k, v, 2));
        cr_assert_not(scope_labels_ok(s, k, v2, 2));
        cr_assert_not(scope_labels_ok(s, k, v, 1));
        scope_free(s);
}
