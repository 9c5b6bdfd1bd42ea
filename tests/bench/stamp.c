/* stamp.c — prints CLOCK_REALTIME in nanoseconds since the epoch.
 * Built static and copied into the controller bench image: busybox's date
 * has no %N, and dispatch latencies are a few ms.  Containers share the
 * host's clock, so the stamp compares with the Engine's event timeNano. */
#include <stdio.h>
#include <time.h>

int main(void)
{
        struct timespec ts;

        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return 1;
        printf("%lld%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
        return 0;
}
