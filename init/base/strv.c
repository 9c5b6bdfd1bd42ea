/* strv.c — NULL-terminated string vectors.  See strv.h. */
#include "strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t strv_len(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

int strv_consume(char ***v, char *s)
{
        size_t n = strv_len(*v);
        char **nv = realloc(*v, (n + 2) * sizeof(*nv));

        if (!nv)
                return -ENOMEM;
        nv[n] = s;
        nv[n + 1] = NULL;
        *v = nv;
        return 0;
}

int strv_push(char ***v, const char *s)
{
        char *c = strdup(s);
        int r;

        if (!c)
                return -ENOMEM;
        r = strv_consume(v, c);
        if (r < 0)
                free(c);
        return r;
}

static int cmp_bytes(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(char **v)
{
        /* qsort(NULL, 0, ...) is undefined behaviour (UBSan says so). */
        if (!v)
                return;
        qsort(v, strv_len(v), sizeof(*v), cmp_bytes);
}

bool strv_equal(char *const *a, char *const *b)
{
        size_t n = strv_len(a);

        if (n != strv_len(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (strcmp(a[i], b[i]) != 0)
                        return false;
        return true;
}

char **strv_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
        return NULL;
}

static ssize_t env_find(char *const *env, const char *name)
{
        size_t nl = strlen(name);

        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, nl) == 0 && env[i][nl] == '=')
                        return (ssize_t)i;
        return -1;
}

const char *strv_env_get(char *const *env, const char *name)
{
        ssize_t i = env_find(env, name);

        return i < 0 ? NULL : env[i] + strlen(name) + 1;
}

int strv_env_set(char ***env, const char *name, const char *value)
{
        ssize_t i = env_find(*env, name);
        char *kv;

        if (asprintf(&kv, "%s=%s", name, value) < 0)
                return -ENOMEM;
        if (i >= 0) {
                free((*env)[i]);
                (*env)[i] = kv;
                return 0;
        }
        if (strv_consume(env, kv) < 0) {
                free(kv);
                return -ENOMEM;
        }
        return 0;
}
