/* test_policy.c — `--allow GLOB=CLASSES` rules (docs/watch.md "Policy"): deny by
 * default, union of matching rules, fnmatch globs, rule syntax errors with
 * positions, and the class of each kind of target. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <errno.h>
#include <string.h>

#include "header.h"
#include "policy.h"
#include "target.h"

static struct criterion_test_params index_params(size_t n)
{
        size_t *idx = cr_malloc(n * sizeof(*idx));

        for (size_t i = 0; i < n; i++)
                idx[i] = i;
        return cr_make_param_array(size_t, idx, n, NULL);
}

static const struct target t_me = { TT_CONTAINER, "id1", "app", 1, 0 };
static const struct target t_other = { TT_CONTAINER, "id2", "web", 0, TRAIT_KNOWN };
static const struct target t_host = { TT_HOST, NULL, NULL, 0, 0 };
static const struct target t_ctl = { TT_CONTRAINER, NULL, NULL, 0, 0 };

Test(policy, empty_policy_allows_only_me)
{
        struct policy *p = policy_new();

        cr_assert_not_null(p);
        cr_assert_eq(policy_classes(p, "app"), POLICY_ME);
        cr_assert(policy_allows(p, "app", &t_me));
        cr_assert_not(policy_allows(p, "app", &t_other));
        cr_assert_not(policy_allows(p, "app", &t_host));
        cr_assert_not(policy_allows(p, "app", &t_ctl));
        policy_free(p);
}

Test(policy, null_policy_is_the_empty_policy)
{
        cr_assert_eq(policy_classes(NULL, "app"), POLICY_ME);
        cr_assert_null(policy_free(NULL));
}

Test(policy, allow_all_allows_everything_to_everyone)
{
        struct policy *p = policy_new();

        cr_assert_eq(policy_add_all(p), 0);
        cr_assert_eq(policy_classes(p, "anything"), POLICY_ALL);
        cr_assert_eq(policy_classes(p, ""), POLICY_ALL);
        cr_assert(policy_allows(p, "x", &t_host));
        cr_assert(policy_allows(p, "x", &t_ctl));
        cr_assert(policy_allows(p, "x", &t_other));
        policy_free(p);
}

Test(policy, classes_are_the_union_of_matching_rules)
{
        struct policy *p = policy_new();

        cr_assert_eq(policy_add(p, "web-*=containers", NULL), 0);
        cr_assert_eq(policy_add(p, "*-1=host", NULL), 0);
        cr_assert_eq(policy_add(p, "db=contrainer,host", NULL), 0);
        cr_assert_eq(policy_classes(p, "web-1"), POLICY_ME | POLICY_CONTAINERS | POLICY_HOST);
        cr_assert_eq(policy_classes(p, "web-2"), POLICY_ME | POLICY_CONTAINERS);
        cr_assert_eq(policy_classes(p, "db-1"), POLICY_ME | POLICY_HOST);
        cr_assert_eq(policy_classes(p, "db"), POLICY_ME | POLICY_CONTRAINER | POLICY_HOST);
        cr_assert_eq(policy_classes(p, "dbx"), POLICY_ME);
        cr_assert(policy_allows(p, "web-1", &t_host));
        cr_assert_not(policy_allows(p, "web-2", &t_host));
        policy_free(p);
}

Test(policy, me_cannot_be_taken_away)
{
        struct policy *p = policy_new();

        cr_assert_eq(policy_add(p, "*=host", NULL), 0);
        cr_assert(policy_allows(p, "app", &t_me));
        cr_assert_not(policy_allows(p, "app", &t_other));
        policy_free(p);
}

struct glob_case {
        const char *rule;
        const char *name;
        bool match;
};

static const struct glob_case glob_cases[] = {
        { "*=containers", "web", true },
        { "web=containers", "web", true },
        { "web=containers", "web2", false },
        { "web?=containers", "web2", true },
        { "web[12]=containers", "web1", true },
        { "web[12]=containers", "web3", false },
        { "Web*=containers", "web", false },     /* case-sensitive */
        { "*.prod=containers", "api.prod", true },
        { "*=containers", "", true },
        { "?*=containers", "", false },
        { "a\\*=containers", "a*", true },        /* no FNM_NOESCAPE */
        { "a\\*=containers", "ab", false },
};

