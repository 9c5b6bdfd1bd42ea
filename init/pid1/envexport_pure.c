/* envexport_pure.c — the pure helpers of the environment export (see
 * envexport.h): which names are exported and where they may appear, shell
 * quoting, JSON escaping (invalid UTF-8 becomes U+FFFD), rendering the .sh
 * and .json dumps.  No I/O, no globals: unit-tested and fuzzed. */
#include "envexport.h"
#include "buf.h"

#include <stdint.h>
#include <string.h>

static const char *const excluded[] = { "HOME", "USER", "GROUP", "UID", "GID", "SHELL" };

bool envexport_is_excluded_n(const char *name, size_t nl)
{
        for (size_t i = 0; i < sizeof(excluded) / sizeof(excluded[0]); i++)
                if (strlen(excluded[i]) == nl && memcmp(name, excluded[i], nl) == 0)
                        return true;
        return false;
}

bool envexport_is_excluded(const char *name)
{
        return envexport_is_excluded_n(name, strlen(name));
}

static bool is_alpha_(char c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool shell_n(const char *name, size_t nl)
{
        if (nl == 0 || !is_alpha_(name[0]))
                return false;
        for (size_t i = 1; i < nl; i++)
                if (!is_alpha_(name[i]) && !(name[i] >= '0' && name[i] <= '9'))
                        return false;
        return true;
}

bool envexport_name_is_shell(const char *name)
{
        return shell_n(name, strlen(name));
}

bool envexport_name_is_file(const char *name)
{
        size_t n = strlen(name);

        return n > 0 && n <= ENVEXPORT_NAME_MAX && !strchr(name, '/') && !strchr(name, '=') &&
               strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int envexport_shell_quote(struct buf *b, const char *s)
{
        int r = buf_puts(b, "'");

        while (r >= 0 && *s) {
                size_t n = strcspn(s, "'");

                r = buf_append(b, s, n);
                s += n;
                if (r >= 0 && *s == '\'') {
                        /* close the quote, an escaped quote, reopen */
                        r = buf_puts(b, "'\\''");
                        s++;
                }
        }
        return r < 0 ? r : buf_puts(b, "'");
}

/* Length of the valid UTF-8 sequence at S (1..4), or 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629). */
static size_t utf8_len(const unsigned char *s, size_t left)
{
        unsigned char c = s[0];
        size_t n;
        uint32_t cp;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) { n = 2; cp = c & 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { n = 3; cp = c & 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { n = 4; cp = c & 0x07; }
        else return 0;
        if (left < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

int envexport_json_string(struct buf *b, const char *s, size_t len)
{
        static const char hex[] = "0123456789abcdef";
        const unsigned char *u = (const unsigned char *)s;
        int r = buf_puts(b, "\"");
        size_t i = 0;

        while (r >= 0 && i < len) {
                unsigned char c = u[i];
                size_t n;

                if (c == '"' || c == '\\') {
                        char e[2] = { '\\', (char)c };
                        r = buf_append(b, e, 2);
                        i++;
                } else if (c == '\n') {
                        r = buf_puts(b, "\\n");
                        i++;
                } else if (c == '\t') {
                        r = buf_puts(b, "\\t");
                        i++;
                } else if (c < 0x20 || c == 0x7f) {
                        char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                        r = buf_append(b, e, 6);
                        i++;
                } else if ((n = utf8_len(u + i, len - i)) > 0) {
                        r = buf_append(b, s + i, n);
                        i += n;
                } else {
                        r = buf_puts(b, "\\ufffd");
                        i++;
                }
        }
        return r < 0 ? r : buf_puts(b, "\"");
}

bool envexport_split_entry(const char *entry, size_t *ret_namelen, const char **ret_value)
{
        const char *eq = strchr(entry, '=');

        if (!eq)
                return false;
        *ret_namelen = (size_t)(eq - entry);
        *ret_value = eq + 1;
        return true;
}

/* An exported entry: has a non-empty name that is not excluded. */
static bool exported(const char *entry, size_t *ret_nl, const char **ret_value)
{
        return envexport_split_entry(entry, ret_nl, ret_value) && *ret_nl > 0 &&
               !envexport_is_excluded_n(entry, *ret_nl);
}

int envexport_render_sh(struct buf *b, char *const *env)
{
        int r = 0;

        for (size_t i = 0; r >= 0 && env && env[i]; i++) {
                const char *value;
                size_t nl;

                if (!exported(env[i], &nl, &value) || !shell_n(env[i], nl))
                        continue;
                r = buf_puts(b, "export ");
                if (r >= 0)
                        r = buf_append(b, env[i], nl + 1);  /* NAME= */
                if (r >= 0)
                        r = envexport_shell_quote(b, value);
                if (r >= 0)
                        r = buf_puts(b, "\n");
        }
        return r;
}

int envexport_render_json(struct buf *b, char *const *env)
{
        int r = buf_puts(b, "{");
        bool first = true;

        for (size_t i = 0; r >= 0 && env && env[i]; i++) {
                const char *value;
                size_t nl;

                if (!exported(env[i], &nl, &value))
                        continue;
                if (!first)
                        r = buf_puts(b, ",");
                first = false;
                if (r >= 0)
                        r = envexport_json_string(b, env[i], nl);
                if (r >= 0)
                        r = buf_puts(b, ":");
                if (r >= 0)
                        r = envexport_json_string(b, value, strlen(value));
        }
        return r < 0 ? r : buf_puts(b, "}\n");
}

size_t envexport_strip_newline(const char *s, size_t len)
{
        return len > 0 && s[len - 1] == '\n' ? len - 1 : len;
}
