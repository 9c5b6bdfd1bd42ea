/* test_registry.c — registrations keyed by container id, lifetime, caps. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "header.h"
#include "registry.h"

static struct header *hdr(const char *s)
{
        struct header *h = NULL;

        cr_assert_eq(header_parse(s, strlen(s), &h, NULL), 0);
        return h;
}

Test(registry, replicas_with_identical_output_are_two_registrations)
{
        struct registry *r = registry_new();

        cr_assert_not_null(registry_add(r, "id1", "r1", "/c/10", hdr(""), "echo", 4, NULL));
        cr_assert_not_null(registry_add(r, "id2", "r2", "/c/10", hdr(""), "echo", 4, NULL));
        cr_assert_eq(registry_count(r), 2);
        cr_assert_str_eq(registry_at(r, 0)->id, "id1");
        cr_assert_str_eq(registry_at(r, 1)->id, "id2");
        registry_free(r);
}

Test(registry, drop_removes_only_that_container)
{
        struct registry *r = registry_new();

        registry_add(r, "a", "na", "/c/1", hdr("%me:start"), "x", 1, NULL);
        registry_add(r, "b", "nb", "/c/1", hdr(""), "y", 1, NULL);
        registry_add(r, "a", "na", "/c/2", hdr(""), "z", 1, NULL);
        cr_assert_eq(registry_drop(r, "a"), 2);
        cr_assert_eq(registry_count(r), 1);
        cr_assert_str_eq(registry_at(r, 0)->id, "b");
        cr_assert_eq(registry_drop(r, "a"), 0);
        registry_free(r);
}

Test(registry, rename_follows_the_container)
{
        struct registry *r = registry_new();

        registry_add(r, "a", "old", "/c/1", hdr(""), "", 0, NULL);
        registry_rename(r, "a", "new");
        cr_assert_str_eq(registry_at(r, 0)->name, "new");
        registry_free(r);
}

Test(registry, body_is_copied_and_shared_by_reference)
{
        struct registry *r = registry_new();
        char body[] = "echo hi";
        struct registration *g = registry_add(r, "a", "n", "/c/1", hdr(""), body, 7, NULL);
        struct rbody *b;

        body[0] = 'X';
        cr_assert_str_eq(g->body->data, "echo hi");
        b = rbody_ref(g->body);
        registry_free(r);  /* the job's reference keeps it alive */
        cr_assert_str_eq(b->data, "echo hi");
        rbody_unref(b);
}

Test(registry, served_and_denied_sets)
{
        struct registry *r = registry_new();
        struct registration *g = registry_add(r, "a", "n", "/c/1", hdr("x,y"), "", 0, NULL);

        cr_assert(!keyset_has(&g->served[1], "%host"));
        cr_assert_eq(keyset_add(&g->served[1], "%host"), 0);
        cr_assert_eq(keyset_add(&g->served[1], "%host"), 0);
        cr_assert(keyset_has(&g->served[1], "%host"));
        cr_assert(!keyset_has(&g->served[0], "%host"));
        cr_assert_eq(g->served[1].n, 1);
        registry_free(r);
}

Test(registry, per_container_cap)
{
        struct registry *r = registry_new();
        int err = 0;

        for (int i = 0; i < REGISTRY_MAX_PER_CONTAINER; i++)
                cr_assert_not_null(registry_add(r, "a", "n", "/c/1", hdr(""), "", 0, NULL));
        cr_assert_null(registry_add(r, "a", "n", "/c/1", hdr(""), "", 0, &err));
        cr_assert_eq(err, -E2BIG);
        cr_assert_not_null(registry_add(r, "b", "n", "/c/1", hdr(""), "", 0, NULL));
        registry_free(r);
}