ParameterizedTestParameters(policy, globs_match_the_registrar_name_like_fnmatch)
{
        return index_params(sizeof(glob_cases) / sizeof(glob_cases[0]));
}

ParameterizedTest(size_t *i, policy, globs_match_the_registrar_name_like_fnmatch)
{
        const struct glob_case *c = &glob_cases[*i];
        struct policy *p = policy_new();

        cr_assert_eq(policy_add(p, c->rule, NULL), 0);
        cr_assert_eq(policy_allows(p, c->name, &t_other), c->match, "'%s' on '%s'", c->rule,
                     c->name);
        policy_free(p);
}

struct rule_case {
        const char *rule;
        unsigned classes;
};

static const struct rule_case rule_cases[] = {
        { "x=me", POLICY_ME },
        { "x=containers", POLICY_CONTAINERS },
        { "x=contrainer,host", POLICY_CONTRAINER | POLICY_HOST },
        { "x=host", POLICY_HOST },
        { "x=me,containers,contrainer,host", POLICY_ALL },
        { " x = containers , host ", POLICY_CONTAINERS | POLICY_HOST },
        { "x=host,host", POLICY_HOST },
        { "\tx\t=\tme\t", POLICY_ME },
};

ParameterizedTestParameters(policy, parses_valid_rules)
{
        return index_params(sizeof(rule_cases) / sizeof(rule_cases[0]));
}

ParameterizedTest(size_t *i, policy, parses_valid_rules)
{
        const struct rule_case *c = &rule_cases[*i];
        struct parse_error err = { 0 };
        struct policy *p = policy_new();

        cr_assert_eq(policy_add(p, c->rule, &err), 0, "'%s': %s", c->rule, err.what);
        cr_assert_eq(policy_classes(p, "x"), c->classes | POLICY_ME, "'%s'", c->rule);
        cr_assert_eq(policy_classes(p, "y"), POLICY_ME);
        policy_free(p);
}

struct bad_rule {
        const char *rule;
        size_t pos;
        const char *what;
};

static const struct bad_rule bad_rules[] = {
        { "", 0, "GLOB=CLASSES" },
        { "web", 3, "GLOB=CLASSES" },
        { "=me", 0, "empty glob" },
        { "  =me", 2, "empty glob" },
        { "web=", 4, "expected a class" },
        { "web=  ", 6, "expected a class" },
        { "web=me,,host", 7, "expected a class" },
        { "web=me,", 7, "expected a class" },
        { "web=root", 4, "unknown class" },
        { "web=me,Host", 7, "unknown class" },
        { "web=all", 4, "unknown class" },
        { "web=me host", 4, "unknown class" },
        { "a=b=me", 2, "unknown class" },
};

ParameterizedTestParameters(policy, rejects_bad_rules_with_a_position)
{
        return index_params(sizeof(bad_rules) / sizeof(bad_rules[0]));
}

ParameterizedTest(size_t *i, policy, rejects_bad_rules_with_a_position)
{
        const struct bad_rule *c = &bad_rules[*i];
        struct parse_error err = { 9999, NULL };
        struct policy *p = policy_new();

        cr_assert_eq(policy_add(p, c->rule, &err), -EINVAL, "'%s'", c->rule);
        cr_assert_not_null(err.what);
        cr_assert_eq(err.pos, c->pos, "'%s': at %zu (%s), want %zu", c->rule, err.pos, err.what,
                     c->pos);
        cr_assert(strstr(err.what, c->what), "'%s': '%s'", c->rule, err.what);
        /* a rejected rule adds nothing */
        cr_assert_eq(policy_classes(p, "web"), POLICY_ME);
        cr_assert_eq(policy_classes(p, "a"), POLICY_ME);
        policy_free(p);
}

