/* test_musl_compat.c — the static build's stand-ins for glibc's
 * sigabbrev_np and close_range (init/static/musl_compat.c), checked here
 * against glibc itself: same abbreviation (or NULL) for every signal
 * number, and close_range's CLOEXEC flag really set.  The stand-ins are
 * renamed so that glibc's own functions stay callable beside them. */
#define sigabbrev_np compat_sigabbrev_np
#define close_range compat_close_range
#include "../../init/static/musl_compat.c"
#undef sigabbrev_np
#undef close_range

#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

Test(musl_compat, sigabbrev_np_matches_glibc_for_every_number)
{
        for (int sig = -1; sig <= NSIG + 1; sig++) {
                const char *want = sigabbrev_np(sig), *got = compat_sigabbrev_np(sig);

                if (want == NULL)
                        cr_assert_null(got, "signal %d: glibc has none, compat says %s", sig, got);
                else
                        cr_assert(got != NULL && strcmp(got, want) == 0,
                                  "signal %d: glibc %s, compat %s", sig, want, got ? got : "NULL");
        }
}

Test(musl_compat, close_range_cloexec_marks_only_the_range)
{
        int a = open("/dev/null", O_RDONLY), b = open("/dev/null", O_RDONLY);

        cr_assert(a >= 0 && b > a);
        cr_assert_eq(fcntl(a, F_GETFD) & FD_CLOEXEC, 0);
        cr_assert_eq(compat_close_range((unsigned)b, (unsigned)b, CLOSE_RANGE_CLOEXEC), 0);
        cr_assert_eq(fcntl(a, F_GETFD) & FD_CLOEXEC, 0);
        cr_assert_neq(fcntl(b, F_GETFD) & FD_CLOEXEC, 0);
        cr_assert_eq(compat_close_range((unsigned)a, (unsigned)a, 0), 0);
        cr_assert_eq(fcntl(a, F_GETFD), -1);   /* closed */
        close(b);
}
