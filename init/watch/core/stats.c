/* stats.c — counters, histogram, ring of the last dispatches and per
 * registrar last results.  See stats.h. */
#include "stats.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const unsigned stats_bucket_ms[STATS_N_BUCKETS] = {
        5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
};

struct last {
        char id[80];
        struct stats_dispatch d[STATS_LAST];  /* d[0] newest */
        size_t n;
        uint64_t seq;                         /* recency, for eviction */
};

struct stats {
        uint64_t counters[STATS_N_COUNTERS];
        uint64_t results[STATS_N_RESULTS];
        uint64_t buckets[STATS_N_BUCKETS + 1];  /* not cumulative: one per range */
        uint64_t latency_sum_ms;
        struct stats_dispatch ring[STATS_RING];
        size_t ring_len, ring_pos;              /* ring_pos: next slot */
        struct last *lasts;                     /* grows up to STATS_CONTAINERS */
        size_t n_lasts, cap_lasts;
        uint64_t seq;
};

struct stats *stats_new(void)
{
        return calloc(1, sizeof(struct stats));
}

struct stats *stats_free(struct stats *s)
{
        if (s) {
                free(s->lasts);
                free(s);
        }
        return NULL;
}

void stats_inc(struct stats *s, enum stats_counter k)
{
        if (s && k < STATS_N_COUNTERS)
                s->counters[k]++;
}

uint64_t stats_counter(const struct stats *s, enum stats_counter k)
{
        return s && k < STATS_N_COUNTERS ? s->counters[k] : 0;
}

uint64_t stats_results(const struct stats *s, enum stats_result r)
{
        return s && r < STATS_N_RESULTS ? s->results[r] : 0;
}

uint64_t stats_bucket(const struct stats *s, size_t i)
{
        uint64_t n = 0;

        if (!s || i > STATS_N_BUCKETS)
                return 0;
        for (size_t b = 0; b <= i; b++)
                n += s->buckets[b];
        return n;
}

uint64_t stats_latency_sum_ms(const struct stats *s)
{
        return s ? s->latency_sum_ms : 0;
}

size_t stats_ring_len(const struct stats *s)
{
        return s ? s->ring_len : 0;
}

const struct stats_dispatch *stats_ring_at(const struct stats *s, size_t i)
{
        if (!s || i >= s->ring_len)
                return NULL;
        /* oldest is at ring_pos once the ring is full, else at 0 */
        return &s->ring[(s->ring_pos + STATS_RING - s->ring_len + i) % STATS_RING];
}

static struct last *last_get(struct stats *s, const char *id)
{
        struct last *oldest = NULL;

        for (size_t i = 0; i < s->n_lasts; i++) {
                if (strcmp(s->lasts[i].id, id) == 0)
                        return &s->lasts[i];
                if (!oldest || s->lasts[i].seq < oldest->seq)
                        oldest = &s->lasts[i];
        }
        if (s->n_lasts == s->cap_lasts && s->cap_lasts < STATS_CONTAINERS) {
                size_t nc = s->cap_lasts ? s->cap_lasts * 2 : 16;
                struct last *nv;

                if (nc > STATS_CONTAINERS)
                        nc = STATS_CONTAINERS;
                nv = realloc(s->lasts, nc * sizeof(*nv));
                if (nv) {
                        s->lasts = nv;
                        s->cap_lasts = nc;
                }
        }
        if (s->n_lasts < s->cap_lasts) {
                oldest = &s->lasts[s->n_lasts++];
        } else if (!oldest) {
                return NULL;  /* ENOMEM before the first entry */
        }
        memset(oldest, 0, sizeof(*oldest));
        memcpy(oldest->id, id, strnlen(id, sizeof(oldest->id) - 1));
        return oldest;
}

void stats_record(struct stats *s, const struct stats_dispatch *d)
{
        struct last *l;
        size_t b;

        if (!s || !d)
                return;
        if (d->result < STATS_N_RESULTS)
                s->results[d->result]++;
        for (b = 0; b < STATS_N_BUCKETS && d->latency_ms > stats_bucket_ms[b]; b++)
                ;
        s->buckets[b]++;
        s->latency_sum_ms += d->latency_ms;
        s->ring[s->ring_pos] = *d;
        s->ring_pos = (s->ring_pos + 1) % STATS_RING;
        if (s->ring_len < STATS_RING)
                s->ring_len++;
        l = last_get(s, d->registrar_id);
        if (!l)
                return;
        memmove(&l->d[1], &l->d[0], (STATS_LAST - 1) * sizeof(l->d[0]));
        l->d[0] = *d;
        if (l->n < STATS_LAST)
                l->n++;
        l->seq = ++s->seq;
}

size_t stats_last_of(const struct stats *s, const char *id,
                     const struct stats_dispatch **ret, size_t max)
{
        if (!s || !id)
                return 0;
        for (size_t i = 0; i < s->n_lasts; i++) {
                const struct last *l = &s->lasts[i];
                size_t n = 0;

                if (strcmp(l->id, id) != 0)
                        continue;
                for (; n < l->n && n < max; n++)
                        ret[n] = &l->d[n];
                return n;
        }
        return 0;
}

enum stats_result stats_classify(const char *st)
{
        if (!st || !*st)
                return STATS_ERROR;
        if (strcmp(st, "exit 0") == 0)
                return STATS_OK;
        if (strncmp(st, "exit ", 5) == 0)
                return STATS_FAILED;
        if (strncmp(st, "timeout", 7) == 0)
                return STATS_TIMEOUT;
        if (strcmp(st, "overflow") == 0)
                return STATS_OVERFLOW;
        if (strcmp(st, "gone") == 0)
                return STATS_GONE;
        if (strncmp(st, "stopped", 7) == 0)
                return STATS_STOPPED;
        return STATS_ERROR;
}

const char *stats_result_name(enum stats_result r)
{
        static const char *const names[STATS_N_RESULTS] = {
                "ok", "failed", "timeout", "overflow", "gone", "stopped", "error",
        };

        return r < STATS_N_RESULTS ? names[r] : "error";
}

const char *stats_counter_name(enum stats_counter k)
{
        static const char *const names[STATS_N_COUNTERS] = {
                "events", "scripts", "denials", "reconnects", "reconciliations", "label_hooks",
        };

        return k < STATS_N_COUNTERS ? names[k] : "";
}