Test(policy, rejects_an_overlong_glob)
{
        char rule[600];
        struct parse_error err;
        struct policy *p = policy_new();

        memset(rule, '*', 500);
        strcpy(rule + 500, "=host");
        cr_assert_eq(policy_add(p, rule, &err), -EINVAL);
        cr_assert(strstr(err.what, "too long"));
        policy_free(p);
}

Test(policy, class_of_each_target_kind)
{
        struct target me_host = { TT_HOST, NULL, NULL, 1, 0 };

        cr_assert_eq(policy_class_of(&t_me), POLICY_ME);
        cr_assert_eq(policy_class_of(&t_other), POLICY_CONTAINERS);
        cr_assert_eq(policy_class_of(&t_host), POLICY_HOST);
        cr_assert_eq(policy_class_of(&t_ctl), POLICY_CONTRAINER | POLICY_HOST);
        cr_assert_eq(policy_class_of(&me_host), POLICY_ME, "is_me wins");
}

Test(policy, contrainer_without_host_is_refused)
{
        struct parse_error err = { 0, "" };
        struct policy *p = policy_new();

        cr_assert_eq(policy_add(p, "x=contrainer", &err), -EINVAL);
        cr_assert(strstr(err.what, "contrainer,host"), "%s", err.what);
        cr_assert_eq(policy_add(p, "x=me,containers,contrainer", &err), -EINVAL);
        cr_assert_eq(policy_add(p, "x=contrainer,host", &err), 0);
        cr_assert_eq(policy_add(p, "y=host,contrainer", &err), 0);
        cr_assert_eq(policy_classes(p, "z"), POLICY_ME, "the refused rules added nothing");
        policy_free(p);
}

Test(policy, host_equivalent_containers_need_the_host_class)
{
        static const struct target heq = { TT_CONTAINER, "id3", "priv", 0, TRAIT_KNOWN | TRAIT_HOSTEQ };
        static const struct target unknown = { TT_CONTAINER, "id4", "new", 0, 0 };
        static const struct target self = { TT_CONTAINER, "id5", "ctl?", 0, TRAIT_KNOWN | TRAIT_SELF };
        static const struct target me_heq = { TT_CONTAINER, "id3", "priv", 1, TRAIT_KNOWN | TRAIT_HOSTEQ };
        struct policy *p = policy_new();

        cr_assert_eq(policy_class_of(&heq), POLICY_CONTAINERS | POLICY_HOST);
        cr_assert_eq(policy_class_of(&unknown), POLICY_CONTAINERS | POLICY_HOST, "fail closed");
        cr_assert_eq(policy_class_of(&self), POLICY_CONTRAINER | POLICY_HOST);
        cr_assert_eq(policy_class_of(&me_heq), POLICY_ME, "a registrar always reaches itself");
        cr_assert_eq(policy_add(p, "c=containers", NULL), 0);
        cr_assert_eq(policy_add(p, "h=host", NULL), 0);
        cr_assert_eq(policy_add(p, "ch=containers,host", NULL), 0);
        cr_assert_eq(policy_add(p, "all=containers,contrainer,host", NULL), 0);
        cr_assert(policy_allows(p, "c", &t_other));
        cr_assert_not(policy_allows(p, "c", &heq));
        cr_assert_not(policy_allows(p, "c", &unknown));
        cr_assert_not(policy_allows(p, "h", &heq), "host alone is not containers");
        cr_assert(policy_allows(p, "ch", &heq));
        cr_assert(policy_allows(p, "ch", &unknown));
        cr_assert_not(policy_allows(p, "ch", &self));
        cr_assert_not(policy_allows(p, "ch", &t_ctl));
        cr_assert(policy_allows(p, "all", &self));
        cr_assert(policy_allows(p, "all", &t_ctl));
        cr_assert(policy_allows(p, "c", &me_heq));
        policy_free(p);
}
