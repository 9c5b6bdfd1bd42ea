/* test_registry.c — registrations keyed by container id, lifetime, caps. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

Test(registry, entries_are_indexed_by_event_in_registration_order)
{
        struct registry *r = registry_new();
        const struct registry_hit *h;
        struct registration *a, *b;

        a = registry_add(r, "a", "na", "/c/1", hdr("x:start:die, y:stop, z"), "1", 1, NULL);
        b = registry_add(r, "b", "nb", "/c/1", hdr("%me:die, q:start, w:exec_start"), "2", 1, NULL);
        cr_assert_not_null(a);
        cr_assert_not_null(b);
        cr_assert_eq(registry_firing(r, "start", &h), 2);
        cr_assert(h[0].g == a && h[0].entry == 0);
        cr_assert(h[1].g == b && h[1].entry == 1);
        cr_assert_eq(registry_firing(r, "die", &h), 2);
        cr_assert(h[0].g == a && h[1].g == b && h[1].entry == 0);
        cr_assert_eq(registry_firing(r, "exec_start: sh -c 'x'", &h), 1, "the action's text before ':'");
        cr_assert_eq(registry_firing(r, "exec_start : x", &h), 1);
        cr_assert_eq(registry_firing(r, "exec", &h), 0);
        cr_assert_eq(registry_firing(r, "", &h), 0);
        cr_assert_eq(registry_firing(r, "pause", &h), 0);
        cr_assert_eq(registry_immediates(r, &h), 1);
        cr_assert(h[0].g == a && h[0].entry == 2);
        cr_assert_eq(registry_drop(r, "a"), 1);
        cr_assert_eq(registry_firing(r, "start", &h), 1);
        cr_assert(h[0].g == b);
        cr_assert_eq(registry_firing(r, "stop", &h), 0);
        cr_assert_eq(registry_immediates(r, &h), 0);
        registry_free(r);
}

Test(registry, one_containers_many_entries_do_not_touch_other_events)
{
        struct registry *r = registry_new();
        const struct registry_hit *h;
        char *text;
        size_t n = 0;

        /* 256 registrations × 400 entries: 102,400 entries on 400 events. */
        text = malloc(400 * 16);
        for (int e = 0; e < 400; e++)
                n += (size_t)sprintf(text + n, "%sx:ev_%c%c", e ? "," : "", 'a' + e / 26, 'a' + e % 26);
        for (int i = 0; i < REGISTRY_MAX_PER_CONTAINER; i++)
                cr_assert_not_null(registry_add(r, "hog", "hog", "/c/1", hdr(text), "", 0, NULL));
        cr_assert_not_null(registry_add(r, "b", "nb", "/c/1", hdr("%me:start"), "", 0, NULL));
        cr_assert_eq(registry_firing(r, "start", &h), 1);
        cr_assert_str_eq(h[0].g->id, "b");
        cr_assert_eq(registry_firing(r, "ev_ah", &h), REGISTRY_MAX_PER_CONTAINER);
        cr_assert_eq(registry_drop(r, "hog"), REGISTRY_MAX_PER_CONTAINER);
        cr_assert_eq(registry_firing(r, "ev_ah", &h), 0);
        cr_assert_eq(registry_firing(r, "start", &h), 1);
        /* the table shrank back: a new event still indexes */
        cr_assert_not_null(registry_add(r, "c", "nc", "/c/1", hdr("%me:ev_ah"), "", 0, NULL));
        cr_assert_eq(registry_firing(r, "ev_ah", &h), 1);
        free(text);
        registry_free(r);
}

Test(registry, duplicate_entries_are_merged_and_bytes_counted)
{
        struct registry *r = registry_new();
        struct registration *g;
        const struct registry_hit *h;

        g = registry_add(r, "a", "na", "/c/1", hdr("x, x , y:start:start:die, x, y:start:start:die"),
                         "body", 4, NULL);
        cr_assert_not_null(g);
        cr_assert_eq(g->hdr->n_entries, 2);
        cr_assert_eq(g->merged, 3);
        cr_assert_str_eq(g->hdr->entries[0].text, "x");
        cr_assert_eq(g->hdr->entries[1].n_events, 2);
        cr_assert_str_eq(g->hdr->entries[1].events[0], "start");
        cr_assert_str_eq(g->hdr->entries[1].events[1], "die");
        cr_assert_null(g->hdr->entries[1].events[2]);
        cr_assert_eq(registry_firing(r, "start", &h), 1);
        cr_assert_eq(registry_immediates(r, &h), 1);
        cr_assert_eq(g->bytes, 4 + strlen("/c/1") + strlen("x") + 1 + strlen("y:start:start:die") + 1);
        registry_free(r);
}
