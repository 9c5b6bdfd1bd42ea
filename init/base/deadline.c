/* deadline.c — monotonic deadlines.  See deadline.h.
 * Every wait in the shutdown path is bounded by one of these, so the wall
 * clock (NTP steps, a container's faked time) can never stretch or skip it. */
#include "deadline.h"

#include <time.h>

int64_t deadline_now(void)
{
        struct timespec ts;

        /* CLOCK_MONOTONIC cannot fail with a valid clock id and pointer. */
        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t deadline_wall_ns(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t deadline_in(int64_t ms)
{
        int64_t now = deadline_now();

        if (ms < 0)
                return now;
        if (ms >= DEADLINE_NEVER - now)
                return DEADLINE_NEVER;
        return now + ms;
}

int deadline_poll_timeout(int64_t deadline)
{
        int64_t left;

        if (deadline == DEADLINE_NEVER)
                return -1;
        left = deadline - deadline_now();
        if (left <= 0)
                return 0;
        return left > INT32_MAX ? INT32_MAX : (int)left;
}

int deadline_passed(int64_t deadline)
{
        return deadline != DEADLINE_NEVER && deadline_now() >= deadline;
}

int64_t deadline_min(int64_t a, int64_t b)
{
        return a < b ? a : b;
}
