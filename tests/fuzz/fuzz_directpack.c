/* fuzz_directpack.c — direct_unpack on arbitrary bytes: it refuses or
 * gives a context that packs back to the same bytes; and the start time
 * parser on the same bytes as /proc/PID/stat text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "direct_ctx.h"
#include "direct_pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct direct_ctx c;
        uint64_t st, st2;
        unsigned char *again;
        size_t len;

        (void)direct_stat_starttime((const char *)data, size, &st2);
        if (direct_unpack(data, size, &c, &st) < 0)
                return 0;
        again = malloc(size ? size : 1);
        if (!again || direct_pack(&c, st, again, size, &len) < 0 || len != size ||
            memcmp(again, data, size) != 0)
                abort();
        free(again);
        direct_ctx_done(&c);
        return 0;
}
