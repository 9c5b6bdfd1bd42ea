/* seen.c — replay filter, de-duplication ring and our own exec ids.
 * See seen.h. */
#include "seen.h"

#include "events.h"
#include "cursor.h"

#include <stdlib.h>
#include <string.h>

struct seen {
        struct cursor resume;     /* the cursor we resubscribed with */
        struct event recent[SEEN_RECENT_MAX];
        size_t n_recent, recent_pos;
        char ours[SEEN_OURS_MAX][80];
        size_t ours_pos;
};

struct seen *seen_new(void)
{
        return calloc(1, sizeof(struct seen));
}

struct seen *seen_free(struct seen *s)
{
        free(s);
        return NULL;
}

void seen_resume(struct seen *s, const struct cursor *c)
{
        s->resume = *c;
}

static bool replayed(const struct seen *s, const struct event *e)
{
        const struct cursor *c = &s->resume;

        return c->time_nano && (e->time_nano < c->time_nano ||
                                (e->time_nano == c->time_nano && strcmp(e->id, c->id) == 0 &&
                                 strcmp(e->action, c->action) == 0));
}

static bool recent_has(const struct seen *s, const struct event *e)
{
        for (size_t i = 0; i < s->n_recent; i++)
                if (event_same(&s->recent[i], e))
                        return true;
        return false;
}

bool seen_take(struct seen *s, const struct event *e)
{
        if (replayed(s, e) || recent_has(s, e))
                return false;
        s->recent[s->recent_pos] = *e;
        s->recent_pos = (s->recent_pos + 1) % SEEN_RECENT_MAX;
        if (s->n_recent < SEEN_RECENT_MAX)
                s->n_recent++;
        return !(strncmp(e->action, "exec_", 5) == 0 && seen_ours_has(s, e->exec_id));
}

void seen_ours_add(struct seen *s, const char *exec_id)
{
        size_t n = strnlen(exec_id, sizeof(s->ours[0]) - 1);

        memcpy(s->ours[s->ours_pos], exec_id, n);
        s->ours[s->ours_pos][n] = '\0';
        s->ours_pos = (s->ours_pos + 1) % SEEN_OURS_MAX;
}

bool seen_ours_has(const struct seen *s, const char *exec_id)
{
        if (!exec_id[0])
                return false;
        for (size_t i = 0; i < SEEN_OURS_MAX; i++)
                if (strcmp(s->ours[i], exec_id) == 0)
                        return true;
        return false;
}
