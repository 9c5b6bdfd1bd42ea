/* test_labels.c — labels → CONTRAINER_LABEL_* (mangling, collisions, caps)
 * and label hooks (docs/events.md "Environment", "Label hooks"). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "strv.h"

Test(labels, keys_are_upper_cased_and_mangled_in_byte_order)
{
        struct label v[] = { { "com.docker.compose.project", "shop" }, { "a-b", "1" }, { "Zz", "2" } };
        struct label_env_report rep;
        char **env = NULL;

        labels_sort(v, 3);
        cr_assert_eq(label_env(v, 3, &env, &rep), 0);
        cr_assert_str_eq(env[0], "CONTRAINER_LABEL_ZZ=2");
        cr_assert_str_eq(env[1], "CONTRAINER_LABEL_A_B=1");
        cr_assert_str_eq(env[2], "CONTRAINER_LABEL_COM_DOCKER_COMPOSE_PROJECT=shop");
        cr_assert_null(env[3]);
        cr_assert_eq(rep.n_collisions + rep.n_over + rep.n_cut, 0);
        strv_free(env);
}

Test(labels, on_a_collision_the_first_key_in_byte_order_wins)
{
        struct label v[] = { { "a_b", "second" }, { "A.B", "first" }, { "a.b", "third" } };
        struct label_env_report rep;
        char **env = NULL;

        labels_sort(v, 3);
        cr_assert_eq(label_env(v, 3, &env, &rep), 0);
        cr_assert_str_eq(env[0], "CONTRAINER_LABEL_A_B=first");
        cr_assert_null(env[1]);
        cr_assert_eq(rep.n_collisions, 2);
        cr_assert_str_eq(rep.kept, "A.B");
        cr_assert_str_eq(rep.lost, "a.b");
        strv_free(env);
}

Test(labels, ten_thousand_labels_give_the_first_64_and_say_so)
{
        struct label *v = calloc(10000, sizeof(*v));
        char (*keys)[16] = calloc(10000, 16);
        struct label_env_report rep;
        char **env = NULL;

        for (int i = 0; i < 10000; i++) {
                snprintf(keys[i], 16, "k%05d", 9999 - i);
                v[i] = (struct label){ keys[i], "v" };
        }
        labels_sort(v, 10000);
        cr_assert_eq(label_env(v, 10000, &env, &rep), 0);
        cr_assert_eq(strv_len(env), LABEL_ENV_MAX);
        cr_assert_str_eq(env[0], "CONTRAINER_LABEL_K00000=v");
        cr_assert_str_eq(env[63], "CONTRAINER_LABEL_K00063=v");
        cr_assert_eq(rep.n_over, 10000 - LABEL_ENV_MAX);
        strv_free(env);
        free(v);
        free(keys);
}

Test(labels, values_are_cut_at_4_kib)
{
        char *big = malloc(10000);
        struct label v[1];
        struct label_env_report rep;
        char **env = NULL;

        memset(big, 'x', 9999);
        big[9999] = '\0';
        v[0] = (struct label){ "k", big };
        cr_assert_eq(label_env(v, 1, &env, &rep), 0);
        cr_assert_eq(strlen(env[0]), strlen("CONTRAINER_LABEL_K=") + LABEL_VALUE_MAX);
        cr_assert_eq(rep.n_cut, 1);
        strv_free(env);
        free(big);
}

static const struct label_hook *hook(const struct label_hook *h, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(h[i].name, name) == 0)
                        return &h[i];
        return NULL;
}

Test(labels, hooks_pair_on_and_run_into_a_scripts_output)
{
        struct label v[] = {
                { "contrainer.hook.reload.on", "%me:start" },
                { "contrainer.hook.reload.run", "nginx -s reload\necho done" },
                { "contrainer.hook.a.b.on", "" },
                { "contrainer.hook.a.b.run", "true" },
                { "other", "x" },
        };
        struct label_hook *h = NULL;
        size_t n = 0;

        labels_sort(v, 5);
        cr_assert_eq(label_hooks(v, 5, 1 << 20, &h, &n), 0);
        cr_assert_eq(n, 2);
        cr_assert_str_eq(hook(h, n, "reload")->out, "%me:start\nnginx -s reload\necho done");
        cr_assert_eq(hook(h, n, "reload")->len, strlen("%me:start\nnginx -s reload\necho done"));
        cr_assert_str_eq(hook(h, n, "a.b")->out, "\ntrue");
        cr_assert_str_eq(h[0].name, "a.b", "NAME order");
        label_hooks_free(h, n);
}

Test(labels, bad_hooks_get_a_reason_and_hurt_no_other)
{
        struct label v[] = {
                { "contrainer.hook.ok.on", "%me:die" },
                { "contrainer.hook.ok.run", "true" },
                { "contrainer.hook.norun.on", "%me" },
                { "contrainer.hook.noon.run", "true" },
                { "contrainer.hook.x.when", "1" },
                { "contrainer.hook.-bad.on", "1" },
                { "contrainer.hook.nl.on", "%me\n:start" },
                { "contrainer.hook.nl.run", "true" },
                { "contrainer.hook.big.on", "%me" },
                { "contrainer.hook.big.run", "0123456789" },
        };
        struct label_hook *h = NULL;
        size_t n = 0;

        labels_sort(v, 10);
        cr_assert_eq(label_hooks(v, 10, 13, &h, &n), 0);
        cr_assert_eq(n, 7);
        cr_assert_str_eq(hook(h, n, "ok")->out, "%me:die\ntrue");
        cr_assert_not_null(strstr(hook(h, n, "norun")->reason, "no .run"));
        cr_assert_not_null(strstr(hook(h, n, "noon")->reason, "no .on"));
        cr_assert_not_null(strstr(hook(h, n, "x.when")->reason, "bad label key"));
        cr_assert_not_null(strstr(hook(h, n, "-bad.on")->reason, "bad label key"));
        cr_assert_not_null(strstr(hook(h, n, "nl")->reason, "line break"));
        cr_assert_not_null(strstr(hook(h, n, "big")->reason, "--max-output"));
        label_hooks_free(h, n);
}

Test(labels, hooks_past_the_cap_are_one_failure)
{
        size_t n_l = 2 * (LABEL_HOOKS_MAX + 10), n = 0;
        struct label *v = calloc(n_l, sizeof(*v));
        char (*keys)[48] = calloc(n_l, 48);
        struct label_hook *h = NULL;
        size_t fails = 0;

        for (size_t i = 0; i < n_l; i++) {
                snprintf(keys[i], 48, "contrainer.hook.h%04zu.%s", i / 2, i % 2 ? "run" : "on");
                v[i] = (struct label){ keys[i], "x" };
        }
        labels_sort(v, n_l);
        cr_assert_eq(label_hooks(v, n_l, 1 << 20, &h, &n), 0);
        cr_assert_eq(n, LABEL_HOOKS_MAX + 1);
        for (size_t i = 0; i < n; i++)
                fails += h[i].reason != NULL;
        cr_assert_eq(fails, 1);
        cr_assert_not_null(strstr(h[n - 1].reason, "20 label hook label(s) past the cap"));
        label_hooks_free(h, n);
        free(v);
        free(keys);
}

Test(labels, keys_too_long_for_a_variable_name_are_left_out)
{
        char key[200];
        struct label v[2];
        struct label_env_report rep;
        char **env = NULL;

        memset(key, 'k', sizeof(key) - 1);
        key[sizeof(key) - 1] = '\0';
        v[0] = (struct label){ key, "x" };
        v[1] = (struct label){ "ok", "y" };
        labels_sort(v, 2);
        cr_assert_eq(label_env(v, 2, &env, &rep), 0);
        cr_assert_str_eq(env[0], "CONTRAINER_LABEL_OK=y");
        cr_assert_null(env[1]);
        cr_assert_eq(rep.n_long, 1);
        strv_free(env);
        key[LABEL_KEY_MAX] = '\0';  /* the longest that fits */
        labels_sort(v, 2);
        cr_assert_eq(label_env(v, 2, &env, &rep), 0);
        cr_assert_eq(rep.n_long, 0);
        cr_assert_eq(strcspn(env[0], "="), 127);
        strv_free(env);
}
