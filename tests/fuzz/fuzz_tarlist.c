/* fuzz_tarlist.c — the script dir's archive lister on any bytes. */
#include <stddef.h>
#include <stdint.h>

#include "strv.h"
#include "tarlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct tar_lister l;
        char **v = NULL;
        size_t half = size / 2;

        tar_lister_init(&l, 8);
        /* two slices: state must carry across feeds */
        if (tar_lister_feed(&l, data, half) == 0)
                (void)tar_lister_feed(&l, data + half, size - half);
        if (tar_lister_take(&l, &v) == 0)
                strv_free(v);
        tar_lister_free(&l);
        return 0;
}
