/* fuzz_labels.c — the input is lines "KEY=VALUE" (a container's labels):
 * the CONTRAINER_LABEL_* environment and the label hooks are built; every
 * variable must be unique, within the caps, and every hook either an
 * output or a reason (docs/events.md "Environment", "Label hooks"). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = strndup((const char *)data, size), *line, *next;
        struct label *v = NULL;
        struct label_env_report rep;
        struct label_hook *h = NULL;
        char **env = NULL;
        size_t n = 0, nh = 0;

        if (!s)
                return 0;
        v = calloc(size + 1, sizeof(*v));
        if (!v)
                goto out;
        for (line = s; line; line = next) {
                char *eq;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                eq = strchr(line, '=');
                if (!eq)
                        continue;
                *eq = '\0';
                v[n++] = (struct label){ line, eq + 1 };
        }
        labels_sort(v, n);
        if (label_env(v, n, &env, &rep) == 0) {
                size_t ne = strv_len(env);

                if (ne > LABEL_ENV_MAX)
                        __builtin_trap();
                for (size_t i = 0; i < ne; i++) {
                        size_t kl = strcspn(env[i], "=");

                        if (strncmp(env[i], LABEL_ENV_PREFIX, sizeof(LABEL_ENV_PREFIX) - 1) ||
                            strlen(env[i] + kl) > LABEL_VALUE_MAX + 1)
                                __builtin_trap();
                        for (size_t j = 0; j < i; j++)
                                if (strncmp(env[i], env[j], kl + 1) == 0)
                                        __builtin_trap();
                }
                strv_free(env);
        }
        if (label_hooks(v, n, 4096, &h, &nh) == 0) {
                if (nh > LABEL_HOOKS_MAX + 1)
                        __builtin_trap();
                for (size_t i = 0; i < nh; i++)
                        if (!h[i].name || !h[i].out == !h[i].reason || (h[i].out && h[i].len > 4096))
                                __builtin_trap();
                label_hooks_free(h, nh);
        }
out:
        free(v);
        free(s);
        return 0;
}
