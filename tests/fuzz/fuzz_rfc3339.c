/* fuzz_rfc3339.c — the Engine's timestamps: any input parses or is refused
 * without a fault, and whatever is accepted agrees with timegm(3) on the
 * same fields (the reference calendar) and keeps its fraction below 1 s. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rfc3339.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int num(const char *s, int n)
{
        int v = 0;

        for (int i = 0; i < n; i++)
                v = v * 10 + (s[i] - '0');
        return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s;
        uint64_t t = 0;
        struct tm tm = { 0 };
        long long secs;
        size_t len;

        if (size > 256)
                return 0;
        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        if (rfc3339_parse(s, &t) == 0) {
                len = strlen(s);
                if (len < 20)
                        __builtin_trap();
                tm.tm_year = num(s, 4) - 1900;
                tm.tm_mon = num(s + 5, 2) - 1;
                tm.tm_mday = num(s + 8, 2);
                tm.tm_hour = num(s + 11, 2);
                tm.tm_min = num(s + 14, 2);
                tm.tm_sec = num(s + 17, 2);
                secs = (long long)timegm(&tm);
                if (s[len - 1] != 'Z') {
                        const char *o = s + len - 6;
                        secs -= (*o == '+' ? 1 : -1) * (num(o + 1, 2) * 3600LL + num(o + 4, 2) * 60);
                }
                if (secs < 0 || t / 1000000000ull != (uint64_t)secs)
                        __builtin_trap();
        } else if (t != 0) {
                __builtin_trap();  /* written on failure */
        }
        free(s);
        return 0;
}
