/* fuzz_directuser.c — Config.User resolution and the exec environment on
 * any bytes: input = SPEC \0 PASSWD \0 GROUP (missing parts are NULL). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "direct_user.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size + 1), *parts[3] = { NULL, NULL, NULL }, *p;
        char *add[] = { "1", "wheel", NULL }, *env[] = { "A=1", "B", "HOME=", NULL };
        struct direct_user u;
        const char *why;
        size_t n = 0;

        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        for (p = buf; n < 3 && p <= buf + size; p += strlen(p) + 1)
                parts[n++] = p;
        if (direct_user_resolve(parts[0], parts[1], parts[2], add, &u, &why) == 0)
                strv_free(direct_env_build(parts[0], env, u.home));
        free(buf);
        return 0;
}
