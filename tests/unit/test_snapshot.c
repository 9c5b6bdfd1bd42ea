/* test_snapshot.c — the running containers the controller knows: names,
 * traits, the fail-closed rule of an unidentified controller, exec refusals. */
#include <criterion/criterion.h>
#include <string.h>

#include "snapshot.h"

Test(snapshot, set_adds_renames_and_keeps_known_traits)
{
        struct snapshot_store *s = snapshot_new();

        cr_assert_eq(snapshot_set(s, "a", "one", TRAIT_KNOWN | TRAIT_HOSTEQ), 0);
        cr_assert_eq(snapshot_set(s, "a", "two", 0), 0);
        cr_assert_eq(snapshot_count(s), 1);
        cr_assert_str_eq(snapshot_name(s, "a"), "two");
        cr_assert_eq(snapshot_find(s, "a")->traits, TRAIT_KNOWN | TRAIT_HOSTEQ);
        snapshot_traits(s, "a", TRAIT_KNOWN);
        cr_assert_eq(snapshot_find(s, "a")->traits, TRAIT_KNOWN);
        snapshot_remove(s, "a");
        cr_assert_null(snapshot_find(s, "a"));
        snapshot_free(s);
}

Test(snapshot, the_view_lists_every_container_and_the_controllers_id)
{
        struct snapshot_store *s = snapshot_new();
        struct snapshot v;

        snapshot_set_self(s, "me", true);
        snapshot_set(s, "a", "na", TRAIT_KNOWN);
        snapshot_set(s, "b", "nb", TRAIT_KNOWN);
        v = snapshot_view(s);
        cr_assert_eq(v.n, 2);
        cr_assert_str_eq(v.self_id, "me");
        snapshot_free(s);
}

Test(snapshot, an_unidentified_controller_in_a_container_fails_closed)
{
        struct snapshot_store *s = snapshot_new();

        snapshot_set_self(s, "", true);
        snapshot_set(s, "a", "na", 0);
        snapshot_set(s, "b", "nb", TRAIT_KNOWN | TRAIT_SELFLIKE);
        snapshot_set(s, "c", "nc", TRAIT_KNOWN);
        cr_assert(snapshot_find(s, "a")->traits & TRAIT_SELF, "not inspected: may be itself");
        cr_assert(snapshot_find(s, "b")->traits & TRAIT_SELF, "same host name: may be itself");
        cr_assert_not(snapshot_find(s, "c")->traits & TRAIT_SELF);
        snapshot_free(s);
}

Test(snapshot, on_the_host_nothing_is_the_controller)
{
        struct snapshot_store *s = snapshot_new();

        snapshot_set_self(s, "", false);
        snapshot_set(s, "a", "na", 0);
        cr_assert_not(snapshot_find(s, "a")->traits & TRAIT_SELF);
        snapshot_free(s);
}

Test(snapshot, exec_events_of_shadowing_or_uninspected_containers_are_refused_said_once)
{
        struct snapshot_store *s = snapshot_new();

        snapshot_set(s, "ok", "n1", TRAIT_KNOWN);
        snapshot_set(s, "shadow", "n2", TRAIT_KNOWN | TRAIT_SHADOW);
        snapshot_set(s, "unknown", "n3", 0);
        cr_assert_eq(snapshot_exec_refusal(s, "ok"), 0);
        cr_assert_eq(snapshot_exec_refusal(s, "shadow"), 1);
        cr_assert_eq(snapshot_exec_refusal(s, "shadow"), 2);
        cr_assert_eq(snapshot_exec_refusal(s, "unknown"), 1);
        cr_assert_eq(snapshot_exec_refusal(s, "absent"), 2);
        snapshot_free(s);
}
