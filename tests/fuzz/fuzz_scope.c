/* fuzz_scope.c — every input line is a --scope filter; then names and
 * labels from the input are matched.  A refused filter must say why in
 * one line (docs/events.md "Scope"). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = strndup((const char *)data, size), *line, *next, err[400];
        struct scope *sc = scope_new();
        char *k[] = { "a", "com.docker.compose.project" }, *v[] = { "b", "shop" };

        if (!s || !sc)
                goto out;
        for (line = s; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                err[0] = '\0';
                if (scope_add(sc, line, err, sizeof(err)) == -EINVAL && (!err[0] || strchr(err, '\n')))
                        __builtin_trap();
                (void)scope_name_ok(sc, line);
        }
        (void)scope_labels_ok(sc, k, v, 2);
        (void)scope_text(sc);
out:
        scope_free(sc);
        free(s);
        return 0;
}
