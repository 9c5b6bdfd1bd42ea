/* musl_compat.h — the two glibc extensions init mode uses that musl lacks.
 * Owns: declarations only; musl_compat.c defines them.  Used by the static
 * (musl) build alone: the Makefile force-includes this header (-include) in
 * every object of `make static`, so the init modules stay #ifdef-free.
 * Does not own: anything the regular (glibc) build compiles.
 * Context: any (both functions are async-signal-safe, usable after fork). */
#ifndef CONTRAINER_MUSL_COMPAT_H
#define CONTRAINER_MUSL_COMPAT_H

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)   /* <linux/close_range.h> */
#endif

/* glibc >= 2.32: "TERM" for SIGTERM; NULL for a number that is not a
 * classic named signal (real-time signals included), as glibc. */
const char *sigabbrev_np(int sig);

/* glibc >= 2.34: the close_range(2) system call; -1 with errno on failure
 * (ENOSYS before Linux 5.9, EINVAL for CLOSE_RANGE_CLOEXEC before 5.11). */
int close_range(unsigned int first, unsigned int last, int flags);

#endif
