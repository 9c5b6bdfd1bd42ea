/* why.h — a reason for a refusal, written into the caller's buffer: the
 * direct path says why it cannot give a container's exact exec context
 * (direct_ctx.c, direct_seccomp.c) in one line the caller logs or shows.
 * Owns: nothing (a formatting helper).  Any context; never logs. */
#ifndef CONTRAINER_WHY_H
#define CONTRAINER_WHY_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Write FMT... into WHY (WHYSZ bytes, cut to fit) and return R, so that a
 * refusal reads `return why_fail(why, whysz, -EPERM, "...", ...);`. */
static inline int why_fail(char *why, size_t whysz, int r, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static inline int why_fail(char *why, size_t whysz, int r, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(why, whysz, fmt, ap);
        va_end(ap);
        return r;
}

#endif
