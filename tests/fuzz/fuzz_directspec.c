/* fuzz_directspec.c — the inspect and OCI bundle parsers on any bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "direct_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct direct_spec s;

        memset(&s, 0, sizeof(s));
        (void)direct_spec_inspect(&s, (const char *)data, size);
        direct_spec_done(&s);
        (void)direct_spec_bundle(&s, (const char *)data, size);
        direct_spec_done(&s);
        return 0;
}
