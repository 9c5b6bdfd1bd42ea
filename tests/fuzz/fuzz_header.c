/* fuzz_header.c — header_parse on arbitrary bytes; every parsed entry is
 * then matched against an action and evaluated over a small snapshot. */
#include <stddef.h>
#include <stdint.h>

#include "header.h"
#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const struct container_ref c[] = { { "id-a", "a", 0, false }, { "id-b", "b", 0, false },
                                                  { "id-c", "c", 0, false } };
        static const struct snapshot snap = { c, 3, "id-c" };
        struct header *h = NULL;
        struct parse_error err;

        if (header_parse((const char *)data, size, &h, &err) < 0)
                return 0;
        for (size_t i = 0; i < h->n_entries; i++) {
                struct target_set set = { 0 };

                (void)header_entry_matches(&h->entries[i], "exec_start: sh -c x");
                if (target_eval(&h->entries[i], &snap, "id-a", "a", &set) == 0)
                        target_set_free(&set);
        }
        header_free(h);
        return 0;
}
