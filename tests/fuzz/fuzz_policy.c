/* fuzz_policy.c — input lines are `--allow` rules, the last line is the
 * registrar's name; every target class is then checked. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "header.h"
#include "policy.h"
#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const struct target t[] = {
                { TT_CONTAINER, "i", "n", 1, 0 }, { TT_CONTAINER, "i", "n", 0, TRAIT_KNOWN },
                { TT_CONTAINER, "i", "n", 0, TRAIT_KNOWN | TRAIT_HOSTEQ }, { TT_CONTAINER, "i", "n", 0, 0 },
                { TT_CONTAINER, "i", "n", 0, TRAIT_KNOWN | TRAIT_SELF },
                { TT_HOST, NULL, NULL, 0, 0 }, { TT_CONTRAINER, NULL, NULL, 0, 0 } };
        struct policy *p = policy_new();
        char *s = strndup((const char *)data, size), *line, *next;
        struct parse_error err;

        if (!p || !s)
                goto out;
        for (line = s; (next = strchr(line, '\n')); line = next + 1) {
                *next = '\0';
                (void)policy_add(p, line, &err);
        }
        if (!(policy_classes(p, line) & POLICY_ME))
                __builtin_trap();
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
                (void)policy_allows(p, line, &t[i]);
        /* What reaches a host-equivalent container, %contrainer or a
         * container that may be the controller reaches %host. */
        for (size_t i = 2; i < sizeof(t) / sizeof(t[0]); i++)
                if (policy_allows(p, line, &t[i]) && !policy_allows(p, line, &t[5]))
                        __builtin_trap();
out:
        policy_free(p);
        free(s);
        return 0;
}
