/* modetab.c — main()'s choice of a mode.  See modetab.h. */
#include "modetab.h"

#include <stdio.h>
#include <string.h>

static const char *base_name(const char *p)
{
        const char *s = strrchr(p, '/');

        return s ? s + 1 : p;
}

int mode_main(const struct mode_table *t, int argc, char **argv)
{
        if (argc > 0 && t->alias && t->n > 0 && strcmp(base_name(argv[0]), t->alias) == 0)
                return t->modes[0].main(argc, argv);
        if (argc < 2) {
                fputs(t->usage, stderr);
                return 2;
        }
        for (size_t i = 0; i < t->n; i++)
                if (strcmp(argv[1], t->modes[i].name) == 0)
                        return t->modes[i].main(argc - 1, argv + 1);
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                fputs(t->usage, stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                puts(t->version);
                return 0;
        }
        fprintf(stderr, "contrainer: %s'%s'%s\n", t->unknown_pre, argv[1], t->unknown_post);
        if (t->usage_on_unknown)
                fputs(t->usage, stderr);
        return 2;
}
