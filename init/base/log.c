/* log.c — one errno-preserving, printf-checked logger (after catatonit's
 * _log), with a JSON-lines sink for `contrainer watch --log-format json`.
 * Each message is formatted into one buffer and written with a single
 * write(2), so lines from the controller and its children never interleave
 * mid-line. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 4096

static const char *log_prefix = "contrainer";
static enum log_level log_max = LOG_LEVEL_INFO;
static bool log_json;

void log_setup(const char *prefix, enum log_level max, bool json)
{
        log_prefix = prefix;
        log_max = max;
        log_json = json;
}

static const char *const level_word[] = {
        [LOG_LEVEL_ERROR] = "error",
        [LOG_LEVEL_WARN] = "warning",
        [LOG_LEVEL_INFO] = "info",
        [LOG_LEVEL_DEBUG] = "debug",
};

/* Append S as a JSON string body (no quotes) to OUT at *pos. */
static void json_escape_into(char *out, size_t outsz, size_t *pos, const char *s)
{
        for (; *s && *pos + 8 < outsz; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\') {
                        out[(*pos)++] = '\\';
                        out[(*pos)++] = (char)c;
                } else if (c < 0x20) {
                        *pos += (size_t)snprintf(out + *pos, outsz - *pos, "\\u%04x", c);
                } else {
                        out[(*pos)++] = (char)c;
                }
        }
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
        char msg[LOG_LINE_MAX], line[LOG_LINE_MAX * 2];
        size_t n;
        int r;

        vsnprintf(msg, sizeof(msg), fmt, ap);
        if (log_json) {
                struct timespec ts;
                n = 0;
                (void)clock_gettime(CLOCK_REALTIME, &ts);
                r = snprintf(line, sizeof(line),
                             "{\"time\":%lld.%03ld,\"level\":\"%s\",\"prog\":\"",
                             (long long)ts.tv_sec, ts.tv_nsec / 1000000, level_word[level]);
                n = r > 0 ? (size_t)r : 0;
                json_escape_into(line, sizeof(line), &n, log_prefix);
                memcpy(line + n, "\",\"msg\":\"", 9);
                n += 9;
                json_escape_into(line, sizeof(line), &n, msg);
                memcpy(line + n, "\"}\n", 3);
                n += 3;
        } else {
                if (level == LOG_LEVEL_INFO)
                        r = snprintf(line, sizeof(line), "%s: %s\n", log_prefix, msg);
                else
                        r = snprintf(line, sizeof(line), "%s: %s: %s\n", log_prefix,
                                     level_word[level], msg);
                n = r < 0 ? 0 : (size_t)r >= sizeof(line) ? sizeof(line) - 1 : (size_t)r;
                if (n > 0 && line[n - 1] != '\n')
                        line[n - 1] = '\n';
        }
        /* A short or failed write to stderr has nowhere to be reported. */
        (void)!write(STDERR_FILENO, line, n);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
        int saved = errno;
        va_list ap;

        if (level <= log_max) {
                va_start(ap, fmt);
                log_vmsg(level, fmt, ap);
                va_end(ap);
        }
        errno = saved;
}

int log_errno(enum log_level level, int r, const char *fmt, ...)
{
        int saved = errno;
        va_list ap;

        if (level <= log_max) {
                errno = r < 0 ? -r : r;
                va_start(ap, fmt);
                log_vmsg(level, fmt, ap);
                va_end(ap);
        }
        errno = saved;
        return r;
}

char *log_quote(char *dst, size_t dstsz, const char *src, size_t len)
{
        static const char hex[] = "0123456789abcdef";
        size_t o = 0, i;

        if (dstsz < 8) {
                if (dstsz)
                        dst[0] = '\0';
                return dst;
        }
        dst[o++] = '\'';
        for (i = 0; i < len; i++) {
                unsigned char c = (unsigned char)src[i];
                char esc[5];
                size_t el;

                if (c == '\n') { esc[0] = '\\'; esc[1] = 'n'; el = 2; }
                else if (c == '\t') { esc[0] = '\\'; esc[1] = 't'; el = 2; }
                else if (c == '\'' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; el = 2; }
                else if (c < 0x20 || c >= 0x7f) {
                        esc[0] = '\\'; esc[1] = 'x'; esc[2] = hex[c >> 4]; esc[3] = hex[c & 15]; el = 4;
                } else { esc[0] = (char)c; el = 1; }
                /* keep room for "...'" and the NUL */
                if (o + el + 5 > dstsz) {
                        memcpy(dst + o, "...", 3);
                        o += 3;
                        break;
                }
                memcpy(dst + o, esc, el);
                o += el;
        }
        dst[o++] = '\'';
        dst[o] = '\0';
        return dst;
}

char *log_q(char *dst, size_t dstsz, const char *src)
{
        return log_quote(dst, dstsz, src ? src : "", src ? strlen(src) : 0);
}
