/* fuzz_split.c — a script's whole stdout: header_split_output, then
 * header_parse on the header line it found (the registration path). */
#include <stddef.h>
#include <stdint.h>

#include "header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *hdr, *body;
        size_t hl, bl;
        struct header *h = NULL;
        struct parse_error err;

        if (header_split_output((const char *)data, size, &hdr, &hl, &body, &bl, &err) < 0)
                return 0;
        if (hl > size || bl > size || body + bl != (const char *)data + size)
                __builtin_trap();
        if (header_parse(hdr, hl, &h, &err) == 0)
                header_free(h);
        return 0;
}
