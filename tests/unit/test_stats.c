/* test_stats.c — counters, result classes, the latency histogram, the ring
 * of the last STATS_RING dispatches and the per-registrar last results. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"

static struct stats_dispatch disp(const char *reg_id, const char *status, uint64_t latency_ms)
{
        struct stats_dispatch d = { .latency_ms = latency_ms, .duration_ms = latency_ms };

        snprintf(d.registrar_id, sizeof(d.registrar_id), "%s", reg_id);
        snprintf(d.registrar, sizeof(d.registrar), "name-%s", reg_id);
        snprintf(d.status, sizeof(d.status), "%s", status);
        snprintf(d.event, sizeof(d.event), "start");
        d.result = stats_classify(status);
        return d;
}

Test(stats, null_is_a_no_op)
{
        struct stats_dispatch d = disp("a", "exit 0", 1);

        stats_inc(NULL, STATS_EVENTS);
        stats_record(NULL, &d);
        cr_assert_eq(stats_counter(NULL, STATS_EVENTS), 0);
        cr_assert_eq(stats_ring_len(NULL), 0);
        cr_assert_null(stats_free(NULL));
}

Test(stats, counters_count_each_kind_apart)
{
        struct stats *s = stats_new();

        stats_inc(s, STATS_EVENTS);
        stats_inc(s, STATS_EVENTS);
        stats_inc(s, STATS_DENIALS);
        stats_inc(s, STATS_N_COUNTERS);  /* out of range: ignored */
        cr_assert_eq(stats_counter(s, STATS_EVENTS), 2);
        cr_assert_eq(stats_counter(s, STATS_DENIALS), 1);
        cr_assert_eq(stats_counter(s, STATS_SCRIPTS), 0);
        cr_assert_eq(stats_counter(s, STATS_N_COUNTERS), 0);
        stats_free(s);
}

Test(stats, classify_follows_the_dispatch_status_texts)
{
        cr_assert_eq(stats_classify("exit 0"), STATS_OK);
        cr_assert_eq(stats_classify("exit 3"), STATS_FAILED);
        cr_assert_eq(stats_classify("timeout killed"), STATS_TIMEOUT);
        cr_assert_eq(stats_classify("timeout (worker killed)"), STATS_TIMEOUT);
        cr_assert_eq(stats_classify("overflow"), STATS_OVERFLOW);
        cr_assert_eq(stats_classify("gone"), STATS_GONE);
        cr_assert_eq(stats_classify("stopped killed"), STATS_STOPPED);
        cr_assert_str_eq(stats_result_name(STATS_STOPPED), "stopped");
        cr_assert_eq(stats_classify("failed"), STATS_ERROR);
        cr_assert_eq(stats_classify(""), STATS_ERROR);
        cr_assert_eq(stats_classify(NULL), STATS_ERROR);
        cr_assert_str_eq(stats_result_name(STATS_OK), "ok");
        cr_assert_str_eq(stats_result_name(STATS_N_RESULTS), "error");
}

Test(stats, histogram_is_cumulative_with_inf_equal_to_the_count)
{
        struct stats *s = stats_new();
        uint64_t lat[] = { 0, 5, 6, 100, 101, 60000, 60001, 999999 };

        for (size_t i = 0; i < sizeof(lat) / sizeof(lat[0]); i++) {
                struct stats_dispatch d = disp("a", "exit 0", lat[i]);
                stats_record(s, &d);
        }
        cr_assert_eq(stats_bucket(s, 0), 2);   /* <= 5 ms: 0, 5 */
        cr_assert_eq(stats_bucket(s, 1), 3);   /* <= 10 ms */
        cr_assert_eq(stats_bucket(s, 4), 4);   /* <= 100 ms */
        cr_assert_eq(stats_bucket(s, 5), 5);   /* <= 250 ms */
        cr_assert_eq(stats_bucket(s, STATS_N_BUCKETS - 1), 6);  /* <= 60 s */
        cr_assert_eq(stats_bucket(s, STATS_N_BUCKETS), 8);      /* +Inf */
        cr_assert_eq(stats_bucket(s, STATS_N_BUCKETS + 1), 0);
        cr_assert_eq(stats_latency_sum_ms(s), 0 + 5 + 6 + 100 + 101 + 60000 + 60001 + 999999);
        for (size_t i = 1; i <= STATS_N_BUCKETS; i++)
                cr_assert_geq(stats_bucket(s, i), stats_bucket(s, i - 1));
        cr_assert_eq(stats_results(s, STATS_OK), 8);
        stats_free(s);
}

Test(stats, ring_keeps_the_last_100_oldest_first)
{
        struct stats *s = stats_new();
        char id[32];

        for (int i = 0; i < STATS_RING + 37; i++) {
                snprintf(id, sizeof(id), "c%d", i);
                struct stats_dispatch d = disp(id, i % 2 ? "exit 1" : "exit 0", 1);
                stats_record(s, &d);
        }
        cr_assert_eq(stats_ring_len(s), STATS_RING);
        cr_assert_str_eq(stats_ring_at(s, 0)->registrar_id, "c37");
        cr_assert_str_eq(stats_ring_at(s, STATS_RING - 1)->registrar_id, "c136");
        cr_assert_null(stats_ring_at(s, STATS_RING));
        /* counts are totals, not the ring's */
        cr_assert_eq(stats_results(s, STATS_OK) + stats_results(s, STATS_FAILED), STATS_RING + 37);
        stats_free(s);
}

Test(stats, last_results_per_registrar_newest_first_bounded)
{
        struct stats *s = stats_new();
        const struct stats_dispatch *l[STATS_LAST + 2];
        char st[32];

        for (int i = 0; i < STATS_LAST + 3; i++) {
                snprintf(st, sizeof(st), "exit %d", i);
                struct stats_dispatch d = disp("a", st, 1);
                stats_record(s, &d);
        }
        struct stats_dispatch b = disp("b", "gone", 1);
        stats_record(s, &b);
        cr_assert_eq(stats_last_of(s, "a", l, STATS_LAST + 2), STATS_LAST);
        snprintf(st, sizeof(st), "exit %d", STATS_LAST + 2);
        cr_assert_str_eq(l[0]->status, st);
        snprintf(st, sizeof(st), "exit %d", 3);
        cr_assert_str_eq(l[STATS_LAST - 1]->status, st);
        cr_assert_eq(stats_last_of(s, "b", l, 1), 1);
        cr_assert_eq(l[0]->result, STATS_GONE);
        cr_assert_eq(stats_last_of(s, "nobody", l, 4), 0);
        stats_free(s);
}

Test(stats, per_registrar_table_evicts_the_least_recent)
{
        struct stats *s = stats_new();
        const struct stats_dispatch *l[1];
        char id[32];

        for (int i = 0; i < STATS_CONTAINERS + 10; i++) {
                snprintf(id, sizeof(id), "c%d", i);
                struct stats_dispatch d = disp(id, "exit 0", 1);
                stats_record(s, &d);
                if (i == STATS_CONTAINERS - 1) {  /* c0 is used again: it stays */
                        struct stats_dispatch d0 = disp("c0", "exit 9", 1);
                        stats_record(s, &d0);
                }
        }
        cr_assert_eq(stats_last_of(s, "c0", l, 1), 1);
        cr_assert_str_eq(l[0]->status, "exit 9");
        cr_assert_eq(stats_last_of(s, "c1", l, 1), 0);   /* evicted */
        snprintf(id, sizeof(id), "c%d", STATS_CONTAINERS + 9);
        cr_assert_eq(stats_last_of(s, id, l, 1), 1);
        stats_free(s);
}
