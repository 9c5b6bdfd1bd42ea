/* test_seen.c — the replay filter, the de-duplication ring and our own
 * exec ids (docs/watch.md "Guarantees", "Dispatch"). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "seen.h"
#include "cursor.h"

static struct event ev(const char *action, const char *id, uint64_t t)
{
        struct event e = { .time_nano = t };

        snprintf(e.type, sizeof(e.type), "container");
        snprintf(e.action, sizeof(e.action), "%s", action);
        snprintf(e.id, sizeof(e.id), "%s", id);
        return e;
}

Test(seen, takes_an_event_once)
{
        struct seen *s = seen_new();
        struct event e = ev("start", "a", 10);

        cr_assert(seen_take(s, &e));
        cr_assert_not(seen_take(s, &e));
        e.time_nano = 11;
        cr_assert(seen_take(s, &e), "another time is another event");
        seen_free(s);
}

Test(seen, after_a_resume_the_cursor_event_and_older_ones_are_replays)
{
        struct seen *s = seen_new();
        struct cursor c = { .time_nano = 100 };
        struct event e;

        snprintf(c.id, sizeof(c.id), "a");
        snprintf(c.action, sizeof(c.action), "die");
        seen_resume(s, &c);
        e = ev("die", "a", 100);
        cr_assert_not(seen_take(s, &e), "the cursor's own event (since= is inclusive)");
        e = ev("start", "b", 99);
        cr_assert_not(seen_take(s, &e));
        e = ev("start", "b", 100);
        cr_assert(seen_take(s, &e), "another event of the same nanosecond");
        e = ev("start", "b", 101);
        cr_assert(seen_take(s, &e));
        seen_free(s);
}

Test(seen, our_own_exec_events_are_not_taken)
{
        struct seen *s = seen_new();
        struct event e = ev("exec_start", "a", 5);

        seen_ours_add(s, "x1");
        snprintf(e.exec_id, sizeof(e.exec_id), "x1");
        cr_assert_not(seen_take(s, &e));
        snprintf(e.exec_id, sizeof(e.exec_id), "x2");
        e.time_nano = 6;
        cr_assert(seen_take(s, &e));
        cr_assert_not(seen_ours_has(s, ""), "no exec id is never ours");
        seen_free(s);
}

Test(seen, the_exec_id_ring_forgets_the_oldest)
{
        struct seen *s = seen_new();
        char id[32];

        seen_ours_add(s, "first");
        for (int i = 0; i < SEEN_OURS_MAX; i++) {
                snprintf(id, sizeof(id), "id%d", i);
                seen_ours_add(s, id);
        }
        cr_assert_not(seen_ours_has(s, "first"));
        cr_assert(seen_ours_has(s, "id0"));
        seen_free(s);
}

Test(seen, free_of_null_is_a_no_op)
{
        cr_assert_null(seen_free(NULL));
}
