/* log.h — the only module that writes diagnostics (to stderr).
 * Owns: the "contrainer MODE: level: " prefix, the level filter, the text or
 * JSON-lines sink, errno preservation and quoting of untrusted strings.
 * Does not own: deciding what is worth saying (the orchestrators do; pure
 * modules return errors and never log).
 * Context: the main loop only. Not async-signal-safe: never call it between
 * fork() and exec(). */
#ifndef CONTRAINER_LOG_H
#define CONTRAINER_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Set the prefix ("contrainer init"), the most verbose level printed and the
 * sink (json=true: one JSON object per line, for `watch --log-format json`).
 * prefix is borrowed and must outlive all logging. */
void log_setup(const char *prefix, enum log_level max, bool json);

/* Print one line at LEVEL. errno is preserved, so %m works. */
void log_msg(enum log_level level, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* As log_msg, with errno set to -r for %m; returns r (a negative errno), so
 * callers can write `return log_errno(LOG_LEVEL_ERROR, r, "...: %m");`. */
int log_errno(enum log_level level, int r, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_error_errno(r, ...) log_errno(LOG_LEVEL_ERROR, (r), __VA_ARGS__)
#define log_warn_errno(r, ...)  log_errno(LOG_LEVEL_WARN, (r), __VA_ARGS__)

/* Render untrusted bytes SRC[0..len) into DST as a single-quoted string with
 * control characters, quotes, backslashes and bytes >= 0x7f escaped (\n, \t,
 * \xNN), truncated with "..." to fit DSTSZ (>= 8).  Returns DST, so it can
 * be used directly as a %s argument.  Pure. */
char *log_quote(char *dst, size_t dstsz, const char *src, size_t len);

/* log_quote for a NUL-terminated string (NULL prints as ''). */
char *log_q(char *dst, size_t dstsz, const char *src);

#endif
