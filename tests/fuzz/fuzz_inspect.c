/* fuzz_inspect.c — inspect_parse on the input (when it does not begin with
 * '{', its first line is the Engine socket path and the rest the JSON), then
 * the host-equivalence rules and the traits line on what it parsed. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "inspect.h"
#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *s = (const char *)data, *nl = memchr(s, '\n', size);
        char sock[256] = "", line[400];
        struct docker_inspect in;
        struct inspect_facts f;

        if (size && s[0] != '{' && nl && (size_t)(nl - s) < sizeof(sock)) {
                memcpy(sock, s, (size_t)(nl - s));
                sock[nl - s] = '\0';
                size -= (size_t)(nl + 1 - s);
                s = nl + 1;
        }
        if (inspect_facts_parse(s, size, &f) == 0) {
                for (size_t i = 0; i < f.n_labels; i++)
                        if (!f.keys[i] || !f.values[i])
                                __builtin_trap();
                inspect_facts_free(&f);
        }
        if (inspect_parse(s, size, sock, &in) != 0)
                return 0;
        if (!in.id[0] || strlen(in.id) >= sizeof(in.id) || strlen(in.name) >= sizeof(in.name))
                __builtin_trap();
        if ((inspect_host_equivalent(&in) != NULL) != ((inspect_traits(&in, "h") & TRAIT_HOSTEQ) != 0))
                __builtin_trap();
        inspect_traits_line(&in, line, sizeof(line));
        return 0;
}
